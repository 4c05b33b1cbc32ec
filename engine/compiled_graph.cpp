// SPDX-License-Identifier: MIT
#include "engine/compiled_graph.hpp"

#include "engine/detail/graph_def.hpp"
#include "engine/detail/run_state.hpp"
#include "engine/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace weft {
namespace {

// Runs one request in its own coroutine thread (co_spawn), so the run controls its own
// cancellation state; cancellation of the awaiting coroutine is forwarded by co_spawn.
boost::asio::awaitable<RunResult> spawn_run(std::shared_ptr<const detail::GraphDef> def, detail::RunRequest request,
                                            RunConfig config) {
  auto executor = co_await boost::asio::this_coro::executor;
  auto pending = boost::asio::co_spawn(
      executor, detail::execute_run(std::move(def), std::move(request), std::move(config), std::string()),
      boost::asio::use_awaitable);
  RunResult result = co_await std::move(pending);
  co_return result;
}

RunResult block_on(boost::asio::awaitable<RunResult> run) {
  boost::asio::io_context io;
  std::optional<RunResult> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(run), [&](std::exception_ptr e, RunResult result) {
    error = e;
    if (!e) out = std::move(result);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace

boost::asio::awaitable<RunResult> CompiledGraph::run(boost::json::value input, RunConfig config) const {
  detail::RunRequest request;
  if (input.is_object()) {
    request.input = std::move(input.get_object());
  } else if (input.is_null()) {
    request.resume = true;
  } else {
    throw Error(engine::error::invalid_input, "graph '" + def_->name +
                                                  "': run input must be an object of state writes, or null to "
                                                  "continue the thread from its latest checkpoint");
  }
  return spawn_run(def_, std::move(request), std::move(config));
}

boost::asio::awaitable<RunResult> CompiledGraph::resume(Command command, RunConfig config) const {
  detail::RunRequest request;
  request.resume = true;
  request.command = std::move(command);
  return spawn_run(def_, std::move(request), std::move(config));
}

RunResult CompiledGraph::invoke(boost::json::value input, RunConfig config) const {
  return block_on(run(std::move(input), std::move(config)));
}

RunResult CompiledGraph::invoke_resume(Command command, RunConfig config) const {
  return block_on(resume(std::move(command), std::move(config)));
}

const std::string& CompiledGraph::name() const noexcept { return def_->name; }
const Schema& CompiledGraph::schema() const noexcept { return def_->schema; }

std::vector<std::string> CompiledGraph::node_names() const {
  std::vector<std::string> names;
  names.reserve(def_->nodes.size());
  for (const detail::NodeDef& node : def_->nodes) names.push_back(node.name);
  return names;
}

}  // namespace weft
