// SPDX-License-Identifier: MIT
#include "cli/args.hpp"

#include <algorithm>
#include <sstream>

namespace weft::cli {

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::get_or(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

std::string ParsedArgs::positional(std::size_t index) const {
  return index < positionals.size() ? positionals[index] : std::string();
}

namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  auto it = std::find_if(spec.options.begin(), spec.options.end(), [&](const OptionSpec& o) { return o.name == name; });
  return it == spec.options.end() ? nullptr : &*it;
}

std::string see_help(const CommandSpec& spec) { return "; see 'weft " + spec.name + " --help'"; }

}  // namespace

ParsedArgs parse_args(const CommandSpec& spec, std::span<const std::string> words) {
  ParsedArgs out;
  // --help wins over every other mistake, so a user can always ask.
  for (const auto& w : words) {
    if (w == "--") break;
    if (w == "-h" || w == "--help") {
      out.help = true;
      return out;
    }
  }
  bool options_done = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!options_done && w == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && w.size() > 1 && w[0] == '-') {
      if (w.size() < 3 || w[1] != '-') {
        throw UsageError("unknown option '" + w + "' for 'weft " + spec.name + "'" + see_help(spec));
      }
      std::string name = w.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      const OptionSpec* option = find_option(spec, name);
      if (!option) {
        throw UsageError("unknown option '--" + name + "' for 'weft " + spec.name + "'" + see_help(spec));
      }
      if (option->value_name.empty()) {
        if (inline_value) throw UsageError("option '--" + name + "' takes no value" + see_help(spec));
        out.values[name] = "";
        continue;
      }
      if (inline_value) {
        out.values[name] = *inline_value;
      } else if (i + 1 < words.size()) {
        out.values[name] = words[++i];
      } else {
        throw UsageError("option '--" + name + "' needs a value (" + option->value_name + ")" + see_help(spec));
      }
      continue;
    }
    out.positionals.push_back(w);
  }
  if (out.positionals.size() > spec.positionals.size()) {
    throw UsageError("unexpected argument '" + out.positionals[spec.positionals.size()] + "' for 'weft " + spec.name +
                     "'" + see_help(spec));
  }
  for (std::size_t i = out.positionals.size(); i < spec.positionals.size(); ++i) {
    if (spec.positionals[i].required) {
      throw UsageError("missing " + spec.positionals[i].name + "; usage: " + usage_line(spec));
    }
  }
  for (const auto& o : spec.options) {
    if (o.required && !out.has(o.name)) {
      throw UsageError("missing --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name) +
                       "; usage: " + usage_line(spec));
    }
  }
  return out;
}

std::string usage_line(const CommandSpec& spec) {
  std::string line = "weft " + spec.name;
  for (const auto& p : spec.positionals) line += p.required ? " " + p.name : " [" + p.name + "]";
  for (const auto& o : spec.options) {
    const std::string option = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    line += o.required ? " " + option : " [" + option + "]";
  }
  return line;
}

std::string format_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: " << usage_line(spec) << "\n\n" << spec.summary << "\n";
  auto column = [&](const std::string& left, const std::string& right) {
    out << "  " << left;
    if (left.size() < 24) {
      out << std::string(24 - left.size(), ' ');
    } else {
      out << "\n  " << std::string(24, ' ');
    }
    out << right << "\n";
  };
  if (!spec.positionals.empty()) {
    out << "\narguments:\n";
    for (const auto& p : spec.positionals) column(p.name, p.help + (p.required ? "" : " (optional)"));
  }
  out << "\noptions:\n";
  for (const auto& o : spec.options) {
    column("--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name),
           o.help + (o.required ? " (required)" : ""));
  }
  column("-h, --help", "show this help");
  if (!spec.description.empty()) out << "\n" << spec.description << (spec.description.back() == '\n' ? "" : "\n");
  return out.str();
}

}  // namespace weft::cli
