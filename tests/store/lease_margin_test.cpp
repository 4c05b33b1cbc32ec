// SPDX-License-Identifier: MIT
// A side effect starts only while this process is sure to hold the thread's lease
// (EffectJournal::confirm_may_act on SqliteStore): checked after the journal's begin, by the
// store clock's steady time since the last renewal was sent. Virtual time (ManualClock): nothing
// sleeps; the heartbeat (real time, every 20 s here) never runs during a test.
#include "store/sqlite_store.hpp"

#include "engine/clock.hpp"
#include "engine/error.hpp"
#include "fixtures.hpp"
#include "store/error.hpp"
#include "tests/support/effect_probe.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

using namespace weft;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kTtlMs = 60'000;  // margin: a third, 20 s

/// Two stores (two "processes") on one file and one ManualClock; `holder` runs thread "t".
struct LeasedThread {
  test::TempDir dir;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  SqliteStore holder{dir.file("a.db"), options()};
  SqliteStore other{dir.file("a.db"), options()};
  std::unique_ptr<ThreadLease> lease = holder.acquire_lease("t");
  test::EffectProbe probe;

  SqliteOptions options() const {
    SqliteOptions o;
    o.clock = clock;
    o.lease_ttl_ms = kTtlMs;
    return o;
  }
};

}  // namespace

TEST_CASE("an effect starts at once while the lease has more than the margin left") {
  LeasedThread s;
  s.clock->advance(39s);  // 21 s left
  CHECK(s.probe.run(s.holder, "t", "send-1") == "sent");
  CHECK(s.probe.sends == 1);
  CHECK(s.holder.lease("t")->heartbeat_at_ms == ManualClock::default_start.time_since_epoch().count());  // no renewal
}

TEST_CASE("a lease closer to expiry than the margin is renewed before the effect starts") {
  LeasedThread s;
  s.clock->advance(45s);  // 15 s left: inside the margin
  CHECK(s.probe.run(s.holder, "t", "send-1") == "sent");
  CHECK(s.probe.sends == 1);
  CHECK(s.holder.lease("t")->heartbeat_at_ms == s.clock->now_ms());
  // Past the TTL (a pause) with nobody taking the thread over: renewing still works, and is safe.
  s.clock->advance(70s);
  CHECK(s.probe.run(s.holder, "t", "send-2") == "sent");
  CHECK(s.probe.sends == 2);
}

TEST_CASE("a lease not renewed past its TTL and taken over refuses the effect: nothing sent, entry in doubt") {
  LeasedThread s;
  std::unique_ptr<ThreadLease> takeover;
  auto pause_and_take_over = [&] {
    s.clock->advance(61s);  // the holder "was paused" right after the begin: its lease expired
    takeover = s.other.acquire_lease("t");
  };
  try {
    s.probe.run(s.holder, "t", "send-1", pause_and_take_over);
    FAIL("an effect started on a lease that was taken over");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::lease_lost);
    const std::string m = e.what();
    CHECK_MESSAGE(m.find("effect 'send-1' was not started") != std::string::npos, m);
    CHECK_MESSAGE(m.find("stays in doubt") != std::string::npos, m);
  }
  CHECK(s.probe.sends == 0);
  // The journal entry was begun before the lease was found gone: the new holder finds it in
  // doubt (and, with no reconcile, refuses to guess).
  CHECK(s.other.find("t", "send-1").state == EffectState::started);
  CHECK_THROWS_WITH_AS(s.probe.run(s.other, "t", "send-1"), doctest::Contains("began but never finished"), Error);
  CHECK(s.probe.sends == 0);
}

TEST_CASE("a lease broken by an operator refuses the next effect once the holder notices at a renewal") {
  LeasedThread s;
  CHECK(s.other.break_lease("t"));
  s.holder.renew_leases();  // what the heartbeat does: it finds the row gone
  CHECK_THROWS_AS(s.probe.run(s.holder, "t", "send-1"), Error);
  CHECK(s.probe.sends == 0);
}

TEST_CASE("a store holding no lease on the thread lets effects run (nothing to lose)") {
  LeasedThread s;
  CHECK(s.probe.run(s.holder, "unleased", "send-1") == "sent");
  s.clock->advance(1h);
  CHECK(s.probe.run(s.holder, "unleased", "send-2") == "sent");
  CHECK(s.probe.sends == 2);
}
