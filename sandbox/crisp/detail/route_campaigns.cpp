// SPDX-License-Identifier: MIT
// Campaigns: list (filters), get / HEAD, pause, resume. crisp-api.md §2.13.
// Sandbox behaviour: pause sets running=false, resume sets running=true; both are idempotent
// (a second call answers 200 and is logged as replayed); resuming a campaign never dispatched
// answers 400 invalid_data "campaign is not dispatched".

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {

json::object excerpt(const json::object& c) {
  json::object e;
  for (const auto* key : {"campaign_id", "type", "format", "name", "subject", "tag", "ready", "dispatched", "running",
                          "progress", "targets", "reached", "created_at", "updated_at", "dispatched_at"}) {
    if (const auto* v = c.if_contains(key)) e[key] = *v;
  }
  return e;
}

json::object& find_campaign(Ctx& ctx) {
  const auto id = ctx.param("campaign_id");
  if (!is_uuid(id)) throw_invalid("data.campaign_id should match format \"uuid\"");
  auto* c = ctx.site.at("campaigns").as_object().if_contains(id);
  if (c == nullptr) throw_not_found("campaign not found");
  return c->as_object();
}

Reply list_campaigns(Ctx& ctx) {
  const auto page = ctx.page();
  const auto name = ctx.query("search_name");
  const auto tag = ctx.query("filter_tag");
  const bool one_shot = ctx.flag("filter_type_one_shot"), automated = ctx.flag("filter_type_automated");
  const bool not_configured = ctx.flag("filter_status_not_configured"), ready = ctx.flag("filter_status_ready");
  const bool paused = ctx.flag("filter_status_paused"), sending = ctx.flag("filter_status_sending");
  const bool done = ctx.flag("filter_status_done");
  json::array excerpts;
  for (const auto& [id, v] : ctx.site.at("campaigns").as_object()) {
    (void)id;
    const auto& c = v.as_object();
    if (name && std::string(c.at("name").as_string()).find(*name) == std::string::npos) continue;
    if (tag && c.at("tag").as_string() != *tag) continue;
    if ((one_shot || automated) &&
        !((one_shot && c.at("type") == "one-shot") || (automated && c.at("type") == "automated")))
      continue;
    const bool is_ready = c.at("ready").as_bool(), is_dispatched = c.at("dispatched").as_bool(),
               is_running = c.at("running").as_bool();
    const bool is_done = is_dispatched && c.at("progress").to_number<std::int64_t>() >= 100 && !is_running;
    const bool status_filter = not_configured || ready || paused || sending || done;
    if (status_filter) {
      const bool hit = (not_configured && !is_ready) || (ready && is_ready && !is_dispatched) ||
                       (paused && is_dispatched && !is_running && !is_done) || (sending && is_running) ||
                       (done && is_done);
      if (!hit) continue;
    }
    excerpts.emplace_back(excerpt(c));
  }
  std::vector<const json::value*> items;
  for (const auto& e : excerpts) items.push_back(&e);
  Reply r;
  r.raw_data = paginate_json(items, page, 20);
  return r;
}

Reply set_running(Ctx& ctx, bool running) {
  auto& c = find_campaign(ctx);
  Reply r;
  r.reason = "dispatched";
  if (running && !c.at("dispatched").as_bool()) throw_invalid("campaign is not dispatched");
  if (c.at("running").as_bool() == running) {
    r.replayed = true;
    return r;
  }
  c["running"] = running;
  c["updated_at"] = ctx.now;
  return r;
}

}  // namespace

void add_campaign_routes(Api& api) {
  api.add("GET", "/campaigns/list/{page_number}", Family::general, list_campaigns);
  auto get = [](Ctx& ctx) {
    Reply r;
    r.data = find_campaign(ctx);
    return r;
  };
  api.add("GET", "/campaign/{campaign_id}", Family::general, get);
  api.add("HEAD", "/campaign/{campaign_id}", Family::general, get);
  api.add("POST", "/campaign/{campaign_id}/pause", Family::general, [](Ctx& ctx) { return set_running(ctx, false); });
  api.add("POST", "/campaign/{campaign_id}/resume", Family::general, [](Ctx& ctx) { return set_running(ctx, true); });
}

}  // namespace weft::sandbox::crisp::detail
