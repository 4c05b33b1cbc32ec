// SPDX-License-Identifier: MIT
#include "tests/crisp/support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace weft::crisp::test {
namespace json = boost::json;

EffectEntry MemoryJournal::find(const std::string& thread_id, const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find({thread_id, key});
  return it == entries_.end() ? EffectEntry{} : it->second;
}

void MemoryJournal::begin(const std::string& thread_id, const std::string& key) {
  std::lock_guard lock(mutex_);
  EffectEntry e;
  e.state = EffectState::started;
  entries_[{thread_id, key}] = e;
}

void MemoryJournal::finish(const std::string& thread_id, const std::string& key, const json::value& result) {
  std::lock_guard lock(mutex_);
  EffectEntry& e = entries_[{thread_id, key}];
  e.state = EffectState::done;
  e.result = result;
}

void MemoryJournal::abandon(const std::string& thread_id, const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase({thread_id, key});
}

std::size_t MemoryJournal::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

Env::Env(EnvOptions options) : options_(std::move(options)), work_(io_.get_executor()) {
  sandbox::crisp::SandboxOptions so;
  so.helpdesk_mode = options_.helpdesk_mode;
  if (options_.generous_limits) {
    so.limits.rate_per_second = 1000;
    so.limits.burst = 1000;
  }
  sandbox_ = std::make_unique<sandbox::crisp::Sandbox>(so);
  sandbox_->start();
  thread_ = std::thread([this] { io_.run(); });

  http::ClientOptions ho;
  if (options_.fast_retries) {
    ho.retry.initial_backoff = std::chrono::milliseconds(20);
    ho.retry.max_backoff = std::chrono::milliseconds(200);
    ho.retry.max_wait = std::chrono::milliseconds(5000);
    ho.retry.max_rate_limit_wait = std::chrono::milliseconds(3000);
  }
  ho.read_timeout = std::chrono::milliseconds(10000);
  ho.proxy = http::ProxySettings{};  // loopback only, whatever the environment says
  http_ = std::make_shared<http::Client>(io_.get_executor(), ho);

  const auto creds = sandbox_->credentials();
  config_.base_url = sandbox_->api_url();
  config_.identifier = creds.identifier;
  config_.key = creds.key;
  config_.website_id = sandbox_->website_id();
  config_.helpdesk_routes = options_.routes;
  client_ = std::make_shared<CrispClient>(http_, config_);
  tools_ = std::make_shared<CrispTools>(client_);
}

Env::~Env() {
  tools_.reset();
  client_.reset();
  http_.reset();
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  sandbox_->stop();
}

std::shared_ptr<CrispTools> Env::tools_for(CrispConfig config) {
  return std::make_shared<CrispTools>(std::make_shared<CrispClient>(http_, std::move(config)));
}

json::value Env::call(const std::string& tool, const char* args_json, EffectScope scope) {
  return call(tool, json::parse(args_json), std::move(scope));
}

json::value Env::call(const std::string& tool, json::value args, EffectScope scope) {
  return run(tools_->call(tool, std::move(args), std::move(scope)));
}

namespace {
boost::asio::awaitable<json::value> admin_request(std::shared_ptr<http::Client> http, std::string method,
                                                  std::string url, std::string body) {
  http::Request req;
  req.method = method;
  req.url = url;
  req.body = body;
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  http::Response res = co_await http->request(std::move(req));
  json::value v = json::parse(res.body);
  co_return v;
}
}  // namespace

json::array Env::effects() {
  const json::value doc = json::parse(sandbox_->effects_json());
  return doc.at("effects").as_array();
}

json::object Env::requests() {
  json::value v = run(admin_request(http_, "GET", sandbox_->base_url() + "/_sandbox/requests", ""));
  return v.as_object();
}

void Env::admin(const std::string& what, const std::string& body) {
  run(admin_request(http_, "POST", sandbox_->base_url() + "/_sandbox/" + what, body));
}

}  // namespace weft::crisp::test
