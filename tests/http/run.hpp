#pragma once
// Test helpers: run a coroutine to completion on a fresh io_context and return its result.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace weft::test {

/// Runs `work` on `io` until it completes; rethrows its exception.
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

}  // namespace weft::test
