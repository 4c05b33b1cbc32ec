// SPDX-License-Identifier: MIT
#pragma once
// Nodes and routers: the callables a graph is made of, classified by named concepts so that a
// plain function, a lambda and a coroutine all go through one StateGraph::add_node.
//
//   node:   (StateView, NodeContext) -> boost::json::object | Command | void
//   async:  (StateView, NodeContext) -> boost::asio::awaitable<boost::json::object | Command | void>
//   router: (StateView) -> Route (a name, names, a Send or Sends)

#include "engine/command.hpp"
#include "engine/node_cache.hpp"
#include "engine/node_context.hpp"
#include "engine/retry_policy.hpp"
#include "engine/route.hpp"
#include "engine/state_view.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft {

/// What a node may return (by value or through an awaitable).
template <class R>
concept NodeReturn = std::is_void_v<R> || std::same_as<std::remove_cvref_t<R>, Command> ||
    std::same_as<std::remove_cvref_t<R>, boost::json::object>;

/// A synchronous node: runs inline on the run's executor; it must not block for long.
template <class F>
concept NodeLike =
    std::invocable<F&, StateView, NodeContext> && NodeReturn<std::invoke_result_t<F&, StateView, NodeContext>>;

/// A coroutine node returning boost::asio::awaitable of a NodeReturn type.
template <class F>
concept AsyncNodeLike = std::invocable<F&, StateView, NodeContext> &&
    detail::is_awaitable<std::invoke_result_t<F&, StateView, NodeContext>>::value &&
    NodeReturn<typename std::invoke_result_t<F&, StateView, NodeContext>::value_type>;

/// A conditional edge's path function. It sees the state with its own node's writes applied.
template <class F>
concept RouterLike = std::invocable<F&, StateView> && std::convertible_to<std::invoke_result_t<F&, StateView>, Route>;

/// Per-node settings. Every field documents its default.
struct NodeOptions {
  /// Retries on failure. Default: none (one attempt), as LangGraph without a retry policy.
  std::optional<RetryPolicy> retry{};
  /// Bound on one attempt of an async node (cancels it: engine::error::node_timeout, which the
  /// retry policy may retry), timed on the run's clock (RunConfig::clock; tests use a ManualClock
  /// in Sleeps::wait_for_advance mode). Sync nodes cannot be preempted and ignore it. Default: none.
  std::optional<std::chrono::milliseconds> timeout{};
  /// Nodes this node may reach through Command::goto_nodes or Send, for compile()'s reachability
  /// check and to_mermaid(). Default: none.
  std::vector<std::string> destinations{};
  /// Deferred (LangGraph's `defer=True`): the node's tasks wait while any other task is planned,
  /// and run in the first step where nothing else would. For a node that gathers branches of
  /// unequal length (it then runs once, after the longest). Default: false.
  bool defer = false;
  /// Replays the node's earlier result for an input seen before, when the graph is compiled with
  /// a NodeCache (CompileOptions::cache); see engine/node_cache.hpp. Default: none (always runs).
  std::optional<CachePolicy> cache{};
  /// Free-form, shown in debug events. Default: {}.
  boost::json::object metadata{};
};

/// A node, type-erased: exactly one of `sync` / `async` is set.
struct NodeFunction {
  std::function<Command(StateView, NodeContext)> sync;
  std::function<boost::asio::awaitable<Command>(StateView, NodeContext)> async;
};

namespace detail {

template <class R>
Command to_command(R&& result) {
  if constexpr (std::same_as<std::remove_cvref_t<R>, Command>) {
    return std::forward<R>(result);
  } else {
    Command command;
    command.update = std::forward<R>(result);
    return command;
  }
}

template <class F>
boost::asio::awaitable<Command> adapt_async_node(std::shared_ptr<F> fn, StateView state, NodeContext context) {
  using Value = typename std::invoke_result_t<F&, StateView, NodeContext>::value_type;
  auto pending = (*fn)(std::move(state), std::move(context));
  if constexpr (std::is_void_v<Value>) {
    co_await std::move(pending);
    co_return Command{};
  } else {
    Value result = co_await std::move(pending);
    co_return to_command(std::move(result));
  }
}

}  // namespace detail

/// Wraps any NodeLike or AsyncNodeLike callable.
template <class F>
requires NodeLike<F> || AsyncNodeLike<F> NodeFunction make_node_function(F fn) {
  NodeFunction node;
  if constexpr (AsyncNodeLike<F>) {
    auto shared = std::make_shared<F>(std::move(fn));
    node.async = [shared](StateView state, NodeContext context) {
      return detail::adapt_async_node(shared, std::move(state), std::move(context));
    };
  } else {
    node.sync = [fn = std::move(fn)](StateView state, NodeContext context) mutable -> Command {
      using R = std::invoke_result_t<F&, StateView, NodeContext>;
      if constexpr (std::is_void_v<R>) {
        fn(std::move(state), std::move(context));
        return Command{};
      } else {
        return detail::to_command(fn(std::move(state), std::move(context)));
      }
    };
  }
  return node;
}

/// A router, type-erased.
using RouterFunction = std::function<Route(StateView)>;

}  // namespace weft
