// SPDX-License-Identifier: MIT
// The effect protocol asks the journal "may I still act for this thread?" (confirm_may_act) after
// begin() and before the effect runs: a refusal runs nothing, leaves the entry started (in doubt,
// for the thread's next holder) and keeps the journal's error code with the effect named. An
// effect that fails after its process lost the thread is not abandoned either, and a node can ask
// the same question itself (NodeContext::confirm_may_act) before each resend.

#include "support.hpp"

#include "engine/effect_protocol.hpp"

#include <boost/asio/use_future.hpp>

#include <functional>
#include <stdexcept>

using namespace weft;
using namespace engine_test;

namespace {

// Stands for a store that lost the thread's lease: forwards to a memory journal, records the
// order of calls, and refuses to act while `refuse` is set.
class RefusingJournal final : public EffectJournal {
 public:
  explicit RefusingJournal(std::shared_ptr<MemoryCheckpointer> inner) : inner_(std::move(inner)) {}
  bool refuse = true;
  std::vector<std::string> calls;

  EffectEntry find(const std::string& t, const std::string& k) override { return inner_->find(t, k); }
  void begin(const std::string& t, const std::string& k) override {
    calls.push_back("begin");
    inner_->begin(t, k);
  }
  void finish(const std::string& t, const std::string& k, const boost::json::value& r) override {
    calls.push_back("finish");
    inner_->finish(t, k, r);
  }
  void abandon(const std::string& t, const std::string& k) override {
    calls.push_back("abandon");
    inner_->abandon(t, k);
  }
  void confirm_may_act(const std::string& thread_id) override {
    calls.push_back("confirm");
    if (refuse) {
      throw Error(std::make_error_code(std::errc::owner_dead), "thread '" + thread_id + "': lease gone");
    }
  }

 private:
  std::shared_ptr<MemoryCheckpointer> inner_;
};

json::value run_effect(EffectJournal& journal, int& sent, std::function<void()> while_sending = {}) {
  EffectFn send = [&sent, while_sending]() -> boost::asio::awaitable<json::value> {
    ++sent;
    if (while_sending) while_sending();
    co_return json::value("receipt");
  };
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(io, run_journaled(&journal, "t1", "k", send, {}, {}, "effect 'k'"),
                                    boost::asio::use_future);
  io.run();
  return done.get();
}

}  // namespace

TEST_CASE("a refused effect sends nothing, stays in doubt, and keeps the journal's error code") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  RefusingJournal journal(memory);
  int sent = 0;
  try {
    run_effect(journal, sent);
    FAIL("a refused effect ran");
  } catch (const Error& e) {
    CHECK(e.code() == std::make_error_code(std::errc::owner_dead));
    const std::string m = e.what();
    CHECK_MESSAGE(m.starts_with("effect 'k' was not started"), m);
    CHECK_MESSAGE(m.find("lease gone") != std::string::npos, m);
  }
  CHECK(sent == 0);
  CHECK(journal.calls == std::vector<std::string>{"begin", "confirm"});  // asked after begin, not abandoned
  CHECK(memory->find("t1", "k").state == EffectState::started);
}

TEST_CASE("an allowed effect is confirmed after begin and before it runs") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  RefusingJournal journal(memory);
  journal.refuse = false;
  int sent = 0;
  CHECK(run_effect(journal, sent) == "receipt");
  CHECK(sent == 1);
  CHECK(journal.calls == std::vector<std::string>{"begin", "confirm", "finish"});
}

