// SPDX-License-Identifier: MIT
// (f) Storage cost without the graph runtime: SqliteStore::put_checkpoint / put_writes / get /
// list called directly, mirroring the LangGraph.js peer's bench-saver.mjs (a checkpoint of two
// small channels per step, then the three writes of its task). Durability sync, WAL, NORMAL.
// usage: weft_bench_store_saver [--n=10000] [--payload=0] [--dir=/tmp] [--durability=sync|async]
#include "bench_util.hpp"
#include "store/sqlite_store.hpp"

#include <boost/json/array.hpp>

#include <cstdio>
#include <unistd.h>

using namespace weft;

int main(int argc, char** argv) {
  const auto args = bench::parse_args(argc, argv);
  const int n = std::stoi(bench::arg(args, "n", "10000"));
  const int payload = std::stoi(bench::arg(args, "payload", "0"));
  const std::string durability_name = bench::arg(args, "durability", "sync");
  const Durability durability = durability_name == "async" ? Durability::async : Durability::sync;
  const std::string path = bench::arg(args, "dir", "/tmp") + "/weft-bench-saver-" + std::to_string(getpid()) + ".db";
  bench::remove_db(path);
  const std::string padding(static_cast<std::size_t>(payload), 'x');
  // --growing=1: each step appends one ~200-byte message instead of replacing a small string (the
  // storage side of workload (b)); per-step cost is reported for the first and last 100 steps.
  const bool growing = bench::arg(args, "growing", "0") == "1";
  std::vector<double> step_us, step_cpu_us;
  step_us.reserve(static_cast<std::size_t>(n));
  auto message = [](int i) {
    std::string body = "step " + std::to_string(i) + ": ";
    for (int k = 0; k < 6; ++k) body += "lorem ipsum dolor sit amet ";
    body.resize(150);
    char id[32];
    std::snprintf(id, sizeof id, "msg-%06d", i);
    return boost::json::object{{"id", id}, {"role", i % 2 ? "assistant" : "tool"}, {"content", body}};
  };

  double put_us = 0, writes_us = 0;
  const double cpu0 = static_cast<double>(std::clock());
  const double t0 = bench::now_us();
  {
    SqliteOptions options;
    if (args.count("min-steps")) options.snapshot_min_steps = std::stoi(bench::arg(args, "min-steps", "8"));
    SqliteStore store(path, options);
    boost::json::object values;
    std::string parent;
    auto id_of = [](int i) {
      char b[32];
      std::snprintf(b, sizeof b, "%012d", i);
      return std::string(b);
    };
    for (int i = 0; i < n; ++i) {
      CheckpointRecord r;
      r.thread_id = "saver-1";
      r.id = id_of(i);
      r.parent_id = parent;
      r.step = i;
      r.created_at_ms = 1;
      r.metadata = boost::json::object{{"source", "loop"}, {"step", i}};
      r.next = boost::json::object{{"nodes", boost::json::array{"step"}}};
      r.deltas = {
          ChannelDelta{"counter", DeltaOp::replace, i},
          growing ? ChannelDelta{"messages", DeltaOp::append, boost::json::array{message(i)}}
                  : ChannelDelta{"log", DeltaOp::replace, boost::json::string("step " + std::to_string(i) + padding)}};
      for (auto& d : r.deltas) apply_delta(values, d);
      const double cpu_t = bench::thread_cpu_us();
      double t = bench::now_us();
      store.put_checkpoint(r, values, durability);
      const double p_us = bench::now_us() - t;
      put_us += p_us;
      TaskWrites w{
          "saver-1",
          "",
          r.id,
          "00000000-0000-0000-0000-000000000001",
          "step",
          {ChannelWrite{"counter", i + 1}, ChannelWrite{"log", boost::json::string("step " + std::to_string(i + 1))},
           ChannelWrite{"branch:to:step", nullptr}}};
      t = bench::now_us();
      store.put_writes(w, durability);
      const double w_us = bench::now_us() - t;
      writes_us += w_us;
      step_us.push_back(p_us + w_us);
      step_cpu_us.push_back(bench::thread_cpu_us() - cpu_t);
      parent = r.id;
    }
    store.flush();
  }
  const double wall_ms = (bench::now_us() - t0) / 1000;
  const double cpu_ms = (static_cast<double>(std::clock()) - cpu0) * 1000 / CLOCKS_PER_SEC;

  // Read side, in the same process as the peer does (a fresh store object, warm OS cache).
  SqliteStore store(path);
  std::vector<double> gets;
  for (int i = 0; i < 200; ++i) {
    const double t = bench::now_us();
    auto got = store.get("saver-1", "");
    gets.push_back(bench::now_us() - t);
    if (!got || got->values.at("counter").as_int64() != n - 1 ||
        (growing && got->values.at("messages").as_array().size() != static_cast<std::size_t>(n))) {
      std::fprintf(stderr, "bad latest state\n");
      return 1;
    }
  }
  double t = bench::now_us();
  auto all = store.list("saver-1", "");
  const double list_ms = (bench::now_us() - t) / 1000;
  if (static_cast<int>(all.size()) != n) {
    std::fprintf(stderr, "list returned %zu\n", all.size());
    return 1;
  }
  store.checkpoint_wal();
  boost::json::object result{
      {"bench", "saver"},
      {"impl", "weft"},
      {"n", n},
      {"payload", payload},
      {"growing", growing},
      {"cpu_us_per_step_storage", bench::mean(step_cpu_us, 0, step_cpu_us.size())},
      {"cpu_us_per_step_first_100", bench::mean(step_cpu_us, 0, std::min<std::size_t>(100, step_cpu_us.size()))},
      {"cpu_us_per_step_last_100",
       bench::mean(step_cpu_us, step_cpu_us.size() - std::min<std::size_t>(100, step_cpu_us.size()),
                   step_cpu_us.size())},
      {"us_per_step_first_100", bench::mean(step_us, 0, std::min<std::size_t>(100, step_us.size()))},
      {"us_per_step_last_100",
       bench::mean(step_us, step_us.size() - std::min<std::size_t>(100, step_us.size()), step_us.size())},
      {"durability", durability_name},
      {"wall_ms", wall_ms},
      {"cpu_ms", cpu_ms},
      {"us_per_put", put_us / n},
      {"us_per_putWrites3", writes_us / n},
      {"us_per_step_storage", (put_us + writes_us) / n},
      {"getTuple_latest_median_us", bench::median(gets)},
      {"list_all_ms", list_ms},
      {"list_us_per_checkpoint", list_ms * 1000 / n},
      {"db_bytes_after_wal_checkpoint", bench::file_size(path)}};
  bench::emit(result);
  bench::remove_db(path);
}
