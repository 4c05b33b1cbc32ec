// SPDX-License-Identifier: MIT
// A run request (the body of POST …/runs, /wait, /stream, and a cron's payload): validated into
// the kwargs a run stores, then accepted on a thread (run_request.hpp).
#include "server/detail/run_request.hpp"

#include "engine/error.hpp"
#include "server/detail/router.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"
#include "server/detail/threads.hpp"

#include <algorithm>
#include <array>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

constexpr std::array<std::string_view, 6> kStreamModes = {"values", "updates",  "custom",
                                                          "debug",  "messages", "messages-tuple"};

void check_command(const json::object& command) {
  if (command.empty()) throw ApiError(422, "'command' needs at least one of resume, update, goto");
  for (const auto& [key, value] : command) {
    if (key == "resume") continue;
    if (key == "update") {
      if (!value.is_null() && !value.is_object())
        throw ApiError(422, "'command.update' must be an object (a list of pairs is not supported)");
    } else if (key == "goto") {
      if (value.is_null()) continue;
      json::array targets = value.is_array() ? value.as_array() : json::array{value};
      for (const json::value& t : targets) {
        if (t.is_string()) continue;
        if (!t.is_object() || !t.as_object().contains("node") || !t.as_object().at("node").is_string())
          throw ApiError(422, "'command.goto' must be node names or {node, input} sends");
      }
    } else {
      throw ApiError(422, "'command." + std::string(key) + "' is not a command field (resume, update, goto)");
    }
  }
}

// The validated request, as stored in kwargs. Throws ApiError before anything is written.
json::object parse_kwargs(const json::object& body, const Assistant& assistant) {
  json::object kw;
  const json::value* input = field(body, "input");
  const json::value* command = field(body, "command");
  if (input != nullptr && command != nullptr) throw ApiError(422, "give either 'input' or 'command', not both");
  if (input != nullptr) {
    try {
      assistant.definition->make_input(*input);
    } catch (const weft::Error& e) {
      throw api_error_of(e);
    }
    kw["input"] = *input;
  }
  if (command != nullptr) {
    if (!command->is_object()) throw ApiError(422, "'command' must be an object");
    check_command(command->as_object());
    kw["command"] = *command;
  }
  json::array modes;
  for (const std::string& m : strings_field(body, "stream_mode")) {
    if (std::find(kStreamModes.begin(), kStreamModes.end(), m) == kStreamModes.end())
      throw ApiError(422, "unsupported stream_mode '" + m + "' (values, updates, custom, debug, messages)");
    modes.emplace_back(m);
  }
  if (modes.empty()) modes.emplace_back("values");
  kw["stream_mode"] = std::move(modes);
  json::object config = object_field(body, "config");
  object_field(config, "configurable");
  kw["config"] = std::move(config);
  const std::vector<std::string> nodes = assistant.graph->node_names();
  for (const char* key : {"interrupt_before", "interrupt_after"}) {
    json::array names;
    for (const std::string& n : strings_field(body, key)) {
      if (n != "*" && std::find(nodes.begin(), nodes.end(), n) == nodes.end())
        throw ApiError(422, "'" + std::string(key) + "' names an unknown node '" + n + "'");
      names.emplace_back(n);
    }
    if (!names.empty()) kw[key] = std::move(names);
  }
  if (std::string id = checkpoint_id_of(body); !id.empty()) kw["checkpoint_id"] = id;
  if (field(body, "webhook")) throw ApiError(422, "'webhook' is not supported by this server");
  if (const json::value* after = field(body, "after_seconds");
      after && !(after->is_number() && after->to_number<double>() == 0))
    throw ApiError(422, "'after_seconds' is not supported by this server");
  if (const json::value* sub = field(body, "stream_subgraphs"); sub && sub->is_bool() && sub->as_bool())
    throw ApiError(422, "'stream_subgraphs' is not supported by this server");
  const std::string on_disconnect = string_field(body, "on_disconnect").value_or("continue");
  if (on_disconnect != "continue" && on_disconnect != "cancel")
    throw ApiError(422, "'on_disconnect' must be 'continue' or 'cancel'");
  kw["on_disconnect"] = on_disconnect;
  return kw;
}

}  // namespace

void validate_run_request(ServerState& s, const json::object& body) {
  auto assistant_id = string_field(body, "assistant_id");
  if (!assistant_id) throw ApiError(422, "'assistant_id' is required");
  parse_kwargs(body, s.assistant(*assistant_id));
  const std::string strategy = string_field(body, "multitask_strategy").value_or("reject");
  if (strategy != "reject" && strategy != "enqueue" && strategy != "interrupt" && strategy != "rollback")
    throw ApiError(422, "'multitask_strategy' must be reject, enqueue, interrupt or rollback");
  object_field(body, "metadata");
}

