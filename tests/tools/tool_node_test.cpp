// SPDX-License-Identifier: MIT
// run_tool_calls outside a graph: concurrency, result order, and every failure turned into a tool
// message the model can read.

#include "nodes/tools/error.hpp"
#include "nodes/tools/tool_node.hpp"
#include "tests/tools/run_sync.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using weft::Tool;
using weft::ToolCall;
using weft::ToolContext;
using weft::ToolRegistry;
using weft::test::run_sync;

namespace {

const char* kAnySchema = R"({"type":"object"})";

// N tools meet here: each arrival waits until all N have arrived. Run one at a time, the first
// would wait for the others forever; the generous bound turns that into a failure ("alone").
struct Rendezvous {
  explicit Rendezvous(int expected) : expected(expected) {}
  int expected;
  int arrived = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  std::optional<asio::steady_timer> all_here;

  asio::awaitable<json::value> meet() {
    ++in_flight;
    max_in_flight = std::max(max_in_flight, in_flight);
    const auto executor = co_await asio::this_coro::executor;
    if (!all_here) {
      all_here.emplace(executor);
      all_here->expires_after(std::chrono::seconds(60));
    }
    if (++arrived == expected) {
      all_here->cancel();
    } else {
      boost::system::error_code ec;
      co_await all_here->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    --in_flight;
    co_return json::value(arrived == expected ? "met" : "alone");
  }
};

Tool rendezvous_tool(std::string name, std::shared_ptr<Rendezvous> rendezvous) {
  return Tool(std::move(name), "Meets the others.", json::parse(kAnySchema),
              [rendezvous](json::object, ToolContext) { return rendezvous->meet(); });
}

ToolCall call(std::string id, std::string name, std::string arguments) {
  return ToolCall{std::move(id), std::move(name), std::move(arguments)};
}

std::string content(const json::value& message) { return std::string(message.at("content").as_string()); }
std::string status(const json::value& message) { return std::string(message.at("status").as_string()); }

}  // namespace

TEST_SUITE("tool node") {
  TEST_CASE("all tool calls of one turn run concurrently") {
    asio::io_context io;  // outlives the rendezvous timer
    auto rendezvous = std::make_shared<Rendezvous>(4);
    const ToolRegistry registry{rendezvous_tool("a", rendezvous), rendezvous_tool("b", rendezvous)};
    const json::array messages = run_sync(
        io, weft::run_tool_calls(
                registry, {call("c1", "a", "{}"), call("c2", "b", "{}"), call("c3", "a", "{}"), call("c4", "b", "{}")},
                std::nullopt));
    REQUIRE(messages.size() == 4);
    for (const auto& message : messages) CHECK(content(message) == "met");
    CHECK(rendezvous->max_in_flight == 4);
  }

  TEST_CASE("max_concurrency caps the calls in flight and still answers every call in order") {
    struct Gauge {
      int in_flight = 0;
      int max_in_flight = 0;
    };
    auto gauge = std::make_shared<Gauge>();
    const Tool busy("busy", "yields a few times", json::parse(kAnySchema),
                    [gauge](json::object args, ToolContext) -> asio::awaitable<json::value> {
                      ++gauge->in_flight;
                      gauge->max_in_flight = std::max(gauge->max_in_flight, gauge->in_flight);
                      const auto executor = co_await asio::this_coro::executor;
                      for (int i = 0; i < 5; ++i) co_await asio::post(executor, asio::use_awaitable);
                      --gauge->in_flight;
                      co_return args.at("n");
                    });
    std::vector<ToolCall> calls;
    for (int i = 0; i < 7; ++i)
      calls.push_back(call("c" + std::to_string(i), "busy", R"({"n":)" + std::to_string(i) + "}"));

    const json::array capped = run_sync(weft::run_tool_calls(ToolRegistry{busy}, calls, std::nullopt, 2));
    CHECK(gauge->max_in_flight == 2);
    REQUIRE(capped.size() == 7);
    for (int i = 0; i < 7; ++i) CHECK(content(capped[static_cast<std::size_t>(i)]) == std::to_string(i));

    gauge->max_in_flight = 0;
    const json::array unlimited = run_sync(weft::run_tool_calls(ToolRegistry{busy}, calls, std::nullopt));
    CHECK(gauge->max_in_flight == 7);
    CHECK(unlimited == capped);
  }

  TEST_CASE("tool messages follow the order of the calls, not the order the tools finish in") {
    // "slow" finishes only after "fast" has finished.
    asio::io_context io;  // outlives the timer
    auto fast_done = std::make_shared<std::optional<asio::steady_timer>>();
    auto done_flag = std::make_shared<bool>(false);
    const auto ensure_timer = [fast_done](const asio::any_io_executor& executor) {
      if (!*fast_done) {
        fast_done->emplace(executor);
        (*fast_done)->expires_after(std::chrono::seconds(60));
      }
    };
    const Tool slow("slow", "waits for fast", json::parse(kAnySchema),
                    [=](json::object, ToolContext) -> asio::awaitable<json::value> {
                      const auto executor = co_await asio::this_coro::executor;
                      ensure_timer(executor);
                      if (!*done_flag) {
                        boost::system::error_code ec;
                        co_await (*fast_done)->async_wait(asio::redirect_error(asio::use_awaitable, ec));
                      }
                      co_return json::value(*done_flag ? "slow after fast" : "slow alone");
                    });
    const Tool fast("fast", "finishes first", json::parse(kAnySchema),
                    [=](json::object, ToolContext) -> asio::awaitable<json::value> {
                      const auto executor = co_await asio::this_coro::executor;
                      ensure_timer(executor);
                      *done_flag = true;
                      (*fast_done)->cancel();
                      co_return json::value("fast");
                    });
    const json::array messages =
        run_sync(io, weft::run_tool_calls(ToolRegistry{slow, fast},
                                          {call("c1", "slow", "{}"), call("c2", "fast", "{}")}, std::nullopt));
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].at("tool_call_id") == "c1");
    CHECK(content(messages[0]) == "slow after fast");
    CHECK(messages[1].at("tool_call_id") == "c2");
    CHECK(content(messages[1]) == "fast");
  }

  TEST_CASE("a successful call becomes a tool message with the result as content") {
    const Tool echo("echo", "echoes", json::parse(kAnySchema),
                    [](json::object args, ToolContext ctx) -> asio::awaitable<json::value> {
                      args["call_id"] = ctx.call_id;
                      args["effect_key"] = ctx.effect_key;
                      co_return json::value(std::move(args));
                    });
    const Tool text("text", "says hi", json::parse(kAnySchema),
                    [](json::object, ToolContext) -> asio::awaitable<json::value> { co_return json::value("hi"); });
    const json::array messages = run_sync(weft::run_tool_calls(
        ToolRegistry{echo, text}, {call("call_7", "echo", R"({"x":1})"), call("call_8", "text", "")}, std::nullopt));
    REQUIRE(messages.size() == 2);
    CHECK(messages[0] == json::parse(R"({"role":"tool","tool_call_id":"call_7","content":
                                      "{\"x\":1,\"call_id\":\"call_7\",\"effect_key\":\"tool:call_7:0\"}",
                                      "name":"echo","status":"success"})"));
    CHECK(content(messages[1]) == "hi");  // a string result as is; "" arguments mean {}
    CHECK(status(messages[1]) == "success");
  }

  TEST_CASE("an unknown tool, bad arguments and a throwing tool become error messages the model can read") {
    auto runs = std::make_shared<int>(0);
    const Tool send("send_message", "Sends a message.", json::parse(R"({"type":"object",
                      "properties":{"content":{"type":"string"},"type":{"enum":["text","note"]}},
                      "required":["content","origin"],"additionalProperties":false})"),
                    [runs](json::object, ToolContext) -> asio::awaitable<json::value> {
                      ++*runs;
                      co_return json::value("sent");
                    });
    const Tool failing("failing", "always fails", json::parse(kAnySchema),
                       [](json::object, ToolContext) -> asio::awaitable<json::value> {
                         throw std::runtime_error("the inbox is full");
                         co_return json::value();
                       });
    const Tool weft_failing("weft_failing", "fails with a weft::Error", json::parse(kAnySchema),
                            [](json::object, ToolContext) -> asio::awaitable<json::value> {
                              throw weft::Error(weft::tools::error::tool_failed, "conversation 'session_1' is closed");
                              co_return json::value();
                            });
    const json::array messages = run_sync(weft::run_tool_calls(
        ToolRegistry{send, failing, weft_failing},
        {call("c1", "delete_everything", "{}"), call("c2", "send_message", R"({"content": "hi", )"),
         call("c3", "send_message", R"({"content":42,"type":"file","from":"x"})"), call("c4", "send_message", "[1,2]"),
         call("c5", "failing", "{}"), call("c6", "weft_failing", "{}"),
         call("c7", "send_message", R"({"content":"hi"} x)")},
        std::nullopt));
    REQUIRE(messages.size() == 7);
    for (const auto& message : messages) CHECK(status(message) == "error");
    CHECK(content(messages[0]) ==
          "Error: unknown tool 'delete_everything'; available tools: send_message, failing, weft_failing. "
          "Call one of the available tools.");
    CHECK(content(messages[1]).starts_with("Error: the arguments of tool 'send_message' are not valid JSON ("));
    CHECK(content(messages[1]).ends_with("). Send them as one JSON object that matches the tool's parameters."));
    CHECK(content(messages[2]) ==
          "Error: invalid arguments for tool 'send_message': missing required property 'origin'; "
          "/content: expected string, got number; /type: must be one of \"text\", \"note\"; "
          "property 'from' is not allowed (allowed: content, type). Fix these fields and call the tool again.");
    CHECK(content(messages[3]) ==
          "Error: invalid arguments for tool 'send_message': arguments must be a JSON object. "
          "Fix these fields and call the tool again.");
    CHECK(content(messages[4]) ==
          "Error: tool 'failing' failed: the inbox is full. Fix the arguments or try another approach.");
    CHECK(content(messages[5]) ==
          "Error: tool 'weft_failing' failed: conversation 'session_1' is closed. Fix the arguments or try another "
          "approach.");
    CHECK(content(messages[6]).starts_with("Error: the arguments of tool 'send_message' are not valid JSON ("));
    CHECK(*runs == 0);  // no invalid call reached the body
    CHECK(messages[2].at("tool_call_id") == "c3");
    CHECK(messages[2].at("name") == "send_message");
  }

  TEST_CASE("a tool outside the allow-list is unknown to the tool node") {
    auto runs = std::make_shared<int>(0);
    const auto body = [runs](json::object, ToolContext) -> asio::awaitable<json::value> {
      ++*runs;
      co_return json::value("done");
    };
    const ToolRegistry all{Tool("read", "r", json::parse(kAnySchema), body),
                           Tool("block_user", "w", json::parse(kAnySchema), body)};
    const json::array messages = run_sync(weft::run_tool_calls(
        all.allow({"read"}), {call("c1", "block_user", "{}"), call("c2", "read", "{}")}, std::nullopt));
    REQUIRE(messages.size() == 2);
    CHECK(content(messages[0]) ==
          "Error: unknown tool 'block_user'; available tools: read. Call one of the available tools.");
    CHECK(content(messages[1]) == "done");
    CHECK(*runs == 1);
  }

  TEST_CASE("no tool calls give no tool messages") {
    CHECK(run_sync(weft::run_tool_calls(ToolRegistry{}, {}, std::nullopt)).empty());
  }

}  // TEST_SUITE
