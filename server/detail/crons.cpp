// SPDX-License-Identifier: MIT
#include "server/detail/crons.hpp"

#include "server/detail/api.hpp"
#include "server/detail/cron_schedule.hpp"
#include "server/detail/run_request.hpp"
#include "server/detail/state.hpp"

#include <iostream>

namespace json = boost::json;

namespace weft::server::detail {

CronScheduler::CronScheduler(ServerState& state) : state_(state), timer_(state.io) {}

void CronScheduler::start() { arm(); }

void CronScheduler::stop() {
  stopped_ = true;
  timer_.cancel();
}

void CronScheduler::arm() {
  if (stopped_) return;
  timer_.expires_after(state_.options.cron_poll);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    fire_due();
    arm();
  });
}

void CronScheduler::fire_due() {
  if (state_.stopping) return;
  const std::int64_t now = state_.environment.clock->now_ms();
  for (CronRow& cron : state_.catalog->crons()) {
    if (!cron.enabled || cron.next_run_ms < 0 || cron.next_run_ms > now) continue;
    if (cron.end_time_ms > 0 && now > cron.end_time_ms) {
      cron.enabled = false;
      cron.next_run_ms = -1;
      state_.catalog->put_cron(cron);
      continue;
    }
    json::object body = cron.payload;
    body["assistant_id"] = cron.assistant_id;
    if (!body.contains("multitask_strategy")) body["multitask_strategy"] = "enqueue";
    if (cron.thread_id.empty()) body["on_completion"] = cron.on_run_completed;
    json::object metadata = object_field(body, "metadata");
    metadata["cron_id"] = cron.cron_id;
    body["metadata"] = std::move(metadata);
    try {
      accept_run(state_, cron.thread_id, body);
    } catch (const ApiError& e) {
      if (e.status() == 404) {
        // Its thread or assistant is gone: the cron can never run again.
        cron.enabled = false;
        cron.next_run_ms = -1;
        state_.catalog->put_cron(cron);
        continue;
      }
      // Busy under reject, or the server is stopping: skip this time.
    }
    try {
      cron.next_run_ms = next_fire_ms(parse_cron(cron.schedule), now);
    } catch (const std::invalid_argument&) {
      cron.next_run_ms = -1;
    }
    cron.updated_at_ms = now_ms();
    state_.catalog->put_cron(cron);
  }
}

}  // namespace weft::server::detail
