// SPDX-License-Identifier: MIT
// Threads: create, search, count, get, patch, delete, state (latest, at a checkpoint, update),
// history, copy.
#include "engine/error.hpp"
#include "server/detail/router.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"
#include "server/detail/thread_copy.hpp"
#include "server/detail/threads.hpp"

#include <algorithm>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

json::object state_at(ServerState& s, const ThreadRow& row, const std::string& checkpoint_id) {
  const Assistant* a = thread_assistant(s, row);
  if (a == nullptr) {
    if (!checkpoint_id.empty()) not_found("Checkpoint '" + checkpoint_id + "' of thread '" + row.thread_id + "'");
    return empty_state_json(row.thread_id);
  }
  RunConfig config;
  config.thread_id = row.thread_id;
  config.checkpoint_id = checkpoint_id;
  std::optional<StateSnapshot> snapshot;
  try {
    snapshot = a->graph->get_state(config);
  } catch (const weft::Error& e) {
    throw api_error_of(e);
  }
  if (!snapshot) {
    if (!checkpoint_id.empty()) not_found("Checkpoint '" + checkpoint_id + "' of thread '" + row.thread_id + "'");
    return empty_state_json(row.thread_id);
  }
  return state_json(row.thread_id, *snapshot);
}

void create_thread(ServerState& s, Exchange& ex) {
  const json::object& body = ex.body();
  auto thread_id = string_field(body, "thread_id");
  const std::string if_exists = string_field(body, "if_exists").value_or("raise");
  if (if_exists != "raise" && if_exists != "do_nothing")
    throw ApiError(422, "'if_exists' must be 'raise' or 'do_nothing'");
  if (const json::value* steps = field(body, "supersteps"); steps && !(steps->is_array() && steps->as_array().empty()))
    throw ApiError(422, "'supersteps' is not supported by this server");
  json::object metadata = object_field(body, "metadata");
  std::string graph_id;
  if (const json::value* g = field(metadata, "graph_id")) {
    if (!g->is_string()) throw ApiError(422, "'metadata.graph_id' must be a string");
    graph_id = s.assistant(std::string(g->as_string())).definition->name;
  } else {
    metadata.erase("graph_id");  // the SDK sends graph_id: undefined -> absent, or null
  }
  ThreadRow row;
  row.thread_id = thread_id.value_or(random_uuid());
  if (row.thread_id.empty() || row.thread_id.size() > 256)
    throw ApiError(422, "'thread_id' must be 1 to 256 characters");
  if (s.catalog->thread(row.thread_id) || s.environment.checkpointer->thread(row.thread_id)) {
    if (if_exists == "raise") throw ApiError(409, "Thread '" + row.thread_id + "' already exists");
    ex.reply(thread_json(s, require_thread(s, row.thread_id)));
    return;
  }
  row.created_at_ms = row.updated_at_ms = now_ms();
  row.metadata = std::move(metadata);
  row.graph_id = graph_id;
  s.catalog->put_thread(row);
  ex.reply(thread_json(s, row));
}

void search_threads(ServerState& s, Exchange& ex, bool count) {
  const json::object& body = ex.body();
  json::object metadata = object_field(body, "metadata");
  json::object values = object_field(body, "values");
  std::vector<std::string> ids = strings_field(body, "ids");
  auto status = string_field(body, "status");
  const std::int64_t limit = int_field(body, "limit", 10, 1, 1000);
  const std::int64_t offset = int_field(body, "offset", 0, 0, 1'000'000);
  const std::string sort_by = string_field(body, "sort_by").value_or("created_at");
  const std::string sort_order = string_field(body, "sort_order").value_or("desc");
  std::vector<json::object> found;
  for (const ThreadRow& row : s.catalog->threads()) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), row.thread_id) == ids.end()) continue;
    if (!matches(row.metadata, metadata)) continue;
    json::object t = thread_json(s, row);
    if (status && t["status"].as_string() != *status) continue;
    if (!values.empty() && !matches(t["values"].as_object(), values)) continue;
    found.push_back(std::move(t));
  }
  if (count) {
    ex.reply(static_cast<std::int64_t>(found.size()));
    return;
  }
  const std::string key =
      sort_by == "thread_id" || sort_by == "status" || sort_by == "updated_at" || sort_by == "state_updated_at"
          ? sort_by
          : "created_at";
  std::stable_sort(found.begin(), found.end(), [&](const json::object& a, const json::object& b) {
    const auto& x = a.at(key).as_string();
    const auto& y = b.at(key).as_string();
    return sort_order == "asc" ? x < y : y < x;
  });
  json::array out;
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < found.size() && out.size() < static_cast<std::size_t>(limit); ++i)
    out.push_back(std::move(found[i]));
  ex.reply(std::move(out));
}

