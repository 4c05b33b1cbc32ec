// SPDX-License-Identifier: MIT
#pragma once
// The effect protocol (engine/effect_journal.hpp) in one place: find, replay, reconcile or refuse
// an in-doubt entry, begin, run, finish or abandon. NodeContext::effect and the Crisp tools'
// journal_scope both go through run_journaled(), so an outcome has one error code whichever
// way it was reached.

#include "engine/effect_journal.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>

namespace weft {

/// The body of an effect: run once, its result is recorded.
using EffectFn = std::function<boost::asio::awaitable<boost::json::value>()>;
/// Called when an effect is in doubt (begun, never finished: the process died in between). It
/// checks the outside world and returns the effect's result if it did happen (recorded, fn not
/// called), or nullopt if it did not (fn then runs).
using ReconcileFn = std::function<boost::asio::awaitable<std::optional<boost::json::value>>()>;

/// Runs `fn` at most once per (thread_id, key) in `journal`, with these outcomes:
///   absent             -> begin (recording request_digest(request.what)), confirm_may_act, run fn,
///                         finish with its result and return it;
///   done               -> the recorded result, fn not called;
///   started (in doubt) -> `reconcile` returns the result (recorded, returned, fn not called) or
///                         nullopt (the entry is begun again and fn runs); with no reconcile,
///                         weft::Error engine::error::effect_in_doubt, nothing runs;
///   recorded for another request (both digests known, different) -> weft::Error
///                         engine::error::effect_request_conflict, nothing runs, unless
///                         request.rerun_on_change (the entry is dropped and fn runs);
///   fn throws          -> the entry is abandoned (a retry may run it) and the exception propagates,
///                         unless confirm_may_act, asked again, throws: this process lost the
///                         thread while fn ran (fn's own check before a resend may be what
///                         stopped it), so the entry stays started for the thread's next holder,
///                         and a weft::Error with confirm_may_act's code, naming both, propagates;
///   confirm_may_act throws (this process may no longer hold the thread) -> fn is not called, the
///                         entry stays started (in doubt: the thread's next holder reconciles it),
///                         and a weft::Error with the same code (store::error::lease_lost) and the
///                         subject prepended propagates.
/// `subject` names the effect in messages ("effect 'send' of node 'greet' (thread 't', task x)").
/// With a null journal fn simply runs. The journal is used through its awaitable operations; it
/// must outlive the returned awaitable, which completes on the awaiting coroutine's executor.
boost::asio::awaitable<boost::json::value> run_journaled(EffectJournal* journal, std::string thread_id, std::string key,
                                                         EffectFn fn, ReconcileFn reconcile, EffectRequest request,
                                                         std::string subject);

}  // namespace weft
