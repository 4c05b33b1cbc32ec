// SPDX-License-Identifier: MIT
// Messages exactly once: the fingerprint is derived from the effect key, a send in doubt after a
// crash is reconciled by looking for that fingerprint, and the sandbox's effect log shows a
// single send. The same for the other checkable writes (article create).
#include "tests/crisp/support.hpp"

#include "nodes/crisp/error.hpp"
#include "nodes/crisp/fingerprint.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

using namespace weft::crisp;
using weft::crisp::test::Env;
using weft::crisp::test::EnvOptions;
using weft::crisp::test::MemoryJournal;
namespace json = boost::json;

namespace {

std::string first_session(Env& env) {
  return std::string(env.call("list_all_crisp_conversations", "{}").as_array().at(0).at("session_id").as_string());
}

json::value message_args(const std::string& session, const std::string& text) {
  return json::value(json::object{{"session_id", session}, {"type", "text"}, {"from", "operator"}, {"content", text}});
}

// Writes in the sandbox's log that sent a message into `session` (replays included, marked).
std::vector<json::object> sends(Env& env, const std::string& session) {
  std::vector<json::object> out;
  for (const auto& e : env.effects()) {
    const json::object& o = e.as_object();
    if (o.at("method") == json::value("POST") && o.at("session_id") == json::value(session) &&
        std::string(o.at("path").as_string()).ends_with("/message"))
      out.push_back(o);
  }
  return out;
}

std::size_t messages_with(Env& env, const std::string& session, std::int64_t fingerprint) {
  std::size_t n = 0;
  for (const auto& m : env.run(env.client().list_all_messages(session)))
    if (m.at("fingerprint").to_number<std::int64_t>() == fingerprint) ++n;
  return n;
}

}  // namespace

TEST_CASE("a message carries the fingerprint derived from its effect key") {
  Env env;
  MemoryJournal journal;
  const std::string session = first_session(env);
  const json::value result = env.call("create_a_crisp_message", message_args(session, "Hi"),
                                      journal_scope(journal, "thread-1", "task-a/call-1"));
  const std::int64_t expected = derive_fingerprint(std::string("thread-1\ntask-a/call-1"), "create_a_crisp_message");
  CHECK(result.at("fingerprint").to_number<std::int64_t>() == expected);
  const auto log = sends(env, session);
  REQUIRE(log.size() == 1);
  CHECK(log[0].at("body").at("fingerprint").to_number<std::int64_t>() == expected);
  CHECK(messages_with(env, session, expected) == 1);
}

TEST_CASE("a finished send is replayed from the journal, not sent again") {
  Env env;
  MemoryJournal journal;
  const std::string session = first_session(env);
  const auto scope = journal_scope(journal, "thread-2", "task-b/call-1");
  const json::value first = env.call("create_a_crisp_message", message_args(session, "Once"), scope);
  const json::value second = env.call("create_a_crisp_message", message_args(session, "Once"), scope);
  CHECK(first == second);
  CHECK(sends(env, session).size() == 1);
}

TEST_CASE("a send that crashed in doubt after reaching Crisp is reconciled by fingerprint and not sent twice") {
  Env env;
  MemoryJournal journal;
  const std::string session = first_session(env);
  const std::string thread = "thread-3", key = "task-c/call-1";
  const std::int64_t fp = derive_fingerprint(thread + "\n" + key, "create_a_crisp_message");

  // The first run: the journal entry is begun, the message reaches Crisp, then the process dies
  // before finish() (the crash is simulated by doing exactly those two things).
  journal.begin(thread, key + "/request");
  json::object body{{"type", "text"},
                    {"from", "operator"},
                    {"origin", "chat"},
                    {"content", "Sent before the crash"},
                    {"fingerprint", fp}};
  env.run(env.client().request("POST", env.client().website_path("conversation/" + session + "/message"), {},
                               json::value(body)));
  REQUIRE(journal.find(thread, key + "/request").state == weft::EffectState::started);
  REQUIRE(sends(env, session).size() == 1);

  // The resumed run makes the same call: in doubt, the tool looks before sending.
  const json::value result = env.call("create_a_crisp_message", message_args(session, "Sent before the crash"),
                                      journal_scope(journal, thread, key));
  CHECK(result.at("fingerprint").to_number<std::int64_t>() == fp);
  const auto log = sends(env, session);
  CHECK(log.size() == 1);  // no second POST at all (not even a replay the sandbox would absorb)
  CHECK(messages_with(env, session, fp) == 1);
  CHECK(journal.find(thread, key + "/request").state == weft::EffectState::done);
}

TEST_CASE("a send in doubt that never reached Crisp is sent exactly once on resume") {
  Env env;
  MemoryJournal journal;
  const std::string session = first_session(env);
  journal.begin("thread-4", "task-d/call-1/request");  // crashed before the request left
  env.call("create_a_crisp_message", message_args(session, "Sent after the crash"),
           journal_scope(journal, "thread-4", "task-d/call-1"));
  const auto log = sends(env, session);
  REQUIRE(log.size() == 1);
  CHECK_FALSE(log[0].at("replayed").as_bool());
}

