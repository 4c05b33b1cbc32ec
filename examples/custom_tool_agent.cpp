// SPDX-License-Identifier: MIT
// A new graph defined in code, with a custom tool.
//
// An agent (an LLM node and a tool node in a loop) answers a customer's question with the help of
// `lookup_order`, a tool we define here: a name, a description the model reads, a JSON Schema
// its arguments are checked against *before* the tool runs, and an async body.
//
// The model is scripted so the example runs offline and prints the same thing every time. To use
// a real OpenAI-compatible model instead, replace the ScriptedChatModel by
// OpenAIChatModel (nodes/model/openai_chat_model.hpp) configured from OPENAI_BASE_URL,
// OPENAI_API_KEY and WEFT_MODEL.

#include <weft/engine/compiled_graph.hpp>
#include <weft/nodes/model/scripted_chat_model.hpp>
#include <weft/nodes/tools/react_agent.hpp>
#include <weft/nodes/tools/tool.hpp>
#include <weft/nodes/tools/tool_registry.hpp>
#include <weft/store/memory_checkpointer.hpp>

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace json = boost::json;

int main() {
  weft::Tool lookup_order("lookup_order",
                          "Look up an order by its id (format A-<digits>, found in the customer's message).",
                          json::parse(R"({"type":"object",
                      "properties":{"order_id":{"type":"string","pattern":"^A-[0-9]+$"}},
                      "required":["order_id"],"additionalProperties":false})"),
                          [](json::object args, weft::ToolContext) -> boost::asio::awaitable<json::value> {
                            // A real tool would query a database or an API here.
                            co_return json::value(json::object{
                                {"order_id", args.at("order_id")}, {"status", "shipped"}, {"carrier", "DHL"}});
                          });

  // The model first asks for the tool (once with a hallucinated id, which the schema rejects
  // before the tool runs, then correctly), then answers.
  auto model = std::make_shared<weft::ScriptedChatModel>(json::parse(R"([
    {"tool_calls":[{"name":"lookup_order","arguments":{"order_id":"17"}}]},
    {"tool_calls":[{"name":"lookup_order","arguments":{"order_id":"A-17"}}]},
    "Your order A-17 has shipped with DHL."
  ])")
                                                             .as_array());

  weft::ReactAgentOptions options;
  options.system_prompt = "You are a support agent. Use tools to answer.";
  options.max_steps = 5;
  weft::CompiledGraph agent = weft::react_agent(model, weft::ToolRegistry{lookup_order}, options,
                                                {.checkpointer = std::make_shared<weft::MemoryCheckpointer>()});

  weft::RunConfig config;
  config.thread_id = "customer-7";
  weft::RunResult result =
      agent.invoke(json::object{{"messages", json::array{weft::user_message("Where is my order A-17?")}}}, config);
  result.check();
  for (const json::value& message : result.values.at("messages").as_array()) {
    const json::object& m = message.as_object();
    std::cout << m.at("role").as_string() << ": ";
    if (const json::value* content = m.if_contains("content"); content && content->is_string()) {
      std::cout << content->as_string();
    } else if (const json::value* calls = m.if_contains("tool_calls")) {
      std::cout << "(calls " << json::serialize(*calls) << ")";
    }
    std::cout << "\n";
  }
  return 0;
}
