// SPDX-License-Identifier: MIT
// The EffectJournal (engine/effect_journal.hpp) and NodeCache (engine/node_cache.hpp) contracts
// on every store, synchronous and awaitable.
#include "store/error.hpp"
#include "tests/conformance/store_kits.hpp"

#include <doctest/doctest.h>

using namespace weft;

TEST_CASE_TEMPLATE("an effect goes absent, started, done, and its result is replayed", Kit, WEFT_STORE_KITS) {
  Kit kit;
  EffectJournal& journal = kit.journal();
  CHECK(journal.find("t", "k").state == EffectState::absent);
  journal.begin_request("t", "k", "digest-1");
  auto started = journal.find("t", "k");
  CHECK(started.state == EffectState::started);
  CHECK(started.request_digest == "digest-1");
  CHECK(started.started_at_ms > 0);
  journal.begin_request("t", "k", "digest-1");  // begun again after a reconciliation
  journal.finish("t", "k", boost::json::object{{"sent", true}});
  auto done = journal.find("t", "k");
  CHECK(done.state == EffectState::done);
  CHECK(done.result == boost::json::object{{"sent", true}});
  CHECK(done.request_digest == "digest-1");
  CHECK(done.finished_at_ms >= done.started_at_ms);
  if constexpr (Kit::strict_journal) {
    try {
      journal.begin("t", "k");
      FAIL("began a done effect");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::effect_conflict);
    }
    CHECK(journal.find("t", "k").state == EffectState::done);
  }
  CHECK(journal.find("other-thread", "k").state == EffectState::absent);
}

TEST_CASE_TEMPLATE("an abandoned effect is absent again, and finish records an effect never begun", Kit,
                   WEFT_STORE_KITS) {
  Kit kit;
  EffectJournal& journal = kit.journal();
  journal.begin("t", "k");
  journal.abandon("t", "k");
  CHECK(journal.find("t", "k").state == EffectState::absent);
  journal.finish("t", "reconciled", 42);
  CHECK(journal.find("t", "reconciled").state == EffectState::done);
  CHECK(journal.find("t", "reconciled").result == 42);
}

TEST_CASE_TEMPLATE("the journal's awaitable operations give what the synchronous ones give", Kit, WEFT_STORE_KITS) {
  Kit kit;
  EffectJournal& journal = kit.journal();
  test::await(journal.async_begin_request("t", "k", "d"));
  CHECK(test::await(journal.async_find("t", "k")).state == EffectState::started);
  test::await(journal.async_finish("t", "k", "ok"));
  CHECK(journal.find("t", "k").result == "ok");
  test::await(journal.async_abandon("t", "k"));
  CHECK(journal.find("t", "k").state == EffectState::absent);
}

TEST_CASE_TEMPLATE("the node cache returns what was recorded until it expires or is cleared", Kit, WEFT_STORE_KITS) {
  Kit kit;
  NodeCache& cache = kit.node_cache();
  CHECK_FALSE(cache.lookup("g/a", "k", 1000));
  cache.record("g/a", "k", boost::json::object{{"v", 1}}, 0);
  cache.record("g/a", "short", boost::json::object{{"v", 2}}, 2000);
  cache.record("g/b", "k", boost::json::object{{"v", 3}}, 0);
  CHECK(cache.lookup("g/a", "k", 1000) == boost::json::object{{"v", 1}});
  CHECK(cache.lookup("g/a", "short", 1999));
  CHECK_FALSE(cache.lookup("g/a", "short", 2000));
  cache.record("g/a", "k", boost::json::object{{"v", 9}}, 0);
  CHECK(cache.lookup("g/a", "k", 1000) == boost::json::object{{"v", 9}});
  cache.clear("g/a");
  CHECK_FALSE(cache.lookup("g/a", "k", 1000));
  CHECK(cache.lookup("g/b", "k", 1000));
  cache.clear();
  CHECK_FALSE(cache.lookup("g/b", "k", 1000));
}
