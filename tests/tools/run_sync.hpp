// SPDX-License-Identifier: MIT
#pragma once
// Runs one awaitable to completion on a fresh io_context and returns its result (rethrowing).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace weft::test {

/// On `io` (which must outlive any I/O object the operation leaves behind, e.g. a timer kept in
/// a test's shared state: declare it first).
template <class T>
T run_sync(boost::asio::io_context& io, boost::asio::awaitable<T> operation) {
  auto result = boost::asio::co_spawn(io, std::move(operation), boost::asio::use_future);
  io.restart();
  io.run();
  return result.get();
}

template <class T>
T run_sync(boost::asio::awaitable<T> operation) {
  boost::asio::io_context io;
  return run_sync(io, std::move(operation));
}

}  // namespace weft::test
