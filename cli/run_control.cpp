// SPDX-License-Identifier: MIT
#include "cli/run_control.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <exception>
#include <functional>

namespace weft::cli {

namespace {
constexpr auto kTick = std::chrono::milliseconds(100);  // the status line's 10 Hz bound
}  // namespace

int exit_code_for_signal(int signal) noexcept { return 128 + signal; }

RunOutcome drive_run(boost::asio::io_context& io, boost::asio::awaitable<RunResult> run, std::stop_source stop,
                     ProgressPrinter* progress) {
  RunOutcome outcome;
  std::exception_ptr error;
  bool finished = false;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer ticker(io);

  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    outcome.signal = signal;
    boost::system::error_code ignored;
    signals.clear(ignored);  // back to the default: a second Ctrl-C ends the process
    stop.request_stop();
  });
  std::function<void()> schedule_tick = [&] {
    ticker.expires_after(kTick);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (ec || finished) return;
      progress->status().tick();
      if (progress->status().broken() && !outcome.broken_pipe) {
        outcome.broken_pipe = true;
        stop.request_stop();
      }
      schedule_tick();
    });
  };
  if (progress && progress->status().mode().live) schedule_tick();

  boost::asio::co_spawn(io, std::move(run), [&](std::exception_ptr e, RunResult result) {
    finished = true;
    error = e;
    outcome.result = std::move(result);
    boost::system::error_code ignored;
    signals.cancel(ignored);
    ticker.cancel();
  });
  io.run();
  if (progress) progress->status().finish();
  if (error) std::rethrow_exception(error);
  return outcome;
}

}  // namespace weft::cli
