// SPDX-License-Identifier: MIT
#pragma once
// Test helper: runs one side effect through the one effect protocol (weft::run_journaled) on a
// journal and counts how often its body (the "send") was actually invoked, so a test can prove a
// refused effect sent nothing. `after_begin` runs right after the journal's begin committed and
// before the protocol asks confirm_may_act: where a test puts "the process was paused and another
// took the thread over".

#include "engine/effect_protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <string>

namespace weft::test {

/// Forwards every operation (the awaitable ones to the journal's own awaitable forms) and calls
/// `after_begin` once a begin returned.
class ProbeJournal final : public EffectJournal {
 public:
  ProbeJournal(EffectJournal& inner, std::function<void()> after_begin)
      : inner_(inner), after_begin_(std::move(after_begin)) {}

  EffectEntry find(const std::string& t, const std::string& k) override { return inner_.find(t, k); }
  void begin(const std::string& t, const std::string& k) override { begin_request(t, k, {}); }
  void begin_request(const std::string& t, const std::string& k, const std::string& digest) override {
    inner_.begin_request(t, k, digest);
    if (after_begin_) after_begin_();
  }
  void finish(const std::string& t, const std::string& k, const boost::json::value& r) override {
    inner_.finish(t, k, r);
  }
  void abandon(const std::string& t, const std::string& k) override { inner_.abandon(t, k); }
  void confirm_may_act(const std::string& t) override { inner_.confirm_may_act(t); }

  boost::asio::awaitable<EffectEntry> async_find(std::string t, std::string k) override {
    co_return co_await inner_.async_find(std::move(t), std::move(k));
  }
  boost::asio::awaitable<void> async_begin_request(std::string t, std::string k, std::string digest) override {
    co_await inner_.async_begin_request(std::move(t), std::move(k), std::move(digest));
    if (after_begin_) after_begin_();
  }
  boost::asio::awaitable<void> async_finish(std::string t, std::string k, boost::json::value r) override {
    co_await inner_.async_finish(std::move(t), std::move(k), std::move(r));
  }
  boost::asio::awaitable<void> async_abandon(std::string t, std::string k) override {
    co_await inner_.async_abandon(std::move(t), std::move(k));
  }
  boost::asio::awaitable<void> async_confirm_may_act(std::string t) override {
    co_await inner_.async_confirm_may_act(std::move(t));
  }

 private:
  EffectJournal& inner_;
  std::function<void()> after_begin_;
};

struct EffectProbe {
  int sends = 0;

  /// Runs effect `key` of `thread_id` in `journal` to completion on a private io_context; its body
  /// counts a send and returns "sent". Rethrows what the protocol threw.
  boost::json::value run(EffectJournal& journal, const std::string& thread_id, const std::string& key,
                         std::function<void()> after_begin = {}) {
    EffectFn send = [this]() -> boost::asio::awaitable<boost::json::value> {
      ++sends;
      co_return boost::json::value("sent");
    };
    ProbeJournal probe(journal, std::move(after_begin));
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(
        io, run_journaled(&probe, thread_id, key, std::move(send), {}, {}, "effect '" + key + "'"),
        boost::asio::use_future);
    io.run();
    return done.get();
  }
};

}  // namespace weft::test
