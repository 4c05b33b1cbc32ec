// SPDX-License-Identifier: MIT
#pragma once
// The effect journal: side effects (an HTTP POST, a chat message) run at most once per
// (thread, key). The engine's NodeContext::effect(key, fn) drives it; stores persist it.
//
// Protocol, per (thread, key):
//   find() == absent  -> begin() (durable before returning), run the effect, then finish(result)
//                        or, if the effect threw, abandon() so a retry may run it again;
//   find() == done    -> the recorded result is returned, the effect is not called;
//   find() == started -> the process died between begin() and finish(): the effect is *in doubt*
//                        (it may or may not have happened); the caller must reconcile. When the
//                        reconciliation finds it did not happen, begin() is called again on the
//                        started entry (stores accept that) and the effect runs once.
// Between begin() and running the effect, confirm_may_act() asks whether this process still holds
// the thread (its lease, by its own clock): if not, the effect does not run and stays started (in
// doubt) for the thread's next holder to reconcile.
// Keys are derived from the deterministic task id, so a task re-run after a crash finds its own
// entries; a fork runs new tasks with new ids and so new effects.
//
// Replay is bound to the request: begin_request() records a digest of what was asked (request_digest()
// of the tool and its arguments, the model request, the deadline's inputs), and an entry is
// replayed (or reconciled) only for a request with the same digest. A different digest under the
// same key is another run of the task asking for something else: NodeContext::effect then throws
// engine::error::effect_request_conflict (or, for effects with no outside effect, asks again).
// An entry with no digest (written before schema 3, or begun without one) replays as before.

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace weft {

enum class EffectState { absent, started, done };

struct EffectEntry {
  EffectState state = EffectState::absent;
  boost::json::value result;        ///< the recorded result when done
  std::int64_t started_at_ms = 0;   ///< when begin() ran (started and done)
  std::int64_t finished_at_ms = 0;  ///< when finish() ran (done)
  /// request_digest() of what the effect was asked to do; "" when unknown (an entry of an older
  /// journal, or begun without a request). Not cleared by finish().
  std::string request_digest;
};

/// Thread safety: implementations are safe to call from several threads.
class EffectJournal {
 public:
  virtual ~EffectJournal() = default;
  virtual EffectEntry find(const std::string& thread_id, const std::string& key) = 0;
  virtual void begin(const std::string& thread_id, const std::string& key) = 0;
  /// begin() recording the digest of what is asked, returned by find() as
  /// EffectEntry::request_digest (also when the entry is begun again after a reconciliation).
  /// The default forwards to begin(thread_id, key) and so records none: a journal that does not
  /// override it replays without checking the request.
  virtual void begin_request(const std::string& thread_id, const std::string& key, const std::string& request_digest) {
    (void)request_digest;
    begin(thread_id, key);
  }
  virtual void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) = 0;
  virtual void abandon(const std::string& thread_id, const std::string& key) = 0;
  /// "May this process still act for this thread?", asked by the effect protocol after begin()
  /// committed and right before the effect runs (its request is sent). A journal whose writes are
  /// fenced by a thread lease (SqliteStore, PostgresStore) returns only while this process is sure,
  /// by its own steady clock, to hold the lease for a safety margin more (renewing it first when
  /// close), and otherwise throws weft::Error (store::error::lease_lost): a process paused past its
  /// lease must not send a request the thread's new holder may already have sent. Database fencing
  /// stops its writes, not a remote one. The default (a journal without leases) returns.
  virtual void confirm_may_act(const std::string& thread_id) { (void)thread_id; }

  // Awaitable forms, the only ones the engine calls (from the run's executor). As
  // Checkpointer's awaitable operations (engine/checkpointer.hpp): the defaults call the
  // synchronous operation inline; a journal across the network overrides them.
  virtual boost::asio::awaitable<EffectEntry> async_find(std::string thread_id, std::string key);
  virtual boost::asio::awaitable<void> async_begin_request(std::string thread_id, std::string key,
                                                           std::string request_digest);
  virtual boost::asio::awaitable<void> async_finish(std::string thread_id, std::string key, boost::json::value result);
  virtual boost::asio::awaitable<void> async_abandon(std::string thread_id, std::string key);
  virtual boost::asio::awaitable<void> async_confirm_may_act(std::string thread_id);
};

/// The digest of a request: its canonical JSON (object members sorted by key, recursively, so
/// member order does not matter; numbers as boost::json serializes them) hashed to 32 hex digits.
/// "" for null (no request: the entry is not bound). Stable across processes and platforms.
std::string request_digest(const boost::json::value& request);

/// What an effect is asked to do, given to NodeContext::effect so its journal entry is bound to it.
struct EffectRequest {
  /// What is asked: the tool and its arguments, the model request, a timer's inputs. Default
  /// null: the entry is not bound (replayed for any request, as before schema 3).
  boost::json::value what = nullptr;
  /// The entry under this key was recorded for a different request. false (default): throw
  /// weft::Error(engine::error::effect_request_conflict) naming both; nothing runs. true: the
  /// effect has no outside effect (a model call, a timer's deadline), so the old entry is dropped
  /// and the effect runs for the new request.
  bool rerun_on_change = false;
};

}  // namespace weft
