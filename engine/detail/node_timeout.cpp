// SPDX-License-Identifier: MIT
// call_with_timeout: an async node raced against a sleep on the run's Clock.
#include "engine/detail/node_timeout.hpp"

#include "engine/error.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <string>

namespace weft::detail {
namespace {

/// The two racers' shared state. Everything runs on one executor, so no lock is needed.
struct Race {
  explicit Race(const boost::asio::any_io_executor& executor)
      : wake(executor, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::steady_timer wake;  // cancelled whenever a racer finishes
  boost::asio::cancellation_signal cancel_node;
  boost::asio::cancellation_signal cancel_deadline;
  bool node_done = false;
  bool deadline_done = false;
  bool timed_out = false;
  std::exception_ptr error;
  Command result;

  bool finished() const { return node_done && deadline_done; }
  void cancel_unfinished() {
    if (!node_done) cancel_node.emit(boost::asio::cancellation_type::terminal);
    if (!deadline_done) cancel_deadline.emit(boost::asio::cancellation_type::terminal);
  }
};

}  // namespace

boost::asio::awaitable<Command> call_with_timeout(std::shared_ptr<Clock> clock, const NodeDef& node, StateView view,
                                                  NodeContext context, std::chrono::milliseconds timeout) {
  auto executor = co_await boost::asio::this_coro::executor;
  auto race = std::make_shared<Race>(executor);
  boost::asio::co_spawn(
      executor, node.fn.async(std::move(view), std::move(context)),
      boost::asio::bind_cancellation_slot(race->cancel_node.slot(), [race](std::exception_ptr e, Command c) {
        race->node_done = true;
        race->error = e;
        race->result = std::move(c);
        if (!race->deadline_done) race->cancel_deadline.emit(boost::asio::cancellation_type::terminal);
        race->wake.cancel();
      }));
  auto deadline = clock->sleep_for(timeout);
  boost::asio::co_spawn(
      executor, std::move(deadline),
      boost::asio::bind_cancellation_slot(race->cancel_deadline.slot(), [race, clock](std::exception_ptr e) {
        race->deadline_done = true;
        if (!e && !race->node_done) {
          race->timed_out = true;
          race->cancel_node.emit(boost::asio::cancellation_type::terminal);
        }
        race->wake.cancel();
      }));
  bool aborted = false;
  while (!race->finished()) {
    race->wake.expires_at(boost::asio::steady_timer::time_point::max());
    boost::system::error_code ignored;
    auto waiting = race->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    co_await std::move(waiting);
    if (race->finished()) break;
    auto state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none) {
      aborted = true;  // our own awaiter was cancelled: stop both, then wait for them to end
      race->cancel_unfinished();
      co_await boost::asio::this_coro::reset_cancellation_state();
    }
  }
  if (aborted) throw boost::system::system_error(boost::asio::error::operation_aborted);
  if (race->timed_out) {
    throw Error(engine::error::node_timeout,
                "node '" + node.name + "' timed out after " + std::to_string(timeout.count()) + " ms");
  }
  if (race->error) std::rethrow_exception(race->error);
  co_return std::move(race->result);
}

}  // namespace weft::detail
