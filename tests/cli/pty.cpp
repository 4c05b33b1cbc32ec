// SPDX-License-Identifier: MIT
#include "tests/cli/pty.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <stdexcept>

extern char** environ;

namespace weft::test {

PtyResult run_in_pty(const std::string& program, const std::vector<std::string>& args, const ProcessOptions& options,
                     std::function<std::string(const std::string& output)> on_output) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (auto eq = kv.find('='); eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [k, v] : options.env) env[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  winsize size{};
  size.ws_col = 100;
  size.ws_row = 30;
  int master = -1;
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(126);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  PtyResult result;
  char buffer[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0) {
      ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO: every process holding the terminal has gone
      result.output.append(buffer, static_cast<std::size_t>(n));
      if (on_output) {
        std::string typed = on_output(result.output);
        if (!typed.empty() && ::write(master, typed.data(), typed.size()) < 0) break;
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.elapsed = std::chrono::steady_clock::now() - started;
  ::close(master);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace weft::test
