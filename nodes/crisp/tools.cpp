// SPDX-License-Identifier: MIT
// CrispTools: a catalog tool's call, as one request or as the helpdesk family's route steps, each
// write through the effect protocol. How a write is attempted and checked is in detail/write_*.
#include "nodes/crisp/tools.hpp"

#include "nodes/crisp/detail/arguments.hpp"
#include "nodes/crisp/detail/path_template.hpp"
#include "nodes/crisp/detail/templates.hpp"
#include "nodes/crisp/detail/write_checks.hpp"
#include "nodes/crisp/detail/write_once.hpp"
#include "nodes/crisp/error.hpp"
#include "nodes/crisp/fingerprint.hpp"
#include "nodes/http/client.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <exception>

namespace weft::crisp {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

bool sends_body(std::string_view method) { return method == "POST" || method == "PUT" || method == "PATCH"; }

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

awaitable<json::value> run_effect(const EffectScope* scope, std::string sub_key, EffectFn fn, ReconcileFn reconcile) {
  if (!scope->run) {
    json::value direct = co_await fn();
    co_return direct;
  }
  json::value result = co_await scope->run(std::move(sub_key), std::move(fn), std::move(reconcile));
  co_return result;
}

// How an in-doubt write is decided: by its check when it has one; a journal-only write whose
// entry says in_doubt: fail gets none, so the effect protocol refuses it (effect_in_doubt, as
// for any effect); otherwise (idempotent, or a rerun accepted) it runs again.
ReconcileFn reconcile_for(const detail::CheckFn& check, EffectKind kind, bool rerun) {
  if (check) return [check]() { return check(); };
  if (kind == EffectKind::journal_only && !rerun) return {};
  return []() -> awaitable<std::optional<json::value>> { co_return std::nullopt; };
}

struct Call {
  CrispClient* client = nullptr;
  const Catalog* catalog = nullptr;
  const CatalogEntry* entry = nullptr;
  detail::PreparedArguments args;
  EffectScope scope;
};

awaitable<json::value> run_single(std::shared_ptr<Call> call) {
  const CatalogEntry* e = call->entry;
  const std::string path = detail::expand_tool_path(e->name, e->path, call->args.vars);
  json::value body = nullptr;
  if (call->args.has_body)
    body = call->args.body;
  else if (sends_body(e->method))
    body = json::object();
  if (!e->side_effecting) {
    json::value data = co_await detail::plain_request(call->client, e->method, path, call->args.query, body);
    co_return data;
  }
  detail::CheckFn check;
  if (e->effect == EffectKind::check) {
    const std::string kind(e->check.as_object().at("kind").as_string());
    if (kind == "message_fingerprint") {
      const json::value* fp = call->args.body.if_contains("fingerprint");
      if (fp && fp->is_int64()) {
        CrispClient* client = call->client;
        const std::string session(call->args.vars.at("session_id").as_string());
        const std::int64_t fingerprint = fp->as_int64();
        check = [client, session, fingerprint]() { return detail::check_message(client, session, fingerprint); };
      }
    } else {
      CrispClient* client = call->client;
      const std::string tool = e->name;
      const json::value spec = e->check;
      const json::object vars = call->args.vars;
      check = [client, tool, spec, vars]() { return detail::check_catalog(client, tool, spec, vars); };
    }
  }
  EffectFn fn;
  CrispClient* client = call->client;
  const std::string method = e->method;
  const json::object query = call->args.query;
  const http::BeforeSend before_send = call->scope.confirm_may_act;
  if (e->effect == EffectKind::idempotent) {
    fn = [client, method, path, query, body, before_send]() {
      return detail::plain_request(client, method, path, query, body, before_send);
    };
  } else {
    const bool rerun = e->effect != EffectKind::journal_only || e->in_doubt_rerun;
    fn = [client, method, path, query, body, check, rerun, before_send]() {
      return detail::write_once(client, method, path, query, body, check, rerun, before_send);
    };
  }
  ReconcileFn reconcile = reconcile_for(check, e->effect, e->in_doubt_rerun);
  json::value result = co_await run_effect(&call->scope, "request", std::move(fn), std::move(reconcile));
  co_return result;
}

// A write step's journaled result: {"vars": captured variables, "data": response data}.
awaitable<json::value> step_write(CrispClient* client, RouteStep step, std::string path, json::object query,
                                  json::value body, detail::CheckFn check, http::BeforeSend before_send) {
  json::value data;
  if (step.once) {
    data = co_await detail::write_once(client, step.method, path, query, body, check, false, before_send);
  } else {
    data = co_await detail::plain_request(client, step.method, path, query, body, before_send);
  }
  json::object vars;
  for (const auto& [var, field] : step.capture)
    if (const json::value* v = detail::field_of(data, field)) vars[var] = *v;
  json::object out;
  out["vars"] = std::move(vars);
  out["data"] = std::move(data);
  co_return json::value(std::move(out));
}

awaitable<json::value> run_steps(std::shared_ptr<Call> call, RouteFamily family) {
  const CatalogEntry* e = call->entry;
  json::object vars = call->args.vars;
  vars["route_family"] = std::string(to_string(family));
  json::value result_data;
  bool have_data = false;
  const std::vector<RouteStep>& steps = e->routes.at(family);
  for (std::size_t index = 0; index < steps.size(); ++index) {
    const RouteStep& step = steps[index];
    if (!step.when.empty() && std::none_of(step.when.begin(), step.when.end(),
                                           [&](const std::string& n) { return detail::has_var(vars, n); }))
      continue;
    if (std::any_of(step.unless.begin(), step.unless.end(),
                    [&](const std::string& n) { return detail::has_var(vars, n); }))
      continue;
    for (const auto& name : step.requires_)
      if (!detail::has_var(vars, name))
        throw Error(error::invalid_argument,
                    "tool " + e->name + ": this website's knowledge base uses the " + std::string(to_string(family)) +
                        " routes, which need " + name +
                        (family == RouteFamily::legacy
                             ? " (an article_id from list_all_crisp_helpdesk_articles); a tree_path does not apply"
                             : "") +
                        "; nothing was sent");
    for (const auto& [var, spec] : step.derive) {
      const json::object& fn = spec.as_object();
      if (fn.at("fn").as_string() != "slug_path") throw Error(error::invalid_catalog, "unknown derive fn");
      const json::array& names = fn.at("args").as_array();
      const auto text = [&](std::size_t i) {
        return detail::has_var(vars, names.at(i).as_string()) && vars.at(names.at(i).as_string()).is_string()
                   ? std::string(vars.at(names.at(i).as_string()).as_string())
                   : std::string();
      };
      vars[var] = detail::slug_path(text(0), text(1));
    }
    if (step.method.empty()) continue;
    const std::string path = detail::expand_tool_path(e->name, step.path, vars);
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

    json::value data;
    json::object captured;
    std::exception_ptr failure;
    try {
      if (step.method == "GET" || !e->side_effecting) {
        data = co_await detail::plain_request(call->client, step.method, path, query, body);
        for (const auto& [var, field] : step.capture)
          if (const json::value* v = detail::field_of(data, field)) captured[var] = *v;
      } else {
        detail::CheckFn check;
        if (step.check.is_object()) {
          CrispClient* client = call->client;
          const std::string tool = e->name;
          const json::value spec = step.check;
          const json::object check_vars = vars;
          check = [client, tool, spec, check_vars]() -> awaitable<std::optional<json::value>> {
            std::optional<json::value> found = co_await detail::check_catalog(client, tool, spec, check_vars);
            if (!found) co_return std::nullopt;
            json::object out;
            out["vars"] = *found;
            out["data"] = json::object();
            co_return json::value(std::move(out));
          };
        }
        CrispClient* client = call->client;
        const http::BeforeSend before_send = call->scope.confirm_may_act;
        EffectFn fn = [client, step, path, query, body, check, before_send]() {
          return step_write(client, step, path, query, body, check, before_send);
        };
        ReconcileFn reconcile = reconcile_for(check, step.once ? EffectKind::check : EffectKind::idempotent, true);
        json::value written =
            co_await run_effect(&call->scope, "step" + std::to_string(index), std::move(fn), std::move(reconcile));
        data = written.as_object().at("data");
        captured = written.as_object().at("vars").as_object();
      }
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      if (step.optional) continue;
      std::rethrow_exception(failure);
    }
    for (const auto& [var, value] : captured) vars[var] = value;
    if (step.result) {
      if (step.transform == "flatten_tree") data = detail::flatten_tree(data);
      if (have_data && result_data.is_object() && data.is_object()) {
        for (const auto& [k, v] : data.as_object()) result_data.as_object()[k] = v;
      } else {
        result_data = std::move(data);
      }
      have_data = true;
    }
  }
  if (!e->result.is_null()) {
    auto rendered = detail::render(e->result, vars);
    co_return rendered ? *rendered : json::value(json::object());
  }
  if (have_data) co_return result_data;
  co_return json::value(json::object());
}

}  // namespace

