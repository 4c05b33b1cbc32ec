// SPDX-License-Identifier: MIT
// The Crisp tools inside a real graph (tool node, effect journal, node retry): a message send
// whose first attempt reached Crisp but died before its journal entry was finished is found by
// its fingerprint on the retry and not sent again.
#include "tests/agent/support.hpp"
#include "tests/crisp/support.hpp"

#include "engine/state_graph.hpp"
#include "nodes/crisp/register.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace weft::crisp;
using weft::crisp::test::Env;
namespace json = boost::json;

namespace {

std::size_t message_posts(Env& env, const std::string& session, bool* any_replayed) {
  std::size_t n = 0;
  for (const auto& e : env.effects()) {
    const json::object& o = e.as_object();
    if (o.at("method") == json::value("POST") && o.at("session_id") == json::value(session) &&
        std::string(o.at("path").as_string()).ends_with("/message")) {
      ++n;
      if (o.at("replayed").as_bool()) *any_replayed = true;
    }
  }
  return n;
}

// A journal whose process loses the thread after `confirms_allowed` answers of confirm_may_act.
class LosingJournal final : public weft::EffectJournal {
 public:
  int confirms_allowed = 0;
  int confirms = 0;
  int abandons = 0;
  weft::MemoryCheckpointer store;

  weft::EffectEntry find(const std::string& thread, const std::string& key) override { return store.find(thread, key); }
  void begin(const std::string& thread, const std::string& key) override { store.begin(thread, key); }
  void finish(const std::string& thread, const std::string& key, const json::value& result) override {
    store.finish(thread, key, result);
  }
  void abandon(const std::string& thread, const std::string& key) override {
    ++abandons;
    store.abandon(thread, key);
  }
  void confirm_may_act(const std::string& thread) override {
    if (++confirms > confirms_allowed)
      throw weft::Error(std::make_error_code(std::errc::owner_dead), "thread '" + thread + "': lease taken over");
  }
};

// The first conversation's session id.
std::string first_session(Env& env) {
  return std::string(env.call("list_all_crisp_conversations", "{}").as_array().at(0).at("session_id").as_string());
}

// A graph whose one tool node runs create_a_crisp_message on `env`'s tools, journaled in `journal`.
weft::CompiledGraph send_graph(Env& env, std::string name, std::shared_ptr<weft::EffectJournal> journal,
                               weft::NodeOptions node_options) {
  weft::ToolRegistry registry;
  register_tools(registry, std::shared_ptr<CrispTools>(&env.tools(), [](CrispTools*) {}));
  weft::CompileOptions options;
  options.effect_journal = std::move(journal);
  return weft::test::tool_step_graph(std::move(name), registry.allow({"create_a_crisp_message"}),
                                     std::move(node_options), options);
}

// The run's input: a model turn asking for one text message "Only once" to `session` (call_1).
json::object send_input(const std::string& session) {
  json::object arguments{{"session_id", session}, {"type", "text"}, {"from", "operator"}, {"content", "Only once"}};
  json::object call{
      {"id", "call_1"},
      {"type", "function"},
      {"function", json::object{{"name", "create_a_crisp_message"}, {"arguments", json::serialize(arguments)}}}};
  json::object assistant{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", json::array{call}}};
  return weft::test::conversation("greet the visitor", std::move(assistant));
}

}  // namespace

TEST_CASE("in a graph, a send whose first attempt timed out after reaching Crisp is reconciled, not sent twice") {
  Env env;
  const std::string session = first_session(env);
  const weft::CompiledGraph compiled =
      send_graph(env, "crisp_in_doubt", std::make_shared<weft::test::CrashingJournal>(),
                 weft::test::timeout_then_retry_once(std::chrono::milliseconds(400)));
  const json::object in = send_input(session);

  // Attempt 1: Crisp stores the message but its answer is delayed past the node timeout, so the
  // attempt is cancelled with its journal entry begun and never finished. As soon as the write is
  // in the sandbox's log the latency is removed, so attempt 2 (the retry) gets quick answers.
  weft::sandbox::crisp::Faults slow;
  slow.latency_ms = 3000;
  env.sandbox().set_faults(slow);
  std::atomic<bool> done{false};
  std::thread unblock([&] {
    bool replayed = false;
    while (!done && message_posts(env, session, &replayed) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    env.sandbox().set_faults({});
  });
  weft::RunConfig config;
  config.thread_id = "crisp-in-doubt";
  const weft::RunResult result = compiled.invoke(in, config);
  done = true;
  unblock.join();

  REQUIRE(result.status == weft::RunStatus::done);
  // The retry did look: the conversation's messages were listed (nothing else lists them here).
  std::int64_t message_lists = 0;
  const json::object counts = env.requests();
  for (const auto& [route, n] : counts.at("by_route").as_object())
    if (route.find("GET") != std::string::npos && route.ends_with("/messages"))
      message_lists += n.to_number<std::int64_t>();
  CHECK(message_lists >= 1);
  const json::object* reported = weft::test::tool_message_for(result.values, "call_1");
  REQUIRE(reported != nullptr);
  INFO(json::serialize(*reported));
  CHECK(reported->at("status") == json::value("success"));
  bool replayed = false;
  CHECK(message_posts(env, session, &replayed) == 1);  // one POST: the retry looked and did not send
  CHECK_FALSE(replayed);
  const json::value content = json::parse(std::string(reported->at("content").as_string()));
  const std::int64_t fp = content.at("fingerprint").to_number<std::int64_t>();
  std::size_t with_fp = 0;
  for (const auto& m : env.run(env.client().list_all_messages(session)))
    if (m.at("fingerprint").to_number<std::int64_t>() == fp) ++with_fp;
  CHECK(with_fp == 1);
}

TEST_CASE("in a graph, a send whose process lost the thread while it waited to resend is not resent") {
  Env env;
  const std::string session = first_session(env);
  auto journal = std::make_shared<LosingJournal>();
  journal->confirms_allowed = 2;  // the protocol's question before the send, and the first attempt's
  const weft::CompiledGraph compiled = send_graph(env, "crisp_lost_lease", journal, {});
  const json::object in = send_input(session);

  // The first attempt is answered 503 (outcome unknown); the tool backs off, checks, and would resend.
  weft::sandbox::crisp::Faults faults;
  faults.error_next = 1;
  env.sandbox().set_faults(faults);
  weft::RunConfig config;
  config.thread_id = "crisp-lost-lease";
  const weft::RunResult result = compiled.invoke(in, config);

  bool replayed = false;
  CHECK(message_posts(env, session, &replayed) == 0);  // the 503 stored nothing, and nothing was resent
  CHECK(journal->confirms >= 3);                       // the resend asked, and was refused
  CHECK(journal->abandons == 0);
  const json::object* reported = weft::test::tool_message_for(result.values, "call_1");
  REQUIRE(reported != nullptr);
  INFO(json::serialize(*reported));
  CHECK(std::string(reported->at("content").as_string()).find("lease taken over") != std::string::npos);
}
