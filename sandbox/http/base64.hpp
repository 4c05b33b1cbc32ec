// SPDX-License-Identifier: MIT
#pragma once
// Base64 (RFC 4648, standard alphabet, with padding) for HTTP Basic credentials.

#include <optional>
#include <string>
#include <string_view>

namespace weft::sandbox::http {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64. Whitespace is not accepted.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace weft::sandbox::http
