// SPDX-License-Identifier: MIT
// A side effect starts only while this process is sure to hold the thread's lease
// (EffectJournal::confirm_may_act on PostgresStore), by PostgresOptions::clock's steady time since
// the last renewal was sent; expiry itself is the server's. ManualClock: the local reckoning jumps
// as after a pause; the server side of an expiry is set by SQL.
#include "engine/clock.hpp"
#include "store/error.hpp"
#include "store/postgres_store.hpp"
#include "tests/support/effect_probe.hpp"
#include "tests/support/postgres.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace weft;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kTtlMs = 60'000;  // margin: a third, 20 s

PostgresOptions options(std::shared_ptr<Clock> clock) {
  PostgresOptions o;
  o.clock = std::move(clock);
  o.lease_ttl_ms = kTtlMs;
  return o;
}

std::int64_t heartbeat_at(const test::TestDatabase& db) {
  return db.sql("SELECT heartbeat_at_ms FROM weft_leases WHERE thread_id = 't'").int64(0, 0);
}

}  // namespace

TEST_CASE("a lease within the margin is renewed (fenced) before the effect, and one taken over refuses it") {
  test::TestDatabase db;
  auto clock = std::make_shared<ManualClock>();
  PostgresStore holder(db.url(), options(clock));
  PostgresStore other(db.url(), options(system_clock()));
  test::EffectProbe probe;
  auto lease = holder.acquire_lease("t");

  // Plenty left: no round trip to renew.
  const std::int64_t acquired = heartbeat_at(db);
  CHECK(probe.run(holder, "t", "send-1") == "sent");
  CHECK(heartbeat_at(db) == acquired);

  // Inside the margin by this process's clock: renewed first, then sent.
  clock->advance(45s);
  std::this_thread::sleep_for(5ms);  // so that the server's renewal time differs from the acquisition's
  CHECK(probe.run(holder, "t", "send-2") == "sent");
  CHECK(heartbeat_at(db) > acquired);
  CHECK(probe.sends == 2);

  // "Paused" right after the journal's begin, past the TTL; meanwhile the server let the lease
  // expire and another store took over. (A pause before the begin is stopped by the fenced begin.)
  std::unique_ptr<ThreadLease> taken;
  auto pause_and_take_over = [&] {
    clock->advance(61s);
    db.sql("UPDATE weft_leases SET expires_at_ms = 0 WHERE thread_id = 't'");
    taken = other.acquire_lease("t");
  };
  try {
    probe.run(holder, "t", "send-3", pause_and_take_over);
    FAIL("an effect started on a lease that was taken over");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::lease_lost);
    const std::string m = e.what();
    CHECK_MESSAGE(m.find("effect 'send-3' was not started") != std::string::npos, m);
  }
  CHECK(probe.sends == 2);
  CHECK(other.find("t", "send-3").state == EffectState::started);  // in doubt, for the new holder
  // And the refused holder stays fenced: nothing more it starts for the thread gets through.
  CHECK_THROWS_AS(probe.run(holder, "t", "send-4"), Error);
  CHECK(probe.sends == 2);
  CHECK(other.find("t", "send-4").state == EffectState::absent);
}

TEST_CASE("a renewal the heartbeat finds fenced out marks the lease lost before any effect") {
  test::TestDatabase db;
  PostgresOptions fast = options(system_clock());
  fast.lease_ttl_ms = 300;  // heartbeat every 100 ms
  PostgresStore holder(db.url(), fast);
  PostgresStore other(db.url(), fast);
  test::EffectProbe probe;
  auto lease = holder.acquire_lease("t");
  CHECK(other.break_lease("t"));
  // Within a few heartbeats the holder learns its renewals no longer match; poll (bounded).
  bool refused = false;
  for (int i = 0; i < 50 && !refused; ++i) {
    std::this_thread::sleep_for(20ms);
    try {
      holder.confirm_may_act("t");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::lease_lost);
      refused = true;
    }
  }
  CHECK(refused);
  CHECK_THROWS_AS(probe.run(holder, "t", "send-1"), Error);
  CHECK(probe.sends == 0);
}
