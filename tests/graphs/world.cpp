// SPDX-License-Identifier: MIT
#include "tests/graphs/world.hpp"

#include "nodes/crisp/client.hpp"
#include "nodes/crisp/register.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace json = boost::json;

namespace weft::test {

World::World(std::shared_ptr<ChatModel> model, sandbox::crisp::SandboxOptions options)
    : registry_(graphs::builtin_graphs()) {
  std::string pattern = (std::filesystem::temp_directory_path() / "weft-graphs-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  sandbox_ = std::make_unique<sandbox::crisp::Sandbox>(std::move(options));
  sandbox_->start();
  store_ = std::make_shared<SqliteStore>(dir_ + "/weft.db");
  clock_ = std::make_shared<ManualClock>();
  run_clock_ = clock_;
  crisp::CrispConfig config;
  config.base_url = sandbox_->api_url();
  auto credentials = sandbox_->credentials();
  config.identifier = credentials.identifier;
  config.key = credentials.key;
  config.website_id = sandbox_->website_id();
  // The Crisp client's own pace, direct to the loopback sandbox whatever the environment's proxy,
  // and a 429 storm given up after 3 s of waiting (the default, 300 s, is for real servers).
  http::ClientOptions http_options;
  http_options.default_limits = crisp::CrispClient::default_host_limits();
  http_options.retry.max_rate_limit_wait = std::chrono::milliseconds(3000);
  http_options.proxy = http::ProxySettings{};
  auto http_client = std::make_shared<http::Client>(io_.get_executor(), std::move(http_options));
  auto client = std::make_shared<crisp::CrispClient>(http_client, std::move(config));
  crisp::register_tools(services_.crisp_tools, std::make_shared<crisp::CrispTools>(client));
  services_.model = std::move(model);
}

World::~World() {
  services_ = {};
  store_.reset();
  sandbox_->stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

CompiledGraph World::compile(const std::string& graph) {
  CompileOptions options;
  options.checkpointer = store_;
  options.effect_journal = store_;
  return registry_.at(graph).build(services_, std::move(options));
}

RunConfig World::config(const std::string& thread) {
  RunConfig c;
  c.thread_id = thread;
  c.durability = Durability::sync;
  c.clock = run_clock_;
  return c;
}

RunResult World::run(const std::string& graph, json::value input, const std::string& thread) {
  CompiledGraph compiled = compile(graph);
  json::object run_input = registry_.at(graph).make_input(input);
  auto future = boost::asio::co_spawn(io_, compiled.run(json::value(std::move(run_input)), config(thread)),
                                      boost::asio::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

RunResult World::resume(const std::string& graph, const std::string& thread, json::value answer) {
  CompiledGraph compiled = compile(graph);
  Command command;
  command.resume = std::move(answer);
  auto future =
      boost::asio::co_spawn(io_, compiled.resume(std::move(command), config(thread)), boost::asio::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

RunResult World::continue_run(const std::string& graph, const std::string& thread) {
  CompiledGraph compiled = compile(graph);
  auto future = boost::asio::co_spawn(io_, compiled.run(json::value(nullptr), config(thread)), boost::asio::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

json::value World::call_tool(const std::string& name, json::object args) {
  return call_tool(services_.crisp_tools, name, std::move(args));
}

json::value World::call_tool(const ToolRegistry& tools, const std::string& name, json::object args) {
  const Tool& tool = tools.at(name);
  auto future =
      boost::asio::co_spawn(io_, tool.call(json::value(std::move(args)), ToolContext{}), boost::asio::use_future);
  io_.restart();
  io_.run();
  return future.get();
}

json::array World::writes() const {
  json::value doc = json::parse(sandbox_->effects_json());
  json::array out;
  for (const auto& e : doc.at("effects").as_array()) {
    auto status = e.at("status").to_number<std::int64_t>();
    if (status >= 200 && status < 300) out.push_back(e);
  }
  return out;
}

namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::size_t World::count_writes(const std::string& method, const std::string& path_suffix) const {
  std::size_t n = 0;
  for (const auto& e : writes()) {
    if (e.at("method").as_string() == method && ends_with(e.at("path").as_string(), path_suffix)) ++n;
  }
  return n;
}

std::vector<std::string> sessions_of(const json::array& writes, const std::string& method, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : writes) {
    if (e.at("method").as_string() != method || !ends_with(e.at("path").as_string(), suffix)) continue;
    if (e.at("session_id").is_string()) out.emplace_back(e.at("session_id").as_string());
  }
  return out;
}

}  // namespace weft::test
