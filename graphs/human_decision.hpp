// SPDX-License-Identifier: MIT
#pragma once
// The answers a human gives to a built-in graph's interrupt (vip_outreach's approval,
// kb_enrichment's review), and the interrupt payload that asks for them. One format for both so
// `weft resume THREAD --resume JSON` reads the same everywhere:
//   {"action":"approve"}  |  {"action":"edit","text":"..."}  |  {"action":"skip"} / {"action":"reject"}
// A bare string "approve" / "skip" / "reject" is accepted as {"action": that}. A graph whose
// subject has a title (kb_enrichment's article) also accepts {"action":"edit","title":"...",
// "text":"..."} with either or both fields.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace weft::graphs {

struct HumanDecision {
  enum class Action { approve, edit, decline } action = Action::approve;
  std::string text;   ///< edit: the replacement text (non-empty unless a title is given)
  std::string title;  ///< edit: the replacement title, "" to keep it (EditFields::text_and_title only)
};

/// What an edit may replace: the text only (a greeting, a reply), or a title and the text (an article).
enum class EditFields { text, text_and_title };

/// The interrupt value a graph raises: what is asked, the data to judge, and the accepted
/// actions (`decline_word` is "skip" or "reject"), with an example answer per action.
boost::json::object decision_request(const std::string& question, boost::json::object subject,
                                     const std::string& decline_word);

/// Parses an answer. `decline_word` is the graph's word for declining ("skip" or "reject"; both
/// are accepted). With EditFields::text an edit needs a non-empty "text"; with text_and_title a
/// non-empty "text" or "title" (each a string when present). Throws std::invalid_argument with a
/// message that shows the accepted forms.
HumanDecision parse_human_decision(const boost::json::value& answer, const std::string& decline_word,
                                   EditFields fields = EditFields::text);

}  // namespace weft::graphs
