// SPDX-License-Identifier: MIT
// Crons: POST /threads/{id}/runs/crons, POST /runs/crons, POST /runs/crons/search and /count,
// PATCH and DELETE /runs/crons/{id}.
#include "server/detail/cron_schedule.hpp"
#include "server/detail/router.hpp"
#include "server/detail/run_request.hpp"
#include "server/detail/state.hpp"
#include "server/detail/threads.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <ctime>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

// Fields of a cron body that are the cron's own, not its runs'.
constexpr const char* kCronFields[] = {"schedule",         "assistant_id", "end_time", "enabled",
                                       "on_run_completed", "thread_id",    "webhook"};

json::value time_or_null(std::int64_t ms) { return ms > 0 ? json::value(iso_time(ms)) : json::value(nullptr); }

json::object cron_json(const CronRow& c) {
  json::object o;
  o["cron_id"] = c.cron_id;
  o["assistant_id"] = c.assistant_id;
  if (c.thread_id.empty()) {
    o["thread_id"] = nullptr;
  } else {
    o["thread_id"] = c.thread_id;
  }
  o["schedule"] = c.schedule;
  o["payload"] = c.payload;
  o["metadata"] = c.metadata;
  o["user_id"] = nullptr;
  o["next_run_date"] = c.next_run_ms >= 0 ? json::value(iso_time(c.next_run_ms)) : json::value(nullptr);
  o["end_time"] = time_or_null(c.end_time_ms);
  o["enabled"] = c.enabled;
  o["on_run_completed"] = c.on_run_completed;
  o["created_at"] = iso_time(c.created_at_ms);
  o["updated_at"] = iso_time(c.updated_at_ms);
  return o;
}

// "2026-12-01T10:00:00Z" / "+00:00" / with fractions -> epoch ms; throws ApiError 422.
std::int64_t parse_time(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  char rest[16] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, rest) < 6)
    throw ApiError(422, "'end_time' must be an ISO 8601 UTC time, e.g. 2026-12-31T23:59:00Z");
  std::string tail = rest;
  if (!tail.empty() && tail[0] == '.') {
    std::size_t i = 1;
    int digits = 0;
    while (i < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i]))) {
      if (digits < 3) ms = ms * 10 + (tail[i] - '0');
      ++digits;
      ++i;
    }
    while (digits++ < 3) ms *= 10;
    tail = tail.substr(i);
  }
  if (!tail.empty() && tail != "Z" && tail != "+00:00") throw ApiError(422, "'end_time' must be in UTC (Z or +00:00)");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::int64_t first_fire(ServerState& s, const std::string& schedule) {
  try {
    return next_fire_ms(parse_cron(schedule), s.environment.clock->now_ms());
  } catch (const std::invalid_argument& e) {
    throw ApiError(422, e.what());
  }
}

void create_cron(ServerState& s, Exchange& ex, const std::string& thread_id) {
  const json::object& body = ex.body();
  auto schedule = string_field(body, "schedule");
  if (!schedule) throw ApiError(422, "'schedule' is required (five cron fields, UTC)");
  const std::int64_t next = first_fire(s, *schedule);
  validate_run_request(s, body);
  if (!thread_id.empty()) require_thread(s, thread_id);
  CronRow row;
  row.cron_id = random_uuid();
  row.assistant_id = *string_field(body, "assistant_id");
  row.thread_id = thread_id;
  row.schedule = *schedule;
  for (const auto& [key, value] : body) {
    if (std::find_if(std::begin(kCronFields), std::end(kCronFields), [&](const char* f) { return key == f; }) !=
        std::end(kCronFields))
      continue;
    if (!value.is_null()) row.payload[key] = value;
  }
  row.metadata = object_field(body, "metadata");
  row.next_run_ms = next;
  if (auto end = string_field(body, "end_time")) row.end_time_ms = parse_time(*end);
  if (const json::value* enabled = field(body, "enabled")) {
    if (!enabled->is_bool()) throw ApiError(422, "'enabled' must be true or false");
    row.enabled = enabled->as_bool();
  }
  row.on_run_completed = string_field(body, "on_run_completed").value_or("delete");
  if (row.on_run_completed != "delete" && row.on_run_completed != "keep")
    throw ApiError(422, "'on_run_completed' must be 'delete' or 'keep'");
  row.created_at_ms = row.updated_at_ms = now_ms();
  s.catalog->put_cron(row);
  ex.reply(cron_json(row));
}

