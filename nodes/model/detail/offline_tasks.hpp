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

/// {"reply": "...", "confidence": 0, "cited": [1..n]} from metadata: "articles" (array of
/// {"title", "url"}, as numbered in the prompt), "locale". A template acknowledging the message
/// and pointing to every given article; its confidence is always 0 (a template knows nothing).
boost::json::object offline_reply(const boost::json::object& metadata);

}  // namespace weft::model::detail
