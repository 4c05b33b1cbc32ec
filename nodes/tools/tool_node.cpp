// SPDX-License-Identifier: MIT
#include "nodes/tools/tool_node.hpp"

#include "engine/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <tuple>
#include <utility>

namespace weft {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

json::object outcome_message(const ToolCall& call, std::string_view content, bool ok) {
  json::object message = tool_message(call.id, content);
  message["name"] = call.name;
  message["status"] = ok ? "success" : "error";
  return message;
}

json::object error_message(const ToolCall& call, const std::string& content) {
  return outcome_message(call, "Error: " + content, false);
}

// A call rejected before any request: it does not count against its tool's run budget.
json::object rejected_message(const ToolCall& call, const std::string& content) {
  json::object message = error_message(call, content);
  message["sent"] = false;
  return message;
}

// Parses the model's argument text. Empty text means "no arguments" (some servers send "" for
// tools without parameters). On failure returns nullopt and sets `problem`.
std::optional<json::value> parse_arguments(const std::string& text, std::string& problem) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::value(json::object());
  json::stream_parser parser;
  std::error_code ec;
  const std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::make_error_code(json::error::extra_data);
  if (!ec) parser.finish(ec);
  if (ec) {
    problem = ec.message() + " at character " + std::to_string(consumed);
    return std::nullopt;
  }
  return parser.release();
}

std::string content_of(const json::value& result) {
  if (result.is_string()) return std::string(result.get_string());
  return json::serialize(result);
}

// One call, start to finish. Never throws for the tool's own failure; lets an interrupt signal or
// a cancellation of the node escape.
asio::awaitable<json::object> run_one(std::shared_ptr<const ToolRegistry> registry, ToolCall call, std::size_t index,
                                      std::optional<NodeContext> node) {
  const Tool* found = registry->find(call.name);
  if (found == nullptr)
    co_return rejected_message(call, registry->unknown_tool_message(call.name) + ". Call one of the available tools.");
  const Tool tool = *found;

  std::string problem;
  std::optional<json::value> args = parse_arguments(call.arguments, problem);
  if (!args)
    co_return rejected_message(call, "the arguments of tool '" + call.name + "' are not valid JSON (" + problem +
                                         "). Send them as one JSON object that matches the tool's parameters.");
  const std::vector<SchemaViolation> violations = tool.check_arguments(*args);
  if (!violations.empty())
    co_return rejected_message(call, "invalid arguments for tool '" + call.name + "': " + to_string(violations) +
                                         ". Fix these fields and call the tool again.");

  ToolContext context;
  context.tool_name = call.name;
  context.call_id = call.id;
  context.effect_key = "tool:" + call.id + ":" + std::to_string(index);
  context.node = node;

  json::value result;
  std::exception_ptr failure;
  try {
    if (tool.effects() == ToolEffects::journaled && node) {
      EffectRequest request;  // binds the journal entry to this tool and these arguments
      request.what = json::object{{"tool", call.name}, {"arguments", *args}};
      auto operation = node->effect(
          context.effect_key, [tool, args = std::move(*args), context]() { return tool.call(args, context); }, {},
          std::move(request));
      result = co_await std::move(operation);
    } else {
      auto operation = tool.call(std::move(*args), std::move(context));
      result = co_await std::move(operation);
    }
  } catch (const std::exception&) {
    failure = std::current_exception();
  }
  // Anything not derived from std::exception (the interrupt signal) has propagated already.
  if (!failure) co_return outcome_message(call, content_of(result), true);

  const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
  if (cancellation.cancelled() != asio::cancellation_type::none) std::rethrow_exception(failure);
  std::string explanation;
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    explanation = e.code() == engine::error::effect_in_doubt
                      ? "the call of tool '" + call.name + "' (" + call.id +
                            ") was interrupted by a crash while it ran; it may or may not have taken effect. "
                            "Check the current state before calling it again."
                      : "tool '" + call.name + "' failed: " + std::string(e.what()) +
                            ". Fix the arguments or try another approach.";
  } catch (const std::exception& e) {
    explanation =
        "tool '" + call.name + "' failed: " + std::string(e.what()) + ". Fix the arguments or try another approach.";
  }
  co_return error_message(call, explanation);
}

}  // namespace

