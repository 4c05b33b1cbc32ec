// SPDX-License-Identifier: MIT
// The JSON-RPC edge cases: every bad message is answered with a JSON-RPC error (never a crash,
// never silence) and the server goes on answering.

#include "server/mcp/detail/tool_set.hpp"
#include "server/mcp/stdio_transport.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <boost/json/serialize.hpp>

#include <map>
#include <sstream>

namespace json = boost::json;
using weft::mcp::test::Fixture;

namespace {

int error_code(const json::value& answer) { return static_cast<int>(answer.at("error").at("code").as_int64()); }

}  // namespace

TEST_CASE("malformed JSON-RPC messages are answered with JSON-RPC errors") {
  Fixture f;
  CHECK(error_code(f.send_json("{not json")) == weft::mcp::rpc_error::parse_error);
  CHECK(error_code(f.send_json("42")) == weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json("[]")) == weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")) ==
        weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":1})")) == weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":1,"method":7})")) == weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})")) ==
        weft::mcp::rpc_error::invalid_request);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})")) ==
        weft::mcp::rpc_error::invalid_params);
  // Still serving: a ping is answered with its id.
  CHECK(f.send(R"({"jsonrpc":"2.0","id":"p","method":"ping"})") == R"({"jsonrpc":"2.0","id":"p","result":{}})");
}

TEST_CASE("a call before initialize is an error naming initialize, and initialize then works") {
  Fixture f;
  json::value early = f.send_json(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  CHECK(error_code(early) == weft::mcp::rpc_error::invalid_request);
  CHECK(std::string(early.at("error").at("message").as_string()).find("initialize") != std::string::npos);
  CHECK(early.at("id") == json::value(1));
  json::value init = f.send_json(
      R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{}}})");
  CHECK(init.at("result").at("protocolVersion") == "2025-03-26");
  CHECK(init.at("result").at("capabilities").at("tools").is_object());
  CHECK(f.send_json(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})").at("result").at("tools").as_array().size() >
        30);
  // A second initialize on the same session is refused.
  CHECK(error_code(f.send_json(
            R"({"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})")) ==
        weft::mcp::rpc_error::invalid_request);
}

TEST_CASE("protocol versions: the client's when supported, else the newest the server speaks") {
  Fixture a;
  CHECK(a.send_json(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})")
            .at("result")
            .at("protocolVersion") == "2025-06-18");
  Fixture b;
  CHECK(b.send_json(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})")
            .at("result")
            .at("protocolVersion") == "2025-06-18");
  Fixture c;
  CHECK(error_code(c.send_json(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})")) ==
        weft::mcp::rpc_error::invalid_params);
}

TEST_CASE("an unknown method is method-not-found and notifications are never answered") {
  Fixture f;
  f.initialize();
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":9,"method":"resources/read"})")) ==
        weft::mcp::rpc_error::method_not_found);
  CHECK(f.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").empty());
  CHECK(f.send(R"({"jsonrpc":"2.0","method":"notifications/whatever"})").empty());
  CHECK(f.send(R"({"jsonrpc":"2.0","id":5,"result":{}})").empty());  // a response: nothing to answer
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"no_such_tool"}})")) ==
        weft::mcp::rpc_error::invalid_params);
  CHECK(error_code(f.send_json(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{}}})")) ==
        weft::mcp::rpc_error::invalid_params);
}

TEST_CASE("a batch is answered message by message") {
  Fixture f;
  json::value answer = f.send_json(
      R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},{"jsonrpc":"2.0","id":2,"method":"nope"}])");
  REQUIRE(answer.is_array());
  REQUIRE(answer.as_array().size() == 2);
  CHECK(answer.as_array()[0].at("result").is_object());
  CHECK(error_code(answer.as_array()[1]) == weft::mcp::rpc_error::invalid_request);  // before initialize
}

TEST_CASE("stdio: a 10 MB line, bad lines and a call before initialize get errors and the server keeps serving") {
  Fixture f;
  std::string input;
  input += "{not json\n";
  input += "\n";  // blank: ignored
  input += R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"
           "\n";
  input +=
      R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":")" + std::string(10 * 1024 * 1024, 'x') + "\"}}\n";
  input += R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})"
           "\n";
  input += R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
           "\n";
  input += R"({"jsonrpc":"2.0","id":4,"method":"no/such"})"
           "\n";
  input += R"({"jsonrpc":"2.0","id":5,"method":"ping"})";  // the last line has no newline
  std::istringstream in(input);
  std::ostringstream out;
  const std::size_t read = weft::mcp::serve_stdio(f.io, *f.server, in, out);
  CHECK(read == 7);

  std::map<std::string, json::value> by_id;  // "null" for the id-less errors, in order
  std::vector<json::value> anonymous;
  std::istringstream lines(out.str());
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    CHECK(line.size() < 4096);  // the 10 MB line is never echoed
    json::value v = json::parse(line);
    if (v.at("id").is_null())
      anonymous.push_back(v);
    else
      by_id[json::serialize(v.at("id"))] = v;
  }
  CHECK(count == 6);  // the notification is not answered
  REQUIRE(anonymous.size() == 2);
  CHECK(error_code(anonymous[0]) == weft::mcp::rpc_error::parse_error);
  CHECK(error_code(anonymous[1]) == weft::mcp::rpc_error::invalid_request);
  CHECK(std::string(anonymous[1].at("error").at("message").as_string()).find("exceeds") != std::string::npos);
  CHECK(error_code(by_id.at("1")) == weft::mcp::rpc_error::invalid_request);
  CHECK(by_id.at("3").at("result").at("protocolVersion") == "2025-06-18");
  CHECK(error_code(by_id.at("4")) == weft::mcp::rpc_error::method_not_found);
  CHECK(by_id.at("5").at("result").is_object());
}

TEST_CASE("a message over the size limit is refused before it is parsed") {
  weft::mcp::McpOptions options;
  options.max_message_bytes = 64;
  Fixture f(options);
  json::value answer =
      f.send_json(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" + std::string(100, 'x') + "\"}}");
  CHECK(error_code(answer) == weft::mcp::rpc_error::invalid_request);
  CHECK(f.send(R"({"jsonrpc":"2.0","id":2,"method":"ping"})") == R"({"jsonrpc":"2.0","id":2,"result":{}})");
}

TEST_CASE("the journal key of a call ignores key order and tells different arguments apart") {
  using weft::mcp::detail::call_key;
  const json::value a = json::parse(R"({"session_id":"s","content":"hi","user":{"b":1,"a":2}})");
  const json::value b = json::parse(R"({"user":{"a":2,"b":1},"content":"hi","session_id":"s"})");
  const json::value c = json::parse(R"({"session_id":"s","content":"hi!","user":{"b":1,"a":2}})");
  CHECK(call_key("create_a_crisp_message", a) == call_key("create_a_crisp_message", b));
  CHECK(call_key("create_a_crisp_message", a) != call_key("create_a_crisp_message", c));
  CHECK(call_key("create_a_crisp_message", a) != call_key("create_a_crisp_note", a));
  CHECK(call_key("create_a_crisp_message", a).starts_with("mcp/create_a_crisp_message/"));
}
