// SPDX-License-Identifier: MIT
#pragma once
// live_reply's draft policy: the reply exactly as the visitor would see it (citations appended,
// only of articles the search returned), and every reason it must not be sent without a human
// (the input's auto_send and min_confidence, the offline model, reply_checks' problems, a model
// that named another conversation or asked for tools).

#include "graphs/detail/node_support.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>

namespace weft::graphs::detail::live_reply {

/// The draft {"reply", "text", "confidence", "citations", "problems", "refused_tool_calls",
/// "model", "offline"} made of the model's answer, the articles the search returned, the run's
/// conversation and locale. Pure.
boost::json::object draft_of(const ModelAnswer& answer, const boost::json::array& articles,
                             const std::string& session_id, const std::string& locale);

/// Why `draft` needs a human under `input`'s policy; empty when it may be sent by itself. Pure.
boost::json::array reasons_to_ask(const boost::json::object& input, const boost::json::object& draft);

/// `v` with two decimals ("0.80").
std::string two_decimals(double v);

}  // namespace weft::graphs::detail::live_reply
