// SPDX-License-Identifier: MIT
#include "engine/retry_policy.hpp"

#include "engine/error.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>

namespace weft {

bool default_retry_on(const std::exception& error) noexcept {
  if (dynamic_cast<const std::logic_error*>(&error)) return false;
  if (dynamic_cast<const std::bad_alloc*>(&error)) return false;
  if (const auto* weft_error = dynamic_cast<const Error*>(&error)) {
    // Engine errors are graph bugs, except a timeout, which is as transient as a network error.
    if (weft_error->code().category() == engine::error_category())
      return weft_error->code() == engine::error::node_timeout;
  }
  return true;
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt) const noexcept {
  const double factor = std::pow(backoff_factor, std::max(0, attempt - 1));
  const double wait = static_cast<double>(initial_interval.count()) * factor;
  const double capped = std::min(wait, static_cast<double>(max_interval.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped));
}

}  // namespace weft
