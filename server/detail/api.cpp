// SPDX-License-Identifier: MIT
#include "server/detail/api.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <random>

namespace json = boost::json;
namespace net = boost::asio;
namespace beast = boost::beast;

namespace weft::server::detail {

const json::object& Exchange::body() {
  if (body_) return *body_;
  const std::string& text = request_.body();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    body_.emplace();
    return *body_;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) throw ApiError(422, "request body is not valid JSON: " + ec.message());
  if (!parsed.is_object()) throw ApiError(422, "request body must be a JSON object");
  body_.emplace(std::move(parsed.as_object()));
  return *body_;
}

std::optional<std::string> Exchange::query_param(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

void Exchange::reply(json::value body, int status) {
  Response res{static_cast<http::status>(status), request_.version()};
  res.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : extra_headers_) res.set(name, value);
  res.body() = json::serialize(body);
  res.keep_alive(request_.keep_alive());
  res.prepare_payload();
  response_ = std::move(res);
}

void Exchange::reply_empty(int status) {
  Response res{static_cast<http::status>(status), request_.version()};
  for (const auto& [name, value] : extra_headers_) res.set(name, value);
  res.keep_alive(request_.keep_alive());
  res.prepare_payload();
  response_ = std::move(res);
}

net::awaitable<bool> Exchange::open_stream() {
  streamed_ = true;
  http::response<http::empty_body> res{http::status::ok, request_.version()};
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::connection, "close");
  for (const auto& [name, value] : extra_headers_) res.set(name, value);
  res.keep_alive(false);
  http::response_serializer<http::empty_body> serializer{res};
  beast::error_code ec;
  stream_.expires_after(write_timeout_);
  co_await http::async_write_header(stream_, serializer, net::redirect_error(net::use_awaitable, ec));
  co_return !ec;
}

net::awaitable<bool> Exchange::send_event(std::string event, std::string data, std::string id) {
  std::string frame;
  frame.reserve(event.size() + data.size() + id.size() + 24);
  frame += "event: ";
  frame += event;
  frame += "\ndata: ";
  frame += data;  // serialized JSON holds no raw newline
  frame += '\n';
  if (!id.empty()) {
    frame += "id: ";
    frame += id;
    frame += '\n';
  }
  frame += '\n';
  beast::error_code ec;
  stream_.expires_after(write_timeout_);
  co_await net::async_write(stream_, net::buffer(frame), net::redirect_error(net::use_awaitable, ec));
  co_return !ec;
}

net::awaitable<bool> Exchange::send_comment(std::string text) {
  std::string frame = ": " + text + "\n\n";
  beast::error_code ec;
  stream_.expires_after(write_timeout_);
  co_await net::async_write(stream_, net::buffer(frame), net::redirect_error(net::use_awaitable, ec));
  co_return !ec;
}

Response error_response(const Request& request, int status, const std::string& detail) {
  Response res{static_cast<http::status>(status), request.version()};
  res.set(http::field::content_type, "application/json");
  json::object body;
  body["detail"] = detail;
  res.body() = json::serialize(body);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

std::int64_t now_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso_time(std::int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return text;
}

namespace {

std::string format_uuid(const unsigned char* b) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string random_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<unsigned char, 16> b{};
  for (int i = 0; i < 2; ++i) {
    std::uint64_t r = rng();
    for (int j = 0; j < 8; ++j) b[static_cast<std::size_t>(i * 8 + j)] = static_cast<unsigned char>(r >> (8 * j));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  return format_uuid(b.data());
}

std::string name_uuid(std::string_view name) {
  // RFC 4122 name space for URLs: 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
  static constexpr unsigned char url_namespace[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  std::string input(reinterpret_cast<const char*>(url_namespace), 16);
  input.append(name);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);
  return format_uuid(digest);
}

const json::value* field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

std::optional<std::string> string_field(const json::object& o, std::string_view name) {
  const json::value* v = field(o, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) throw ApiError(422, "'" + std::string(name) + "' must be a string");
  return std::string(v->as_string());
}

json::object object_field(const json::object& o, std::string_view name) {
  const json::value* v = field(o, name);
  if (v == nullptr) return {};
  if (!v->is_object()) throw ApiError(422, "'" + std::string(name) + "' must be an object");
  return v->as_object();
}

std::vector<std::string> strings_field(const json::object& o, std::string_view name) {
  const json::value* v = field(o, name);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->is_string()) {
    out.emplace_back(v->as_string());
    return out;
  }
  if (!v->is_array()) throw ApiError(422, "'" + std::string(name) + "' must be a string or a list of strings");
  for (const json::value& item : v->as_array()) {
    if (!item.is_string()) throw ApiError(422, "'" + std::string(name) + "' must be a list of strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

std::int64_t int_field(const json::object& o, std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
  const json::value* v = field(o, name);
  if (v == nullptr) return fallback;
  if (!v->is_int64() && !v->is_uint64()) throw ApiError(422, "'" + std::string(name) + "' must be an integer");
  if (v->is_uint64() && v->as_uint64() > static_cast<std::uint64_t>(max))
    throw ApiError(422, "'" + std::string(name) + "' must be at most " + std::to_string(max));
  std::int64_t n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
  if (n < min || n > max)
    throw ApiError(
        422, "'" + std::string(name) + "' must be between " + std::to_string(min) + " and " + std::to_string(max));
  return n;
}

bool matches(const json::object& object, const json::object& subset) {
  for (const auto& [key, value] : subset) {
    const json::value* have = object.if_contains(key);
    if (have == nullptr || *have != value) return false;
  }
  return true;
}

}  // namespace weft::server::detail

#include "engine/error.hpp"
#include "graphs/error.hpp"
#include "store/error.hpp"

namespace weft::server::detail {

ApiError api_error_of(const weft::Error& error) {
  const std::error_code code = error.code();
  int status = 500;
  if (code == engine::error::checkpoint_not_found || code == store::error::unknown_checkpoint)
    status = 404;
  else if (code == store::error::thread_busy)
    status = 409;
  else if (code == engine::error::invalid_update || code == engine::error::invalid_input ||
           code == engine::error::invalid_resume || code == engine::error::invalid_route ||
           code == graphs::error::invalid_input)
    status = 422;
  return ApiError(status, error.what());
}

}  // namespace weft::server::detail
