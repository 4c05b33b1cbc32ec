// SPDX-License-Identifier: MIT
// The tool node inside a graph with a checkpointer: a journaled (side-effecting) tool is not run
// again when its task re-runs (resume after an interrupt raised by a sibling tool), while a
// read-only tool is; and without journaling the side effect would be duplicated.

#include "tests/agent/support.hpp"

#include "engine/state_graph.hpp"
#include "nodes/model/chat_model.hpp"
#include "nodes/tools/tool_node.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using weft::Tool;
using weft::ToolContext;
using weft::ToolEffects;
using weft::test::conversation;
using weft::test::tool_message_for;
using weft::test::tool_step_graph;

namespace {

struct Counters {
  int sends = 0;
  int lookups = 0;
  int questions = 0;
};

// An assistant turn that asks for three tools at once: a write, a read, and one that needs a human.
json::object assistant_turn() {
  return json::parse(R"({"role":"assistant","content":null,"tool_calls":[
    {"id":"call_send","type":"function","function":{"name":"send_message","arguments":"{\"content\":\"hello\"}"}},
    {"id":"call_look","type":"function","function":{"name":"lookup","arguments":"{}"}},
    {"id":"call_ask","type":"function","function":{"name":"ask_human","arguments":"{}"}}]})")
      .as_object();
}

weft::ToolRegistry registry(std::shared_ptr<Counters> counters, ToolEffects send_effects) {
  const json::value object_schema = json::parse(R"({"type":"object"})");
  return weft::ToolRegistry{
      Tool(
          "send_message", "Sends a message (a side effect).",
          json::parse(R"({"type":"object","properties":{"content":{"type":"string"}},"required":["content"]})"),
          [counters](json::object args, ToolContext) -> asio::awaitable<json::value> {
            ++counters->sends;
            co_return json::value("sent '" + std::string(args.at("content").as_string()) + "' as message #" +
                                  std::to_string(counters->sends));
          },
          send_effects),
      Tool("lookup", "Reads something.", object_schema,
           [counters](json::object, ToolContext) -> asio::awaitable<json::value> {
             ++counters->lookups;
             co_return json::value("looked up");
           }),
      Tool("ask_human", "Asks a human.", object_schema,
           [counters](json::object, ToolContext ctx) -> asio::awaitable<json::value> {
             ++counters->questions;
             if (!ctx.node) throw std::logic_error("ask_human needs a graph");
             json::value answer = ctx.node->interrupt(json::value("may I proceed?"));
             co_return json::value("human said " + std::string(answer.as_string()));
           }),
  };
}

weft::CompiledGraph tools_graph(weft::ToolRegistry tools, std::shared_ptr<weft::MemoryCheckpointer> store) {
  weft::CompileOptions options;
  options.checkpointer = store;
  options.effect_journal = store;
  return tool_step_graph("tools_only", std::move(tools), {}, options);
}

json::object input() { return conversation("greet the visitor", assistant_turn()); }

// A tool body's first part: on the task's first attempt it never completes (until the node's
// timeout cancels it); on later attempts it returns at once.
asio::awaitable<void> hang_on_first_attempt(ToolContext ctx) {
  if (ctx.node && ctx.node->attempt() == 1) {
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer forever(executor, std::chrono::hours(1));
    co_await forever.async_wait(asio::use_awaitable);  // cancelled by the timeout
  }
}

}  // namespace

