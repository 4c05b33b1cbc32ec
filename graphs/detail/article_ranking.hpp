// SPDX-License-Identifier: MIT
#pragma once
// Which helpdesk articles may answer a visitor's question (live_reply's search). Crisp's helpdesk
// API searches titles by substring only, and a visitor never types a title, so the graph lists the
// published articles and ranks them here by the words the question and each title share.
// Deterministic (the same question and list always pick the same articles), so a re-run of the
// search step after a crash asks the model about the same articles.

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace weft::graphs::detail {

/// True when a helpdesk list item (legacy: status/visibility; tree: type and state) is an
/// article a visitor can read: a file, published, not hidden. Pure; thread-safe.
bool is_public_article(const boost::json::object& item);

/// The indices of at most `limit` of `titles` sharing at least one significant word (3+ letters,
/// not a stop word; a plural's "s" ignored) with `question`, most shared words first, ties in list
/// order. Pure; thread-safe.
std::vector<std::size_t> rank_by_title(std::string_view question, const std::vector<std::string>& titles,
                                       std::size_t limit);

}  // namespace weft::graphs::detail