EffectScope journal_scope(EffectJournal& journal, std::string thread_id, std::string key, json::value request) {
  EffectScope scope;
  EffectJournal* j = &journal;
  scope.fingerprint_seed = thread_id + '\n' + key;
  scope.confirm_may_act = [j, thread_id]() { return j->async_confirm_may_act(thread_id); };
  scope.run = [j, thread_id, key, request](std::string sub_key, EffectFn fn, ReconcileFn reconcile) {
    std::string full_key = key + "/" + sub_key;
    std::string subject = "effect '" + full_key + "' (thread '" + thread_id + "')";
    EffectRequest bound;
    bound.what = request;
    return run_journaled(j, thread_id, std::move(full_key), std::move(fn), std::move(reconcile), std::move(bound),
                         std::move(subject));
  };
  return scope;
}

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
  // Reference §8.7: the tree list first; on a 4xx the legacy list. A 402 (no knowledge base in the
  // plan), an auth or subscription error, or a 5xx is reported, not taken as an answer.
  const std::string tree =
      client_->website_path("helpdesk/tree/list/" + detail::encode_segment(locale) + "/articles/1");
  const std::string legacy = client_->website_path("helpdesk/locale/" + detail::encode_segment(locale) + "/articles/1");
  bool tree_ok = false;
  std::exception_ptr failure;
  try {
    json::value ignored = co_await client_->get(tree);
    tree_ok = true;
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    const std::optional<ApiError> e = detail::api_error_in(failure);
    if (!e) std::rethrow_exception(failure);
    const auto code = e->code();
    if (code == make_error_code(error::subscription_upgrade_required) || code == make_error_code(error::unauthorized) ||
        code == make_error_code(error::not_subscribed) || code == make_error_code(error::not_allowed) ||
        e->status() >= 500 || e->status() < 400)
      std::rethrow_exception(failure);
  }
  RouteFamily found = RouteFamily::tree;
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

