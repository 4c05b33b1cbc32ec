// SPDX-License-Identifier: MIT
#pragma once
// A `weft worker` (or any weft command) child process for the queue's process tests: its stderr
// goes to a log file the test reads afterwards, and the test may send it any signal (SIGKILL,
// SIGSTOP, SIGCONT, SIGTERM) by its pid. The destructor SIGKILLs and reaps a child still running.

#include <map>
#include <string>
#include <vector>

namespace weft::test {

class ChildProcess {
 public:
  /// Starts `program args` with `env` added to this process's environment and `unset` removed;
  /// stdout and stderr are appended to `log_file`. Throws std::runtime_error if it cannot start.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env, const std::vector<std::string>& unset,
               const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const noexcept { return pid_; }
  void signal(int sig) const;
  /// Waits for the child to end; returns its exit code, or 128 + signal when a signal ended it.
  int wait();
  /// Whether it ended (reaping it if so) without blocking.
  bool ended();

 private:
  int pid_ = -1;
  int status_ = -1;
};

/// The whole content of a file ("" when absent).
std::string read_file(const std::string& path);

}  // namespace weft::test
