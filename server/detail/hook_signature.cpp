// SPDX-License-Identifier: MIT
#include "server/detail/hook_signature.hpp"

#include "server/detail/constant_time.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace weft::server::detail {

std::string crisp_hook_signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string trace;
  trace.reserve(body.size() + timestamp.size() + 3);
  trace += '[';
  trace += timestamp;
  trace += ';';
  trace += body;
  trace += ']';
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(trace.data()), trace.size(), mac.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 0x0f];
  }
  return hex;
}

bool crisp_hook_signature_matches(std::string_view secret, std::string_view timestamp, std::string_view body,
                                  std::string_view signature) noexcept {
  if (secret.empty() || signature.size() != 64) return false;
  std::string given(signature);
  for (char& c : given)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  try {
    return same_secret(given, crisp_hook_signature(secret, timestamp, body));
  } catch (...) {  // allocation failure: not a match
    return false;
  }
}

std::optional<std::chrono::milliseconds> parse_hook_timestamp(std::string_view text) noexcept {
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < 100'000'000'000) value *= 1000;  // seconds
  return std::chrono::milliseconds(value);
}

}  // namespace weft::server::detail
