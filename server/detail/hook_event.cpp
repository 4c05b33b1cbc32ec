// SPDX-License-Identifier: MIT
#include "server/detail/hook_event.hpp"

#include "engine/effect_journal.hpp"
#include "nodes/tools/formats.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

// "message:send", "session:set_email", "message:received:mention" ...: lower-case words and
// underscores joined by ':'. Bounded, so an event name is safe to log and to store.
bool is_event_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == ':' || name.back() == ':') return false;
  bool colon = false;
  char previous = 0;
  for (char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (c == ':') {
      if (previous == ':') return false;
      colon = true;
    } else if (!word) {
      return false;
    }
    previous = c;
  }
  return colon;
}

bool is_session_id(std::string_view id) {
  constexpr std::string_view prefix = "session_";
  return id.size() > prefix.size() && id.substr(0, prefix.size()) == prefix &&
         formats::is_uuid(id.substr(prefix.size()));
}

std::string string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::int64_t> integer_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) {  // JavaScript senders: an integral double is the same number
    double d = v->as_double();
    if (d >= 0 && d <= 9007199254740991.0 && d == static_cast<double>(static_cast<std::int64_t>(d)))
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

HookEvent parse_hook_event(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) throw std::invalid_argument("the body is not JSON (" + ec.message() + ")");
  if (!parsed.is_object()) throw std::invalid_argument("the body is not a JSON object");
  const json::object& root = parsed.as_object();

  HookEvent event;
  event.website_id = string_member(root, "website_id");
  if (!formats::is_uuid(event.website_id)) throw std::invalid_argument("website_id is missing or not a UUID");
  event.event = string_member(root, "event");
  if (!is_event_name(event.event))
    throw std::invalid_argument("event is missing or not an event name such as \"message:send\"");
  if (const json::value* data = root.if_contains("data"); data && data->is_object()) {
    event.data = data->as_object();
  } else {
    throw std::invalid_argument("data is missing or not an object");
  }
  event.timestamp_ms = integer_member(root, "timestamp").value_or(0);

  if (const json::value* session = event.data.if_contains("session_id")) {
    if (!session->is_string() || !is_session_id(session->as_string()))
      throw std::invalid_argument("data.session_id is not a session id (session_<uuid>)");
    event.session_id = std::string(session->as_string());
  }
  if (std::string inner = string_member(event.data, "website_id"); !inner.empty() && inner != event.website_id)
    throw std::invalid_argument("data.website_id differs from website_id");

  const bool message = event.event.rfind("message:", 0) == 0;
  if (message) {
    event.from = string_member(event.data, "from");
    event.type = string_member(event.data, "type");
    event.content = string_member(event.data, "content");
    event.fingerprint = integer_member(event.data, "fingerprint");
    if (event.session_id.empty()) throw std::invalid_argument("data.session_id is missing from a message event");
    if (!event.fingerprint) throw std::invalid_argument("data.fingerprint is missing or not an integer");
    event.identity = "message|" + event.event + "|" + event.website_id + "|" + event.session_id + "|" +
                     std::to_string(*event.fingerprint);
  } else {
    event.identity = "event|" + event.event + "|" + request_digest(parsed);
  }
  return event;
}

}  // namespace weft::server::detail
