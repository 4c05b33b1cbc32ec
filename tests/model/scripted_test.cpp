// SPDX-License-Identifier: MIT
#include "nodes/model/error.hpp"
#include "nodes/model/scripted_chat_model.hpp"
#include "tests/http/run.hpp"

#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
asio::awaitable<weft::ChatResponse> call(weft::ChatModel& m, weft::ChatRequest r) {
  weft::ChatResponse out = co_await m.complete(std::move(r));
  co_return out;
}
weft::ChatRequest hello() {
  weft::ChatRequest r;
  r.messages.push_back(weft::user_message("hello"));
  return r;
}
}  // namespace

TEST_CASE("a scripted model answers its entries in order, then reports exhaustion") {
  weft::ScriptedChatModel model(json::parse(R"([
    "first",
    {"tool_calls": [{"name": "search", "arguments": {"q": "x"}}, {"name": "open", "arguments": "{}", "id": "mine"}]},
    {"content": "{\"a\":1}", "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
  ])")
                                    .as_array());
  asio::io_context io;
  CHECK(weft::test::run(io, call(model, hello())).content() == "first");
  const auto second = weft::test::run(io, call(model, hello()));
  REQUIRE(second.tool_calls.size() == 2);
  CHECK(second.tool_calls[0].id == "call_1_0");
  CHECK(second.tool_calls[0].name == "search");
  CHECK(json::parse(second.tool_calls[0].arguments) == json::parse(R"({"q":"x"})"));
  CHECK(second.tool_calls[1].id == "mine");
  CHECK(second.finish_reason == "tool_calls");
  CHECK(weft::tool_calls_of(second.message).size() == 2);
  auto structured = hello();
  structured.response_format = weft::json_schema_format("x", json::parse(R"({"type":"object"})"));
  const auto third = weft::test::run(io, call(model, structured));
  CHECK(third.parsed.at("a") == 1);
  CHECK(third.usage.total_tokens == 5);
  CHECK(model.remaining() == 0);
  CHECK(model.requests().size() == 3);
  try {
    weft::test::run(io, call(model, hello()));
    FAIL("no exhaustion error");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::script_exhausted);
  }
}

TEST_CASE("a scripted error entry makes that call fail with api_error") {
  weft::ScriptedChatModel model(json::parse(R"([{"error": "boom"}])").as_array());
  asio::io_context io;
  try {
    weft::test::run(io, call(model, hello()));
    FAIL("no error");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::api_error);
    CHECK(std::string(e.what()).find("boom") != std::string::npos);
  }
}

TEST_CASE("a malformed script is rejected naming the entry") {
  try {
    weft::ScriptedChatModel model(json::parse(R"(["ok", {"tool_calls": [{"arguments": {}}]}])").as_array());
    FAIL("accepted");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::invalid_script);
    CHECK(std::string(e.what()).find("entry 1") != std::string::npos);
  }
}

TEST_CASE("a script file is read from disk") {
  const std::string path = "weft_scripted_test_" + std::to_string(reinterpret_cast<std::uintptr_t>(&path)) + ".json";
  {
    std::ofstream out(path);
    out << R"(["from file"])";
  }
  auto model = weft::ScriptedChatModel::from_file(path);
  std::remove(path.c_str());
  asio::io_context io;
  std::string streamed;
  auto request = hello();
  request.on_token = [&](std::string_view t) { streamed += t; };
  CHECK(weft::test::run(io, call(model, request)).content() == "from file");
  CHECK(streamed == "from file");
  CHECK(model.describe() == "scripted:" + path);
  CHECK_THROWS_AS(weft::ScriptedChatModel::from_file(path), weft::Error);
}
