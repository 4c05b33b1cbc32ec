// SPDX-License-Identifier: MIT
#pragma once
// Private: a Crisp web hook event as the server keeps it (Crisp Web Hooks reference v1: a POST of
// {"website_id", "event", "data", "timestamp"}), and its identity for deduplication. Delivery is
// at least once, so the identity must be the same for every delivery of one event: for a message
// it is (event, website, session, fingerprint): Crisp keys a message by the last three; for other
// events, the engine's request_digest of the body (canonical JSON: a redelivery is the same
// event whatever its key order).

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::server::detail {

struct HookEvent {
  std::string website_id;                   ///< UUID
  std::string event;                        ///< e.g. "message:send", "session:set_email"
  std::string session_id;                   ///< "session_<uuid>", or "" for events about no conversation
  std::string from;                         ///< data.from for message events ("user" is the visitor), else ""
  std::string type;                         ///< data.type for message events ("text", "file", ...), else ""
  std::string content;                      ///< data.content when it is a string, else ""
  std::optional<std::int64_t> fingerprint;  ///< data.fingerprint for message events
  std::int64_t timestamp_ms = 0;            ///< the event's own timestamp (0 when absent)
  std::string identity;                     ///< what deduplicates it (see above)
  boost::json::object data;                 ///< data as received
};

/// Parses and validates a hook body. Throws std::invalid_argument with a message naming the
/// offending field (not JSON, not an object, website_id not a UUID, event missing or not
/// "<word>:<word>...", a session_id not "session_<uuid>", a message event without a fingerprint).
HookEvent parse_hook_event(std::string_view body);

}  // namespace weft::server::detail
