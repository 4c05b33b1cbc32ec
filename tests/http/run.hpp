// SPDX-License-Identifier: MIT
#pragma once
// The name tests/model uses for tests/tools/run_sync.hpp's helper (one implementation for both).

#include "tests/tools/run_sync.hpp"

#include <utility>

namespace weft::test {

/// run_sync(io, work): runs `work` on `io` until it completes; rethrows its exception.
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  return run_sync(io, std::move(work));
}

}  // namespace weft::test
