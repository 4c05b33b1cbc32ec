// SPDX-License-Identifier: MIT
// Every catalog tool against the in-process sandbox: it succeeds with real ids on both helpdesk
// families, and the catalog exports and compiles as the model sees it.

#include "tests/crisp/tools_sandbox_support.hpp"

#include <doctest/doctest.h>

using namespace tools_sandbox_test;

TEST_CASE("every catalog tool succeeds against the sandbox on the tree helpdesk") {
  Env env;
  every_tool_succeeds(env, RouteFamily::tree);
}

TEST_CASE("every catalog tool succeeds against the sandbox on the legacy helpdesk") {
  EnvOptions options;
  options.helpdesk_mode = "legacy";
  Env env(options);
  every_tool_succeeds(env, RouteFamily::legacy);
}

TEST_CASE("the catalog exports as OpenAI functions through the tool registry") {
  Env env;
  weft::ToolRegistry registry;
  register_tools(registry, std::shared_ptr<CrispTools>(&env.tools(), [](CrispTools*) {}));
  const json::array functions = registry.to_openai();
  CHECK(functions.size() == Catalog::builtin().entries().size());
  CHECK(functions.size() >= 30);
  const std::string text = json::serialize(functions);
  CHECK(text.find("website_id") == std::string::npos);
  CHECK(text.find("\"x-") == std::string::npos);
  CHECK(registry.at("create_a_crisp_message").side_effecting());
  CHECK_FALSE(registry.at("list_all_crisp_messages").side_effecting());
  // A call through the registry's Tool reaches the sandbox.
  const json::value inboxes = env.run(registry.at("list_all_crisp_inboxes").call(json::object(), weft::ToolContext{}));
  CHECK_FALSE(inboxes.as_array().empty());
}

TEST_CASE("every registered Crisp tool's model-facing schema compiles, though it is compiled only on first call") {
  Env env;
  weft::ToolRegistry registry;
  register_tools(registry, std::shared_ptr<CrispTools>(&env.tools(), [](CrispTools*) {}));
  for (const auto& tool : registry.tools()) {
    INFO(tool.name());
    CHECK_NOTHROW(weft::JsonSchema::compile(tool.parameters()));
  }
  // The lazy schema still rejects before any request: a wrong type never reaches the sandbox.
  auto bad = registry.at("list_all_crisp_conversations").check_arguments(json::object{{"page_number", "one"}});
  REQUIRE_FALSE(bad.empty());
  CHECK(bad.front().path == "/page_number");
}
