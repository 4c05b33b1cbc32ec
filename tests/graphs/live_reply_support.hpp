// SPDX-License-Identifier: MIT
#pragma once
// The live_reply tests' shared setup on the Crisp sandbox (tests/graphs/world.hpp): a visitor
// writing in a fresh conversation, the writes the sandbox performed since, the helpdesk's titles,
// and a scripted model answering with a category and a draft.

#include "graphs/detail/session_guard.hpp"
#include "graphs/error.hpp"
#include "nodes/model/offline_model.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <set>

namespace json = boost::json;
using weft::RunStatus;
using weft::test::World;

namespace live_reply_test {

constexpr const char* kWidgetQuestion = "Hi! The chat widget is not loading on our website. What should I check?";

// A new conversation in which a visitor wrote `text`; returns its session id.
inline std::string visitor_writes(World& world, const std::string& text) {
  json::value created = world.call_tool("create_a_crisp_conversation", json::object());
  std::string session(created.at("session_id").as_string());
  json::object message;
  message["session_id"] = session;
  message["type"] = "text";
  message["from"] = "user";
  message["origin"] = "chat";
  message["content"] = text;
  world.call_tool("create_a_crisp_message", std::move(message));
  return session;
}

// The writes the sandbox performed after the first `before` ones (the test's own set-up).
inline json::array writes_since(World& world, std::size_t before) {
  json::array all = world.writes();
  json::array out;
  for (std::size_t i = before; i < all.size(); ++i) out.push_back(all[i]);
  return out;
}

// Messages sent by the writes `writes` in `session`.
inline std::vector<std::string> messages_in(const json::array& writes, const std::string& session) {
  std::vector<std::string> out;
  for (const auto& w : writes) {
    std::string path(w.at("path").as_string());
    if (w.at("method") != "POST" || !path.ends_with("/message")) continue;
    if (!w.at("session_id").is_string() || w.at("session_id").as_string() != session) continue;
    out.push_back(std::string(w.at("body").at("content").as_string()));
  }
  return out;
}

inline json::value input_for(const std::string& session, const std::string& extra = "") {
  return json::parse(R"({"session_id":")" + session + "\"" + extra + "}");
}

inline std::string all_text(const json::value& v) { return json::serialize(v); }

// The titles of the helpdesk's articles in `locale`, as the helpdesk lists them.
inline std::set<std::string> helpdesk_titles(World& world) {
  std::set<std::string> titles;
  json::value listed =
      world.call_tool("list_all_crisp_helpdesk_articles", json::object{{"locale", "en"}, {"page_number", 1}});
  for (const auto& item : listed.as_array()) titles.insert(std::string(item.at("title").as_string()));
  return titles;
}

inline weft::RunResult start(World& world, const std::string& session, const std::string& thread,
                             const std::string& extra = "") {
  auto first = world.run("live_reply", input_for(session, extra), thread);
  REQUIRE_MESSAGE(first.status == RunStatus::interrupted, (first.error ? first.error->message : "not interrupted"));
  REQUIRE(first.interrupts.size() == 1);
  return first;
}

// A real-model-like script: classification, then the draft.
inline std::shared_ptr<weft::ScriptedChatModel> model_answering(const std::string& category,
                                                                const std::string& draft_json) {
  json::array script;
  script.push_back(json::parse(R"({"content":"{\"category\":\")" + category + R"(\",\"reason\":\"scripted\"}"})"));
  if (!draft_json.empty()) {
    json::object reply;
    reply["content"] = draft_json;
    script.push_back(std::move(reply));
  }
  return std::make_shared<weft::ScriptedChatModel>(std::move(script));
}

inline std::string why_asked(const weft::RunResult& r) {
  return all_text(r.interrupts.at(0).value.at("subject").at("why_asked"));
}

}  // namespace live_reply_test
