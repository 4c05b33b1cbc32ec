// SPDX-License-Identifier: MIT
#include "server/detail/router.hpp"

namespace weft::server::detail {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(std::string(path.substr(i, end - i)));
    i = end;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  std::size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    std::size_t end = query.find('&', i);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(i, end - i);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string key = percent_decode(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
      out[std::move(key)] = std::move(value);
    }
    i = end + 1;
    if (end == query.size()) break;
  }
  return out;
}

void Router::add(http::verb method, std::string_view pattern, Handler handler) {
  routes_.push_back({method, split_path(pattern), std::move(handler)});
}

const Handler* Router::match(http::verb method, std::string_view path, std::vector<std::string>& params,
                             bool& path_known) const {
  std::vector<std::string> segments = split_path(path);
  path_known = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::string> found;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (route.segments[i] == "{}") {
        found.push_back(percent_decode(segments[i], false));
      } else {
        ok = route.segments[i] == segments[i];
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      path_known = true;
      continue;
    }
    params = std::move(found);
    return &route.handler;
  }
  return nullptr;
}

}  // namespace weft::server::detail