TEST_CASE("a node whose effect is refused fails its run with that code and sends nothing") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  auto journal = std::make_shared<RefusingJournal>(memory);
  int sent = 0;
  StateGraph g({{"receipt", Channel::last_value()}}, "refused");
  g.add_node("send", [&sent](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    json::value receipt = co_await ctx.effect("post-message", [&sent] {
      ++sent;
      return json::value("receipt");
    });
    co_return json::object{{"receipt", receipt}};
  });
  g.add_edge(std::string(START), "send");
  RunConfig config = thread_config(memory);
  config.effect_journal = journal;
  RunResult result = g.compile().invoke(json::object(), config);
  CHECK(result.status == RunStatus::failed);
  REQUIRE(result.error);
  CHECK(result.error->code == engine::error::node_failed);
  // The node's own error keeps the journal's code (a worker recognises a lost lease by it).
  try {
    std::rethrow_exception(result.error->exception);
  } catch (const Error& e) {
    CHECK(e.code() == std::make_error_code(std::errc::owner_dead));
  }
  CHECK(sent == 0);
}

TEST_CASE("an effect that fails after its process lost the thread stays in doubt instead of being abandoned") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  RefusingJournal journal(memory);
  journal.refuse = false;
  int sent = 0;
  try {
    // The send times out (outcome unknown) while, meanwhile, the thread's lease was lost.
    run_effect(journal, sent, [&journal] {
      journal.refuse = true;
      throw std::runtime_error("send timed out");
    });
    FAIL("the failure did not propagate");
  } catch (const Error& e) {
    CHECK(e.code() == std::make_error_code(std::errc::owner_dead));
    const std::string m = e.what();
    CHECK_MESSAGE(m.find("effect 'k' stopped (send timed out)") != std::string::npos, m);
    CHECK_MESSAGE(m.find("stays in doubt") != std::string::npos, m);
  }
  CHECK(sent == 1);
  // Asked again after the failure; no abandon: only the thread's holder may change its journal.
  CHECK(journal.calls == std::vector<std::string>{"begin", "confirm", "confirm"});
  CHECK(memory->find("t1", "k").state == EffectState::started);
}

TEST_CASE("an effect that fails while its process still holds the thread is abandoned for a retry") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  RefusingJournal journal(memory);
  journal.refuse = false;
  int sent = 0;
  CHECK_THROWS_WITH_AS(run_effect(journal, sent, [] { throw std::runtime_error("rejected"); }), "rejected",
                       std::runtime_error);
  CHECK(journal.calls == std::vector<std::string>{"begin", "confirm", "confirm", "abandon"});
  CHECK(memory->find("t1", "k").state == EffectState::absent);
}

TEST_CASE("a node asks confirm_may_act itself: the journal's answer, and nothing to ask without a journal") {
  auto memory = std::make_shared<MemoryCheckpointer>();
  auto journal = std::make_shared<RefusingJournal>(memory);
  journal->refuse = false;
  std::vector<std::string> seen;
  StateGraph g({{"done", Channel::last_value()}}, "asks");
  g.add_node("resend", [&](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    co_await ctx.confirm_may_act();  // allowed
    seen.push_back("allowed");
    journal->refuse = true;
    try {
      co_await ctx.confirm_may_act();
      seen.push_back("not refused");
    } catch (const Error& e) {
      seen.push_back(e.code() == std::make_error_code(std::errc::owner_dead) ? "refused" : "other error");
    }
    co_return json::object{{"done", true}};
  });
  g.add_edge(std::string(START), "resend");
  RunConfig config = thread_config(memory);
  config.effect_journal = journal;
  CHECK(g.compile().invoke(json::object(), config).status == RunStatus::done);
  CHECK(seen == std::vector<std::string>{"allowed", "refused"});
  CHECK(journal->calls == std::vector<std::string>{"confirm", "confirm"});

  // Without a journal there is no thread to lose.
  StateGraph bare({{"done", Channel::last_value()}}, "bare");
  bool asked = false;
  bare.add_node("resend", [&](StateView, NodeContext ctx) -> boost::asio::awaitable<json::object> {
    co_await ctx.confirm_may_act();
    asked = true;
    co_return json::object{{"done", true}};
  });
  bare.add_edge(std::string(START), "resend");
  CHECK(bare.compile().invoke(json::object(), RunConfig{}).status == RunStatus::done);
  CHECK(asked);
}
