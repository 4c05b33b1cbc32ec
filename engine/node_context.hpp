// SPDX-License-Identifier: MIT
#pragma once
// NodeContext: what a running node may know and do besides reading state.
//
// A cheap handle (one shared_ptr) passed to every node by value, so coroutine nodes may keep it
// across co_await. All calls must happen on the run's executor while the node's task runs.

#include "engine/clock.hpp"
#include "engine/effect_journal.hpp"
#include "engine/effect_protocol.hpp"
#include "engine/run_config.hpp"
#include "engine/store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace weft {
namespace detail {
struct TaskState;
struct NodeContextAccess;
template <class T>
struct is_awaitable : std::false_type {};
template <class T, class E>
struct is_awaitable<boost::asio::awaitable<T, E>> : std::true_type {};
template <class F>
boost::asio::awaitable<boost::json::value> call_effect_sync(F fn) {
  co_return boost::json::value(fn());
}
}  // namespace detail

class NodeContext {
 public:
  explicit NodeContext(std::shared_ptr<detail::TaskState> task) noexcept : task_(std::move(task)) {}

  const std::string& thread_id() const noexcept;
  /// Deterministic: the same task of the same step from the same checkpoint has the same id.
  const std::string& task_id() const noexcept;
  const std::string& node() const noexcept;
  /// "" at the root graph; "node:task_id|..." inside subgraphs.
  const std::string& checkpoint_ns() const noexcept;
  std::int64_t step() const noexcept;
  /// 1 for the first attempt, +1 per retry.
  int attempt() const noexcept;
  const RunConfig& config() const noexcept;
  /// Shortcut for config().configurable.
  const boost::json::object& configurable() const noexcept;
  Clock& clock() const noexcept;
  /// The long-term memory store shared across threads (RunConfig::store, else
  /// CompileOptions::store). Throws weft::Error engine::error::no_store when neither is set. The
  /// store outlives the run; it is thread-safe, so a node may keep the reference across co_await.
  Store& store() const;
  /// True once the run's cancellation was requested; long sync work should check it.
  bool stop_requested() const noexcept;

  /// Sends `data` to the run's stream sink as a `custom` event (no-op without a sink).
  void emit(boost::json::value data) const;
  /// True when the run's sink receives `mode` events (so a node can skip work nobody sees, e.g.
  /// a model's token streaming).
  bool streams(StreamMode mode) const noexcept;
  /// Sends a piece of model text as a `messages` event {"delta": text} with this task's node and
  /// id (no-op unless streams(StreamMode::messages)).
  void emit_token(std::string_view text) const;

  /// Pauses the run for human input (LangGraph semantics). The first time, this throws an
  /// internal signal (not a std::exception: do not swallow it with catch(...)) that ends the
  /// task; the run returns status interrupted with this value. On resume the node re-executes
  /// from the top and this call returns the resume value. Several calls in one node are matched
  /// by call order. Requires a checkpointer (else engine::error::no_checkpointer).
  boost::json::value interrupt(boost::json::value value) const;

  /// Runs `fn` at most once per (thread, task_id + ":" + key), journaled in the run's
  /// EffectJournal: absent -> begin (durable), run, finish and return its result; done -> the
  /// recorded result, fn is not called; started (in doubt after a crash) -> `reconcile` decides,
  /// or without one weft::Error engine::error::effect_in_doubt is thrown. If fn throws, the entry
  /// is abandoned (a retry may run it again) and the exception propagates, unless this process no
  /// longer holds the thread (confirm_may_act() throws): the entry then stays in doubt for the
  /// thread's next holder and the lease error propagates. Without a journal fn
  /// simply runs. `fn` returns something convertible to boost::json::value, or an awaitable of
  /// boost::json::value. Completes on the run's executor.
  /// `request` binds the entry to what is asked (engine/effect_journal.hpp): a done or started
  /// entry recorded for a different request is not replayed; weft::Error
  /// engine::error::effect_request_conflict names the key and both digests, unless
  /// request.rerun_on_change (then fn runs for the new request). A null request binds nothing.
  template <class F>
  boost::asio::awaitable<boost::json::value> effect(std::string key, F fn, ReconcileFn reconcile = {},
                                                    EffectRequest request = {}) const {
    if constexpr (detail::is_awaitable<std::invoke_result_t<F&>>::value) {
      return effect_erased(std::move(key), EffectFn(std::move(fn)), std::move(reconcile), std::move(request));
    } else {
      return effect_erased(std::move(key), EffectFn([fn = std::move(fn)]() { return detail::call_effect_sync(fn); }),
                           std::move(reconcile), std::move(request));
    }
  }

  /// Asks the run's effect journal whether this process may still act on the thread
  /// (EffectJournal::confirm_may_act: the store's lease check); throws its error (e.g.
  /// store::error::lease_lost) if not. effect() asks once before `fn` runs; an effect that sends
  /// more than once (a write resent after a back-off or a Retry-After) asks again before each send,
  /// so a process paused while waiting sends nothing its thread's new holder may have sent. Without
  /// a journal it returns at once. Completes on the run's executor.
  boost::asio::awaitable<void> confirm_may_act() const;

  /// A durable timer: the deadline (now + delay) is journaled under `key` on first call, so a
  /// resumed node waits only for what is left. The entry is bound to `delay` and `after` (what the
  /// wait follows, e.g. the time of the observation it spaces out): a re-run that waits after
  /// something else takes a new deadline instead of replaying a passed one. Uses clock(). Before
  /// waiting it emits the custom event {"event":"timer","key","until_ms","remaining_ms"}
  /// (stream.hpp) so a front end can show a countdown. A deadline left in doubt by a crash (begun,
  /// never recorded) is taken anew: recording it has no outside effect. Returns the deadline (Unix
  /// ms). Cancellable through the run.
  boost::asio::awaitable<std::int64_t> sleep_durably(std::string key, Clock::duration delay,
                                                     boost::json::value after = nullptr) const;

  /// Same as effect() with an already type-erased body.
  boost::asio::awaitable<boost::json::value> effect_erased(std::string key, EffectFn fn, ReconcileFn reconcile,
                                                           EffectRequest request = {}) const;

 private:
  friend struct detail::NodeContextAccess;
  std::shared_ptr<detail::TaskState> task_;
};

}  // namespace weft
