// SPDX-License-Identifier: MIT
#include "engine/effect_protocol.hpp"

#include "engine/error.hpp"

#include <boost/json/serialize.hpp>

#include <exception>
#include <optional>

namespace weft {
namespace {

std::string what_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

std::string quoted_request(const boost::json::value& request) {
  std::string text = boost::json::serialize(request);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

}  // namespace

boost::asio::awaitable<boost::json::value> run_journaled(EffectJournal* journal, std::string thread_id, std::string key,
                                                         EffectFn fn, ReconcileFn reconcile, EffectRequest request,
                                                         std::string subject) {
  if (!journal) {
    auto running = fn();
    boost::json::value result = co_await std::move(running);
    co_return result;
  }
  const std::string digest = request_digest(request.what);
  auto finding = journal->async_find(thread_id, key);
  EffectEntry entry = co_await std::move(finding);
  // Replay is bound to the request: an entry recorded for something else is never replayed.
  if (entry.state != EffectState::absent && !digest.empty() && !entry.request_digest.empty() &&
      entry.request_digest != digest) {
    if (!request.rerun_on_change) {
      throw Error(engine::error::effect_request_conflict,
                  subject + " is journaled for a different request (recorded digest " + entry.request_digest +
                      ", now digest " + digest + " for " + quoted_request(request.what) +
                      "): another run of this task asked for something else, so its result is not replayed and "
                      "nothing was done. Check what the earlier run did in the outside world; continue on a new "
                      "thread, or fork this thread from a checkpoint before the task");
    }
    // No outside effect (a model call, a deadline): the old answer belongs to the old question.
    auto dropping = journal->async_abandon(thread_id, key);
    co_await std::move(dropping);
    entry = EffectEntry{};
  }
  if (entry.state == EffectState::done) co_return entry.result;
  if (entry.state == EffectState::started) {
    if (!reconcile) {
      throw Error(engine::error::effect_in_doubt,
                  subject +
                      " began but never finished: it may or may not have happened, and nothing can check. "
                      "Check the outside world, then give the effect a reconcile function, or remove its "
                      "journal entry to run it again");
    }
    auto checking = reconcile();
    std::optional<boost::json::value> happened = co_await std::move(checking);
    if (happened) {
      auto finishing = journal->async_finish(thread_id, key, *happened);
      co_await std::move(finishing);
      co_return *happened;
    }
  }
  {
    auto beginning = journal->async_begin_request(thread_id, key, digest);
    co_await std::move(beginning);
  }
  // Begun: the effect is in doubt until finished. It starts only if this process still holds the
  // thread, asked after the last await before it (a pause before this point is seen here); if not,
  // nothing runs and the entry stays started for the thread's next holder to reconcile.
  try {
    auto confirming = journal->async_confirm_may_act(thread_id);
    co_await std::move(confirming);
  } catch (const Error& e) {
    throw Error(e.code(), subject +
                              " was not started (its journal entry stays in doubt for the thread's next holder to "
                              "reconcile): " +
                              e.what());
  }
  boost::json::value result;
  std::exception_ptr error;
  try {
    auto running = fn();
    result = co_await std::move(running);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    // Abandoning is a journal write, and only the thread's holder may make it: a process that lost
    // the thread while the effect ran (paused in a back-off, its lease taken over; the effect's own
    // lease check may be what stopped it) leaves the entry in doubt for the new holder, who may
    // already be reconciling or re-running it.
    std::optional<Error> lost;
    try {
      auto confirming = journal->async_confirm_may_act(thread_id);
      co_await std::move(confirming);
    } catch (const Error& e) {
      lost = e;
    }
    if (lost) {
      throw Error(lost->code(), subject + " stopped (" + what_of(error) +
                                    ") and its journal entry stays in doubt for the thread's next holder to "
                                    "reconcile: " +
                                    lost->what());
    }
    auto abandoning = journal->async_abandon(thread_id, key);
    co_await std::move(abandoning);
    std::rethrow_exception(error);
  }
  auto finishing = journal->async_finish(thread_id, key, result);
  co_await std::move(finishing);
  co_return result;
}

}  // namespace weft
