// SPDX-License-Identifier: MIT
#include "server/detail/runs.hpp"

#include "engine/error.hpp"
#include "server/detail/api.hpp"
#include "server/detail/state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

// Finished runs kept in memory so that a client joining just after the end still gets the stream.
constexpr std::size_t kRecentRuns = 256;

json::object interrupt_json(const Interrupt& interrupt) {
  json::object o;
  o["value"] = interrupt.value;
  o["id"] = interrupt.id.empty() ? interrupt.task_id : interrupt.id;
  o["when"] = "during";
  o["resumable"] = true;
  o["node"] = interrupt.node;
  return o;
}

Command command_from(const json::object& c) {
  Command command;
  if (const json::value* resume = c.if_contains("resume"); resume != nullptr) command.resume = *resume;
  if (const json::value* update = field(c, "update"); update != nullptr) command.update = update->as_object();
  if (const json::value* go = field(c, "goto"); go != nullptr) {
    json::array targets = go->is_array() ? go->as_array() : json::array{*go};
    for (const json::value& t : targets) {
      if (t.is_string()) {
        command.goto_nodes.emplace_back(t.as_string());
      } else {
        const json::object& send = t.as_object();
        json::object arg;
        if (const json::value* a = field(send, "input"); a != nullptr && a->is_object()) arg = a->as_object();
        command.sends.push_back({std::string(send.at("node").as_string()), std::move(arg)});
      }
    }
  }
  return command;
}

std::string stream_event_name(StreamMode mode) { return std::string(to_string(mode)); }

}  // namespace

json::array interrupts_json(const std::vector<Interrupt>& interrupts) {
  json::array out;
  for (const Interrupt& i : interrupts) out.push_back(interrupt_json(i));
  return out;
}

ActiveRun::ActiveRun(net::any_io_executor executor, RunRow r) : row(std::move(r)), signal_(executor) {
  signal_.expires_at(net::steady_timer::time_point::max());
}

void ActiveRun::push(std::string event, const json::value& data) {
  events.push_back({std::move(event), json::serialize(data)});
  signal_.cancel();
}

void ActiveRun::finish(json::value final_output) {
  output = std::move(final_output);
  finished = true;
  signal_.cancel();
}

net::awaitable<void> ActiveRun::changed() {
  if (finished) co_return;
  boost::system::error_code ec;
  co_await signal_.async_wait(net::redirect_error(net::use_awaitable, ec));
}

RunManager::RunManager(ServerState& state) : state_(state), heartbeat_(state.io) {}

void RunManager::start_heartbeat() {
  if (shutting_down_) return;
  heartbeat_.expires_after(state_.options.stream_heartbeat);
  heartbeat_.async_wait([this](boost::system::error_code ec) {
    if (ec || shutting_down_) return;
    for (const auto& [id, run] : active_) run->wake();
    start_heartbeat();
  });
}

std::shared_ptr<ActiveRun> RunManager::submit(RunRow row, std::string start_checkpoint) {
  row.status = "pending";
  state_.catalog->put_run(row);
  auto run = std::make_shared<ActiveRun>(state_.io.get_executor(), std::move(row));
  run->start_checkpoint = std::move(start_checkpoint);
  if (const json::value* modes = run->row.kwargs.if_contains("stream_mode"); modes && modes->is_array())
    for (const json::value& m : modes->as_array()) run->stream_modes.emplace_back(m.as_string());
  json::object meta;
  meta["run_id"] = run->row.run_id;
  meta["thread_id"] = run->row.thread_id;
  meta["attempt"] = 1;
  run->push("metadata", meta);
  active_[run->row.run_id] = run;
  queue_.push_back(run);
  pump();
  return run;
}

std::shared_ptr<ActiveRun> RunManager::find(const std::string& run_id) const {
  if (auto it = active_.find(run_id); it != active_.end()) return it->second;
  for (const auto& run : recent_)
    if (run->row.run_id == run_id) return run;
  return nullptr;
}

std::vector<std::shared_ptr<ActiveRun>> RunManager::active_on(const std::string& thread_id) const {
  std::vector<std::shared_ptr<ActiveRun>> out;
  for (const auto& [id, run] : active_)
    if (run->row.thread_id == thread_id) out.push_back(run);
  return out;
}

bool RunManager::thread_busy(const std::string& thread_id) const {
  for (const auto& [id, run] : active_)
    if (run->row.thread_id == thread_id && run->row.status == "running") return true;
  return false;
}

RunManager::Hold::~Hold() {
  if (--runs_.held_ == 0) boost::asio::post(runs_.state_.io, [&runs = runs_] { runs.pump(); });
}

void RunManager::pump() {
  if (held_ > 0) return;
  // Rescans from the front after each start: start() may change the queue.
  while (!shutting_down_ && running_ < state_.options.workers) {
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [this](const std::shared_ptr<ActiveRun>& run) { return !thread_busy(run->row.thread_id); });
    if (it == queue_.end()) return;
    auto run = *it;
    queue_.erase(it);
    start(run);
  }
}

