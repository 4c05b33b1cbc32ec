// SPDX-License-Identifier: MIT
// Interrupt, approve and resume.
//
// A refund workflow drafts a refund, asks a human to approve it, then pays it. The run stops at
// the approval (its state is checkpointed to SQLite), and a later call -- here in the same
// program, in real life another process or `weft resume` -- answers the question and continues.
// The payment is a side effect: it goes through ctx.effect(), so resuming never pays twice.
//
//   example_approve_and_resume [DB_PATH]

#include <weft/engine/compiled_graph.hpp>
#include <weft/engine/state_graph.hpp>
#include <weft/store/sqlite_store.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace json = boost::json;

int main(int argc, char** argv) {
  const std::string db_path = argc > 1 ? argv[1] : "approve_and_resume.db";
  std::remove(db_path.c_str());
  auto store = std::make_shared<weft::SqliteStore>(db_path);

  weft::StateGraph builder({{"amount", weft::Channel::last_value()},
                            {"decision", weft::Channel::last_value()},
                            {"log", weft::Channel::append()}},
                           "refund");
  builder.add_node("draft", [](weft::StateView state, weft::NodeContext) {
    return json::object{{"log", "drafted a refund of " + std::to_string(state.get_int("amount")) + " EUR"}};
  });
  builder.add_node("approve", [](weft::StateView state, weft::NodeContext ctx) {
    // The first time, this pauses the run; on resume it returns the human's answer.
    json::value answer =
        ctx.interrupt(json::object{{"question", "Approve this refund?"}, {"amount", state.get_int("amount")}});
    return json::object{{"decision", answer}};
  });
  builder.add_node("pay", [](weft::StateView state, weft::NodeContext ctx) -> boost::asio::awaitable<json::object> {
    const std::int64_t amount = state.get_int("amount");
    // Runs at most once per thread, even if this task is re-run after a crash.
    json::value receipt = co_await ctx.effect("payment", [amount] {
      std::cout << "  (paying " << amount << " EUR: this line prints once)\n";
      return json::value(json::object{{"receipt", "R-1001"}, {"amount", amount}});
    });
    co_return json::object{{"log", "paid, receipt " + std::string(receipt.at("receipt").as_string())}};
  });
  builder.add_edge(std::string(weft::START), "draft");
  builder.add_edge("draft", "approve");
  builder.add_conditional_edges("approve", [](weft::StateView state) -> std::string {
    const json::value* decision = state.find("decision");
    return decision && decision->is_bool() && decision->as_bool() ? "pay" : std::string(weft::END);
  });
  builder.add_edge("pay", std::string(weft::END));
  weft::CompiledGraph graph = builder.compile({.checkpointer = store});

  weft::RunConfig config;
  config.thread_id = "refund-42";
  config.durability = weft::Durability::sync;

  weft::RunResult first = graph.invoke(json::object{{"amount", 120}}, config);
  std::cout << "first run: " << weft::to_string(first.status) << ", waiting on '" << first.interrupts.at(0).node
            << "' with " << json::serialize(first.interrupts.at(0).value) << "\n";

  weft::Command approve;
  approve.resume = true;
  weft::RunResult second = graph.invoke_resume(approve, config);
  std::cout << "after approval: " << weft::to_string(second.status) << ", log "
            << json::serialize(second.values.at("log")) << "\n";
  return second.status == weft::RunStatus::done ? 0 : 1;
}
