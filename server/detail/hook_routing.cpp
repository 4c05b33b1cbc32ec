// SPDX-License-Identifier: MIT
#include "server/detail/hook_routing.hpp"

#include "nodes/tools/formats.hpp"

#include <boost/json/parse.hpp>

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

constexpr std::string_view kSpace = " \t\r";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// The next whitespace-separated word of `rest` (which loses it).
std::string_view next_word(std::string_view& rest) {
  rest = trim(rest);
  const auto end = rest.find_first_of(kSpace);
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  return word;
}

bool valid_template(std::string_view t) {
  // {website_id}, {session_id}, {event} and thread-id characters only.
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{') {
      auto close = t.find('}', i);
      if (close == std::string_view::npos) return false;
      std::string_view name = t.substr(i + 1, close - i - 1);
      if (name != "website_id" && name != "session_id" && name != "event") return false;
      i = close;
      continue;
    }
    const char c = t[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == ':'))
      return false;
  }
  return !t.empty() && t.size() <= 100;
}

std::string expand(std::string_view t, const HookEvent& event) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{') {
      auto close = t.find('}', i);
      std::string_view name = t.substr(i + 1, close - i - 1);
      out += name == "website_id" ? event.website_id : name == "session_id" ? event.session_id : event.event;
      i = close;
    } else {
      out += t[i];
    }
  }
  return out;
}

bool holds_segment(const json::object& data, const std::string& segment) {
  const json::value* segments = data.if_contains("segments");
  if (!segments || !segments->is_array()) return false;
  return std::any_of(segments->as_array().begin(), segments->as_array().end(),
                     [&](const json::value& v) { return v.is_string() && v.as_string() == segment; });
}

}  // namespace

std::int64_t count_links(std::string_view text) {
  static const RE2 link(R"((?i)(?:https?://|www\.)[^\s<>"']+)");
  re2::StringPiece input(text.data(), text.size());
  std::int64_t count = 0;
  while (RE2::FindAndConsume(&input, link)) ++count;
  return count;
}

HookRouting HookRouting::defaults() {
  HookRouting routing;
  HookRule rule;
  rule.event = "message:send";
  rule.from = "user";
  rule.graph = "live_reply";
  routing.rules_.push_back(std::move(rule));
  return routing;
}

HookRouting HookRouting::parse(std::string_view text, const std::string& file,
                               const std::function<bool(std::string_view)>& graph_exists) {
  HookRouting routing;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos && line.find(" input ") > hash)
      line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;

    auto fail = [&](const std::string& what) -> HookConfigError {
      return HookConfigError(file + ":" + std::to_string(line_number) + ": " + what);
    };
    std::string_view rest = line;
    if (next_word(rest) != "on")
      throw fail("a rule starts with 'on <event>' (on message:send from=user run live_reply)");
    HookRule rule;
    rule.line = line_number;
    rule.event = std::string(next_word(rest));
    if (rule.event.empty() || rule.event.find(':') == std::string::npos || rule.event == "run")
      throw fail("'on' needs an event name such as message:send");
    for (std::string_view word = next_word(rest); word != "run"; word = next_word(rest)) {
      if (word.empty()) throw fail("missing 'run <graph>'");
      const auto eq = word.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == word.size())
        throw fail("'" + std::string(word) + "' is not a filter (name=value)");
      const std::string name(word.substr(0, eq));
      const std::string value(word.substr(eq + 1));
      if (name == "from") {
        if (value != "user" && value != "operator") throw fail("from= takes user or operator, not '" + value + "'");
        rule.from = value;
      } else if (name == "website") {
        if (!formats::is_uuid(value)) throw fail("website= takes a website id (a UUID), not '" + value + "'");
        rule.website_id = value;
      } else if (name == "segment") {
        rule.segment = value;
      } else if (name == "type") {
        rule.type = value;
      } else if (name == "min_links") {
        std::int64_t n = -1;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 1000)
          throw fail("min_links= takes a number from 1 to 1000, not '" + value + "'");
        rule.min_links = n;
      } else {
        throw fail("unknown filter '" + name + "' (filters: from, website, segment, type, min_links)");
      }
    }
    rule.graph = std::string(next_word(rest));
    if (rule.graph.empty()) throw fail("'run' needs a graph name");
    if (!graph_exists(rule.graph)) throw fail("no graph named '" + rule.graph + "'");
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
      if (word == "thread") {
        std::string_view t = next_word(rest);
        if (!valid_template(t))
          throw fail(
              "'thread' takes a name of letters, digits, '-', '_', '.', ':' and {website_id}, {session_id}, "
              "{event}, not '" +
              std::string(t) + "'");
        rule.thread_template = std::string(t);
      } else if (word == "input") {
        boost::system::error_code ec;
        json::value v = json::parse(trim(rest), ec);
        if (ec || !v.is_object()) throw fail("'input' takes a JSON object to the end of the line");
        rule.input = std::move(v.as_object());
        rest = {};
      } else {
        throw fail("unexpected '" + std::string(word) + "' after the graph (thread <template>, input <JSON>)");
      }
    }
    routing.rules_.push_back(std::move(rule));
  }
  return routing;
}

std::optional<HookTarget> HookRouting::route(
    const HookEvent& event, const std::function<std::vector<std::string>(std::string_view)>& input_properties) const {
  for (const HookRule& rule : rules_) {
    if (rule.event != event.event) continue;
    if (rule.from && *rule.from != event.from) continue;
    if (rule.website_id && *rule.website_id != event.website_id) continue;
    if (rule.type && *rule.type != event.type) continue;
    if (rule.segment && !holds_segment(event.data, *rule.segment)) continue;
    if (rule.min_links && count_links(event.content) < *rule.min_links) continue;
    if (rule.thread_template.find("{session_id}") != std::string::npos && event.session_id.empty()) continue;

    HookTarget target;
    target.rule = &rule;
    target.graph = rule.graph;
    target.thread_id = expand(rule.thread_template, event);
    target.input = rule.input;
    const std::vector<std::string> declared = input_properties(rule.graph);
    auto declares = [&](std::string_view name) {
      return std::find(declared.begin(), declared.end(), name) != declared.end();
    };
    if (declares("session_id") && !event.session_id.empty()) target.input["session_id"] = event.session_id;
    if (declares("website_id")) target.input["website_id"] = event.website_id;
    if (declares("message_fingerprint") && event.fingerprint) target.input["message_fingerprint"] = *event.fingerprint;
    return target;
  }
  return std::nullopt;
}

}  // namespace weft::server::detail
