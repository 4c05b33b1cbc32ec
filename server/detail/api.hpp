// SPDX-License-Identifier: MIT
#pragma once
// Private: what every route handler works with. A request arrives as an Exchange; a handler either
// sets its JSON response or streams Server-Sent Events through it. Errors a client caused are
// thrown as ApiError and answered as LangGraph answers them: {"detail": "..."} with the status.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace weft::server::detail {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// A client error: `status` and the text of {"detail": text}.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& detail) : std::runtime_error(detail), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

[[noreturn]] inline void not_found(const std::string& what) { throw ApiError(404, what + " not found"); }

/// One request being answered.
class Exchange {
 public:
  Exchange(const Request& request, boost::beast::tcp_stream& stream, std::chrono::seconds write_timeout)
      : request_(request), stream_(stream), write_timeout_(write_timeout) {}

  const Request& request() const noexcept { return request_; }
  /// The {name} segments of the matched route, in order.
  std::vector<std::string> params;
  /// Query parameters (percent-decoded; the last one wins).
  std::map<std::string, std::string, std::less<>> query;

  /// The body as a JSON object; an empty body is {}. Throws ApiError 422 when it is not JSON or
  /// not an object.
  const boost::json::object& body();
  /// The query parameter or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;

  /// Sets the JSON response (status 200 unless given).
  void reply(boost::json::value body, int status = 200);
  /// An empty response (204, or 202 when asked).
  void reply_empty(int status = 204);
  /// Adds a header to the response (or to the event stream when called before open_stream).
  void add_header(std::string name, std::string value) {
    extra_headers_.emplace_back(std::move(name), std::move(value));
  }

  /// Starts a text/event-stream response (no length; the connection closes after it). Returns
  /// false when the client is gone.
  boost::asio::awaitable<bool> open_stream();
  /// Writes one event; false when the client is gone (the write failed or timed out).
  boost::asio::awaitable<bool> send_event(std::string event, std::string data, std::string id);
  /// Writes an SSE comment line (clients ignore it); false when the client is gone.
  boost::asio::awaitable<bool> send_comment(std::string text);

  bool streamed() const noexcept { return streamed_; }
  std::optional<Response>& response() noexcept { return response_; }

 private:
  const Request& request_;
  boost::beast::tcp_stream& stream_;
  std::chrono::seconds write_timeout_;
  std::optional<boost::json::object> body_;
  std::optional<Response> response_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
  bool streamed_ = false;
};

/// {"detail": text} with `status`, as LangGraph's API answers errors.
Response error_response(const Request& request, int status, const std::string& detail);

// ---- small helpers shared by the routes ----

std::int64_t now_ms() noexcept;
/// "2026-11-24T09:40:00.123+00:00" (the SDK passes these through as strings).
std::string iso_time(std::int64_t epoch_ms);
/// A random (version 4) UUID.
std::string random_uuid();
/// The name-based (version 5, SHA-1) UUID of `name` in the URL namespace: a graph's stable
/// assistant_id.
std::string name_uuid(std::string_view name);

/// Field access with LangGraph-shaped 422 errors naming the field.
const boost::json::value* field(const boost::json::object& o, std::string_view name);  // null/absent -> nullptr
std::optional<std::string> string_field(const boost::json::object& o, std::string_view name);
boost::json::object object_field(const boost::json::object& o, std::string_view name);        // absent -> {}
std::vector<std::string> strings_field(const boost::json::object& o, std::string_view name);  // "x" or ["x"]
std::int64_t int_field(const boost::json::object& o, std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);

/// Whether `subset` is contained in `object` (each key equal; nested objects compared whole).
bool matches(const boost::json::object& object, const boost::json::object& subset);

}  // namespace weft::server::detail

namespace weft {
class Error;
}

namespace weft::server::detail {
/// The HTTP status for an engine/store/graphs error a request caused (404 unknown checkpoint,
/// 409 thread busy, 422 invalid input/update/resume, else 500) as an ApiError.
ApiError api_error_of(const weft::Error& error);
}  // namespace weft::server::detail
