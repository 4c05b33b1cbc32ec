// SPDX-License-Identifier: MIT
// What the built-in graphs send to a model (no temperature or token cap unless configured, so a
// default-temperature-only model such as o-series or gpt-5 works) and how they end when the
// model refuses or the actions fail.

#include "graphs/error.hpp"
#include "nodes/model/offline_model.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "tests/graphs/world.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <mutex>

namespace json = boost::json;
using weft::RunStatus;
using weft::test::World;

namespace {

// The offline model, recording the sampling options of every request it gets.
class RecordingModel final : public weft::ChatModel {
 public:
  boost::asio::awaitable<weft::ChatResponse> complete(weft::ChatRequest request) override {
    {
      std::lock_guard lock(mutex_);
      temperatures.push_back(request.temperature);
      max_tokens.push_back(request.max_tokens);
    }
    return offline_.complete(std::move(request));
  }
  std::string describe() const override { return "recording"; }
  bool is_offline() const noexcept override { return true; }

  std::vector<std::optional<double>> temperatures;
  std::vector<std::optional<std::int64_t>> max_tokens;

 private:
  std::mutex mutex_;
  weft::OfflineModel offline_;
};

// Runs each built-in graph once (no human in the loop) on `world`.
void run_every_graph(World& world) {
  const std::pair<const char*, const char*> runs[] = {
      {"spam_triage", R"({"limit":2})"},
      {"kb_enrichment", R"({"require_review":false})"},
      {"vip_outreach", R"({"require_approval":false,"min_seconds_on_pricing":0,"max_greetings":1})"},
      {"support_agent", R"({"instruction":"Summarise the unread conversations."})"},
  };
  for (const auto& [graph, input] : runs) {
    auto result = world.run(graph, json::parse(input), std::string("t-") + graph);
    REQUIRE_MESSAGE(result.status == RunStatus::done, graph << ": " << (result.error ? result.error->message : ""));
  }
}

}  // namespace

TEST_CASE("no built-in graph sends a temperature or a token cap unless one is configured") {
  auto model = std::make_shared<RecordingModel>();
  World world(model);
  run_every_graph(world);
  REQUIRE(model->temperatures.size() >= 4);
  for (const auto& t : model->temperatures) CHECK_FALSE(t.has_value());
  for (const auto& m : model->max_tokens) CHECK_FALSE(m.has_value());
}

TEST_CASE("a configured temperature and token cap reach every model call of every built-in graph") {
  auto model = std::make_shared<RecordingModel>();
  World world(model);
  world.set_model_options({.temperature = 0.3, .max_tokens = 256});
  run_every_graph(world);
  REQUIRE(model->temperatures.size() >= 4);
  for (const auto& t : model->temperatures) CHECK(t == std::optional<double>(0.3));
  for (const auto& m : model->max_tokens) CHECK(m == std::optional<std::int64_t>(256));
}

TEST_CASE("support_agent ends with the model's refusal instead of 'no final answer'") {
  auto model = std::make_shared<weft::ScriptedChatModel>(
      json::parse(R"([{"message":{"role":"assistant","content":null,"refusal":"I can't help with that request."}}])")
          .as_array());
  World world(model);
  auto result = world.run("support_agent", json::parse(R"({"instruction":"Do something bad."})"), "refused");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  const std::string summary(result.values.at("summary").as_string());
  CHECK(summary.rfind("The model refused: I can't help with that request.", 0) == 0);
  CHECK(summary.find("without a final answer") == std::string::npos);
  CHECK(result.values.at("outcome").at("status") == "refused");
  CHECK(result.values.at("outcome").at("refusal") == "I can't help with that request.");
}

TEST_CASE("spam_triage fails with the model's refusal, not with 'did not answer with JSON'") {
  auto model = std::make_shared<weft::ScriptedChatModel>(
      json::parse(R"([{"message":{"role":"assistant","content":null,"refusal":"I won't classify this."}}])")
          .as_array());
  World world(model);
  auto result = world.run("spam_triage", json::parse(R"({"limit":1})"), "triage-refused");
  REQUIRE(result.status == RunStatus::failed);
  CHECK(result.error->message.find("the model refused") != std::string::npos);
  CHECK(result.error->message.find("I won't classify this.") != std::string::npos);
}

TEST_CASE("support_agent whose every write fails does not end as a plain success") {
  // Every Crisp request is refused with 429 for the whole run: the message send fails after the
  // HTTP layer's retries and the agent's outcome says so.
  weft::sandbox::crisp::SandboxOptions options;
  options.faults.storm_429 = 1'000'000;
  options.faults.storm_retry_after = 0;
  auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"([
    {"tool_calls":[{"name":"create_a_crisp_message","arguments":{"session_id":"session_00000000-0000-4000-8000-000000000001",
      "type":"text","from":"operator","origin":"chat","content":"We are on it."}}]},
    "I have answered the customer."])")
                                                             .as_array());
  World world(model, options);
  auto result = world.run(
      "support_agent",
      json::parse(R"({"instruction":"Answer the customer.","allow_write_tools":["create_a_crisp_message"]})"), "storm");
  REQUIRE_MESSAGE(result.status == RunStatus::done, (result.error ? result.error->message : ""));
  const json::object& outcome = result.values.at("outcome").as_object();
  CHECK(outcome.at("status") == "failed_actions");
  REQUIRE(outcome.at("failed_actions").as_array().size() == 1);
  CHECK(outcome.at("failed_actions").at(0).at("tool") == "create_a_crisp_message");
  const std::string summary(result.values.at("summary").as_string());
  CHECK(summary.find("Failed actions (1):") != std::string::npos);
  CHECK(summary.find("create_a_crisp_message (") != std::string::npos);
  CHECK(world.writes().empty());
}

TEST_CASE("support_agent refuses a write_budget naming a read tool or an unknown tool before any model call") {
  auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"(["unused"])").as_array());
  World world(model);
  auto read =
      world.run("support_agent",
                json::parse(R"({"instruction":"x","write_budget":{"list_all_crisp_conversations":2}})"), "budget-read");
  REQUIRE(read.status == RunStatus::failed);
  CHECK(read.error->message.find("is a read tool") != std::string::npos);
  auto unknown =
      world.run("support_agent", json::parse(R"({"instruction":"x","write_budget":{"nuke":1}})"), "budget-unknown");
  REQUIRE(unknown.status == RunStatus::failed);
  CHECK(unknown.error->message.find("unknown tool 'nuke'") != std::string::npos);
  CHECK(model->requests().empty());
}
