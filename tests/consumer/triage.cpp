// SPDX-License-Identifier: MIT
// A user's own graph, tested offline with weft::testing: the Crisp sandbox stands in for Crisp and
// the fake LLM for the model. The graph reads the newest unread conversation, asks the model for a
// one-word verdict, and leaves it as a private note on the conversation. Exit 0 when the note the
// sandbox recorded carries the scripted verdict, 1 otherwise (with the reason).

#include <weft/engine.hpp>
#include <weft/nodes.hpp>
#include <weft/store.hpp>
#include <weft/testing.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <unistd.h>

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

int fail(const std::string& why) {
  std::cerr << "consumer_triage: FAILED: " << why << "\n";
  return 1;
}

weft::CompiledGraph build(std::shared_ptr<weft::crisp::CrispClient> crisp, std::shared_ptr<weft::ChatModel> model,
                          std::shared_ptr<weft::SqliteStore> store) {
  weft::StateGraph builder({{"session_id", weft::Channel::last_value()},
                            {"last_message", weft::Channel::last_value()},
                            {"verdict", weft::Channel::last_value()}},
                           "note_verdict");
  builder.add_node("pick", [crisp](weft::StateView, weft::NodeContext) -> asio::awaitable<json::object> {
    json::object query{{"filter_unread", 1}};
    // GCC 12: the awaitable is a named local, never built in the co_await's own expression.
    auto pending = crisp->request("GET", crisp->website_path("conversations/1"), std::move(query));
    weft::crisp::CrispResponse page = co_await std::move(pending);
    const json::object& first = page.data.as_array().at(0).as_object();
    co_return json::object{{"session_id", first.at("session_id")}, {"last_message", first.at("last_message")}};
  });
  builder.add_node("judge", [model](weft::StateView state, weft::NodeContext) -> asio::awaitable<json::object> {
    weft::ChatRequest request;
    request.messages.push_back(weft::system_message("Answer with one word: spam or customer."));
    request.messages.push_back(weft::user_message(std::string(state.get_string("last_message"))));
    auto pending = model->complete(std::move(request));
    weft::ChatResponse answer = co_await std::move(pending);
    co_return json::object{{"verdict", answer.content()}};
  });
  builder.add_node("note", [crisp](weft::StateView state, weft::NodeContext) -> asio::awaitable<json::object> {
    const std::string sid(state.get_string("session_id"));
    json::object body{{"type", "note"},
                      {"from", "operator"},
                      {"origin", "chat"},
                      {"content", "triage verdict: " + std::string(state.get_string("verdict"))}};
    auto pending = crisp->request("POST", crisp->website_path("conversation/" + sid + "/message"), {}, std::move(body));
    co_await std::move(pending);
    co_return json::object{};
  });
  builder.add_edge(std::string(weft::START), "pick");
  builder.add_edge("pick", "judge");
  builder.add_edge("judge", "note");
  builder.add_edge("note", std::string(weft::END));
  weft::CompileOptions options;
  options.checkpointer = std::move(store);
  return builder.compile(std::move(options));
}

}  // namespace

int main() try {
  weft::testing::CrispSandbox sandbox;
  sandbox.start();
  weft::testing::FakeLlmOptions llm_options;
  llm_options.api_key = "sk-consumer-test";
  weft::testing::FakeLlm llm(json::parse(R"(["customer"])"), llm_options);
  llm.start();

  asio::io_context io;
  weft::crisp::CrispConfig crisp_config;
  crisp_config.base_url = sandbox.api_url();
  crisp_config.identifier = sandbox.credentials().identifier;
  crisp_config.key = sandbox.credentials().key;
  crisp_config.website_id = sandbox.website_id();
  auto crisp = std::make_shared<weft::crisp::CrispClient>(io.get_executor(), crisp_config);
  weft::OpenAIConfig model_config;
  model_config.base_url = llm.base_url();
  model_config.api_key = "sk-consumer-test";
  model_config.model = llm.model();
  auto model = std::make_shared<weft::OpenAIChatModel>(io.get_executor(), model_config);

  char dir[] = "/tmp/weft-consumer-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return fail("mkdtemp");
  const std::string db_path = std::string(dir) + "/consumer.db";
  const weft::RunResult run = [&] {
    weft::CompiledGraph graph = build(crisp, model, std::make_shared<weft::SqliteStore>(db_path));
    weft::RunConfig config;
    config.thread_id = "consumer-1";
    auto future = asio::co_spawn(io, graph.run(json::object{}, config), asio::use_future);
    io.run();
    return future.get();
  }();  // the graph and its store are closed here, so the database's files can go
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_path + suffix).c_str());
  ::rmdir(dir);

  if (run.status != weft::RunStatus::done) {
    return fail("run ended " + std::string(weft::to_string(run.status)) + (run.error ? ": " + run.error->message : ""));
  }
  if (run.values.at("verdict") != "customer") return fail("verdict " + json::serialize(run.values.at("verdict")));
  if (llm.requests_received() != 1)
    return fail("the fake LLM got " + std::to_string(llm.requests_received()) + " requests");
  const std::string sid(run.values.at("session_id").as_string());
  bool noted = false;
  const json::value effects = json::parse(sandbox.effects_json());
  for (const auto& effect : effects.at("effects").as_array()) {
    const json::object* body = effect.at("body").if_object();
    const json::value* content = body != nullptr ? body->if_contains("content") : nullptr;
    noted = noted || (effect.at("session_id") == json::value(sid) && content != nullptr &&
                      *content == "triage verdict: customer");
  }
  if (!noted) return fail("the sandbox recorded no note with the verdict on " + sid);
  std::cout << "consumer_triage: " << sid << " noted as 'customer' (sandbox at " << sandbox.base_url() << ")\n";
  llm.stop();
  sandbox.stop();
  return 0;
} catch (const std::exception& e) {
  return fail(e.what());
}
