// SPDX-License-Identifier: MIT
#include "engine/stream_channel.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <stdexcept>

namespace weft {

// Lives as long as either the channel or the run: the run's sink and completion handler hold it,
// so a channel destroyed mid-run leaves nothing dangling. Touched only on the channel's executor.
struct StreamChannel::Shared {
  explicit Shared(boost::asio::any_io_executor executor) : wake(executor) {
    wake.expires_at(boost::asio::steady_timer::time_point::max());
  }
  std::deque<StreamEvent> events;
  bool done = false;
  bool cancel_requested = false;
  std::optional<RunResult> result;
  std::exception_ptr error;
  boost::asio::steady_timer wake;  // a waiting next() sleeps on it; push and finish cancel it
  boost::asio::cancellation_signal stop;

  void notify() { wake.cancel(); }
};

StreamChannel::StreamChannel(std::shared_ptr<Shared> shared) noexcept : shared_(std::move(shared)) {}
StreamChannel::StreamChannel(StreamChannel&&) noexcept = default;
StreamChannel& StreamChannel::operator=(StreamChannel&& other) noexcept {
  if (this != &other) {
    cancel();
    shared_ = std::move(other.shared_);
  }
  return *this;
}
StreamChannel::~StreamChannel() { cancel(); }

StreamChannel StreamChannel::start(boost::asio::any_io_executor executor, CompiledGraph graph, boost::json::value input,
                                   RunConfig config) {
  auto shared = std::make_shared<Shared>(executor);
  std::weak_ptr<Shared> weak = shared;
  config.stream = [weak](const StreamEvent& event) {
    if (std::shared_ptr<Shared> s = weak.lock()) {
      s->events.push_back(event);
      s->notify();
    }
  };
  // The graph handle is copied into the coroutine's frame (parameters are values), so the run
  // keeps its definition alive on its own.
  auto run = [](CompiledGraph graph, boost::json::value input, RunConfig config) -> boost::asio::awaitable<RunResult> {
    boost::asio::awaitable<RunResult> running = graph.run(std::move(input), std::move(config));
    RunResult result = co_await std::move(running);
    co_return result;
  };
  boost::asio::co_spawn(
      executor, run(std::move(graph), std::move(input), std::move(config)),
      boost::asio::bind_cancellation_slot(shared->stop.slot(), [shared](std::exception_ptr error, RunResult result) {
        shared->done = true;
        if (error) {
          shared->error = error;
        } else {
          shared->result = std::move(result);
        }
        shared->notify();
      }));
  return StreamChannel(std::move(shared));
}

boost::asio::awaitable<std::optional<StreamEvent>> StreamChannel::next() {
  std::shared_ptr<Shared> s = shared_;  // the channel may be moved while we wait
  if (!s) throw std::logic_error("StreamChannel::next() on a moved-from channel");
  while (s->events.empty() && !s->done) {
    s->wake.expires_at(boost::asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    // Woken by cancel() from push/finish (operation_aborted) or by our own cancellation; which
    // one is told by the cancellation state, so our own cancellation is not swallowed.
    co_await s->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    boost::asio::cancellation_state state = co_await boost::asio::this_coro::cancellation_state;
    if (state.cancelled() != boost::asio::cancellation_type::none) {
      throw boost::system::system_error(boost::asio::error::operation_aborted, "StreamChannel::next cancelled");
    }
  }
  if (!s->events.empty()) {
    std::optional<StreamEvent> event(std::move(s->events.front()));
    s->events.pop_front();
    co_return event;
  }
  if (s->error) std::rethrow_exception(s->error);
  co_return std::nullopt;
}

bool StreamChannel::finished() const noexcept { return shared_ && shared_->done; }

const RunResult& StreamChannel::result() const {
  if (!shared_ || !shared_->result) throw std::logic_error("StreamChannel::result() before the run ended");
  return *shared_->result;
}

void StreamChannel::cancel() {
  if (!shared_ || shared_->done || shared_->cancel_requested) return;
  shared_->cancel_requested = true;
  shared_->stop.emit(boost::asio::cancellation_type::terminal);
}

}  // namespace weft
