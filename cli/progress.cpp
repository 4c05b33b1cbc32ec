#include "cli/progress.hpp"

#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::cli {

std::string truncate(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

StreamModes ProgressPrinter::modes() const {
  StreamModes modes = static_cast<unsigned>(StreamMode::updates) | static_cast<unsigned>(StreamMode::custom);
  if (mode_ == "values") modes |= static_cast<unsigned>(StreamMode::values);
  if (mode_ == "debug") modes |= static_cast<unsigned>(StreamMode::debug);
  return modes;
}

void ProgressPrinter::line(const std::string& text) { out_ << "  " << text << "\n" << std::flush; }

void ProgressPrinter::operator()(const StreamEvent& event) {
  const std::string where = "step " + std::to_string(event.step);
  switch (event.mode) {
    case StreamMode::updates: {
      if (!event.data.is_object()) break;
      for (const auto& [node, update] : event.data.as_object()) {
        if (node == "__interrupt__") {
          out_ << where << "  waiting for a human";
          if (!event.node.empty()) out_ << " at " << event.node;
          out_ << "\n";
          continue;
        }
        std::string keys;
        if (update.is_object()) {
          for (const auto& [key, value] : update.as_object()) {
            (void)value;
            keys += (keys.empty() ? "" : ", ") + std::string(key);
          }
        }
        out_ << where << "  " << std::string(node) << (keys.empty() ? "" : " -> " + keys) << "\n";
      }
      break;
    }
    case StreamMode::custom: {
      const json::object* o = event.data.if_object();
      if (o && o->contains("event") && o->at("event") == "tool") {
        std::string tool = o->contains("tool") && o->at("tool").is_string() ? std::string(o->at("tool").as_string()) : "?";
        std::string status = o->contains("status") && o->at("status").is_string() ? std::string(o->at("status").as_string()) : "";
        out_ << where << "  " << event.node << ": tool " << tool << (status.empty() ? "" : " " + status) << "\n";
      } else {
        out_ << where << "  " << event.node << ": " << truncate(json::serialize(event.data), 160) << "\n";
      }
      break;
    }
    case StreamMode::values:
      out_ << where << "  state " << truncate(json::serialize(event.data), 200) << "\n";
      break;
    case StreamMode::debug:
      out_ << where << "  debug " << truncate(json::serialize(event.data), 200) << "\n";
      break;
  }
  out_ << std::flush;
}

}  // namespace weft::cli
