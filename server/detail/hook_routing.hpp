// SPDX-License-Identifier: MIT
#pragma once
// Private: which graph a Crisp web hook event starts (`weft serve --config FILE`; the format is
// documented in server/README.md, "Routing Crisp events"). One rule per line:
//
//   on <event> [<filter>...] run <graph> [thread <template>] [input <JSON object>]
//
// The first rule whose event and filters all match decides. With no file, the default rules are
// `on message:send from=user run live_reply`. Thread safety: const members are pure.

#include "server/detail/hook_event.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft::server::detail {

/// A configuration error: what is wrong and the line it is on ("FILE:LINE: ...").
class HookConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HookRule {
  std::size_t line = 0;                   ///< where it was written (0 for a default rule)
  std::string event;                      ///< exact event name
  std::optional<std::string> from;        ///< data.from ("user", "operator")
  std::optional<std::string> website_id;  ///< only this website
  std::optional<std::string> segment;     ///< data.segments (an array of names) holds it
  std::optional<std::string> type;        ///< data.type ("text", "file", ...)
  std::optional<std::int64_t> min_links;  ///< data.content holds at least this many links
  std::string graph;
  std::string thread_template = "crisp-{session_id}";
  boost::json::object input;  ///< merged under the event's own fields (see HookRouting::input_for)
};

/// Where an event goes: the graph, the thread, and the run input.
struct HookTarget {
  const HookRule* rule = nullptr;
  std::string graph;
  std::string thread_id;
  boost::json::object input;
};

class HookRouting {
 public:
  /// The default: visitor messages to live_reply on crisp-<session_id>.
  static HookRouting defaults();
  /// Parses `text` (read from `file`, named in errors). `graph_exists` says whether a graph
  /// name is registered. Throws HookConfigError naming the file and line of the first error.
  static HookRouting parse(std::string_view text, const std::string& file,
                           const std::function<bool(std::string_view)>& graph_exists);

  /// The target of `event`, or nullopt when no rule matches. `input_properties` gives, for a
  /// graph, the names its input schema declares: the event's session_id, website_id,
  /// and message_fingerprint are passed only to graphs that declare them, under the
  /// rule's own input.
  std::optional<HookTarget> route(
      const HookEvent& event, const std::function<std::vector<std::string>(std::string_view)>& input_properties) const;

  const std::vector<HookRule>& rules() const noexcept { return rules_; }

 private:
  std::vector<HookRule> rules_;
};

/// How many links (http://, https://, www.) `text` holds; matched with RE2 (linear time on
/// untrusted text).
std::int64_t count_links(std::string_view text);

}  // namespace weft::server::detail