void update_state(ServerState& s, Exchange& ex) {
  ThreadRow row = require_thread(s, ex.params[0]);
  const json::object& body = ex.body();
  const Assistant* a = thread_assistant(s, row);
  if (a == nullptr)
    throw ApiError(400,
                   "Thread '" + row.thread_id + "' has no graph yet: create it with metadata.graph_id or run it first");
  for (const auto& run : s.runs->active_on(row.thread_id))
    if (run->row.status == "running")
      throw ApiError(409, "Thread '" + row.thread_id + "' is busy with run '" + run->row.run_id + "'");
  json::object values;
  if (const json::value* v = field(body, "values")) {
    if (!v->is_object()) throw ApiError(422, "'values' must be an object (a list of updates is not supported)");
    values = v->as_object();
  }
  const std::string as_node = string_field(body, "as_node").value_or("");
  RunConfig config;
  config.thread_id = row.thread_id;
  config.checkpoint_id = checkpoint_id_of(body);
  std::string id;
  try {
    id = a->graph->update_state(config, std::move(values), as_node);
  } catch (const weft::Error& e) {
    throw api_error_of(e);
  }
  row.updated_at_ms = now_ms();
  s.catalog->put_thread(row);
  ex.reply(json::object{{"checkpoint", checkpoint_json(row.thread_id, id)}});
}

void history(ServerState& s, Exchange& ex) {
  ThreadRow row = require_thread(s, ex.params[0]);
  const json::object& body = ex.body();
  const std::int64_t limit = int_field(body, "limit", 10, 1, 10'000);
  std::string before;
  if (const json::value* b = field(body, "before")) {
    if (b->is_string())
      before = std::string(b->as_string());
    else if (b->is_object())
      before = checkpoint_id_of(b->as_object());
    else
      throw ApiError(422, "'before' must be a checkpoint id or a checkpoint");
  }
  json::object metadata = object_field(body, "metadata");
  json::array out;
  const Assistant* a = thread_assistant(s, row);
  if (a != nullptr) {
    RunConfig config;
    config.thread_id = row.thread_id;
    std::vector<StateSnapshot> snapshots;
    try {
      snapshots = a->graph->get_state_history(config);
    } catch (const weft::Error& e) {
      throw api_error_of(e);
    }
    bool passed = before.empty();
    for (const StateSnapshot& snapshot : snapshots) {
      if (!passed) {
        passed = snapshot.checkpoint_id == before;
        continue;
      }
      if (!matches(snapshot.metadata, metadata)) continue;
      if (static_cast<std::int64_t>(out.size()) >= limit) break;
      out.push_back(state_json(row.thread_id, snapshot));
    }
  }
  ex.reply(std::move(out));
}

}  // namespace

void add_thread_routes(Router& router) {
  using V = http::verb;
  router.add(V::post, "/threads", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    create_thread(s, ex);
    co_return;
  });
  router.add(V::post, "/threads/search", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search_threads(s, ex, false);
    co_return;
  });
  router.add(V::post, "/threads/count", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search_threads(s, ex, true);
    co_return;
  });
  router.add(V::get, "/threads/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(thread_json(s, require_thread(s, ex.params[0])));
    co_return;
  });
  router.add(V::patch, "/threads/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ThreadRow row = require_thread(s, ex.params[0]);
    json::object metadata = object_field(ex.body(), "metadata");
    for (auto& [k, v] : metadata) row.metadata[k] = v;
    row.updated_at_ms = now_ms();
    s.catalog->put_thread(row);
    ex.reply(thread_json(s, row));
    co_return;
  });
  router.add(V::delete_, "/threads/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ThreadRow row = require_thread(s, ex.params[0]);
    // Its runs are cancelled and awaited first, so that none writes a checkpoint after the delete.
    for (const auto& run : s.runs->active_on(row.thread_id)) {
      s.runs->cancel(run, "interrupt");
      while (!run->finished) {
        net::awaitable<void> change = run->changed();
        co_await std::move(change);
      }
    }
    s.catalog->delete_thread(row.thread_id);
    s.environment.checkpointer->delete_thread(row.thread_id);
    ex.reply_empty(204);
    co_return;
  });
  router.add(V::post, "/threads/{}/copy", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(thread_json(s, copy_thread(s, require_thread(s, ex.params[0]))));
    co_return;
  });
  router.add(V::get, "/threads/{}/state", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(state_at(s, require_thread(s, ex.params[0]), ""));
    co_return;
  });
  router.add(V::post, "/threads/{}/state/checkpoint", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ThreadRow row = require_thread(s, ex.params[0]);
    ex.reply(state_at(s, row, checkpoint_id_of(ex.body())));
    co_return;
  });
  router.add(V::get, "/threads/{}/state/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(state_at(s, require_thread(s, ex.params[0]), ex.params[1]));
    co_return;
  });
  router.add(V::post, "/threads/{}/state", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    update_state(s, ex);
    co_return;
  });
  router.add(V::post, "/threads/{}/history", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    history(s, ex);
    co_return;
  });
}

}  // namespace weft::server::detail
