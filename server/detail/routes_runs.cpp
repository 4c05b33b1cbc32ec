// SPDX-License-Identifier: MIT
// The run routes: create (background), wait, stream (SSE), stateless wait/stream, list, get,
// delete, cancel, join, join stream (Last-Event-ID). A run request is read in run_request.cpp.
#include "engine/error.hpp"
#include "server/detail/router.hpp"
#include "server/detail/run_request.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"
#include "server/detail/threads.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

json::object run_json(const RunRow& row) {
  json::object o;
  o["run_id"] = row.run_id;
  o["thread_id"] = row.thread_id;
  o["assistant_id"] = row.assistant_id;
  o["created_at"] = iso_time(row.created_at_ms);
  o["updated_at"] = iso_time(row.updated_at_ms);
  o["status"] = row.status;
  o["metadata"] = row.metadata;
  o["multitask_strategy"] = row.multitask_strategy;
  o["kwargs"] = row.kwargs;
  return o;
}

void set_location(Exchange& ex, const RunRow& row, bool stateless) {
  const std::string base = stateless ? "/runs/" + row.run_id : "/threads/" + row.thread_id + "/runs/" + row.run_id;
  ex.add_header("Content-Location", base);
}

net::awaitable<void> await_finish(std::shared_ptr<ActiveRun> run) {
  while (!run->finished) {
    net::awaitable<void> change = run->changed();
    co_await std::move(change);
  }
}

// Streams the run's events from index `from`, then ends (the connection closes).
net::awaitable<void> follow(ServerState& s, Exchange& ex, std::shared_ptr<ActiveRun> run, std::size_t from,
                            std::vector<std::string> only, bool cancel_on_disconnect) {
  bool ok = co_await ex.open_stream();
  std::size_t next = from;
  while (ok) {
    while (ok && next < run->events.size()) {
      // Copied: the event list may grow (and move) while this write is suspended.
      RunEvent event = run->events[next];
      ++next;
      // "messages" covers messages/partial, /complete and /metadata.
      const bool wanted = only.empty() || event.event == "metadata" || event.event == "error" ||
                          std::any_of(only.begin(), only.end(), [&](const std::string& m) {
                            return event.event == m || event.event.starts_with(m + "/") ||
                                   (m == "messages-tuple" && event.event == "messages");
                          });
      if (!wanted) continue;
      // Hoisted: no std::string temporary in the co_await's full-expression (GCC 12, STYLE.md).
      std::string id = std::to_string(next);
      net::awaitable<bool> sending = ex.send_event(std::move(event.event), std::move(event.data), std::move(id));
      ok = co_await std::move(sending);
    }
    if (!ok || (run->finished && next >= run->events.size())) break;
    net::awaitable<void> change = run->changed();
    co_await std::move(change);
    if (!run->finished && next >= run->events.size()) {
      // Woken by the heartbeat: the write tells whether the client is still there.
      net::awaitable<bool> beat = ex.send_comment("heartbeat");
      ok = co_await std::move(beat);
    }
  }
  if (!ok && cancel_on_disconnect && !run->finished) s.runs->cancel(run, "interrupt");
}

bool on_disconnect_cancel(const ActiveRun& run) {
  const json::value* v = run.row.kwargs.if_contains("on_disconnect");
  return v != nullptr && v->is_string() && v->as_string() == "cancel";
}

net::awaitable<void> create_stream(ServerState& s, Exchange& ex, std::string thread_id) {
  auto run = accept_run(s, thread_id, ex.body());
  set_location(ex, run->row, thread_id.empty());
  if (!thread_id.empty()) ex.add_header("Location", "/threads/" + thread_id + "/runs/" + run->row.run_id + "/stream");
  net::awaitable<void> streaming = follow(s, ex, run, 0, {}, on_disconnect_cancel(*run));
  co_await std::move(streaming);
}

net::awaitable<void> create_wait(ServerState& s, Exchange& ex, std::string thread_id) {
  auto run = accept_run(s, thread_id, ex.body());
  set_location(ex, run->row, thread_id.empty());
  net::awaitable<void> waiting = await_finish(run);
  co_await std::move(waiting);
  ex.reply(run->output);
}

RunRow require_run(ServerState& s, const std::string& thread_id, const std::string& run_id) {
  if (auto run = s.runs->find(run_id); run && run->row.thread_id == thread_id) return run->row;
  auto row = s.catalog->run(run_id);
  if (!row || row->thread_id != thread_id) not_found("Run '" + run_id + "' of thread '" + thread_id + "'");
  return *row;
}

}  // namespace