void RunManager::start(const std::shared_ptr<ActiveRun>& run) {
  RunRow& row = run->row;
  row.status = "running";
  row.updated_at_ms = now_ms();
  state_.catalog->put_run(row);
  ++running_;

  const Assistant* assistant = state_.find_assistant(row.graph_id);
  const json::object& kw = row.kwargs;
  RunConfig config;
  config.thread_id = row.thread_id;
  config.run_id = row.run_id;
  config.durability = state_.environment.durability;
  config.checkpointer = state_.environment.checkpointer;
  config.effect_journal = state_.environment.journal;
  config.stop = run->stop.get_token();
  if (auto id = string_field(kw, "checkpoint_id")) config.checkpoint_id = *id;
  config.interrupt_before = strings_field(kw, "interrupt_before");
  config.interrupt_after = strings_field(kw, "interrupt_after");
  json::object cfg = object_field(kw, "config");
  config.configurable = object_field(cfg, "configurable");
  if (const json::value* limit = field(cfg, "recursion_limit"); limit && limit->is_int64())
    config.recursion_limit = limit->as_int64();
  config.metadata = row.metadata;
  config.metadata["run_id"] = row.run_id;
  config.metadata["graph_id"] = row.graph_id;
  config.metadata["assistant_id"] = row.assistant_id;
  config.stream_modes = 0;
  bool tuples = false;
  bool partials = false;
  for (const std::string& m : run->stream_modes) {
    if (m == "values") config.stream_modes |= static_cast<unsigned>(StreamMode::values);
    if (m == "updates") config.stream_modes |= static_cast<unsigned>(StreamMode::updates);
    if (m == "custom") config.stream_modes |= static_cast<unsigned>(StreamMode::custom);
    if (m == "debug") config.stream_modes |= static_cast<unsigned>(StreamMode::debug);
    tuples = tuples || m == "messages-tuple";
    partials = partials || m == "messages";
  }
  const bool wants_updates = (config.stream_modes & static_cast<unsigned>(StreamMode::updates)) != 0;
  std::weak_ptr<ActiveRun> weak = run;
  if (tuples || partials) {
    // The engine's updates tell when a node's message is complete, even if the client did not
    // ask for updates (they are then not kept).
    config.stream_modes |= StreamMode::messages | StreamMode::updates;
    run->messages = std::make_unique<MessageEvents>(row.run_id, row.thread_id, tuples, partials,
                                                    [weak](std::string event, const json::value& data) {
                                                      if (auto self = weak.lock()) self->push(std::move(event), data);
                                                    });
  }
  config.stream = [weak, wants_updates](const StreamEvent& event) {
    auto self = weak.lock();
    if (!self) return;
    if (!event.ns.empty()) return;  // subgraph events only with stream_subgraphs (not supported yet)
    if (event.mode == StreamMode::messages) {
      const json::value* delta = event.data.is_object() ? event.data.as_object().if_contains("delta") : nullptr;
      if (self->messages && delta != nullptr && delta->is_string())
        self->messages->token(event.task_id, event.node, event.step, std::string(delta->as_string()));
      return;
    }
    if (event.mode == StreamMode::updates) {
      if (self->messages) self->messages->node_finished(event.node, event.step);
      if (!wants_updates) return;
    }
    if (event.mode == StreamMode::debug) {
      json::object debug;
      debug["step"] = event.step;
      debug["timestamp"] = iso_time(now_ms());
      if (event.data.is_object()) {
        const json::object& d = event.data.as_object();
        if (auto* t = d.if_contains("type")) debug["type"] = *t;
        if (auto* p = d.if_contains("payload")) debug["payload"] = *p;
      }
      self->push("debug", debug);
      return;
    }
    self->push(stream_event_name(event.mode), event.data);
  };

  // The awaitable is built before co_spawn (GCC 12: no temporaries beside the coroutine call).
  // A request that no longer validates (a graph changed its input schema between a stop and a
  // restart) fails the run; the failure is reported from a fresh handler, not from inside pump().
  std::shared_ptr<CompiledGraph> graph = assistant->graph;
  std::optional<net::awaitable<RunResult>> work;
  try {
    if (const json::value* c = field(kw, "command"); c != nullptr) {
      work.emplace(graph->resume(command_from(c->as_object()), std::move(config)));
    } else {
      // No input continues the thread; on a thread with nothing to continue it means the graph's
      // default input, as LangGraph starts a new thread from an empty input.
      const json::value* input = field(kw, "input");
      bool fresh = false;
      if (input == nullptr && config.checkpoint_id.empty()) {
        auto info = state_.environment.checkpointer->thread(row.thread_id);
        fresh = !info || info->latest_checkpoint_id.empty();
      }
      json::value run_input = input != nullptr ? json::value(assistant->definition->make_input(*input))
                              : fresh          ? json::value(assistant->definition->make_input(json::value(nullptr)))
                                               : json::value(nullptr);
      work.emplace(graph->run(std::move(run_input), std::move(config)));
    }
  } catch (...) {
    net::post(state_.io, [this, run, error = std::current_exception()] { finished(run, error, {}); });
    return;
  }
  net::co_spawn(state_.io, std::move(*work), [this, run, graph](std::exception_ptr error, RunResult result) {
    finished(run, error, std::move(result));
  });
}

