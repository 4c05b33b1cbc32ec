// SPDX-License-Identifier: MIT
#include "cli/runtime.hpp"

#include "cli/crash_points.hpp"
#include "nodes/crisp/client.hpp"
#include "nodes/crisp/config.hpp"
#include "nodes/crisp/register.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"
#include "nodes/model/offline_model.hpp"
#include "nodes/model/openai_chat_model.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "sandbox/crisp/sandbox.hpp"
#include "store/error.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace weft::cli {

Runtime::Runtime(Settings settings, EnvLookup env) : settings_(std::move(settings)), env_(std::move(env)) {}

Runtime::~Runtime() {
  // The model and Crisp client hold executors of io_; drop them before the io_context.
  services_ = {};
  crisp_client_.reset();
  // A destructor that throws ends the process (std::terminate, exit 134): stopping the sandbox
  // may fail on its state file; say so and go on (every write was saved when it was made).
  if (sandbox_) {
    try {
      sandbox_->stop();
    } catch (const std::exception& e) {
      std::cerr << "weft: warning: stopping the Crisp sandbox: " << e.what() << "\n";
    } catch (...) {
      std::cerr << "weft: warning: stopping the Crisp sandbox failed\n";
    }
  }
}

void Runtime::open_store(std::shared_ptr<Database> opened) {
  store_ = opened ? std::move(opened) : Database::open(settings_.db_path, Database::Mode::create);
  checkpointer_ = store_->checkpointer();
  journal_ = store_->journal();
  memory_store_ = store_->memory_store(settings_.db_path);
  if (auto crash = env_("WEFT_CRASH_AT")) {
    auto point = parse_crash_point(*crash);
    if (point) {
      if (point->kind == CrashPoint::Kind::checkpoint || point->kind == CrashPoint::Kind::writes) {
        checkpointer_ = crashing_checkpointer(store_->checkpointer(), *point);
      } else {
        journal_ = crashing_journal(store_->journal(), *point);
      }
    }
  }
}

void Runtime::open_existing_store() {
  store_ = Database::open(settings_.db_path, Database::Mode::existing);
  checkpointer_ = store_->checkpointer();
  journal_ = store_->journal();
}

Database& Runtime::store() {
  if (!store_) throw std::logic_error("store not opened");
  return *store_;
}

namespace {

std::shared_ptr<ChatModel> make_model(const ModelSetting& setting, boost::asio::io_context& io, const EnvLookup& env,
                                      http::RateLimitObserver observer, std::optional<double> model_timeout_s) {
  switch (setting.kind) {
    case ModelSetting::Kind::offline: return std::make_shared<OfflineModel>();
    case ModelSetting::Kind::scripted:
      return std::make_shared<ScriptedChatModel>(ScriptedChatModel::from_file(setting.argument));
    case ModelSetting::Kind::openai: {
      OpenAIConfig config = OpenAIConfig::from_env(env);
      config.model = setting.argument;
      if (model_timeout_s)
        config.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*model_timeout_s * 1000.0));
      http::ClientOptions options;
      options.observer = std::move(observer);
      return std::make_shared<OpenAIChatModel>(io.get_executor(), std::move(config), std::move(options));
    }
  }
  return std::make_shared<OfflineModel>();
}

}  // namespace

void Runtime::connect(ProgressLine progress, http::RateLimitObserver rate_limits) {
  http::RateLimitObserver observer = std::move(rate_limits);
  if (!observer && progress) {
    observer = [progress](const http::RateLimitEvent& event) { progress(event.to_string()); };
  }
  crisp::CrispConfig config;
  if (settings_.crisp.kind == CrispSetting::Kind::sandbox) {
    sandbox::crisp::SandboxOptions options;
    options.seed = settings_.sandbox_seed;  // used only when the state file does not exist yet
    options.state_file = settings_.sandbox_state_path();
    sandbox_ = std::make_unique<sandbox::crisp::Sandbox>(std::move(options));
    sandbox_->start();
    auto credentials = sandbox_->credentials();
    config.base_url = sandbox_->api_url();
    config.identifier = credentials.identifier;
    config.key = credentials.key;
    config.website_id = sandbox_->website_id();
    config.tier = credentials.tier == "website" ? crisp::Tier::website
                  : credentials.tier == "user"  ? crisp::Tier::user
                                                : crisp::Tier::plugin;
    crisp_description_ = "Crisp sandbox at " + sandbox_->base_url() + " (state " + settings_.sandbox_state_path() + ")";
  } else {
    config = crisp::CrispConfig::from_env();
    config.base_url = settings_.crisp.url;
    crisp_description_ = config.describe();
  }
  // The Crisp client's own pace (10/s, 8 in flight), not the generic HTTP defaults: a 50-way
  // fan-out must queue here rather than turn into a 429 storm. --crisp-rate and
  // --crisp-concurrency change it; the client still slows down to what the server teaches.
  http::ClientOptions http_options;
  http_options.observer = observer;
  http_options.default_limits = crisp::CrispClient::default_host_limits();
  if (settings_.crisp_rate) {
    http_options.default_limits.rate = *settings_.crisp_rate;
    http_options.default_limits.burst = std::max(1.0, *settings_.crisp_rate);
  }
  if (settings_.crisp_concurrency) http_options.default_limits.max_concurrency = *settings_.crisp_concurrency;
  if (settings_.rate_limit_wait_s) {
    http_options.retry.max_rate_limit_wait =
        std::chrono::milliseconds(static_cast<std::int64_t>(*settings_.rate_limit_wait_s * 1000.0));
  }
  // The in-process sandbox is this process's own loopback server: no proxy can reach it, so a user
  // with HTTPS_PROXY set for real services still runs the offline default.
  if (sandbox_) http_options.proxy = http::ProxySettings{};
  auto http_client = std::make_shared<http::Client>(io_.get_executor(), std::move(http_options));
  website_id_ = config.website_id;
  crisp_client_ = std::make_shared<crisp::CrispClient>(http_client, std::move(config));
  auto tools = std::make_shared<crisp::CrispTools>(crisp_client_);
  services_.crisp_tools = ToolRegistry();
  crisp::register_tools(services_.crisp_tools, tools);
  services_.model_options.temperature = settings_.temperature;
  services_.model_options.max_tokens = settings_.max_tokens;
  services_.model = make_model(settings_.model, io_, env_, observer, settings_.model_timeout_s);
}

graphs::GraphServices Runtime::offline_shapes() {
  crisp::CrispConfig config;
  config.base_url = "http://127.0.0.1:9/v1/";
  config.website_id = "00000000-0000-4000-8000-000000000000";
  auto client = std::make_shared<crisp::CrispClient>(io_.get_executor(), std::move(config));
  graphs::GraphServices services;
  crisp::register_tools(services.crisp_tools, std::make_shared<crisp::CrispTools>(client));
  services.model = std::make_shared<OfflineModel>();
  return services;
}

}  // namespace weft::cli
