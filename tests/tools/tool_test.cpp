// SPDX-License-Identifier: MIT
// Tool and ToolRegistry: definition checks, validation before the body runs, allow-list views,
// OpenAI export.

#include "nodes/tools/error.hpp"
#include "nodes/tools/tool.hpp"
#include "nodes/tools/tool_registry.hpp"
#include "tests/tools/run_sync.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace json = boost::json;
using weft::Tool;
using weft::ToolContext;
using weft::ToolRegistry;
using weft::test::run_sync;

namespace {

const char* kSendMessageSchema = R"({
  "type": "object",
  "properties": {
    "session_id": {"type": "string", "pattern": "^session_[0-9a-f-]{36}$"},
    "content": {"type": "string", "minLength": 1},
    "type": {"enum": ["text", "note"]},
    "origin": {"type": "string"}
  },
  "required": ["session_id", "content", "origin"],
  "additionalProperties": false
})";

// A tool whose body counts its runs and echoes its arguments.
Tool counting_tool(std::string name, std::shared_ptr<int> runs, const char* schema = kSendMessageSchema) {
  return Tool(std::move(name), "Sends a message.", json::parse(schema),
              [runs](json::object args, ToolContext) -> boost::asio::awaitable<json::value> {
                ++*runs;
                co_return json::value(std::move(args));
              });
}

