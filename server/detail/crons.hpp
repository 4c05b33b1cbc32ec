// SPDX-License-Identifier: MIT
#pragma once
// Private: crons. Each cron is a row of server_crons with its next fire time; a loop on the
// io_context checks them every options.cron_poll against environment.clock and submits the due
// ones through accept_run (as a client's POST …/runs would), then computes the next time. A cron
// that was due while the server was down fires once at the next start.

#include <boost/asio/steady_timer.hpp>

namespace weft::server::detail {

struct ServerState;

class CronScheduler {
 public:
  explicit CronScheduler(ServerState& state);
  void start();
  void stop();
  /// Submits the runs of every due cron (exposed for the loop; on the io thread).
  void fire_due();

 private:
  void arm();
  ServerState& state_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace weft::server::detail
