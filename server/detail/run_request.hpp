// SPDX-License-Identifier: MIT
#pragma once
// Private: a run request (the body of POST …/runs, /wait, /stream, and a cron's payload),
// validated and accepted. Shared by the run routes and the cron scheduler.

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace weft::server::detail {

struct ServerState;
class ActiveRun;

/// Validates `body` (with its assistant_id) and submits the run on `thread_id` ("" = stateless: a
/// new thread, deleted after unless on_completion is "keep"). Throws ApiError (404 unknown
/// assistant or thread, 409 busy under reject, 400 nothing to resume, 422 invalid) before
/// anything is written. `run_id`: the new run's id; default "" = a random UUID.
std::shared_ptr<ActiveRun> accept_run(ServerState& s, const std::string& thread_id, const boost::json::object& body,
                                      const std::string& run_id = {});

/// Only the validation of accept_run's body fields that do not depend on a thread (assistant,
/// input, command, stream_mode, interrupt_*, options). Throws ApiError.
void validate_run_request(ServerState& s, const boost::json::object& body);

}  // namespace weft::server::detail
