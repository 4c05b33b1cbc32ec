// SPDX-License-Identifier: MIT
#pragma once
// Private: comparing a secret a client sent (API key, hook key, hook signature) with ours.

#include <string_view>

namespace weft::server::detail {

/// Whether `given` equals `expected`, in time that depends only on expected's length (not on
/// where they first differ, nor on given's length), so a caller guessing learns nothing from how
/// long a refusal takes. Pure.
bool same_secret(std::string_view given, std::string_view expected) noexcept;

}  // namespace weft::server::detail
