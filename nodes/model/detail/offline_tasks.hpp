// SPDX-License-Identifier: MIT
#pragma once
// The OfflineModel's tasks as pure functions (private). Specified in nodes/model/offline_model.md.

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace weft::model::detail {

/// {"category": "spam"|"technical"|"sales"|"other", "reason": "...", "matched": [...]}.
boost::json::object offline_classify(std::string_view text);

/// {"problem": "...", "solution": "...", "title": "..."} from a transcript of "role: text" lines.
boost::json::object offline_extract(std::string_view transcript);

/// A greeting from metadata: name, company, page, locale (en|fr|de|es), sender.
std::string offline_greeting(const boost::json::object& metadata);

/// {"title","description","content"} (Markdown content) from problem, solution and title.
boost::json::object offline_article(std::string_view problem, std::string_view solution, std::string_view title,
                                    std::string_view locale);

}  // namespace weft::model::detail
