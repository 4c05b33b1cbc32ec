// SPDX-License-Identifier: MIT
#pragma once
// Plain-text helpers of the OfflineModel's tasks (ASCII only, as offline_model.md specifies).
// Private to nodes/model.

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::model::detail {

/// `s` with ASCII letters in lower case.
std::string lower(std::string_view s);

/// `s` without leading and trailing white space.
std::string_view trim(std::string_view s);

/// True when `phrase` occurs in `text` at word boundaries (both already lower-case).
bool contains_phrase(std::string_view text, std::string_view phrase);

/// First sentence of `text` (up to . ? ! or newline), trimmed, at most `limit` characters.
std::string first_sentence(std::string_view text, std::size_t limit);

}  // namespace weft::model::detail
