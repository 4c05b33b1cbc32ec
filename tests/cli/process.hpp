// SPDX-License-Identifier: MIT
#pragma once
// Spawning the built `weft` binary from tests: argv, extra environment, captured stdout/stderr,
// exit code or terminating signal. POSIX only (fork/exec with pipes).

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weft::test {

struct ProcessResult {
  int exit_code = -1;  ///< -1 when killed by a signal
  int signal = 0;      ///< the terminating signal, 0 when it exited
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;  ///< added to (or replacing in) the parent's environment
  std::vector<std::string> unset_env;      ///< removed from the child's environment
  std::string cwd;                         ///< working directory; empty = the parent's
  std::string stdin_text;                  ///< written to the child's stdin, then closed
};

/// Runs `program` with `args` and waits for it. Throws std::runtime_error if it cannot start.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const ProcessOptions& options = {});

/// A child process left running (e.g. `weft sandbox`): its first stdout line can be read, and
/// stop() sends SIGTERM and waits. The destructor stops it too.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& program, const std::vector<std::string>& args,
                    const ProcessOptions& options = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  /// The next line of its stdout (without the newline); throws std::runtime_error at EOF.
  std::string read_line();
  /// SIGTERM, then waits; returns the exit code (-1 if killed by a signal). Idempotent.
  int stop();
  /// SIGKILL at once (no chance to clean up, as a crash or the OOM killer), then waits; returns
  /// the terminating signal (0 when it had already exited). Idempotent.
  int kill_now();

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  int status_ = -1;
};

/// The path of the built weft binary (WEFT_BINARY compile definition).
std::string weft_binary();

/// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace weft::test
