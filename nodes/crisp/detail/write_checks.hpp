// SPDX-License-Identifier: MIT
#pragma once
// The checks that decide whether an earlier attempt of a Crisp write happened before it is sent
// again: a message found by its fingerprint, or the catalog's "exists" / "list_match" checks.
// Private to nodes/crisp.

#include "nodes/crisp/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace weft::crisp::detail {

/// A check run after an attempt of unknown outcome: the write's result when it happened, else
/// nullopt (the write may be sent again).
using CheckFn = std::function<boost::asio::awaitable<std::optional<boost::json::value>>()>;

/// Expands the catalog path template `path` of `tool` with `vars`. Throws Error
/// (invalid_argument, naming the tool) when a variable is missing or malformed; nothing is sent.
std::string expand_tool_path(const std::string& tool, const std::string& path, const boost::json::object& vars);

/// Looks through the newest messages of `session_id` for one carrying `fingerprint`; returns
/// {"fingerprint": n} when found. Reads at most 25 batches. Errors: the client's.
boost::asio::awaitable<std::optional<boost::json::value>> check_message(CrispClient* client, std::string session_id,
                                                                        std::int64_t fingerprint);

/// Runs the catalog check `check` ("exists" or "list_match") of `tool` with `vars`; returns the
/// captured variables as an object (empty for "exists") when the write is found. Throws Error
/// (invalid_catalog) on another kind. Errors: the client's.
boost::asio::awaitable<std::optional<boost::json::value>> check_catalog(CrispClient* client, std::string tool,
                                                                        boost::json::value check,
                                                                        boost::json::object vars);

}  // namespace weft::crisp::detail
