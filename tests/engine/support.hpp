// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the engine tests.

#include "engine/error.hpp"
#include "engine/run_blocking.hpp"
#include "engine/state_graph.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>

namespace engine_test {

namespace json = boost::json;

/// Runs `f` and returns the weft::Error it throws; fails the test if it throws nothing.
template <class F>
weft::Error error_from(F&& f) {
  try {
    f();
  } catch (const weft::Error& e) {
    return e;
  }
  FAIL("expected a weft::Error");
  return weft::Error(std::error_code(), "");
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

inline json::object object(std::string_view text) { return json::parse(text).as_object(); }

/// A node returning a fixed update.
inline auto writes(std::string_view update_json) {
  json::object update = object(update_json);
  return [update](weft::StateView, weft::NodeContext) { return update; };
}

/// Runs one awaitable to completion on its own io_context.
template <class T>
T run_on_io(boost::asio::awaitable<T> work) {
  return weft::run_blocking(std::move(work));
}

inline weft::RunConfig thread_config(std::shared_ptr<weft::MemoryCheckpointer> store, std::string thread = "t1") {
  weft::RunConfig config;
  config.thread_id = std::move(thread);
  config.checkpointer = std::move(store);
  return config;
}

}  // namespace engine_test