void add_run_routes(Router& router) {
  using V = http::verb;
  router.add(V::post, "/threads/{}/runs/stream", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    net::awaitable<void> work = create_stream(s, ex, ex.params[0]);
    co_await std::move(work);
  });
  router.add(V::post, "/runs/stream", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    net::awaitable<void> work = create_stream(s, ex, "");
    co_await std::move(work);
  });
  router.add(V::post, "/threads/{}/runs/wait", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    net::awaitable<void> work = create_wait(s, ex, ex.params[0]);
    co_await std::move(work);
  });
  router.add(V::post, "/runs/wait", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    net::awaitable<void> work = create_wait(s, ex, "");
    co_await std::move(work);
  });
  router.add(V::post, "/threads/{}/runs", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    auto run = accept_run(s, ex.params[0], ex.body());
    set_location(ex, run->row, false);
    ex.reply(run_json(run->row));
    co_return;
  });
  router.add(V::get, "/threads/{}/runs", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    require_thread(s, ex.params[0]);
    auto number = [&](const char* key, std::int64_t fallback) {
      auto v = ex.query_param(key);
      if (!v) return fallback;
      try {
        return static_cast<std::int64_t>(std::stoll(*v));
      } catch (const std::exception&) {
        throw ApiError(422, "'" + std::string(key) + "' must be an integer");
      }
    };
    const std::int64_t limit = number("limit", 10);
    const std::int64_t offset = number("offset", 0);
    auto status = ex.query_param("status");
    json::array out;
    std::int64_t seen = 0;
    for (const RunRow& catalog_row : s.catalog->runs_of(ex.params[0])) {
      RunRow row = catalog_row;
      if (auto live = s.runs->find(row.run_id)) row = live->row;
      if (status && row.status != *status) continue;
      if (seen++ < offset || static_cast<std::int64_t>(out.size()) >= limit) continue;
      out.push_back(run_json(row));
    }
    ex.reply(std::move(out));
    co_return;
  });
  router.add(V::get, "/threads/{}/runs/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    ex.reply(run_json(require_run(s, ex.params[0], ex.params[1])));
    co_return;
  });
  router.add(V::delete_, "/threads/{}/runs/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    RunRow row = require_run(s, ex.params[0], ex.params[1]);
    if (row.status == "pending" || row.status == "running")
      throw ApiError(409, "Run '" + row.run_id + "' is " + row.status + "; cancel it first");
    s.catalog->delete_run(row.run_id);
    ex.reply_empty(204);
    co_return;
  });
  router.add(V::post, "/threads/{}/runs/{}/cancel", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    RunRow row = require_run(s, ex.params[0], ex.params[1]);
    const std::string action = ex.query_param("action").value_or("interrupt");
    if (action != "interrupt" && action != "rollback")
      throw ApiError(422, "'action' must be 'interrupt' or 'rollback'");
    const bool wait = ex.query_param("wait").value_or("0") == "1" || ex.query_param("wait") == "true";
    auto run = s.runs->find(row.run_id);
    if (!run || run->finished)
      throw ApiError(409, "Run '" + row.run_id + "' is not pending or running (status '" + row.status + "')");
    s.runs->cancel(run, action);
    if (wait) {
      net::awaitable<void> waiting = await_finish(run);
      co_await std::move(waiting);
      ex.reply_empty(204);
    } else {
      ex.reply_empty(202);
    }
  });
  router.add(V::get, "/threads/{}/runs/{}/join", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    RunRow row = require_run(s, ex.params[0], ex.params[1]);
    if (auto run = s.runs->find(row.run_id)) {
      net::awaitable<void> waiting = await_finish(run);
      co_await std::move(waiting);
      ex.reply(run->output);
      co_return;
    }
    // Finished long ago: the thread's current values.
    ThreadRow thread = require_thread(s, row.thread_id);
    json::object values;
    if (const Assistant* a = thread_assistant(s, thread)) {
      RunConfig config;
      config.thread_id = thread.thread_id;
      if (auto snapshot = a->graph->get_state(config)) values = snapshot->values;
    }
    ex.reply(std::move(values));
  });
  router.add(V::get, "/threads/{}/runs/{}/stream", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    RunRow row = require_run(s, ex.params[0], ex.params[1]);
    auto run = s.runs->find(row.run_id);
    if (!run) throw ApiError(404, "Run '" + row.run_id + "' finished and its stream is no longer kept");
    std::size_t from = 0;
    if (auto it = ex.request().find("Last-Event-ID"); it != ex.request().end()) {
      try {
        from = static_cast<std::size_t>(std::stoull(std::string(it->value())));
      } catch (const std::exception&) {
        throw ApiError(422, "Last-Event-ID must be an event id this server sent");
      }
    }
    std::vector<std::string> only;
    if (auto modes = ex.query_param("stream_mode")) {
      // The SDK sends one mode as text and several as a JSON array.
      boost::system::error_code ec;
      json::value parsed = modes->starts_with("[") ? json::parse(*modes, ec) : json::value(nullptr);
      if (!ec && parsed.is_array()) {
        for (const json::value& m : parsed.as_array())
          if (m.is_string()) only.emplace_back(m.as_string());
      } else {
        only.push_back(*modes);
      }
    }
    const bool cancel = ex.query_param("cancel_on_disconnect").value_or("0") == "1";
    net::awaitable<void> streaming = follow(s, ex, run, from, std::move(only), cancel);
    co_await std::move(streaming);
  });
}

}  // namespace weft::server::detail
