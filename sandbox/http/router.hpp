// SPDX-License-Identifier: MIT
#pragma once
// Route table of the loopback server: method + path pattern -> handler.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/http/message.hpp"

namespace weft::sandbox::http {

// A handler answers one request. It runs on a server thread; with more than one server thread,
// handlers run concurrently and must synchronise shared state themselves. An exception escaping a
// handler becomes a 500 text response (the connection stays usable).
using Handler = std::function<Response(Request&)>;

// Matches requests by method and path pattern.
//
// Pattern syntax, one '/'-separated segment at a time:
//   literal      matches exactly (compared against the raw segment);
//   {name}       matches any one non-empty segment, captured percent-decoded into params[name];
//   {*name}      only as the last segment: matches one or more remaining segments, captured as the
//                decoded segments joined by '/' (each segment decoded on its own, so an encoded %2F
//                inside a segment stays distinguishable only before decoding: handlers that care
//                read Request::path).
// The method "*" matches any method. When several routes match, the most specific wins: compared
// segment by segment, literal beats {name} beats {*name}; then an exact method beats "*".
//
// Thread safety: build the table before the server starts; afterwards it is read-only.
class Router {
 public:
  // Adds a route. Throws std::invalid_argument on a malformed pattern (missing leading '/',
  // unterminated brace, {*name} not last).
  void add(std::string method, std::string_view pattern, Handler handler);

  // The handler used when no route matches (default: 404 text "not found").
  void set_fallback(Handler handler);

  // Finds the route for req.method + req.path, fills req.params and calls its handler (or the
  // fallback). Exceptions from the handler propagate to the caller (the server maps them to 500).
  Response dispatch(Request& req) const;

  // Number of routes added.
  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    enum class Kind { literal, capture, rest } kind;
    std::string text;  // literal text or capture name
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& parts, Request* fill);
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace weft::sandbox::http
