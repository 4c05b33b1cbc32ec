// SPDX-License-Identifier: MIT
#pragma once
// Message fingerprints derived from the run's effect key, so that a message sent by a retried or
// resumed task carries the same fingerprint as the first attempt and can be found in the
// conversation (README: "Messages exactly once").

#include <cstdint>
#include <string_view>

namespace weft::crisp {

/// The largest fingerprint Weft derives: 2^53 - 1, so JSON doubles (JavaScript, some JSON
/// libraries) carry it exactly.
inline constexpr std::int64_t kMaxDerivedFingerprint = (std::int64_t{1} << 53) - 1;

/// A deterministic fingerprint for the effect (thread_id, effect_key): the first 53 bits of
/// SHA-256("weft-crisp-fingerprint\0" thread_id "\0" effect_key), mapped to 1..2^53-1.
/// Different keys give different fingerprints with overwhelming probability. Pure function.
std::int64_t derive_fingerprint(std::string_view thread_id, std::string_view effect_key);

}  // namespace weft::crisp
