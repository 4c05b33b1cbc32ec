// SPDX-License-Identifier: MIT
#pragma once
// Private: who this process is, and whether another process (named in a lease row) still lives.

#include <cstdint>
#include <string>

namespace weft::store::detail {

struct ProcessIdentity {
  std::int64_t pid = 0;
  std::string host;
  /// The process's start time in clock ticks since boot (/proc/<pid>/stat field 22) so a reused pid
  /// is told apart from the original owner; "" where /proc is unavailable.
  std::string start;
};

/// This process (cached; a fork() child gets its own).
ProcessIdentity self_identity();

enum class Liveness { alive, dead, unknown };
/// alive/dead for a process on this host (dead also when its pid now belongs to a process started
/// at another time); unknown for another host.
Liveness liveness(const ProcessIdentity& owner);

/// A random 128-bit hex token naming one lease acquisition.
std::string random_token();

}  // namespace weft::store::detail
