// SPDX-License-Identifier: MIT
#include "server/server.hpp"

#include "server/detail/api.hpp"
#include "server/detail/crons.hpp"
#include "server/detail/hook_routing.hpp"
#include "server/detail/listener.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"
#include "store/sqlite_memory_store.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <stdexcept>

namespace net = boost::asio;

namespace weft::server {

namespace detail {

const Assistant* ServerState::find_assistant(const std::string& id) const noexcept {
  for (const Assistant& a : assistants)
    if (a.definition->name == id || a.assistant_id == id) return &a;
  return nullptr;
}

const Assistant& ServerState::assistant(const std::string& id) const {
  if (const Assistant* a = find_assistant(id)) return *a;
  not_found("Assistant '" + id + "'");
}

}  // namespace detail

namespace {

bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

// Polls until no run is running, then reports: runs end at their next step boundary, which the
// engine reaches on its own schedule.
void when_idle(std::shared_ptr<net::steady_timer> timer, detail::ServerState* state, std::function<void()> done) {
  if (state->runs->idle()) {
    if (done) done();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([timer, state, done = std::move(done)](boost::system::error_code) mutable {
    when_idle(timer, state, std::move(done));
  });
}

}  // namespace

Server::Server(net::io_context& io, ServerEnvironment environment, ServerOptions options)
    : state_(std::make_unique<detail::ServerState>(detail::ServerState{
          io, std::move(options), std::move(environment), {}, nullptr, nullptr, nullptr, false, nullptr})) {
  auto& s = *state_;
  if (!s.environment.checkpointer) throw std::invalid_argument("weft serve needs a checkpointer");
  if (s.options.api_key.empty() && !s.options.allow_unauthenticated_remote && !is_loopback(s.options.host))
    throw std::invalid_argument("refusing to serve on " + s.options.host +
                                " without an API key: set one (--api-key-env NAME) or bind a loopback address");
  if (s.options.workers == 0) throw std::invalid_argument("workers must be at least 1");
  // Long-term memory lives beside the catalog unless the caller brings its own store.
  if (!s.environment.store)
    s.environment.store = std::make_shared<SqliteMemoryStore>(s.environment.catalog_path, s.environment.clock);
  const std::int64_t now = detail::now_ms();
  for (const graphs::GraphDefinition& def : s.environment.registry.definitions()) {
    CompileOptions compile;
    compile.checkpointer = s.environment.checkpointer;
    compile.effect_journal = s.environment.journal;
    compile.store = s.environment.store;
    detail::Assistant a;
    a.definition = &def;
    a.assistant_id = detail::name_uuid(def.name);
    a.graph = std::make_shared<CompiledGraph>(def.build(s.environment.services, std::move(compile)));
    a.created_at_ms = now;
    s.assistants.push_back(std::move(a));
  }
  s.hook_routing = std::make_unique<detail::HookRouting>(detail::HookRouting::defaults());
  if (!s.options.crisp_hooks.routing.empty()) {
    try {
      *s.hook_routing = detail::HookRouting::parse(
          s.options.crisp_hooks.routing, s.options.crisp_hooks.routing_file,
          [&](std::string_view name) { return s.environment.registry.find(name) != nullptr; });
    } catch (const detail::HookConfigError& e) {
      throw std::invalid_argument(e.what());
    }
  }
  s.catalog = std::make_unique<detail::Catalog>(s.environment.catalog_path);
  if (!s.environment.clock) s.environment.clock = system_clock();
  s.runs = std::make_unique<detail::RunManager>(s);
  s.crons = std::make_unique<detail::CronScheduler>(s);
  detail::Router router;
  detail::add_system_routes(router);
  detail::add_assistant_routes(router);
  detail::add_thread_routes(router);
  detail::add_cron_routes(router);  // before the run routes: /runs/crons is not /runs/{run_id}
  detail::add_run_routes(router);
  detail::add_crisp_hook_routes(router);
  detail::add_mcp_routes(router);
  detail::add_store_routes(router);
  detail::add_inbox_routes(router);
  listener_ = std::make_shared<detail::Listener>(s, std::move(router));
}

Server::~Server() {
  if (listener_) listener_->close();
}

void Server::start() {
  listener_->open();
  listener_->start_accepting();
  state_->runs->resume_unfinished();
  detail::route_pending_hook_events(*state_);
  state_->runs->start_heartbeat();
  state_->crons->start();
}

void Server::stop(std::function<void()> on_stopped) {
  state_->stopping = true;
  listener_->close();
  state_->crons->stop();
  state_->runs->stop_all();
  when_idle(std::make_shared<net::steady_timer>(state_->io), state_.get(), std::move(on_stopped));
}

std::uint16_t Server::port() const noexcept { return listener_->port(); }

std::string Server::url() const {
  const std::string& host = state_->options.host;
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port());
}

}  // namespace weft::server
