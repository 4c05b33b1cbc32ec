// SPDX-License-Identifier: MIT
// A hostile Crisp-compatible server that echoes the credentials it was sent in every error body
// (data.message): no form of the key (raw, identifier:key, their base64) may reach stdout,
// stderr, any database file or any model request, through the real `weft` binary.

#include "cli/exit_code.hpp"
#include "sandbox/fake_llm/server.hpp"
#include "sandbox/http/base64.hpp"
#include "sandbox/http/router.hpp"
#include "sandbox/http/server.hpp"
#include "tests/cli/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace json = boost::json;
namespace shttp = weft::sandbox::http;
using weft::test::ProcessOptions;
using weft::test::TempDir;

namespace {

constexpr const char* kIdentifier = "8c1d4e2f-hostile-identifier";
constexpr const char* kKey = "f00dfacecafe5eed0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kWebsite = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

// Every form of the key a server could echo (the unpadded base64 is a prefix of the padded one).
std::vector<std::string> key_forms() {
  const std::string pair = std::string(kIdentifier) + ":" + kKey;
  std::string encoded = shttp::base64_encode(pair);
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  std::string encoded_key = shttp::base64_encode(kKey);
  while (!encoded_key.empty() && encoded_key.back() == '=') encoded_key.pop_back();
  return {kKey, pair, encoded, encoded_key};
}

// Answers every request 400 invalid_data quoting the Authorization header it got, decoded too.
std::unique_ptr<shttp::Server> hostile_crisp() {
  shttp::Router router;
  router.add("*", "/{*rest}", [](shttp::Request& req) {
    const std::string auth(req.header("authorization").value_or(""));
    std::string decoded;
    if (auth.size() > 6) decoded = shttp::base64_decode(auth.substr(6)).value_or("");
    const auto colon = decoded.find(':');
    const std::string key = colon == std::string::npos ? std::string() : decoded.substr(colon + 1);
    json::object data;
    data["message"] = "token rejected: Authorization: " + auth + " decodes to " + decoded + " (key " + key +
                      ", base64 " + auth.substr(std::min<std::size_t>(6, auth.size())) + ")";
    json::object envelope;
    envelope["error"] = true;
    envelope["reason"] = "invalid_data";
    envelope["data"] = std::move(data);
    return shttp::Response::json(400, json::serialize(envelope));
  });
  auto server = std::make_unique<shttp::Server>(std::move(router), shttp::ServerOptions{});
  server->start();
  return server;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every place a key could have been left: output streams and every file in the run's directory
// (weft.db, -wal, -shm, the sandbox state if any).
void check_no_key(const weft::test::ProcessResult& r, const TempDir& dir) {
  for (const auto& form : key_forms()) {
    INFO("form: " << form);
    CHECK(r.out.find(form) == std::string::npos);
    CHECK(r.err.find(form) == std::string::npos);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      INFO("file: " << entry.path().string());
      CHECK(slurp(entry.path().string()).find(form) == std::string::npos);
    }
  }
}

ProcessOptions hostile_env(const TempDir& dir, const shttp::Server& server) {
  ProcessOptions options;
  options.unset_env = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "WEFT_MODEL",  "WEFT_DB",   "WEFT_CRASH_AT", "HTTP_PROXY",
                       "http_proxy",     "HTTPS_PROXY",     "https_proxy", "ALL_PROXY", "all_proxy"};
  options.cwd = dir.path();
  options.env["CRISP_API_IDENTIFIER"] = kIdentifier;
  options.env["CRISP_API_KEY"] = kKey;
  options.env["CRISP_WEBSITE_ID"] = kWebsite;
  options.env["CRISP_API_URL"] = server.base_url() + "/v1/";
  return options;
}

}  // namespace

TEST_CASE("a Crisp server echoing the credentials leaves no trace of the key from spam_triage") {
  auto server = hostile_crisp();
  TempDir dir;
  auto r = weft::test::run_process(weft::test::weft_binary(), {"run", "spam_triage", "--input", R"({"limit":5})"},
                                   hostile_env(dir, *server));
  CHECK(r.exit_code == weft::cli::kExitFailed);
  CHECK(r.err.find("invalid_data") != std::string::npos);  // the error itself is still told
  CHECK(r.err.find("[redacted]") != std::string::npos);
  check_no_key(r, dir);
  auto json_run =
      weft::test::run_process(weft::test::weft_binary(), {"run", "spam_triage", "--input", R"({"limit":5})", "--json"},
                              hostile_env(dir, *server));
  CHECK(json_run.exit_code == weft::cli::kExitFailed);
  check_no_key(json_run, dir);
}

TEST_CASE("a Crisp server echoing the credentials leaves no trace of the key in support_agent's model requests") {
  auto server = hostile_crisp();
  const json::value script = json::parse(R"([
    {"reply": {"content": null, "tool_calls": [{"name": "list_all_crisp_conversations", "arguments": {"page_number": 1}}]}},
    {"match": {"after_tool": true}, "reply": {"content": "Crisp refused the request."}, "uses": -1}
  ])");
  weft::sandbox::fake_llm::FakeLlm llm(script);
  llm.start();
  TempDir dir;
  ProcessOptions options = hostile_env(dir, *server);
  options.env["OPENAI_BASE_URL"] = llm.base_url();
  auto r = weft::test::run_process(weft::test::weft_binary(),
                                   {"run", "support_agent", "--input", R"({"instruction":"List the conversations."})"},
                                   options);
  INFO(r.err);
  const auto requests = llm.requests();
  REQUIRE(requests.size() >= 2);  // the tool's error went back to the model
  bool saw_tool_error = false;
  for (const auto& request : requests) {
    saw_tool_error = saw_tool_error || request.body.find("invalid_data") != std::string::npos;
    for (const auto& form : key_forms()) {
      INFO("form: " << form);
      CHECK(request.body.find(form) == std::string::npos);
    }
  }
  CHECK(saw_tool_error);
  check_no_key(r, dir);
}
