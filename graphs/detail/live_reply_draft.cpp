// SPDX-License-Identifier: MIT
// live_reply's draft policy (live_reply_draft.hpp).

#include "graphs/detail/live_reply_draft.hpp"

#include "graphs/detail/reply_checks.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace json = boost::json;

namespace weft::graphs::detail::live_reply {
namespace {

std::string sources_heading(const std::string& locale) {
  return locale.rfind("fr", 0) == 0 ? "Articles :" : "Articles:";
}

std::string describe_tool_call(const json::value& call) {
  const json::object o = object_or_empty(call);
  const json::object function = object_or_empty(o.contains("function") ? o.at("function") : json::value());
  std::string name = string_of(function, "name", "?");
  std::string arguments = string_of(function, "arguments");
  boost::system::error_code ec;
  json::value args = json::parse(arguments, ec);
  std::string session = !ec && args.is_object() ? string_of(args.as_object(), "session_id") : std::string();
  return name.substr(0, 64) + (session.empty() ? std::string() : " on " + session.substr(0, 60));
}

}  // namespace

// The draft as it would appear in the chat, the citations (only articles the search returned),
// and every reason it must not be sent without a human.
json::object draft_of(const detail::ModelAnswer& answer, const json::array& articles, const std::string& session_id,
                      const std::string& locale) {
  const json::object verdict = object_or_empty(answer.json);
  const std::string reply = string_of(verdict, "reply");
  double confidence = 0;
  if (const json::value* c = verdict.if_contains("confidence"); c && c->is_number())
    confidence = c->to_number<double>();
  confidence = std::clamp(confidence, 0.0, 1.0);
  json::array problems;
  json::array cited;
  std::vector<std::string> urls;
  for (const auto& a : articles) urls.emplace_back(string_of(a.as_object(), "url"));
  if (const json::value* numbers = verdict.if_contains("cited"); numbers && numbers->is_array()) {
    std::vector<std::int64_t> seen;
    for (const auto& n : numbers->as_array()) {
      const std::int64_t k =
          n.is_int64() ? n.as_int64() : (n.is_uint64() ? static_cast<std::int64_t>(n.as_uint64()) : -1);
      if (k < 1 || k > static_cast<std::int64_t>(articles.size())) {
        problems.push_back(json::value("it cites article " + json::serialize(n).substr(0, 40) +
                                       ", which the helpdesk search did not return"));
        continue;
      }
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
      seen.push_back(k);
      const json::object& article = articles[static_cast<std::size_t>(k - 1)].as_object();
      json::object citation;
      citation["title"] = article.at("title");
      citation["url"] = article.at("url");
      cited.push_back(std::move(citation));
    }
  }
  if (cited.empty()) problems.push_back(json::value("it cites no helpdesk article"));
  for (const auto& p : detail::reply_problems(reply, urls)) problems.push_back(json::value(p));
  // A session the answer names is never used; a different one means the model was steered.
  const std::string named = string_of(verdict, "session_id");
  if (!named.empty() && named != session_id) {
    problems.push_back(json::value("the model named another conversation (" + named.substr(0, 60) +
                                   "); live_reply writes only in " + session_id + " and sent nothing there"));
  }
  json::array refused;
  for (const auto& call : answer.tool_calls) {
    refused.push_back(json::value(describe_tool_call(call)));
    problems.push_back(json::value("the model asked to call " + describe_tool_call(call) +
                                   ": refused, live_reply runs no tool a model names"));
  }
  std::string text = reply;
  if (!cited.empty()) {
    text += "\n\n" + sources_heading(locale);
    for (const auto& c : cited) {
      const json::object& citation = c.as_object();
      const std::string url = string_of(citation, "url");
      text += "\n- " + string_of(citation, "title") + (url.empty() ? std::string() : ": " + url);
    }
  }
  json::object draft;
  draft["reply"] = reply;
  draft["text"] = text;
  draft["confidence"] = confidence;
  draft["citations"] = std::move(cited);
  draft["problems"] = std::move(problems);
  draft["refused_tool_calls"] = std::move(refused);
  draft["model"] = answer.model;
  draft["offline"] = answer.offline;
  return draft;
}

std::string two_decimals(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

// Why this draft needs a human, or nothing when the policy lets it go by itself.
json::array reasons_to_ask(const json::object& input, const json::object& draft) {
  json::array reasons;
  if (!bool_of(input, "auto_send", false))
    reasons.push_back(json::value("auto_send is off: a human approves every reply"));
  const double min_confidence = input.contains("min_confidence") && input.at("min_confidence").is_number()
                                    ? input.at("min_confidence").to_number<double>()
                                    : 0.8;
  const double confidence = draft.at("confidence").to_number<double>();
  if (bool_of(draft, "offline", false)) {
    reasons.push_back(
        json::value("the offline model drafted this reply: its confidence is not a confidence, so it is "
                    "never sent without a human"));
  } else if (confidence < min_confidence) {
    reasons.push_back(json::value("the model's confidence " + two_decimals(confidence) + " is below min_confidence " +
                                  two_decimals(min_confidence)));
  }
  for (const auto& p : draft.at("problems").as_array()) reasons.push_back(p);
  return reasons;
}

}  // namespace weft::graphs::detail::live_reply