TEST_SUITE("tool node resume") {
  TEST_CASE("a journaled tool is not executed again when the tool step re-runs on resume") {
    auto counters = std::make_shared<Counters>();
    auto store = std::make_shared<weft::MemoryCheckpointer>();
    const weft::CompiledGraph graph = tools_graph(registry(counters, ToolEffects::journaled), store);
    weft::RunConfig config;
    config.thread_id = "resume-journaled";

    const weft::RunResult first = graph.invoke(input(), config);
    REQUIRE(first.status == weft::RunStatus::interrupted);
    REQUIRE(first.interrupts.size() == 1);
    CHECK(first.interrupts[0].value == "may I proceed?");
    CHECK(counters->sends == 1);
    CHECK(counters->lookups == 1);

    weft::Command answer;
    answer.resume = json::value("yes");
    const weft::RunResult second = graph.invoke_resume(answer, config);
    REQUIRE(second.status == weft::RunStatus::done);
    CHECK(counters->lookups == 2);  // the node did run again from the top...
    CHECK(counters->questions == 2);
    CHECK(counters->sends == 1);  // ...but the message was sent once, its result replayed

    const json::object* sent = tool_message_for(second.values, "call_send");
    REQUIRE(sent != nullptr);
    CHECK(sent->at("content") == "sent 'hello' as message #1");
    const json::object* asked = tool_message_for(second.values, "call_ask");
    REQUIRE(asked != nullptr);
    CHECK(asked->at("content") == "human said yes");
    REQUIRE(tool_message_for(second.values, "call_look") != nullptr);
  }

  TEST_CASE("without journaling the same resume would send the message twice") {
    // The control for the case above: it shows the resume really re-runs the tool step.
    auto counters = std::make_shared<Counters>();
    auto store = std::make_shared<weft::MemoryCheckpointer>();
    const weft::CompiledGraph graph = tools_graph(registry(counters, ToolEffects::none), store);
    weft::RunConfig config;
    config.thread_id = "resume-unjournaled";
    REQUIRE(graph.invoke(input(), config).status == weft::RunStatus::interrupted);
    weft::Command answer;
    answer.resume = json::value("yes");
    const weft::RunResult second = graph.invoke_resume(answer, config);
    REQUIRE(second.status == weft::RunStatus::done);
    CHECK(counters->sends == 2);
    const json::object* sent = tool_message_for(second.values, "call_send");
    REQUIRE(sent != nullptr);
    CHECK(sent->at("content") == "sent 'hello' as message #2");
  }

  TEST_CASE("a journaled tool is not executed again when its task is retried after a sibling hung") {
    // Attempt 1: send_message completes (and is journaled) while "hang" never returns; the node's
    // timeout cancels the task, the retry policy runs it again, and only "hang" really runs again.
    auto counters = std::make_shared<Counters>();
    auto hangs = std::make_shared<int>(0);
    weft::ToolRegistry tools = registry(counters, ToolEffects::journaled);
    tools.add(Tool("hang", "Hangs on its first attempt.", json::parse(R"({"type":"object"})"),
                   [hangs](json::object, ToolContext ctx) -> asio::awaitable<json::value> {
                     ++*hangs;
                     auto first_attempt = hang_on_first_attempt(ctx);
                     co_await std::move(first_attempt);
                     co_return json::value("done");
                   }));
    auto store = std::make_shared<weft::MemoryCheckpointer>();
    weft::CompileOptions options;
    options.checkpointer = store;
    const weft::CompiledGraph compiled = tool_step_graph(
        "retry", std::move(tools), weft::test::timeout_then_retry_once(std::chrono::milliseconds(200)), options);

    const json::object in = conversation("hi", json::parse(R"({"role":"assistant","content":null,"tool_calls":[
    {"id":"s","type":"function","function":{"name":"send_message","arguments":"{\"content\":\"once\"}"}},
    {"id":"h","type":"function","function":{"name":"hang","arguments":"{}"}}]})"));
    weft::RunConfig config;
    config.thread_id = "retry-after-hang";
    const weft::RunResult result = compiled.invoke(in, config);
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(*hangs == 2);           // the task did run twice
    CHECK(counters->sends == 1);  // the message went out once
    const json::object* sent = tool_message_for(result.values, "s");
    REQUIRE(sent != nullptr);
    CHECK(sent->at("content") == "sent 'once' as message #1");
  }

  TEST_CASE("a journaled call left in doubt by a crash is reported to the model, not run again") {
    auto sends = std::make_shared<int>(0);
    weft::ToolRegistry tools{Tool(
        "send_message", "Sends; hangs on the first attempt.", json::parse(R"({"type":"object"})"),
        [sends](json::object, ToolContext ctx) -> asio::awaitable<json::value> {
          ++*sends;
          auto first_attempt = hang_on_first_attempt(ctx);
          co_await std::move(first_attempt);
          co_return json::value("sent");
        },
        ToolEffects::journaled)};
    auto journal = std::make_shared<weft::test::CrashingJournal>();
    weft::CompileOptions options;
    options.effect_journal = journal;
    const weft::CompiledGraph compiled = tool_step_graph(
        "in_doubt", std::move(tools), weft::test::timeout_then_retry_once(std::chrono::milliseconds(200)), options);

    const json::object in = conversation("hi", json::parse(R"({"role":"assistant","content":null,"tool_calls":[
    {"id":"s","type":"function","function":{"name":"send_message","arguments":"{}"}}]})"));
    weft::RunConfig config;
    config.thread_id = "in-doubt";
    const weft::RunResult result = compiled.invoke(in, config);
    REQUIRE(result.status == weft::RunStatus::done);
    CHECK(*sends == 1);  // the second attempt found the call in doubt and did not repeat it
    const json::object* reported = tool_message_for(result.values, "s");
    REQUIRE(reported != nullptr);
    CHECK(reported->at("status") == "error");
    CHECK(reported->at("content") ==
          "Error: the call of tool 'send_message' (s) was interrupted by a crash while it ran; it may or may not have "
          "taken effect. Check the current state before calling it again.");
  }

  TEST_CASE("the tool node appends one tool message per call after the assistant message") {
    auto counters = std::make_shared<Counters>();
    auto store = std::make_shared<weft::MemoryCheckpointer>();
    const json::object in = conversation("hi", json::parse(R"({"role":"assistant","content":null,"tool_calls":[
    {"id":"a","type":"function","function":{"name":"lookup","arguments":"{}"}},
    {"id":"b","type":"function","function":{"name":"nope","arguments":"{}"}}]})"));
    weft::RunConfig config;
    config.thread_id = "append";
    const weft::RunResult result = tools_graph(registry(counters, ToolEffects::journaled), store).invoke(in, config);
    REQUIRE(result.status == weft::RunStatus::done);
    const json::array& out = result.values.at("messages").as_array();
    REQUIRE(out.size() == 4);
    CHECK(out[2].at("tool_call_id") == "a");
    CHECK(out[2].at("status") == "success");
    CHECK(out[3].at("tool_call_id") == "b");
    CHECK(out[3].at("status") == "error");
  }

}  // TEST_SUITE
