// SPDX-License-Identifier: MIT
// weft-bench-cli: the `weft` command's own latencies, measured from outside the process
// (issue 5's "How well"):
//
//   resume   `weft resume THREAD --resume '{"action":"approve"}'` of a vip_outreach thread waiting
//            for approval: from just before the process is spawned to the moment the first node's
//            debug "task" line (`--stream debug`, written and flushed right before the node runs)
//            arrives on the bench's end of the stderr pipe. Each run resumes a fresh copy of the same
//            waiting database and sandbox state, so every run does the same work.
//   triage   `weft run spam_triage --input '{"limit":20}'` offline (in-process sandbox, offline model,
//            sync checkpoints after every step) on a fresh database: spawn to exit, wall.
//
// Usage: weft-bench-cli [--weft PATH] [--runs N] [--only resume|triage] [--keep DIR]
// Prints one line per scenario: median, p90, min, max in ms over N runs (default 30).

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Spawned {
  pid_t pid = -1;
  int err_fd = -1;  // the child's stderr (read end)
};

// Spawns `argv` with stdout to `out_path` and stderr on a pipe. (Variables that would point a
// run at real services are removed from the environment in main, so every run is offline.)
Spawned spawn(const std::vector<std::string>& argv, const std::string& out_path) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Spawned s;
  if (posix_spawn(&s.pid, args[0], &actions, nullptr, args.data(), environ) != 0)
    throw std::runtime_error("cannot start " + argv[0]);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  s.err_fd = fds[0];
  return s;
}

// Reads the child's stderr to EOF; returns it, and the time `marker` first appeared (if given).
std::string drain(int fd, const std::string& marker, Clock::time_point* seen) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (seen && *seen == Clock::time_point{} && !marker.empty() && text.find(marker) != std::string::npos)
      *seen = Clock::now();
  }
  close(fd);
  return text;
}

// Waits for the child; returns its exit code and the CPU time it used (user + system), which,
// unlike wall time, does not grow when other processes compete for the cores.
int wait_exit(pid_t pid, double* cpu_ms) {
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  *cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Run {
  int exit_code;
  std::string err;
  double ms_to_marker;  // -1 when the marker never appeared
  double ms_total;
  double cpu_ms;  // the child's user + system time, whole run
};

Run run(const std::vector<std::string>& argv, const std::string& marker = {},
        const std::string& out_path = "/dev/null") {
  const Clock::time_point start = Clock::now();
  Spawned s = spawn(argv, out_path);
  Clock::time_point seen{};
  std::string err = drain(s.err_fd, marker, &seen);
  double cpu_ms = 0;
  const int code = wait_exit(s.pid, &cpu_ms);
  const Clock::time_point end = Clock::now();
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  return {code, std::move(err), seen == Clock::time_point{} ? -1.0 : ms(seen - start), ms(end - start), cpu_ms};
}

void copy_dir_files(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from))
    fs::copy_file(entry.path(), to / entry.path().filename(), fs::copy_options::overwrite_existing);
}

void report(const std::string& what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1) + 0.5))];
  };
  std::printf("%-44s n=%zu  median %.2f ms  p90 %.2f ms  min %.2f ms  max %.2f ms\n", what.c_str(), ms.size(), at(0.5),
              at(0.9), ms.front(), ms.back());
}

void bench_resume(const std::string& weft, const fs::path& work, int runs) {
  // A vip_outreach thread waiting for approval of its first greeting.
  const fs::path waiting = work / "waiting";
  fs::create_directories(waiting);
  const std::string input = R"({"min_seconds_on_pricing":0,"require_approval":true,"max_greetings":3})";
  Run first =
      run({weft, "run", "vip_outreach", "--thread", "bench", "--db", (waiting / "weft.db").string(), "--input", input});
  if (first.exit_code != 3) throw std::runtime_error("vip_outreach did not stop for approval:\n" + first.err);

  std::vector<double> to_node, total, cpu;
  for (int i = 0; i < runs + 1; ++i) {
    const fs::path dir = work / ("resume-" + std::to_string(i));
    copy_dir_files(waiting, dir);
    Run r = run({weft, "resume", "bench", "--db", (dir / "weft.db").string(), "--resume", R"({"action":"approve"})",
                 "--stream", "debug"},
                R"(debug {"type":"task")");
    if (r.exit_code != 0 && r.exit_code != 3) throw std::runtime_error("resume failed:\n" + r.err);
    if (r.ms_to_marker < 0) throw std::runtime_error("no debug task line in:\n" + r.err);
    fs::remove_all(dir);
    if (i == 0) continue;  // warm-up: page cache, dynamic loader
    to_node.push_back(r.ms_to_marker);
    total.push_back(r.ms_total);
    cpu.push_back(r.cpu_ms);
  }
  report("resume vip_outreach: start -> first node", to_node);
  report("resume vip_outreach: start -> exit", total);
  report("resume vip_outreach: CPU (user+sys), whole run", cpu);
}

void bench_triage(const std::string& weft, const fs::path& work, int runs) {
  std::vector<double> total, cpu;
  for (int i = 0; i < runs + 1; ++i) {
    const fs::path dir = work / ("triage-" + std::to_string(i));
    fs::create_directories(dir);
    Run r = run({weft, "run", "spam_triage", "--thread", "bench", "--db", (dir / "weft.db").string(), "--input",
                 R"({"limit":20})"},
                {}, (dir / "summary.txt").string());
    if (r.exit_code != 0) throw std::runtime_error("spam_triage failed:\n" + r.err);
    std::ifstream summary(dir / "summary.txt");
    std::string first_line;
    std::getline(summary, first_line);
    if (first_line.find("Triaged 20 ") == std::string::npos)
      throw std::runtime_error("spam_triage did not triage 20 conversations: " + first_line);
    if (i == 0) std::printf("%s\n", first_line.c_str());
    fs::remove_all(dir);
    if (i == 0) continue;
    total.push_back(r.ms_total);
    cpu.push_back(r.cpu_ms);
  }
  report("run spam_triage limit 20 (offline): wall", total);
  report("run spam_triage limit 20 (offline): CPU", cpu);
}

}  // namespace

int main(int argc, char** argv) {
  std::string weft = WEFT_BINARY;
  std::string only;
  std::string keep;
  int runs = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--weft" && i + 1 < argc)
      weft = argv[++i];
    else if (a == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else if (a == "--keep" && i + 1 < argc)
      keep = argv[++i];
    else {
      std::fprintf(stderr, "usage: weft-bench-cli [--weft PATH] [--runs N] [--only resume|triage] [--keep DIR]\n");
      return 2;
    }
  }
  for (const char* name : {"CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL",
                           "OPENAI_API_KEY", "OPENAI_BASE_URL", "WEFT_MODEL", "WEFT_DB", "WEFT_CRASH_AT"})
    unsetenv(name);
  const fs::path work =
      keep.empty() ? fs::temp_directory_path() / ("weft-bench-cli-" + std::to_string(getpid())) : fs::path(keep);
  fs::create_directories(work);
  std::printf("weft: %s\n", weft.c_str());
  try {
    if (only.empty() || only == "resume") bench_resume(weft, work, runs);
    if (only.empty() || only == "triage") bench_triage(weft, work, runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-bench-cli: %s\n", e.what());
    if (keep.empty()) fs::remove_all(work);
    return 1;
  }
  if (keep.empty()) fs::remove_all(work);
  return 0;
}
