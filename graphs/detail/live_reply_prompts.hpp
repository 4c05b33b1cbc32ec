// SPDX-License-Identifier: MIT
#pragma once
// What live_reply asks the model (classify a visitor message; draft a reply citing helpdesk
// articles) and how a classification answer is read. Everything a visitor or an article wrote is
// quoted as untrusted data (graphs/untrusted.hpp).

#include "graphs/detail/node_support.hpp"
#include "nodes/model/chat_model.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>

namespace weft::graphs::detail::live_reply {

/// The request that classifies the conversation's visitor message as spam, question or
/// out_of_scope (structured output {"category", "reason"}).
ChatRequest classification_request(const boost::json::object& conversation);

/// The graph's classification {"category", "reason", "model", "offline", "ignored_tool_calls"}
/// from the model's answer. The offline model answers in spam_triage's labels: its technical and
/// sales matches are questions a help center may answer; "other" is left for a human, as is any
/// answer that is not one of the three categories.
boost::json::object classification_of(const ModelAnswer& answer);

/// The request that drafts the reply (structured output {"reply", "confidence", "cited"}) from the
/// conversation and the numbered articles the search returned, in `locale`.
ChatRequest reply_request(const boost::json::object& conversation, const boost::json::array& articles,
                          const std::string& locale);

}  // namespace weft::graphs::detail::live_reply
