// SPDX-License-Identifier: MIT
// Recognising and redacting PostgreSQL URLs (store/postgres_run_queue.hpp).

#include "store/postgres_run_queue.hpp"

#include <string>

namespace weft {

bool is_postgres_url(std::string_view text) noexcept {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

std::string redact_postgres_url(std::string_view url) {
  std::string out(url);
  // userinfo: scheme://user:PASSWORD@host (the last '@' before the path ends the userinfo).
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto authority = scheme + 3;
    const auto path = out.find_first_of("/?", authority);
    const auto at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
    if (at != std::string::npos && at >= authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // query: ...?password=SECRET&... (any case)
  for (std::size_t pos = 0; (pos = out.find('=', pos)) != std::string::npos; ++pos) {
    const auto start = out.find_last_of("?&", pos);
    if (start == std::string::npos) continue;
    std::string key = out.substr(start + 1, pos - start - 1);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key != "password") continue;
    const auto end = out.find('&', pos);
    out.replace(pos + 1, (end == std::string::npos ? out.size() : end) - pos - 1, "***");
  }
  return out;
}

}  // namespace weft