namespace {

// The calls of one turn, shared by the workers that run them.
struct Batch {
  std::shared_ptr<const ToolRegistry> registry;
  std::vector<ToolCall> calls;
  std::optional<NodeContext> node;
  std::vector<json::object> results;  // by call index; each slot written by one worker
  std::atomic<std::size_t> next{0};   // the next call to start
};

// Takes calls one after another until none is left.
asio::awaitable<void> work(std::shared_ptr<Batch> batch) {
  for (;;) {
    const std::size_t index = batch->next.fetch_add(1);
    if (index >= batch->calls.size()) co_return;
    auto operation = run_one(batch->registry, batch->calls[index], index, batch->node);
    json::object message = co_await std::move(operation);
    batch->results[index] = std::move(message);
  }
}

}  // namespace

asio::awaitable<json::array> run_tool_calls(ToolRegistry registry, std::vector<ToolCall> calls,
                                            std::optional<NodeContext> node, std::size_t max_concurrency) {
  json::array messages;
  if (calls.empty()) co_return messages;
  auto batch = std::make_shared<Batch>();
  batch->registry = std::make_shared<const ToolRegistry>(std::move(registry));
  batch->calls = std::move(calls);
  batch->node = std::move(node);
  batch->results.resize(batch->calls.size());
  const std::size_t workers =
      max_concurrency == 0 ? batch->calls.size() : std::min(max_concurrency, batch->calls.size());
  const asio::any_io_executor executor = co_await asio::this_coro::executor;

  using Operation = decltype(asio::co_spawn(executor, std::declval<asio::awaitable<void>>(), asio::deferred));
  std::vector<Operation> operations;
  operations.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) operations.push_back(asio::co_spawn(executor, work(batch), asio::deferred));

  // wait_for_all: every call settles (a journaled one records its result) even if another one
  // interrupts; cancelling this coroutine cancels them all.
  auto group = asio::experimental::make_parallel_group(std::move(operations));
  auto waiting = group.async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  auto settled = co_await std::move(waiting);
  for (const std::exception_ptr& failure : std::get<1>(settled))
    if (failure) std::rethrow_exception(failure);
  messages.reserve(batch->results.size());
  for (json::object& message : batch->results) messages.emplace_back(std::move(message));
  co_return messages;
}

struct ToolNode::Shared {
  ToolRegistry registry;
  ToolNodeOptions options;
};

ToolNode::ToolNode(ToolRegistry registry, ToolNodeOptions options)
    : shared_(std::make_shared<const Shared>(Shared{std::move(registry), std::move(options)})) {}

const ToolRegistry& ToolNode::registry() const noexcept { return shared_->registry; }

asio::awaitable<json::object> ToolNode::operator()(StateView state, NodeContext context) const {
  return run(shared_, std::move(state), std::move(context));
}

asio::awaitable<json::object> ToolNode::run(std::shared_ptr<const Shared> shared, StateView state,
                                            NodeContext context) {
  json::object update;
  const json::value* messages = state.find(shared->options.messages_key);
  if (messages == nullptr || !messages->is_array() || messages->get_array().empty()) co_return update;
  const json::value& last = messages->get_array().back();
  if (!last.is_object()) co_return update;
  std::vector<ToolCall> calls = tool_calls_of(last.get_object());
  if (calls.empty()) co_return update;

  // Decide from state alone which calls run, so a re-run of this task decides the same.
  const json::array& conversation = messages->get_array();
  json::array history(conversation.begin(), conversation.end() - 1);
  const ToolLimits& limits = shared->options.limits;
  const std::vector<ToolRefusal> plan = plan_tool_calls(calls, history, shared->registry, limits);
  std::vector<ToolCall> allowed;
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (plan[i] == ToolRefusal::none) allowed.push_back(calls[i]);

  auto operation =
      run_tool_calls(shared->registry, allowed, std::optional<NodeContext>(context), shared->options.max_concurrency);
  json::array ran = co_await std::move(operation);

  json::array results;
  results.reserve(calls.size());
  std::size_t next_ran = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (plan[i] == ToolRefusal::none) {
      results.push_back(std::move(ran[next_ran++]));
      continue;
    }
    const Tool* tool = shared->registry.find(calls[i].name);
    const std::optional<std::size_t> budget = tool != nullptr ? limits.budget_of(*tool) : std::nullopt;
    results.emplace_back(refused_tool_message(calls[i], plan[i], calls.size(), limits, budget));
  }
  update[shared->options.messages_key] = std::move(results);
  co_return update;
}

ToolNode tool_node(ToolRegistry registry, ToolNodeOptions options) {
  return ToolNode(std::move(registry), std::move(options));
}

}  // namespace weft
