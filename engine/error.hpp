// SPDX-License-Identifier: MIT
#pragma once
// Errors of the engine module, and weft::Error, the exception every Weft module throws.
//
// Each module has a closed `enum class error` with its own std::error_category (engine here,
// store/error.hpp, nodes/..., ...). weft::Error carries one such code plus a message that says what
// happened, to what, and what to do.

#include <memory>
#include <string>
#include <system_error>

namespace weft {

/// The exception thrown by Weft. code() tells the module and situation; what() is the message a
/// user reads (it never contains a secret).
/// what() is exactly `message` (std::system_error would append ": " + code().message()).
class Error : public std::system_error {
 public:
  Error(std::error_code code, const std::string& message)
      : std::system_error(code, message), message_(std::make_shared<const std::string>(message)) {}
  const char* what() const noexcept override { return message_->c_str(); }

 private:
  std::shared_ptr<const std::string> message_;  // shared: copying an exception must not throw
};

namespace engine {

/// Situations the engine reports.
enum class error {
  invalid_graph = 1,          ///< compile() found a problem (unknown node, no entry, unreachable, ...)
  invalid_update = 2,         ///< a node wrote a key not in the schema, or a value its channel rejects
  concurrent_update = 3,      ///< two tasks wrote one last_value key in the same step
  recursion_limit = 4,        ///< the run needed more supersteps than RunConfig::recursion_limit
  node_failed = 5,            ///< a node threw (RunError::exception holds its exception)
  node_timeout = 6,           ///< an async node exceeded NodeOptions::timeout
  cancelled = 7,              ///< the run was cancelled (stop token or asio cancellation)
  no_checkpointer = 8,        ///< the operation needs a checkpointer (interrupt, get_state, resume)
  invalid_resume = 9,         ///< the resume value does not match the pending interrupts
  effect_in_doubt = 10,       ///< an effect began but never finished (crash) and nothing reconciled it
  checkpoint_not_found = 11,  ///< the thread or checkpoint id does not exist
  missing_key = 12,           ///< StateView::at on an absent key
  invalid_input = 13,         ///< run input is not an object (or null to continue), or thread_id is missing
  invalid_route = 14,         ///< a router or Command named an unknown node, or Sent to END
  stream_failed = 15,         ///< the RunConfig::stream sink threw
  /// the journal holds an effect under this key recorded for a different request (another run of
  /// the task asked for something else): it is neither replayed nor run (run_format.md, "Replay is
  /// bound to the request")
  effect_request_conflict = 16,
  /// a long-term memory Store was given a bad namespace, key, ttl or an oversized value (store.hpp)
  invalid_store_request = 17,
  no_store = 18,  ///< a node called NodeContext::store() but no Store was configured
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace engine
}  // namespace weft

template <>
struct std::is_error_code_enum<weft::engine::error> : std::true_type {};