void RunManager::finished(const std::shared_ptr<ActiveRun>& run, std::exception_ptr error, RunResult result) {
  --running_;
  RunRow& row = run->row;
  if (run->messages) run->messages->finish_all();
  if (shutting_down_ && run->cancel_action.empty() && !error && result.status == RunStatus::failed) {
    // Stopped by the server's shutdown at a step boundary: it stays "running" in the catalog so
    // the next start continues it from its latest checkpoint.
    run->finish(json::value(nullptr));
    retire(run);
    return;
  }
  json::value output;
  if (error) {
    std::string message = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {}
    row.status = "error";
    json::object e;
    e["error"] = "RunError";
    e["message"] = message;
    run->push("error", e);
    output = json::object{{"__error__", e}};
  } else if (result.status == RunStatus::failed && !run->cancel_action.empty()) {
    row.status = "interrupted";
    output = result.values;
  } else if (result.status == RunStatus::failed) {
    row.status = "error";
    json::object e;
    e["error"] = result.error ? std::string(result.error->code.message()) : "RunError";
    e["message"] = result.error ? result.error->message : "the run failed";
    run->push("error", e);
    output = json::object{{"__error__", e}};
  } else if (result.status == RunStatus::interrupted) {
    row.status = "interrupted";
    json::object values = result.values;
    values["__interrupt__"] = interrupts_json(result.interrupts);
    output = std::move(values);
  } else {
    row.status = "success";
    output = result.values;
  }
  row.updated_at_ms = now_ms();
  if (run->cancel_action == "rollback") {
    state_.catalog->delete_run(row.run_id);
  } else {
    state_.catalog->put_run(row);
  }
  if (row.temporary_thread) {
    state_.catalog->delete_thread(row.thread_id);
    state_.environment.checkpointer->delete_thread(row.thread_id);
  } else if (auto thread = state_.catalog->thread(row.thread_id)) {
    thread->updated_at_ms = row.updated_at_ms;
    state_.catalog->put_thread(*thread);
  }
  run->finish(std::move(output));
  retire(run);
  pump();
}

void RunManager::retire(const std::shared_ptr<ActiveRun>& run) {
  active_.erase(run->row.run_id);
  if (run->cancel_action == "rollback") return;  // deleted: not even its stream is kept
  recent_.push_back(run);
  if (recent_.size() > kRecentRuns) recent_.pop_front();
}

void RunManager::cancel(const std::shared_ptr<ActiveRun>& run, const std::string& action) {
  if (run->finished) return;
  run->cancel_action = action;
  if (run->row.status == "pending") {
    std::erase(queue_, run);
    run->row.updated_at_ms = now_ms();
    run->row.status = "interrupted";
    if (action == "rollback") {
      state_.catalog->delete_run(run->row.run_id);
    } else {
      state_.catalog->put_run(run->row);
    }
    run->finish(json::value(nullptr));
    retire(run);
    return;
  }
  run->stop.request_stop();
}

void RunManager::resume_unfinished() {
  for (RunRow& row : state_.catalog->unfinished_runs()) {
    if (state_.find_assistant(row.graph_id) == nullptr) {
      row.status = "error";
      state_.catalog->put_run(row);
      continue;
    }
    if (row.status == "running" && wrote_checkpoint(row)) {
      // Its input (or command) is in the checkpoints: continue from the latest one. A run that
      // was killed before its first checkpoint starts again as it was asked, or an approval
      // (command resume) would be lost and the thread would stop at the same interrupt again.
      row.kwargs.erase("input");
      row.kwargs.erase("command");
      row.kwargs.erase("checkpoint_id");
    }
    submit(std::move(row), {});
  }
}

bool RunManager::wrote_checkpoint(const RunRow& row) const {
  // Every checkpoint of a run carries its run_id (start() puts it in the run's metadata).
  std::optional<CheckpointTuple> latest = state_.environment.checkpointer->get(row.thread_id, "");
  if (!latest) return false;
  const json::value* run_id = latest->record.metadata.if_contains("run_id");
  return run_id != nullptr && run_id->is_string() && run_id->as_string() == row.run_id;
}

void RunManager::stop_all() {
  shutting_down_ = true;
  heartbeat_.cancel();
  std::vector<std::shared_ptr<ActiveRun>> pending;
  for (const auto& [id, run] : active_) {
    if (run->row.status == "running") {
      run->stop.request_stop();
    } else {
      pending.push_back(run);
    }
  }
  // Pending runs stay pending in the catalog; their followers are released now.
  for (const auto& run : pending) {
    run->finish(json::value(nullptr));
    retire(run);
  }
  queue_.clear();
}

}  // namespace weft::server::detail