template <class F>
std::string thrown(F&& f, weft::tools::error expected) {
  try {
    f();
  } catch (const weft::Error& e) {
    CHECK(e.code() == expected);
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("tool") {
  TEST_CASE("a tool runs its body with arguments that satisfy its schema") {
    auto runs = std::make_shared<int>(0);
    const Tool tool = counting_tool("send_message", runs);
    const json::value args =
        json::parse(R"({"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","content":"hi","origin":"chat"})");
    const json::value result = run_sync(tool.call(args, ToolContext{}));
    CHECK(result == args);
    CHECK(*runs == 1);
  }

  TEST_CASE("invalid arguments are refused before the body runs, naming every field") {
    auto runs = std::make_shared<int>(0);
    const Tool tool = counting_tool("send_message", runs);
    const std::string message = thrown(
        [&] {
          run_sync(tool.call(json::parse(R"({"session_id":"session_1","content":42,"type":"file"})"), ToolContext{}));
        },
        weft::tools::error::invalid_arguments);
    CHECK(message ==
          "invalid arguments for tool 'send_message': missing required property 'origin'; "
          "/session_id: does not match pattern ^session_[0-9a-f-]{36}$; /content: expected string, got number; "
          "/type: must be one of \"text\", \"note\"");
    CHECK(*runs == 0);
  }

  TEST_CASE("arguments that are not an object are refused") {
    auto runs = std::make_shared<int>(0);
    const Tool tool = counting_tool("send_message", runs);
    CHECK(thrown([&] { run_sync(tool.call(json::parse("[1]"), ToolContext{})); },
                 weft::tools::error::invalid_arguments) ==
          "invalid arguments for tool 'send_message': arguments must be a JSON object");
    CHECK(*runs == 0);
  }

  TEST_CASE("a tool's awaitable stays valid after the Tool handle is gone") {
    auto runs = std::make_shared<int>(0);
    auto tool = std::make_unique<Tool>(counting_tool("echo", runs, R"({"type":"object"})"));
    auto operation = tool->call(json::parse(R"({"x":1})"), ToolContext{});
    tool.reset();
    CHECK(run_sync(std::move(operation)) == json::parse(R"({"x":1})"));
  }

  TEST_CASE("a tool definition with a bad name, a non-object schema or a broken schema is refused") {
    auto runs = std::make_shared<int>(0);
    CHECK(thrown([&] { counting_tool("send message", runs); }, weft::tools::error::invalid_tool) ==
          "tool name 'send message' is invalid; use 1 to 64 letters, digits, '_' or '-'");
    CHECK(thrown([&] { counting_tool("", runs); }, weft::tools::error::invalid_tool)
              .starts_with("tool name '' is invalid"));
    CHECK(thrown([&] { counting_tool("t", runs, R"({"type":"string"})"); }, weft::tools::error::invalid_tool) ==
          "tool 't': the parameters schema must have \"type\": \"object\" at its root");
    CHECK(thrown([&] { counting_tool("t", runs, R"({"type":"object","properties":{"a":{"type":"text"}}})"); },
                 weft::tools::error::invalid_schema) == "tool 't': schema /properties/a/type: unknown type 'text'");
    CHECK(thrown([&] { Tool("t", "d", json::parse(R"({"type":"object"})"), weft::ToolFunction{}); },
                 weft::tools::error::invalid_tool) == "tool 't' has no function");
  }

  TEST_CASE(
      "a tool with a lazy schema refuses bad arguments before its body runs, and its definition checks still apply") {
    auto runs = std::make_shared<int>(0);
    const auto body = [runs](json::object args, ToolContext) -> boost::asio::awaitable<json::value> {
      ++*runs;
      co_return json::value(std::move(args));
    };
    const Tool tool("send_message", "Sends a message.", weft::JsonSchema::lazy(json::parse(kSendMessageSchema)), body);
    CHECK(tool.parameters() == json::parse(kSendMessageSchema));
    CHECK(thrown([&] { run_sync(tool.call(json::parse(R"({"session_id":"nope","content":"","origin":"chat"})"), {})); },
                 weft::tools::error::invalid_arguments)
              .find("/content") != std::string::npos);
    CHECK(*runs == 0);
    const auto ok =
        json::parse(R"({"session_id":"session_0123456789abcdef0123456789abcdef0123","content":"hi","origin":"chat"})");
    CHECK(run_sync(tool.call(ok, {})) == ok);
    CHECK(*runs == 1);
    CHECK(thrown([&] { Tool("t", "d", weft::JsonSchema::lazy(json::parse(R"({"type":"string"})")), body); },
                 weft::tools::error::invalid_tool) ==
          "tool 't': the parameters schema must have \"type\": \"object\" at its root");
    // A lazy schema that does not compile fails the call (before the body), not the definition.
    const Tool broken(
        "b", "d", weft::JsonSchema::lazy(json::parse(R"({"type":"object","properties":{"a":{"type":"text"}}})")), body);
    CHECK(thrown([&] { run_sync(broken.call(json::object(), {})); }, weft::tools::error::invalid_schema) ==
          "schema /properties/a/type: unknown type 'text'");
    CHECK(*runs == 1);
  }

  TEST_CASE("side_effecting follows the declared effects") {
    auto runs = std::make_shared<int>(0);
    CHECK_FALSE(counting_tool("read", runs).side_effecting());
    const auto body = [](json::object, ToolContext) -> boost::asio::awaitable<json::value> { co_return json::value(); };
    CHECK(Tool("w", "d", json::parse(R"({"type":"object"})"), body, weft::ToolEffects::journaled).side_effecting());
    CHECK(
        Tool("w", "d", json::parse(R"({"type":"object"})"), body, weft::ToolEffects::self_journaled).side_effecting());
  }

  TEST_CASE("a tool exports itself in OpenAI function format with its schema as given") {
    auto runs = std::make_shared<int>(0);
    const json::object exported = counting_tool("send_message", runs).to_openai();
    CHECK(exported.at("type") == "function");
    CHECK(exported.at("function").at("name") == "send_message");
    CHECK(exported.at("function").at("description") == "Sends a message.");
    CHECK(exported.at("function").at("parameters") == json::parse(kSendMessageSchema));
    CHECK(exported.size() == 2);
  }

}  // TEST_SUITE

TEST_SUITE("tool registry") {
  TEST_CASE("the registry finds tools by name and refuses a duplicate name") {
    auto runs = std::make_shared<int>(0);
    ToolRegistry registry;
    registry.add(counting_tool("a", runs, R"({"type":"object"})"))
        .add(counting_tool("b", runs, R"({"type":"object"})"));
    REQUIRE(registry.find("a") != nullptr);
    CHECK(registry.find("a")->name() == "a");
    CHECK(registry.find("c") == nullptr);
    CHECK(registry.names() == std::vector<std::string>{"a", "b"});
    CHECK(thrown([&] { registry.add(counting_tool("a", runs, R"({"type":"object"})")); },
                 weft::tools::error::invalid_tool) == "a tool named 'a' is already registered");
    CHECK(thrown([&] { (void)registry.at("c"); }, weft::tools::error::unknown_tool) ==
          "unknown tool 'c'; available tools: a, b");
  }

  TEST_CASE("an allow-list view exposes only the allowed tools and treats the others as unknown") {
    auto runs = std::make_shared<int>(0);
    const ToolRegistry registry{counting_tool("read", runs, R"({"type":"object"})"),
                                counting_tool("write", runs, R"({"type":"object"})"),
                                counting_tool("delete", runs, R"({"type":"object"})")};
    const ToolRegistry view = registry.allow({"delete", "read"});
    CHECK(view.names() == std::vector<std::string>{"read", "delete"});  // the registry's order
    CHECK(view.find("write") == nullptr);
    CHECK(thrown([&] { (void)view.at("write"); }, weft::tools::error::unknown_tool) ==
          "unknown tool 'write'; available tools: read, delete");
    CHECK(view.to_openai().size() == 2);
    CHECK(registry.size() == 3);  // the original is unchanged
    CHECK(thrown([&] { (void)registry.allow({"reed"}); }, weft::tools::error::unknown_tool) ==
          "allow-list names unknown tool 'reed'; available tools: read, write, delete");
  }

  TEST_CASE("the registry exports every tool in OpenAI tools format in registration order") {
    auto runs = std::make_shared<int>(0);
    const ToolRegistry registry{counting_tool("b_tool", runs, R"({"type":"object"})"), counting_tool("a_tool", runs)};
    const json::array exported = registry.to_openai();
    REQUIRE(exported.size() == 2);
    CHECK(exported[0] == json::parse(R"({"type":"function","function":{"name":"b_tool","description":"Sends a message.",
                                      "parameters":{"type":"object"}}})"));
    CHECK(exported[1].at("function").at("name") == "a_tool");
    CHECK(exported[1].at("function").at("parameters").at("required") ==
          json::parse(R"(["session_id","content","origin"])"));
  }

}  // TEST_SUITE
