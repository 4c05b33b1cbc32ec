// SPDX-License-Identifier: MIT
#include "engine/run_result.hpp"

#include "engine/error.hpp"

namespace weft {

const RunResult& RunResult::check() const {
  if (status == RunStatus::failed) {
    if (error) throw Error(error->code, error->message);
    throw Error(engine::error::node_failed, "run failed without an error record");
  }
  return *this;
}

}  // namespace weft
