// SPDX-License-Identifier: MIT
#pragma once
// Operations shared by several route families.

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "sandbox/crisp/detail/route_context.hpp"

namespace weft::sandbox::crisp::detail {

// Adds a new empty conversation `sid` (state pending, default inbox) and returns it.
boost::json::object& create_conversation(Ctx& ctx, const std::string& sid);

// Appends `message` (already complete, with fingerprint and timestamp) to conversation `sid`,
// keeping the array sorted by timestamp, and updates the conversation's last message, preview,
// unread counters, waiting time and updated_at.
void append_message(Ctx& ctx, const std::string& sid, boost::json::object message);

// State string -> Crisp's numeric status (sandbox mapping: pending 0, unresolved 1, resolved 2).
int status_of_state(std::string_view state);

}  // namespace weft::sandbox::crisp::detail