void search_crons(ServerState& s, Exchange& ex, bool count) {
  const json::object& body = ex.body();
  auto assistant_id = string_field(body, "assistant_id");
  auto thread_id = string_field(body, "thread_id");
  std::optional<bool> enabled;
  if (const json::value* e = field(body, "enabled")) {
    if (!e->is_bool()) throw ApiError(422, "'enabled' must be true or false");
    enabled = e->as_bool();
  }
  const std::int64_t limit = int_field(body, "limit", 10, 1, 1000);
  const std::int64_t offset = int_field(body, "offset", 0, 0, 1'000'000);
  json::array out;
  std::int64_t seen = 0;
  for (const CronRow& c : s.catalog->crons()) {
    if (assistant_id && c.assistant_id != *assistant_id &&
        (s.find_assistant(*assistant_id) == nullptr ||
         s.find_assistant(*assistant_id) != s.find_assistant(c.assistant_id)))
      continue;
    if (thread_id && c.thread_id != *thread_id) continue;
    if (enabled && c.enabled != *enabled) continue;
    if (seen++ < offset || static_cast<std::int64_t>(out.size()) >= limit) continue;
    out.push_back(cron_json(c));
  }
  if (count) {
    ex.reply(seen);
  } else {
    ex.reply(std::move(out));
  }
}

void update_cron(ServerState& s, Exchange& ex) {
  auto row = s.catalog->cron(ex.params[0]);
  if (!row) not_found("Cron '" + ex.params[0] + "'");
  const json::object& body = ex.body();
  if (auto schedule = string_field(body, "schedule")) {
    row->next_run_ms = first_fire(s, *schedule);
    row->schedule = *schedule;
  }
  if (auto end = string_field(body, "end_time")) row->end_time_ms = parse_time(*end);
  if (const json::value* enabled = field(body, "enabled")) {
    if (!enabled->is_bool()) throw ApiError(422, "'enabled' must be true or false");
    row->enabled = enabled->as_bool();
    if (row->enabled && row->next_run_ms < 0) row->next_run_ms = first_fire(s, row->schedule);
  }
  json::object payload = row->payload;
  for (const char* key : {"input", "config", "context", "interrupt_before", "interrupt_after"})
    if (const json::value* v = field(body, key)) payload[key] = *v;
  if (const json::value* m = field(body, "metadata")) {
    if (!m->is_object()) throw ApiError(422, "'metadata' must be an object");
    row->metadata = m->as_object();
    payload["metadata"] = *m;
  }
  json::object check = payload;
  check["assistant_id"] = row->assistant_id;
  validate_run_request(s, check);
  row->payload = std::move(payload);
  row->updated_at_ms = now_ms();
  s.catalog->put_cron(*row);
  ex.reply(cron_json(*row));
}

}  // namespace

void add_cron_routes(Router& router) {
  using V = http::verb;
  router.add(V::post, "/runs/crons/search", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search_crons(s, ex, false);
    co_return;
  });
  router.add(V::post, "/runs/crons/count", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    search_crons(s, ex, true);
    co_return;
  });
  router.add(V::post, "/runs/crons", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    create_cron(s, ex, "");
    co_return;
  });
  router.add(V::post, "/threads/{}/runs/crons", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    create_cron(s, ex, ex.params[0]);
    co_return;
  });
  router.add(V::patch, "/runs/crons/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    update_cron(s, ex);
    co_return;
  });
  router.add(V::delete_, "/runs/crons/{}", [](ServerState& s, Exchange& ex) -> net::awaitable<void> {
    if (!s.catalog->delete_cron(ex.params[0])) not_found("Cron '" + ex.params[0] + "'");
    ex.reply_empty(204);
    co_return;
  });
}

}  // namespace weft::server::detail
