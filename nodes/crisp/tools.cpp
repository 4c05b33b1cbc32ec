#include "nodes/crisp/tools.hpp"

#include "nodes/crisp/detail/arguments.hpp"
#include "nodes/crisp/detail/path_template.hpp"
#include "nodes/crisp/detail/templates.hpp"
#include "nodes/crisp/error.hpp"
#include "nodes/crisp/fingerprint.hpp"

#include <boost/json/serialize.hpp>

#include <exception>

namespace weft::crisp {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

bool sends_body(std::string_view method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

std::string expand(const std::string& tool, const std::string& path, const json::object& vars) {
  try {
    return detail::PathTemplate::parse(path).expand(vars);
  } catch (const std::invalid_argument& e) {
    throw Error(error::invalid_argument, "tool " + tool + ": " + e.what() + "; nothing was sent");
  }
}

// The ids of a call, with where valid ones come from, for not_found messages.
std::string id_hints(const Catalog& catalog, const CatalogEntry& entry, const json::object& vars) {
  std::string out;
  for (const auto& [name, section] : entry.section) {
    const json::value* prop = entry.parameters.at("properties").as_object().if_contains(name);
    if (!prop || !prop->is_object() || !detail::has_var(vars, name)) continue;
    const json::value* kind_name = prop->as_object().if_contains("x-crisp-id");
    if (!kind_name || !kind_name->is_string()) continue;
    const IdKind* kind = catalog.id_kind(kind_name->as_string());
    if (!kind) continue;
    out += (out.empty() ? "" : "; ") + name + " " + json::serialize(vars.at(name)) + " (valid ones come from " +
           kind->source + ")";
  }
  return out;
}

struct RunState {
  json::object vars;
  json::value data;           // merged result data of the steps marked result
  bool have_data = false;
  bool once_done = false;     // a non-idempotent step has been performed (or found done)
};

}  // namespace

CrispTools::CrispTools(std::shared_ptr<CrispClient> client, const Catalog& catalog)
    : client_(std::move(client)), catalog_(catalog) {}

void CrispTools::check(std::string_view tool, const json::value& args) const {
  const CatalogEntry* entry = catalog_.find(tool);
  if (!entry) throw Error(error::invalid_argument, "unknown Crisp tool '" + std::string(tool) + "'");
  detail::prepare_arguments(catalog_, *entry, args, client_->website_id());
}

void CrispTools::forget_helpdesk_family() {
  std::lock_guard lock(mutex_);
  family_.reset();
}

awaitable<RouteFamily> CrispTools::helpdesk_family(std::string locale) {
  const HelpdeskRoutes setting = client_->config().helpdesk_routes;
  if (setting == HelpdeskRoutes::legacy) co_return RouteFamily::legacy;
  if (setting == HelpdeskRoutes::tree) co_return RouteFamily::tree;
  {
    std::lock_guard lock(mutex_);
    if (family_) co_return *family_;
  }
  // Reference §8.7: tree list first; on a 4xx the legacy list; a 402 (no knowledge base in the
  // plan) or an auth error is reported, not taken as an answer.
  const std::string tree = client_->website_path("helpdesk/tree/list/" + detail::encode_segment(locale) + "/articles/1");
  const std::string legacy = client_->website_path("helpdesk/locale/" + detail::encode_segment(locale) + "/articles/1");
  RouteFamily found = RouteFamily::tree;
  bool tree_ok = false;
  try {
    json::value ignored = co_await client_->get(tree);
    tree_ok = true;
  } catch (const ApiError& e) {
    const auto code = static_cast<error>(e.code().value());
    if (code == error::subscription_upgrade_required || code == error::unauthorized ||
        code == error::not_subscribed || e.status() >= 500 || e.status() < 400)
      throw;
  }
  if (!tree_ok) {
    json::value ignored = co_await client_->get(legacy);
    found = RouteFamily::legacy;
  }
  {
    std::lock_guard lock(mutex_);
    family_ = found;
  }
  co_return found;
}

namespace {

// Looks for `fingerprint` among the conversation's messages, newest batches first.
awaitable<bool> message_exists(CrispClient* client, std::string session_id, std::int64_t fingerprint) {
  std::optional<std::int64_t> before;
  for (int batch = 0; batch < 25; ++batch) {
    json::array messages = co_await client->list_messages(session_id, before);
    std::optional<std::int64_t> oldest;
    for (const auto& m : messages) {
      const json::value* fp = detail::field_of(m, "fingerprint");
      if (fp && ((fp->is_int64() && fp->as_int64() == fingerprint) ||
                 (fp->is_uint64() && fp->as_uint64() == static_cast<std::uint64_t>(fingerprint)) ||
                 (fp->is_double() && fp->as_double() == static_cast<double>(fingerprint))))
        co_return true;
      const json::value* ts = detail::field_of(m, "timestamp");
      if (ts && ts->is_int64() && (!oldest || ts->as_int64() < *oldest)) oldest = ts->as_int64();
    }
    if (messages.size() < 40 || !oldest) co_return false;
    before = oldest;
  }
  co_return false;
}

// Runs a catalog check (kind exists or list_match). True when the write is found done; captures
// go into `vars`.
awaitable<bool> run_check(CrispClient* client, std::string tool, json::value check, json::object* vars) {
  const json::object& c = check.as_object();
  const std::string kind(c.at("kind").as_string());
  if (kind == "exists") {
    const std::string path = expand(tool, std::string(c.at("path").as_string()), *vars);
    co_return co_await client->exists(path);
  }
  if (kind != "list_match") throw Error(error::invalid_catalog, "tool " + tool + ": unknown check kind " + kind);
  const std::int64_t max_pages = c.contains("max_pages") && c.at("max_pages").is_int64() ? c.at("max_pages").as_int64() : 10;
  json::object query;
  if (const auto* q = c.if_contains("query"))
    if (auto rendered = detail::render(*q, *vars); rendered && rendered->is_object()) query = rendered->as_object();
  json::object match;
  if (const auto* m = c.if_contains("match"))
    if (auto rendered = detail::render(*m, *vars); rendered && rendered->is_object()) match = rendered->as_object();
  for (std::int64_t page = 1; page <= max_pages; ++page) {
    json::object page_vars = *vars;
    page_vars["page_number"] = page;
    const std::string path = expand(tool, std::string(c.at("path").as_string()), page_vars);
    json::value data = co_await client->get(path, query);
    if (!data.is_array() || data.as_array().empty()) co_return false;
    for (const auto& item : data.as_array()) {
      bool all = !match.empty();
      for (const auto& [field, want] : match) {
        const json::value* got = detail::field_of(item, field);
        if (!got || *got != want) all = false;
      }
      if (!all) continue;
      if (const auto* cap = c.if_contains("capture"); cap && cap->is_object())
        for (const auto& [var, field] : cap->as_object())
          if (const json::value* v = detail::field_of(item, field.as_string())) (*vars)[var] = *v;
      co_return true;
    }
  }
  co_return false;
}

// The single-request tools.
awaitable<json::value> run_simple(CrispClient* client, const CatalogEntry* e, detail::PreparedArguments p,
                                  bool in_doubt, RunState* st) {
  const std::string path = expand(e->name, e->path, p.vars);
  json::value body = nullptr;
  if (p.has_body) body = p.body;
  else if (sends_body(e->method)) body = json::object();
  if (in_doubt && e->effect == EffectKind::check) {
    const std::string kind(e->check.as_object().at("kind").as_string());
    if (kind == "message_fingerprint") {
      const json::value* fp = p.body.if_contains("fingerprint");
      if (fp && fp->is_int64()) {
        const bool found = co_await message_exists(client, std::string(p.vars.at("session_id").as_string()), fp->as_int64());
        if (found) {
          json::object done;
          done["fingerprint"] = fp->as_int64();
          co_return json::value(std::move(done));
        }
      }
    } else {
      json::object captured = p.vars;
      const bool found = co_await run_check(client, e->name, e->check, &captured);
      if (found) {
        json::object done;
        if (const auto* cap = e->check.as_object().if_contains("capture"); cap && cap->is_object())
          for (const auto& [var, field] : cap->as_object())
            if (captured.contains(var)) done[var] = captured.at(var);
        co_return json::value(std::move(done));
      }
    }
  }
  CrispResponse response = co_await client->request(e->method, path, p.query, body);
  st->once_done = true;
  co_return response.data;
}

// The multi-step (helpdesk) tools.
awaitable<json::value> run_steps(CrispClient* client, const CatalogEntry* e, std::vector<RouteStep> steps,
                                 RouteFamily family, bool in_doubt, RunState* st) {
  json::object& vars = st->vars;
  vars["route_family"] = std::string(to_string(family));
  for (const RouteStep& step : steps) {
    if (!step.when.empty() &&
        std::none_of(step.when.begin(), step.when.end(), [&](const std::string& n) { return detail::has_var(vars, n); }))
      continue;
    if (std::any_of(step.unless.begin(), step.unless.end(), [&](const std::string& n) { return detail::has_var(vars, n); }))
      continue;
    for (const auto& name : step.requires_)
      if (!detail::has_var(vars, name))
        throw Error(error::invalid_argument,
                    "tool " + e->name + ": this website's knowledge base uses the " + std::string(to_string(family)) +
                        " routes, which need " + name +
                        (family == RouteFamily::legacy ? " (an article_id from list_all_crisp_helpdesk_articles); a tree_path does not apply"
                                                       : "") +
                        "; nothing was sent");
    for (const auto& [var, spec] : step.derive) {
      const json::object& fn = spec.as_object();
      if (fn.at("fn").as_string() != "slug_path") throw Error(error::invalid_catalog, "unknown derive fn");
      const json::array& args = fn.at("args").as_array();
      const std::string folder = detail::has_var(vars, args.at(0).as_string()) ? std::string(vars.at(args.at(0).as_string()).as_string()) : "";
      const std::string title = detail::has_var(vars, args.at(1).as_string()) ? std::string(vars.at(args.at(1).as_string()).as_string()) : "";
      vars[var] = detail::slug_path(folder, title);
    }
    if (step.method.empty()) continue;
    const std::string path = expand(e->name, step.path, vars);
    json::object query;
    if (!step.query.is_null())
      if (auto q = detail::render(step.query, vars); q && q->is_object()) query = q->as_object();
    json::value body = nullptr;
    if (!step.body.is_null()) {
      auto b = detail::render(step.body, vars);
      body = b ? *b : json::value(json::object());
    } else if (sends_body(step.method)) {
      body = json::object();
    }
    if (step.once && in_doubt && step.check.is_object()) {
      const bool found = co_await run_check(client, e->name, step.check, &vars);
      if (found) {
        st->once_done = true;
        continue;
      }
    }
    json::value data;
    try {
      CrispResponse response = co_await client->request(step.method, path, query, body);
      data = std::move(response.data);
    } catch (const Error&) {
      if (!step.optional) throw;
      continue;
    }
    if (step.once) st->once_done = true;
    for (const auto& [var, field] : step.capture)
      if (const json::value* v = detail::field_of(data, field)) vars[var] = *v;
    if (step.result) {
      if (step.transform == "flatten_tree") data = detail::flatten_tree(data);
      if (st->have_data && st->data.is_object() && data.is_object()) {
        for (const auto& [k, v] : data.as_object()) st->data.as_object()[k] = v;
      } else {
        st->data = std::move(data);
      }
      st->have_data = true;
    }
  }
  if (!e->result.is_null()) {
    auto rendered = detail::render(e->result, vars);
    co_return rendered ? *rendered : json::value(json::object());
  }
  if (st->have_data) co_return st->data;
  co_return json::value(json::object());
}

bool definitive_failure(const std::exception_ptr& failure) {
  // A failure is definitive when the request was answered with a 4xx (Crisp did not write) or
  // was rejected before sending; otherwise (transport, 5xx) the write may have happened.
  try {
    std::rethrow_exception(failure);
  } catch (const ApiError& e) {
    return e.status() >= 400 && e.status() < 500 && e.status() != 408;
  } catch (const Error& e) {
    return e.code() == make_error_code(error::invalid_argument);
  } catch (...) {
    return false;
  }
}

}  // namespace

awaitable<json::value> CrispTools::call(std::string tool, json::value args, EffectScope scope) {
  const CatalogEntry* entry = catalog_.find(tool);
  if (!entry) throw Error(error::invalid_argument, "unknown Crisp tool '" + tool + "'");
  detail::PreparedArguments prepared = detail::prepare_arguments(catalog_, *entry, args, client_->website_id());
  for (const auto& name : entry->bound)
    if (name == "fingerprint" && !scope.key.empty()) {
      const std::int64_t fp = derive_fingerprint(scope.thread_id, scope.key);
      prepared.body["fingerprint"] = fp;
      prepared.vars["fingerprint"] = fp;
    }

  const bool journaled = entry->side_effecting && scope.journal != nullptr && !scope.key.empty();
  bool in_doubt = false;
  if (journaled) {
    EffectEntry previous = scope.journal->find(scope.thread_id, scope.key);
    if (previous.state == EffectState::done) co_return previous.result;
    if (previous.state == EffectState::started) {
      in_doubt = true;
      if (entry->effect == EffectKind::journal_only && !entry->in_doubt_rerun)
        throw Error(error::in_doubt, "tool " + tool + ": an earlier attempt (effect " + scope.key +
                                         ") may or may not have reached Crisp and there is no way to check; "
                                         "look in Crisp, then resume with a decision");
    } else {
      scope.journal->begin(scope.thread_id, scope.key);
    }
  }

  RunState state;
  state.vars = prepared.vars;
  json::value result;
  std::exception_ptr failure;
  try {
    if (entry->routes.empty()) {
      result = co_await run_simple(client_.get(), entry, prepared, in_doubt, &state);
    } else {
      const std::string locale = prepared.vars.contains("locale") && prepared.vars.at("locale").is_string()
                                     ? std::string(prepared.vars.at("locale").as_string())
                                     : std::string("en");
      const RouteFamily family = co_await helpdesk_family(locale);
      std::vector<RouteStep> steps = entry->routes.at(family);
      result = co_await run_steps(client_.get(), entry, std::move(steps), family, in_doubt, &state);
    }
  } catch (...) {
    failure = std::current_exception();
  }

  if (failure) {
    if (journaled && !state.once_done && definitive_failure(failure)) scope.journal->abandon(scope.thread_id, scope.key);
    // A helpdesk route that "does not exist" may mean the workspace moved family: probe again next time.
    try {
      std::rethrow_exception(failure);
    } catch (const ApiError& e) {
      if (e.code() == make_error_code(error::not_found)) {
        if (!entry->routes.empty()) forget_helpdesk_family();
        const std::string hints = id_hints(catalog_, *entry, prepared.vars);
        if (!hints.empty())
          throw ApiError(error::not_found, e.status(), e.reason(), e.detail(),
                         std::string(e.what()) + "; check the ids: " + hints);
      }
      throw;
    }
  }
  if (journaled) scope.journal->finish(scope.thread_id, scope.key, result);
  co_return result;
}

}  // namespace weft::crisp
