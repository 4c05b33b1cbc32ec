// SPDX-License-Identifier: MIT
#pragma once
// What a Crisp route handler receives (Ctx) and returns (Reply), and the error it throws (ApiError).
// Handlers see only these types and boost::json, never Beast.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "sandbox/crisp/detail/schema.hpp"
#include "sandbox/crisp/detail/store.hpp"
#include "sandbox/http/message.hpp"

namespace weft::sandbox::crisp::detail {

// A failure answered with the envelope {"error":true,"reason":reason,"data":{"message"?:message}}.
struct ApiError {
  int status;
  std::string reason;
  std::string message;  // omitted from data when empty
};

// 400 invalid_data with an AJV-style message.
[[noreturn]] void throw_invalid(std::string message);
// 404 not_found with a message naming what is missing.
[[noreturn]] void throw_not_found(std::string message);
// 404 not_found "the route does not exist" (unknown route, or the other helpdesk family).
[[noreturn]] void throw_no_route();

// A success answer: {"error":false,"reason":reason,"data":data}.
struct Reply {
  int status = 200;
  std::string reason;  // "" = by method: GET/HEAD resolved, POST added, PUT/PATCH updated, DELETE deleted
  boost::json::value data = boost::json::object();
  std::string raw_data;  // when not empty: the data already serialized (used instead of `data`)
  // For the effect log:
  std::optional<std::int64_t> fingerprint;  // the message fingerprint a send produced or replayed
  std::string session_id;                   // a session the write created (else the path's)
  bool replayed = false;                    // a write that changed nothing (repeated fingerprint, existing path)
};

struct Ctx {
  Ctx(http::Request& r, Store& s, boost::json::object& w, std::string id, std::int64_t t)
      : req(r), store(s), site(w), website_id(std::move(id)), now(t) {}

  http::Request& req;
  Store& store;
  boost::json::object& site;  // the website addressed by the path, already authorised
  std::string website_id;
  std::int64_t now;  // request time, epoch ms
  // Web hook events the handler caused ({event name, data}), delivered once the write is saved.
  std::vector<std::pair<std::string, boost::json::object>> hook_events;

  // The route capture `name`.
  std::string_view param(std::string_view name) const { return req.param(name); }
  // The body parsed as JSON; an absent/empty body reads as {}. Invalid JSON throws
  // invalid_data "data should be object".
  const boost::json::value& body();
  // Validates body() against `schema` and throws invalid_data with its message when it fails.
  const boost::json::object& body_checked(const Schema& schema);

  // {page_number} as an integer >= 1; anything else is an unknown route (404).
  std::int64_t page() const;
  // The per_page query value (default 20, must be within [20, 50] else invalid_data).
  std::int64_t per_page() const;
  // A query flag "1"/"true" -> true; absent, "" or "0" -> false.
  bool flag(std::string_view name) const;
  // A query value; empty values read as absent (GO clients send every key, crisp-api.md §8.3.1).
  std::optional<std::string_view> query(std::string_view name) const;

  // The conversation named by {session_id}: invalid format -> invalid_data, unknown -> not_found.
  boost::json::object& conversation();
  // The messages array of that conversation.
  boost::json::array& messages();

 private:
  std::optional<boost::json::value> body_;
};

// Slices items [ (page-1)*per_page, page*per_page ) into a new array.
boost::json::array paginate(const std::vector<const boost::json::value*>& items, std::int64_t page,
                            std::int64_t per_page);
// The same slice, serialized straight from the store (no copy of the items).
std::string paginate_json(const std::vector<const boost::json::value*>& items, std::int64_t page,
                          std::int64_t per_page);
// The same slice of `items`, an array built for this reply.
std::string paginate_json(const boost::json::array& items, std::int64_t page, std::int64_t per_page);

// `s` in ASCII lower case (the sandbox's case-insensitive searches).
std::string lower(std::string_view s);

}  // namespace weft::sandbox::crisp::detail
