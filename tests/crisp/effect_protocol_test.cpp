// SPDX-License-Identifier: MIT
// One effect protocol: the same six situations (fresh, done, in doubt and reconciled, in doubt
// and not checkable, recorded for another request, a body that throws) reached through a node's
// ctx.effect and through a Crisp tool against the in-process sandbox end the same way: the same
// result kind, the same error code, the same journal state, and the effect run or not alike.

#include "tests/crisp/support.hpp"

#include "engine/error.hpp"
#include "engine/state_graph.hpp"
#include "nodes/crisp/catalog.hpp"
#include "nodes/crisp/error.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <ostream>

using namespace weft;
using weft::crisp::test::Env;
namespace json = boost::json;

namespace {

enum class Seed { none, done, started, done_for_other_request };

struct Scenario {
  const char* name;
  Seed seed;
  bool happened_before = false;  // the in-doubt effect did reach the outside world before the crash
  bool checkable = true;         // the in-doubt effect can be looked up
  bool body_fails = false;
};

const Scenario kScenarios[] = {
    //                                                happened_before checkable body_fails
    {"fresh", Seed::none, false, true, false},
    {"done, replayed", Seed::done, false, true, false},
    {"in doubt, reconciled", Seed::started, true, true, false},
    {"in doubt, not checkable", Seed::started, false, false, false},
    {"recorded for another request", Seed::done_for_other_request, false, true, false},
    {"the body throws", Seed::none, false, true, true},
};

/// How a call ended, in terms both paths share.
struct Outcome {
  std::string kind;       // "ran", "replayed", "reconciled", "error", "body error"
  std::error_code code;   // for "error"
  bool body_ran = false;  // the effect's body was started (a write request was sent)
  EffectState journal = EffectState::absent;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  return out << "{" << o.kind << ", " << o.code.message() << ", body " << (o.body_ran ? "ran" : "not run")
             << ", journal " << static_cast<int>(o.journal) << "}";
}

const json::value kRecorded = json::object{{"recorded", true}};

/// Leaves in `journal` what a crashed or finished earlier attempt would have.
void seed(EffectJournal& journal, const std::string& thread, const std::string& key, Seed how,
          const json::value& request) {
  switch (how) {
    case Seed::none: return;
    case Seed::done:
      journal.begin_request(thread, key, request_digest(request));
      journal.finish(thread, key, kRecorded);
      return;
    case Seed::started: journal.begin_request(thread, key, request_digest(request)); return;
    case Seed::done_for_other_request:
      journal.begin_request(thread, key, request_digest(json::value(json::object{{"other", "request"}})));
      journal.finish(thread, key, kRecorded);
      return;
  }
}

// ---- through ctx.effect ---------------------------------------------------------------------------

Outcome through_node_context(const Scenario& s) {
  auto store = std::make_shared<MemoryCheckpointer>();
  const json::value request = json::object{{"tool", "send"}, {"arguments", json::object{{"text", "hi"}}}};
  auto outcome = std::make_shared<Outcome>();
  StateGraph g({{"done", Channel::last_value()}}, "protocol");
  g.add_node("act", [s, store, request, outcome](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    const std::string key = ctx.task_id() + ":send";
    seed(*store, ctx.thread_id(), key, s.seed, request);
    EffectFn body = [s, outcome]() -> boost::asio::awaitable<json::value> {
      outcome->body_ran = true;
      if (s.body_fails) throw std::runtime_error("the outside world said no");
      co_return json::value(json::object{{"sent", true}});
    };
    ReconcileFn reconcile;
    if (s.checkable)
      reconcile = [s]() -> boost::asio::awaitable<std::optional<json::value>> {
        if (!s.happened_before) co_return std::nullopt;
        co_return json::value(json::object{{"found", true}});
      };
    EffectRequest bound;
    bound.what = request;
    try {
      auto running = ctx.effect_erased("send", std::move(body), std::move(reconcile), std::move(bound));
      json::value v = co_await std::move(running);
      outcome->kind = v == kRecorded ? "replayed" : v.as_object().contains("found") ? "reconciled" : "ran";
    } catch (const Error& e) {
      outcome->kind = "error";
      outcome->code = e.code();
    } catch (const std::runtime_error&) {
      outcome->kind = "body error";
    }
    outcome->journal = store->find(ctx.thread_id(), key).state;
    co_return json::object{{"done", true}};
  });
  g.add_edge(std::string(START), "act");
  RunConfig config;
  config.thread_id = std::string("ctx-") + s.name;
  config.checkpointer = store;
  REQUIRE(g.compile().invoke(json::object(), config).status == RunStatus::done);
  return *outcome;
}

// ---- through a Crisp tool -------------------------------------------------------------------------

std::int64_t writes_sent(Env& env) { return env.requests().at("writes").to_number<std::int64_t>(); }

/// The built-in catalog with create_a_crisp_conversation's in-doubt policy set to "fail": a write
/// that cannot be checked and must not be rerun.
const crisp::Catalog& strict_catalog() {
  static const crisp::Catalog catalog = [] {
    json::value doc = json::parse(crisp::builtin_catalog_json());
    for (auto& tool : doc.at("tools").as_array())
      if (tool.at("name") == "create_a_crisp_conversation") tool.at("effect").as_object()["in_doubt"] = "fail";
    return crisp::Catalog::parse(json::serialize(doc));
  }();
  return catalog;
}

Outcome through_crisp_tool(const Scenario& s) {
  Env env;
  auto tools = std::make_shared<crisp::CrispTools>(std::make_shared<crisp::CrispClient>(env.http_ptr(), env.config()),
                                                   strict_catalog());
  const std::string thread = std::string("crisp-") + s.name;
  const std::string call_key = "task-1/call-1";
  const std::string key = call_key + "/request";  // journal_scope's sub-effect key

  // A checkable write is a message send (looked up by fingerprint); one that is not is a
  // conversation create (Crisp names it; nothing to look up).
  std::string tool = "create_a_crisp_conversation";
  json::value args = json::object();
  if (s.checkable) {
    const std::string session(
        env.call("list_all_crisp_conversations", "{}").as_array().at(0).at("session_id").as_string());
    tool = "create_a_crisp_message";
    args = json::object{{"session_id", s.body_fails ? "session_00000000-0000-4000-8000-000000000000" : session},
                        {"type", "text"},
                        {"from", "operator"},
                        {"content", "hi"}};
  }
  const json::value request = json::object{{"tool", tool}, {"arguments", args}};
  if (s.happened_before) {  // the first attempt reached Crisp, then the process died
    MemoryCheckpointer scratch;
    env.run(tools->call(tool, args, crisp::journal_scope(scratch, thread, call_key)));
  }
  MemoryCheckpointer journal;  // records request digests, as the real stores do
  seed(journal, thread, key, s.seed, request);

  Outcome outcome;
  const std::int64_t before = writes_sent(env);
  try {
    json::value v = env.run(tools->call(tool, args, crisp::journal_scope(journal, thread, call_key, request)));
    const bool sent = writes_sent(env) > before;
    outcome.kind = v == kRecorded ? "replayed" : sent ? "ran" : "reconciled";
  } catch (const Error& e) {
    const bool from_body = e.code().category() == crisp::error_category();
    outcome.kind = from_body ? "body error" : "error";
    if (!from_body) outcome.code = e.code();
  }
  outcome.body_ran = writes_sent(env) > before;
  outcome.journal = journal.find(thread, key).state;
  return outcome;
}

}  // namespace

TEST_CASE("the effect protocol ends alike through ctx.effect and through a Crisp tool") {
  const Outcome expected[] = {
      {"ran", {}, true, EffectState::done},
      {"replayed", {}, false, EffectState::done},
      {"reconciled", {}, false, EffectState::done},
      {"error", engine::error::effect_in_doubt, false, EffectState::started},
      {"error", engine::error::effect_request_conflict, false, EffectState::done},
      {"body error", {}, true, EffectState::absent},
  };
  for (std::size_t i = 0; i < std::size(kScenarios); ++i) {
    const Scenario& s = kScenarios[i];
    CAPTURE(s.name);
    const Outcome via_context = through_node_context(s);
    const Outcome via_tool = through_crisp_tool(s);
    CHECK(via_context == expected[i]);
    CHECK(via_tool == expected[i]);
  }
}