awaitable<json::value> CrispTools::call(std::string tool, json::value args, EffectScope scope) {
  const CatalogEntry* entry = catalog_.find(tool);
  if (!entry) throw Error(error::invalid_argument, "unknown Crisp tool '" + tool + "'");
  auto call = std::make_shared<Call>();
  call->client = client_.get();
  call->catalog = &catalog_;
  call->entry = entry;
  call->args = detail::prepare_arguments(catalog_, *entry, args, client_->website_id());
  call->scope = std::move(scope);
  for (const auto& name : entry->bound)
    if (name == "fingerprint" && !call->scope.fingerprint_seed.empty()) {
      const std::int64_t fp = derive_fingerprint(call->scope.fingerprint_seed, "create_a_crisp_message");
      call->args.body["fingerprint"] = fp;
      call->args.vars["fingerprint"] = fp;
    }

  json::value result;
  std::exception_ptr failure;
  try {
    if (entry->routes.empty()) {
      result = co_await run_single(call);
    } else {
      const json::object& vars = call->args.vars;
      const std::string locale = vars.contains("locale") && vars.at("locale").is_string()
                                     ? std::string(vars.at("locale").as_string())
                                     : std::string("en");
      const RouteFamily family = co_await helpdesk_family(locale);
      result = co_await run_steps(call, family);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    const std::optional<ApiError> e = detail::api_error_in(failure);
    if (e && e->code() == make_error_code(error::not_found)) {
      // A helpdesk route that does not exist may mean the workspace moved family: probe again.
      if (!entry->routes.empty()) forget_helpdesk_family();
      const std::string hints = id_hints(catalog_, *entry, call->args.vars);
      if (!hints.empty())
        throw ApiError(error::not_found, e->status(), e->reason(), e->detail(),
                       std::string(e->what()) + "; check the ids: " + hints);
    }
    std::rethrow_exception(failure);
  }
  co_return result;
}

}  // namespace weft::crisp
