// SPDX-License-Identifier: MIT
#include "sandbox/http/router.hpp"

#include <stdexcept>

#include "sandbox/http/url.hpp"

namespace weft::sandbox::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path.front() != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  Route route{std::move(method), {}, std::move(handler)};
  const auto parts = split_path(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (!part.empty() && part.front() == '{') {
      if (part.size() < 3 || part.back() != '}') {
        throw std::invalid_argument("unterminated capture in route pattern: " + std::string(pattern));
      }
      std::string_view name = part.substr(1, part.size() - 2);
      if (name.front() == '*') {
        if (i + 1 != parts.size()) {
          throw std::invalid_argument("{*name} must be the last segment: " + std::string(pattern));
        }
        route.segments.push_back({Segment::Kind::rest, std::string(name.substr(1))});
      } else {
        route.segments.push_back({Segment::Kind::capture, std::string(name)});
      }
    } else {
      route.segments.push_back({Segment::Kind::literal, std::string(part)});
    }
  }
  routes_.push_back(std::move(route));
}

void Router::set_fallback(Handler handler) { fallback_ = std::move(handler); }

bool Router::match(const Route& route, const std::vector<std::string_view>& parts, Request* fill) {
  const auto& segs = route.segments;
  const bool has_rest = !segs.empty() && segs.back().kind == Segment::Kind::rest;
  if (has_rest ? parts.size() < segs.size() : parts.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = segs[i];
    switch (seg.kind) {
      case Segment::Kind::literal:
        if (parts[i] != seg.text) return false;
        break;
      case Segment::Kind::capture:
        if (parts[i].empty()) return false;
        if (fill != nullptr) fill->params[seg.text] = percent_decode(parts[i]);
        break;
      case Segment::Kind::rest: {
        std::string joined;
        for (std::size_t j = i; j < parts.size(); ++j) {
          if (parts[j].empty()) return false;
          if (j > i) joined.push_back('/');
          joined += percent_decode(parts[j]);
        }
        if (fill != nullptr) fill->params[seg.text] = std::move(joined);
        break;
      }
    }
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  const std::size_t n = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto ka = a.segments[i].kind;
    const auto kb = b.segments[i].kind;
    if (ka != kb) return static_cast<int>(ka) < static_cast<int>(kb);
  }
  return a.method != "*" && b.method == "*";
}

Response Router::dispatch(Request& req) const {
  const auto parts = split_path(req.path);
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (route.method != "*" && route.method != req.method) continue;
    if (!match(route, parts, nullptr)) continue;
    if (best == nullptr || more_specific(route, *best)) best = &route;
  }
  if (best == nullptr) {
    if (fallback_) return fallback_(req);
    return Response::text(404, "not found");
  }
  match(*best, parts, &req);
  return best->handler(req);
}

}  // namespace weft::sandbox::http
