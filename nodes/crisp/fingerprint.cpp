// SPDX-License-Identifier: MIT
#include "nodes/crisp/fingerprint.hpp"

#include <openssl/sha.h>

#include <string>

namespace weft::crisp {

std::int64_t derive_fingerprint(std::string_view thread_id, std::string_view effect_key) {
  std::string input("weft-crisp-fingerprint");
  input += '\0';
  input += thread_id;
  input += '\0';
  input += effect_key;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | digest[i];
  const auto value = static_cast<std::int64_t>(bits >> 11);  // 53 bits
  return value == 0 ? 1 : value;
}

}  // namespace weft::crisp
