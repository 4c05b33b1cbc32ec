// SPDX-License-Identifier: MIT
#pragma once
// Crisp identifier formats (crisp-api.md §3.1): lowercase hyphenated UUIDs, session_<uuid>,
// integer fingerprints.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sandbox/crisp/detail/prng.hpp"

namespace weft::sandbox::crisp::detail {

bool is_uuid(std::string_view s);         // lowercase 8-4-4-4-12 hex
bool is_session_id(std::string_view s);   // "session_" + is_uuid
std::string make_uuid(Prng& prng);        // version-4 shaped, lowercase
std::string make_session_id(Prng& prng);  // "session_" + make_uuid
// A server-side fingerprint: a positive integer in [10^11, 2^53), so that JavaScript clients
// (whose numbers are doubles) read it exactly.
std::int64_t make_fingerprint(Prng& prng);
// Parses a non-negative decimal integer that fits in int64 (path segments, query values).
std::optional<std::int64_t> parse_int(std::string_view s);

inline constexpr std::string_view kUuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
inline constexpr std::string_view kSessionPattern =
    "^session_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

}  // namespace weft::sandbox::crisp::detail
