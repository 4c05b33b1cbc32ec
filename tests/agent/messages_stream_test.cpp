// SPDX-License-Identifier: MIT
// The `messages` stream mode (LangGraph's stream_mode="messages"): tokens the model streams reach
// the run's stream tagged with the node AND the task that produced them, even when two LLM nodes
// stream at once. The model is the real OpenAIChatModel against weft::testing::FakeLlm.

#include "engine/state_graph.hpp"
#include "nodes/model/openai_chat_model.hpp"
#include "nodes/tools/llm_node.hpp"
#include "testing/fake_llm.hpp"
#include "tests/tools/run_sync.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

namespace json = boost::json;

TEST_CASE("messages events carry the node and the task id of the LLM node that streamed each token") {
  weft::testing::FakeLlm llm(json::parse(R"([
    {"match": {"contains": "English"}, "reply": "Hello there, my good friend.", "uses": -1},
    {"match": {"contains": "French"}, "reply": "Bonjour, mon cher ami.", "uses": -1}
  ])"));
  llm.start();

  boost::asio::io_context io;
  weft::OpenAIConfig model_config;
  model_config.base_url = llm.base_url();
  model_config.api_key = "sk-loopback-test";
  model_config.model = llm.model();
  auto model = std::make_shared<weft::OpenAIChatModel>(io.get_executor(), model_config);

  weft::StateGraph g({{"en", weft::Channel::messages()}, {"fr", weft::Channel::messages()}}, "greetings");
  for (const char* language : {"en", "fr"}) {
    weft::LlmNodeOptions options;
    options.messages_key = language;
    options.stream_tokens = true;
    g.add_node(language, weft::LlmNode(model, weft::ToolRegistry{}, options));
    g.add_edge(std::string(weft::START), language);  // both run in the same step, concurrently
  }
  const weft::CompiledGraph graph = g.compile();

  std::map<std::string, std::string> task_node;  // task id -> node, from the debug "task" events
  std::map<std::string, std::string> text_by_task;
  std::vector<std::string> token_nodes;
  int unknown_tasks = 0;
  weft::RunConfig config;
  config.stream_modes = weft::StreamMode::messages | weft::StreamMode::debug;
  config.stream = [&](const weft::StreamEvent& event) {
    if (event.mode == weft::StreamMode::debug && event.data.at("type") == "task") {
      task_node[std::string(event.data.at("payload").at("id").as_string())] = event.node;
      return;
    }
    if (event.mode != weft::StreamMode::messages) return;
    auto known = task_node.find(event.task_id);
    if (known == task_node.end() || known->second != event.node) ++unknown_tasks;
    token_nodes.push_back(event.node);
    text_by_task[event.task_id] += event.data.at("delta").as_string();
  };
  json::object input;
  input["en"] = json::array{json::object{{"role", "user"}, {"content", "Greet me in English"}}};
  input["fr"] = json::array{json::object{{"role", "user"}, {"content", "Greet me in French"}}};
  const weft::RunResult result = weft::test::run_sync(io, graph.run(std::move(input), config));
  REQUIRE(result.status == weft::RunStatus::done);

  CHECK(unknown_tasks == 0);  // every token names the task (and node) that the engine ran
  REQUIRE(text_by_task.size() == 2);
  for (const auto& [task_id, text] : text_by_task) {
    const std::string& node = task_node.at(task_id);
    CHECK(text == (node == "en" ? "Hello there, my good friend." : "Bonjour, mon cher ami."));
  }
  CHECK(std::count(token_nodes.begin(), token_nodes.end(), "en") > 1);  // word by word, not one block
  CHECK(std::count(token_nodes.begin(), token_nodes.end(), "fr") > 1);
}
