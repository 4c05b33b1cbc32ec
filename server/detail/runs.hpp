// SPDX-License-Identifier: MIT
#pragma once
// Private: the runs the server executes. A run is accepted (persisted as pending in the catalog),
// started when its thread is free and fewer than options.workers runs are running, and executed
// as a coroutine on the server's io_context. Its stream events are kept in memory, numbered from
// 1, so that any number of clients can follow it and a client that reconnects with Last-Event-ID
// continues after the last event it saw.

#include "engine/run_result.hpp"
#include "server/detail/catalog.hpp"
#include "server/detail/message_events.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <deque>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

namespace weft::server::detail {

struct ServerState;

struct RunEvent {
  std::string event;  ///< SSE event name: metadata, values, updates, custom, debug, error
  std::string data;   ///< serialized JSON
};

/// One run, while the server knows it. Used only on the io_context thread.
class ActiveRun {
 public:
  ActiveRun(boost::asio::any_io_executor executor, RunRow row);

  RunRow row;
  std::vector<std::string> stream_modes;  ///< requested modes (events of other modes are not kept)
  std::vector<RunEvent> events;           ///< event i has SSE id i+1
  bool finished = false;
  /// What /wait and /join answer: the final values (with "__interrupt__" when interrupted), or
  /// {"__error__": {"error", "message"}}.
  boost::json::value output;
  std::stop_source stop;
  std::string cancel_action;     ///< "" or the action of a cancel: interrupt, rollback
  std::string start_checkpoint;  ///< the thread's latest checkpoint when the run was accepted
  /// The token stream's translator when "messages" or "messages-tuple" was asked for.
  std::unique_ptr<MessageEvents> messages;

  /// Appends an event and wakes the waiters.
  void push(std::string event, const boost::json::value& data);
  /// Marks the run finished and wakes the waiters.
  void finish(boost::json::value final_output);
  /// Completes when an event is pushed, the run finishes (or at once if it already has), or
  /// wake() is called.
  boost::asio::awaitable<void> changed();
  /// Wakes the followers without an event (the heartbeat).
  void wake() { signal_.cancel(); }

 private:
  boost::asio::steady_timer signal_;
};

class RunManager {
 public:
  explicit RunManager(ServerState& state);

  /// While one exists, submitted runs are queued but none starts; its end schedules the start.
  /// For a route whose writes are one catalog transaction (Catalog::Batch): a run started inside
  /// it would wait for the database's write lock that transaction holds.
  class Hold {
   public:
    explicit Hold(RunManager& runs) : runs_(runs) { ++runs_.held_; }
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    RunManager& runs_;
  };

  /// Persists `row` as pending and queues it; starts it when its thread and a worker are free.
  std::shared_ptr<ActiveRun> submit(RunRow row, std::string start_checkpoint);
  /// The run if it is pending, running or recently finished (kept for joiners); else nullptr.
  std::shared_ptr<ActiveRun> find(const std::string& run_id) const;
  /// The pending and running runs of a thread.
  std::vector<std::shared_ptr<ActiveRun>> active_on(const std::string& thread_id) const;
  /// Cancels: a pending run ends at once, a running one at its next step boundary.
  void cancel(const std::shared_ptr<ActiveRun>& run, const std::string& action);
  /// Re-queues the runs a previous process left pending or running.
  void resume_unfinished();
  /// Asks every running run to stop at its next step boundary (server shutdown); they stay
  /// "running" in the catalog so the next start resumes them.
  void stop_all();
  /// Starts the heartbeat that wakes every active run's followers each options.stream_heartbeat.
  void start_heartbeat();
  std::size_t running() const noexcept { return running_; }
  bool idle() const noexcept { return running_ == 0; }

 private:
  void pump();
  void start(const std::shared_ptr<ActiveRun>& run);
  void finished(const std::shared_ptr<ActiveRun>& run, std::exception_ptr error, RunResult result);
  void retire(const std::shared_ptr<ActiveRun>& run);
  bool thread_busy(const std::string& thread_id) const;
  /// Whether the thread's latest checkpoint was written by this run.
  bool wrote_checkpoint(const RunRow& row) const;

  ServerState& state_;
  std::map<std::string, std::shared_ptr<ActiveRun>> active_;  ///< pending + running, by run id
  std::deque<std::shared_ptr<ActiveRun>> queue_;              ///< pending, in arrival order
  std::deque<std::shared_ptr<ActiveRun>> recent_;             ///< finished, newest last
  std::size_t running_ = 0;
  std::size_t held_ = 0;  ///< live Hold objects
  bool shutting_down_ = false;
  boost::asio::steady_timer heartbeat_;
};

/// The SSE event name and the data the API sends for an interrupt list, values, errors.
boost::json::array interrupts_json(const std::vector<Interrupt>& interrupts);

}  // namespace weft::server::detail