TEST_CASE("the in-doubt check finds a fingerprint older than the latest batch of 40 messages") {
  Env env;
  MemoryJournal journal;
  const std::string session = std::string(env.call("create_a_crisp_conversation", "{}").at("session_id").as_string());
  const std::string thread = "thread-5", key = "task-e/call-1";
  const std::int64_t fp = derive_fingerprint(thread + "\n" + key, "create_a_crisp_message");
  journal.begin(thread, key + "/request");
  json::object body{
      {"type", "text"}, {"from", "operator"}, {"origin", "chat"}, {"content", "early"}, {"fingerprint", fp}};
  const std::string path = env.client().website_path("conversation/" + session + "/message");
  env.run(env.client().request("POST", path, {}, json::value(body)));
  // 45 later messages push it out of the latest batch.
  for (int i = 0; i < 45; ++i) {
    json::object later{
        {"type", "text"}, {"from", "user"}, {"origin", "chat"}, {"content", "later " + std::to_string(i)}};
    env.run(env.client().request("POST", path, {}, json::value(later)));
  }
  env.call("create_a_crisp_message", message_args(session, "early"), journal_scope(journal, thread, key));
  CHECK(sends(env, session).size() == 46);
  CHECK(messages_with(env, session, fp) == 1);
}

TEST_CASE("dropped connections and 5xx during a send still give exactly one message") {
  Env env;
  MemoryJournal journal;
  const std::string session = first_session(env);
  weft::sandbox::crisp::Faults faults;
  faults.drop_next = 1;
  env.sandbox().set_faults(faults);
  const json::value result = env.call("create_a_crisp_message", message_args(session, "Through a drop"),
                                      journal_scope(journal, "thread-6", "task-f/call-1"));
  faults = {};
  faults.error_next = 2;
  env.sandbox().set_faults(faults);
  env.call("create_a_crisp_message", message_args(session, "Through 5xx"),
           journal_scope(journal, "thread-6", "task-f/call-2"));
  env.sandbox().set_faults({});
  CHECK(messages_with(env, session, result.at("fingerprint").to_number<std::int64_t>()) == 1);
  const auto log = sends(env, session);
  CHECK(log.size() == 2);
  for (const auto& e : log) CHECK_FALSE(e.at("replayed").as_bool());
}

TEST_CASE("a tree article create in doubt is reconciled by its path and not created twice") {
  Env env;  // helpdesk both -> auto probe picks tree
  MemoryJournal journal;
  const std::string thread = "thread-7", key = "task-g/call-1";
  const json::value args = json::parse(R"({"locale":"en","title":"Reset your password","content":"1. Click Forgot."})");
  // First run: the path is created, then the crash (step 1 = the POST of the path, begun only).
  const std::string tree_path = "reset-your-password.md";
  journal.begin(thread, key + "/step1");
  env.run(env.client().request("POST", env.client().website_path("helpdesk/tree/path/en/articles/" + tree_path), {},
                               json::value(json::object())));
  const json::value result = env.call("create_a_crisp_helpdesk_article", args, journal_scope(journal, thread, key));
  CHECK(result.at("tree_path") == json::value(tree_path));
  CHECK(result.at("route_family") == json::value("tree"));
  std::size_t creates = 0;
  for (const auto& e : env.effects())
    if (e.at("method") == json::value("POST") && std::string(e.at("path").as_string()).ends_with(tree_path)) ++creates;
  CHECK(creates == 1);
  const json::value content =
      env.run(env.client().get(env.client().website_path("helpdesk/tree/content/en/articles/" + tree_path)));
  CHECK(content.at("content") == json::value("1. Click Forgot."));
}

TEST_CASE("a legacy article create in doubt is reconciled by its title and not created twice") {
  EnvOptions options;
  options.helpdesk_mode = "legacy";
  Env env(options);
  MemoryJournal journal;
  const std::string thread = "thread-8", key = "task-h/call-1";
  journal.begin(thread, key + "/step0");
  const json::value created = env.run(env.client().get(env.client().website_path("helpdesk/locales/1")));
  REQUIRE_FALSE(created.as_array().empty());
  env.run(env.client().request("POST", env.client().website_path("helpdesk/locale/en/article"), {},
                               json::value(json::object{{"title", "Export your invoices"}})));
  const json::value result = env.call("create_a_crisp_helpdesk_article",
                                      R"({"locale":"en","title":"Export your invoices","content":"Go to Billing."})",
                                      journal_scope(journal, thread, key));
  CHECK(result.at("route_family") == json::value("legacy"));
  std::size_t creates = 0;
  for (const auto& e : env.effects())
    if (e.at("method") == json::value("POST") && std::string(e.at("path").as_string()).ends_with("/article")) ++creates;
  CHECK(creates == 1);
  const std::string article_id(result.at("article_id").as_string());
  const json::value article =
      env.run(env.client().get(env.client().website_path("helpdesk/locale/en/article/" + article_id)));
  CHECK(article.at("content") == json::value("Go to Billing."));
}

TEST_CASE("a journal-only write in doubt is rerun as its catalog entry says") {
  Env env;
  MemoryJournal journal;
  journal.begin("thread-9", "task-i/call-1/request");
  const json::value result =
      env.call("create_a_crisp_conversation", "{}", journal_scope(journal, "thread-9", "task-i/call-1"));
  CHECK(std::string(result.at("session_id").as_string()).starts_with("session_"));
}
