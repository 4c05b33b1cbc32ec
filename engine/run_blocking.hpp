// SPDX-License-Identifier: MIT
#pragma once
// run_blocking: runs one awaitable to completion on a private io_context, for blocking entry
// points (CompiledGraph::invoke) and tests. The one place Weft writes that pattern.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace weft {

/// Runs `work` on a new io_context on the calling thread until it and everything it started
/// completes, and returns its value or rethrows its exception. Whatever `work` uses must not be
/// bound to another io_context that nobody runs. Blocks the calling thread; never call it from a
/// coroutine running on an executor (it would stall that executor).
template <class T>
T run_blocking(boost::asio::awaitable<T> work) {
  boost::asio::io_context io;
  std::exception_ptr error;
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { error = e; });
    io.run();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> out;
    boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      error = e;
      if (!e) out = std::move(value);
    });
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }
}

}  // namespace weft
