// SPDX-License-Identifier: MIT
#pragma once
// Request and response types of the loopback HTTP server (sandbox/http/server.hpp).
// Plain standard-library types, so route handlers never include Beast.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace weft::sandbox::http {

// Ordered name/value pairs (headers, query parameters). Duplicates are kept in arrival order.
using Fields = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP/1.1 request as a handler sees it.
struct Request {
  std::string method;                                   // as sent, e.g. "GET", "HEAD"
  std::string target;                                   // raw request target, e.g. "/v1/x/1?per_page=20"
  std::string path;                                     // raw (still percent-encoded) path part of target, no query
  Fields query;                                         // query parameters, percent- and '+'-decoded, in order
  Fields headers;                                       // header names lower-cased, values as sent
  std::string body;                                     // the whole body (bodies are small here)
  std::unordered_map<std::string, std::string> params;  // route captures, decoded (router.hpp)
  std::string remote_address;                           // peer IP, e.g. "127.0.0.1"

  // First header with this name (case-insensitive), or nullopt. Views into *this.
  std::optional<std::string_view> header(std::string_view name) const;
  // First query parameter with this name (exact), or nullopt. Views into *this.
  std::optional<std::string_view> query_value(std::string_view name) const;
  // The route capture `name`, or "" when the route has no such capture.
  std::string_view param(std::string_view name) const;
};

// One piece of a streamed (chunked) response body, written after waiting `delay`.
struct Chunk {
  std::string data;
  std::chrono::milliseconds delay{0};
};

// What a handler answers. Besides status, headers and body it can ask the server to misbehave,
// which is how fault injection reaches the wire without handlers touching sockets.
struct Response {
  int status = 200;
  Fields headers;
  std::string body;  // ignored when `chunks` is set; never sent for HEAD (Content-Length still is)

  // When set, the body is sent with Transfer-Encoding: chunked, one HTTP chunk per element, each
  // after its delay (SSE streams: set Content-Type: text/event-stream and put events in chunks).
  std::optional<std::vector<Chunk>> chunks;
  // With `chunks`: close the connection abruptly after this many chunks (a stream cut mid-way).
  std::optional<std::size_t> drop_after_chunks;

  std::chrono::milliseconds delay{0};  // wait this long before sending anything (added latency)
  bool drop = false;                   // close the connection without answering at all
  bool close = false;                  // answer, then close (Connection: close)

  // A response with Content-Type application/json and the given body.
  static Response json(int status, std::string body);
  // A response with Content-Type text/plain; charset=utf-8 and the given body.
  static Response text(int status, std::string body);
  // Adds (never replaces) a header; returns *this for chaining.
  Response& add_header(std::string name, std::string value);
  // The first header with this name (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

}  // namespace weft::sandbox::http
