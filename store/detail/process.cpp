// SPDX-License-Identifier: MIT
#include "store/detail/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace weft::store::detail {
namespace {

std::string process_start(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  // Field 2 (comm) may contain spaces and parentheses: skip past the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  // Fields 3.. follow: the state (a zombie has exited: report it as gone), ..., starttime (22).
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return {};
    if (i == 22) return field;
  }
  return {};
}

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown-host";
  return buffer;
}

}  // namespace

ProcessIdentity self_identity() {
  // Cached per pid: a fork() child recomputes its own.
  static thread_local ProcessIdentity cached;
  const auto pid = static_cast<std::int64_t>(getpid());
  if (cached.pid != pid) {
    cached.pid = pid;
    cached.host = host_name();
    cached.start = process_start(pid);
  }
  return cached;
}

Liveness liveness(const ProcessIdentity& owner) {
  if (owner.host != host_name()) return Liveness::unknown;
  if (owner.pid <= 0) return Liveness::dead;
  if (kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH) return Liveness::dead;
  if (!owner.start.empty()) {
    const std::string now_start = process_start(owner.pid);
    // A zombie or a process whose /proc entry vanished between the two checks is gone too.
    if (now_start.empty()) return Liveness::dead;
    if (now_start != owner.start) return Liveness::dead;  // the pid was reused
  }
  return Liveness::alive;
}

std::string random_token() {
  static thread_local std::mt19937_64 engine{std::random_device{}() ^ static_cast<std::uint64_t>(getpid())};
  char buffer[33];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return buffer;
}

}  // namespace weft::store::detail
