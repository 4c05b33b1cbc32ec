// SPDX-License-Identifier: MIT
// POST /crisp/hooks: Crisp web hooks (server/README.md, "Crisp web hooks"). An event is
// authenticated on its raw bytes, validated, committed with its identity (so a redelivery is
// recognised), routed to a run queued on its conversation's thread, and only then answered 200:
// a crash after the answer loses nothing. Processing is the run queue's (enqueue on the thread:
// one run at a time per conversation, in arrival order).
#include "server/detail/constant_time.hpp"
#include "server/detail/hook_event.hpp"
#include "server/detail/hook_routing.hpp"
#include "server/detail/hook_signature.hpp"
#include "server/detail/router.hpp"
#include "server/detail/run_request.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

void authenticate(const ServerState& s, const Exchange& ex) {
  const CrispHookOptions& o = s.options.crisp_hooks;
  if (o.secret.empty() && o.key.empty())
    throw ApiError(403,
                   "Crisp hooks are not enabled on this server: set CRISP_HOOK_SECRET (plugin hooks, signed) or "
                   "CRISP_HOOK_KEY (website hooks, ?key=) before starting it");
  const Request& request = ex.request();
  if (auto signature = request.find("x-crisp-signature"); signature != request.end()) {
    if (o.secret.empty()) throw ApiError(401, "signed Crisp hooks are not accepted here: CRISP_HOOK_SECRET is not set");
    auto stamp = request.find("x-crisp-request-timestamp");
    if (stamp == request.end()) throw ApiError(401, "X-Crisp-Request-Timestamp is missing");
    auto when = parse_hook_timestamp(stamp->value());
    if (!when) throw ApiError(401, "X-Crisp-Request-Timestamp is not a Unix time in milliseconds");
    const std::int64_t age_ms = s.environment.clock->now_ms() - when->count();
    const std::int64_t window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(o.max_age).count();
    if (age_ms > window_ms || age_ms < -window_ms)
      throw ApiError(401, "X-Crisp-Request-Timestamp is " + std::to_string(age_ms / 1000) +
                              " s from now, outside the " + std::to_string(o.max_age.count()) +
                              " s window: refused as a possible replay");
    if (!crisp_hook_signature_matches(o.secret, stamp->value(), request.body(), signature->value()))
      throw ApiError(401, "X-Crisp-Signature does not match the body (a wrong secret, or the body was altered)");
    return;
  }
  if (auto key = ex.query_param("key")) {
    if (o.key.empty()) throw ApiError(401, "website hooks (?key=) are not accepted here: CRISP_HOOK_KEY is not set");
    if (!same_secret(*key, o.key)) throw ApiError(401, "the hook's key parameter is wrong");
    return;
  }
  throw ApiError(401, "a Crisp hook needs X-Crisp-Signature (plugin hooks) or ?key= on the URL (website hooks)");
}

std::vector<std::string> input_properties(const ServerState& s, std::string_view graph) {
  std::vector<std::string> names;
  const graphs::GraphDefinition* definition = s.environment.registry.find(graph);
  if (definition == nullptr) return names;
  if (const json::value* props = definition->input_schema.if_contains("properties"); props && props->is_object())
    for (const auto& [name, schema] : props->as_object()) names.emplace_back(name);
  return names;
}

// Starts the event's run (or finds the one an earlier attempt started) and records the outcome
// on the event. The run id is derived from the event's identity, so routing the same event twice
// (a crash between the run's commit and the event's) finds the run instead of starting another.
json::object route_event(ServerState& s, const HookEvent& event) {
  json::object answer;
  auto target = s.hook_routing->route(event, [&](std::string_view graph) { return input_properties(s, graph); });
  if (!target) {
    const std::string note =
        "no routing rule matches " + event.event + (event.from.empty() ? "" : " from " + event.from);
    s.catalog->set_hook_event_run(event.identity, "-", note);
    answer["status"] = "ignored";
    answer["detail"] = note;
    return answer;
  }
  const std::string run_id = name_uuid("weft:crisp-hook:" + event.identity);
  if (!s.catalog->run(run_id)) {
    json::object body;
    body["assistant_id"] = target->graph;
    body["input"] = target->input;
    body["multitask_strategy"] = "enqueue";
    body["if_not_exists"] = "create";
    json::object metadata;
    metadata["crisp_event"] = event.event;
    metadata["crisp_event_identity"] = event.identity;
    if (target->rule != nullptr && target->rule->line != 0) metadata["routing_line"] = target->rule->line;
    body["metadata"] = std::move(metadata);
    try {
      accept_run(s, target->thread_id, body, run_id);
    } catch (const ApiError& e) {
      s.catalog->set_hook_event_run(event.identity, "-", e.what());
      std::cerr << "weft: Crisp event " << event.event << " on " << target->thread_id << " started no run: " << e.what()
                << "\n";
      answer["status"] = "not_started";
      answer["detail"] = e.what();
      return answer;
    }
  }
  s.catalog->set_hook_event_run(event.identity, run_id, "");
  answer["status"] = "accepted";
  answer["run_id"] = run_id;
  answer["thread_id"] = target->thread_id;
  answer["assistant_id"] = target->graph;
  return answer;
}

net::awaitable<void> receive(ServerState& s, Exchange& ex) {
  authenticate(s, ex);
  HookEvent event;
  try {
    event = parse_hook_event(ex.request().body());
  } catch (const std::invalid_argument& e) {
    throw ApiError(400, std::string("malformed Crisp event: ") + e.what());
  }
  const auto& websites = s.options.crisp_hooks.website_ids;
  if (std::find(websites.begin(), websites.end(), event.website_id) == websites.end())
    throw ApiError(404, "website '" + event.website_id + "' is not served here");
  if (s.stopping) throw ApiError(503, "the server is shutting down; Crisp will deliver the event again");

  HookEventRow row;
  row.identity = event.identity;
  row.website_id = event.website_id;
  row.event = event.event;
  row.session_id = event.session_id;
  row.received_at_ms = now_ms();
  row.body = ex.request().body();
  // The event, its thread and its run in one transaction: one commit before the answer. The run
  // starts once it is committed (the hold ends after the batch).
  RunManager::Hold hold(*s.runs);
  Catalog::Batch batch(*s.catalog);
  if (!s.catalog->insert_hook_event(row)) {
    json::object answer;
    answer["status"] = "duplicate";
    answer["detail"] = "this event was received before";
    ex.reply(std::move(answer));
    co_return;
  }
  json::object answer = route_event(s, event);
  batch.commit();
  ex.reply(std::move(answer));
  co_return;
}

}  // namespace

void add_crisp_hook_routes(Router& router) { router.add(http::verb::post, "/crisp/hooks", receive); }

void route_pending_hook_events(ServerState& s) {
  for (const HookEventRow& row : s.catalog->unrouted_hook_events()) {
    try {
      route_event(s, parse_hook_event(row.body));
    } catch (const std::exception& e) {  // an event we stored parsed then; never block a start on one
      s.catalog->set_hook_event_run(row.identity, "-", std::string("not routed on restart: ") + e.what());
    }
  }
}

}  // namespace weft::server::detail
