// SPDX-License-Identifier: MIT
#include "nodes/http/message.hpp"

#include "nodes/http/detail/ascii.hpp"

namespace weft::http {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace weft::http
