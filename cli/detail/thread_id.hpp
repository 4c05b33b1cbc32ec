// SPDX-License-Identifier: MIT
#pragma once
// Thread ids as the CLI takes and shows them. A new id must be printable UTF-8 of at most
// kMaxThreadIdBytes bytes; ids already stored (older databases, other API users) may be anything,
// so every id the CLI prints goes through printable_text() (terminal) or utf8_safe() (JSON).

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::cli::detail {

inline constexpr std::size_t kMaxThreadIdBytes = 128;

/// Throws UsageError naming what is wrong (too long, not UTF-8, a control or invisible
/// formatting character, with its byte offset) unless `id` is fit to create a thread with.
void validate_new_thread_id(std::string_view id);

/// `text` safe to print on a terminal: bytes that are not UTF-8 and control characters (C0, DEL,
/// C1, line/paragraph separators, bidirectional overrides) become "\xNN" (per byte); everything
/// else is kept.
std::string printable_text(std::string_view text);

/// `value` with every string and key that is not valid UTF-8 replaced by printable_text() of it,
/// so json::serialize() gives valid JSON (valid strings are kept exactly; the serializer escapes
/// their control characters itself).
boost::json::value utf8_safe(boost::json::value value);

}  // namespace weft::cli::detail
