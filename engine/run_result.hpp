// SPDX-License-Identifier: MIT
#pragma once
// RunResult and StateSnapshot: what a run returns and what get_state reads back.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace weft {

enum class RunStatus { done, interrupted, failed };
std::string_view to_string(RunStatus status) noexcept;

/// A pause waiting for a human.
struct Interrupt {
  enum class Kind {
    node,    ///< a node called NodeContext::interrupt(value); resume with a value
    before,  ///< interrupt_before `node`: resume with null input
    after,   ///< interrupt_after `node`: resume with null input
  };
  /// Identifies a node interrupt when several are pending (resume with {id: value}); "" for
  /// before/after breakpoints.
  std::string id;
  boost::json::value value;  ///< what the node passed to interrupt(); null for breakpoints
  std::string node;
  std::string task_id;
  Kind kind = Kind::node;
  std::string ns;  ///< "" at the root; the subgraph namespace when raised inside one
};

/// An interrupt as JSON, the one form Weft writes everywhere (task writes, stream events, the
/// command line's --json): {"id","value","node","task_id","kind":"node"|"before"|"after","ns"}.
boost::json::object to_json(const Interrupt& interrupt);
/// The same for several, in order.
boost::json::array to_json(const std::vector<Interrupt>& interrupts);
/// Reads that form back; missing or mistyped members are left empty (kind: node).
Interrupt interrupt_from_json(const boost::json::value& value);

/// Why a run failed.
struct RunError {
  std::error_code code;  ///< engine::error::node_failed, recursion_limit, cancelled, ...
  std::string message;   ///< names the node, the step and the thread
  std::string node;      ///< "" when not caused by one node
  std::int64_t step = -1;
  std::exception_ptr exception;  ///< the original exception (a node's own, or a weft::Error)
};

struct RunResult {
  RunStatus status = RunStatus::done;
  boost::json::object values;         ///< the state when the run stopped
  std::vector<Interrupt> interrupts;  ///< when status == interrupted
  std::optional<RunError> error;      ///< when status == failed
  std::string checkpoint_id;          ///< latest checkpoint written ("" without a checkpointer)
  std::vector<std::string> next;      ///< nodes that would run next (empty when done)
  std::int64_t steps = 0;             ///< supersteps executed by this invocation

  /// Throws weft::Error with the run's error when failed (a convenience for tests and tools).
  const RunResult& check() const;
};

/// A checkpoint as seen by a user (LangGraph's StateSnapshot).
struct StateSnapshot {
  boost::json::object values;
  std::vector<std::string> next;  ///< node names of the tasks that run next (Sends included)
  std::string checkpoint_id;
  std::string parent_id;
  std::int64_t step = -1;
  std::string source;  ///< "input", "loop", "update" or "fork"
  std::int64_t created_at_ms = 0;
  boost::json::object metadata;
  std::vector<Interrupt> interrupts;  ///< pending node interrupts saved against this checkpoint
};

}  // namespace weft
