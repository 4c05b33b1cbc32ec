// SPDX-License-Identifier: MIT
#pragma once
// Small helpers shared by the store benchmarks: clock, args, result line, file sizes.

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <sys/resource.h>
#include <time.h>
#include <vector>

namespace weft::bench {

inline double now_us() {
  using namespace std::chrono;
  return duration<double, std::micro>(steady_clock::now().time_since_epoch()).count();
}

/// CPU time of the calling thread (user + system), µs: robust to other processes' load.
inline double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

/// Page faults this thread has taken so far (minor: a first touch of a page; major: a read).
inline long thread_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt + usage.ru_majflt;
}

/// --key=value arguments.
inline std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) continue;
    auto eq = a.find('=');
    if (eq == std::string::npos)
      out[a.substr(2)] = "1";
    else
      out[a.substr(2, eq - 2)] = a.substr(eq + 1);
  }
  return out;
}

inline std::string arg(const std::map<std::string, std::string>& args, const std::string& key, std::string fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

inline double median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  const auto n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

inline double mean(const std::vector<double>& xs, std::size_t from, std::size_t to) {
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += xs[i];
  return to > from ? sum / static_cast<double>(to - from) : 0;
}

inline std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

inline void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
}

/// One line `RESULT {json}` on stdout, as the LangGraph.js peer's scripts print.
inline void emit(const boost::json::object& result) {
  std::printf("RESULT %s\n", boost::json::serialize(result).c_str());
  std::fflush(stdout);
}

}  // namespace weft::bench