// Everything that can be refused is checked before anything is written.
std::shared_ptr<ActiveRun> accept_run(ServerState& s, const std::string& thread_id, const json::object& body,
                                      const std::string& run_id) {
  auto assistant_id = string_field(body, "assistant_id");
  if (!assistant_id) throw ApiError(422, "'assistant_id' is required");
  const Assistant& assistant = s.assistant(*assistant_id);
  json::object kwargs = parse_kwargs(body, assistant);
  const std::string strategy = string_field(body, "multitask_strategy").value_or("reject");
  if (strategy != "reject" && strategy != "enqueue" && strategy != "interrupt" && strategy != "rollback")
    throw ApiError(422, "'multitask_strategy' must be reject, enqueue, interrupt or rollback");
  const std::string if_not_exists = string_field(body, "if_not_exists").value_or("reject");
  if (if_not_exists != "reject" && if_not_exists != "create")
    throw ApiError(422, "'if_not_exists' must be 'reject' or 'create'");
  json::object metadata = object_field(body, "metadata");
  if (s.stopping) throw ApiError(503, "the server is shutting down");

  ThreadRow thread;
  bool new_thread = false;
  if (thread_id.empty()) {
    thread.thread_id = random_uuid();
    new_thread = true;
  } else if (auto row = s.catalog->thread(thread_id)) {
    thread = *row;
  } else if (s.environment.checkpointer->thread(thread_id)) {
    thread = require_thread(s, thread_id);
  } else if (if_not_exists == "create") {
    thread.thread_id = thread_id;
    new_thread = true;
  } else {
    not_found("Thread '" + thread_id + "'");
  }
  if (!thread.graph_id.empty() && thread.graph_id != assistant.definition->name)
    throw ApiError(422, "Thread '" + thread.thread_id + "' runs graph '" + thread.graph_id + "', not '" +
                            assistant.definition->name + "'");
  const bool resuming = kwargs.contains("command") && kwargs.at("command").as_object().contains("resume");
  std::optional<ThreadInfo> info = new_thread ? std::nullopt : s.environment.checkpointer->thread(thread.thread_id);
  auto active = s.runs->active_on(thread.thread_id);
  // A resume at an older checkpoint (a fork) answers that checkpoint's interrupt: the engine
  // checks it; only a resume of the latest state needs the thread to be waiting.
  if (resuming && active.empty() && !kwargs.contains("checkpoint_id") &&
      (!info || info->status != ThreadStatus::interrupted))
    throw ApiError(400, "Thread '" + thread.thread_id + "' is not waiting for input (status '" +
                            (info ? std::string(to_string(info->status)) : std::string("new")) +
                            "'): there is nothing to resume");
  if (!active.empty() && strategy == "reject")
    throw ApiError(409, "Thread '" + thread.thread_id + "' is busy with run '" + active.front()->row.run_id +
                            "' (multitask_strategy 'reject'); use enqueue, interrupt or rollback");

  std::string start_checkpoint = info ? info->latest_checkpoint_id : "";
  if (strategy == "interrupt" || strategy == "rollback") {
    for (const auto& run : active) {
      // Rollback: the new run starts where the cancelled one started, so its steps are left on a
      // dead branch (the engine keeps history; it forks from that checkpoint).
      if (strategy == "rollback" && !run->start_checkpoint.empty()) start_checkpoint = run->start_checkpoint;
      s.runs->cancel(run, strategy);
    }
    if (strategy == "rollback" && !kwargs.contains("checkpoint_id") && !start_checkpoint.empty())
      kwargs["checkpoint_id"] = start_checkpoint;
  }

  const std::int64_t now = now_ms();
  if (new_thread) {
    thread.created_at_ms = now;
    thread.metadata["graph_id"] = assistant.definition->name;
  }
  thread.graph_id = assistant.definition->name;
  thread.updated_at_ms = now;
  s.catalog->put_thread(thread);

  RunRow row;
  row.run_id = run_id.empty() ? random_uuid() : run_id;
  row.thread_id = thread.thread_id;
  row.assistant_id = *assistant_id;
  row.graph_id = assistant.definition->name;
  row.metadata = std::move(metadata);
  row.kwargs = std::move(kwargs);
  row.multitask_strategy = strategy;
  row.created_at_ms = row.updated_at_ms = now;
  row.temporary_thread = thread_id.empty() && string_field(body, "on_completion").value_or("delete") == "delete";
  return s.runs->submit(std::move(row), start_checkpoint);
}

}  // namespace weft::server::detail
