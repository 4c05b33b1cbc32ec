// (f) Storage cost without the graph runtime: SqliteStore::put_checkpoint / put_writes / get /
// list called directly, mirroring the LangGraph.js peer's bench-saver.mjs (a checkpoint of two
// small channels per step, then the three writes of its task). Durability sync, WAL, NORMAL.
// usage: weft_bench_store_saver [--n=10000] [--payload=0] [--dir=/tmp] [--durability=sync|async] [--grace=0]
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

  double put_us = 0, writes_us = 0;
  const double cpu0 = static_cast<double>(std::clock());
  const double t0 = bench::now_us();
  {
    SqliteOptions options;
    options.sync_writes_grace_ms = std::stoi(bench::arg(args, "grace", "0"));
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
      r.deltas = {ChannelDelta{"counter", DeltaOp::replace, i},
                  ChannelDelta{"log", DeltaOp::replace, boost::json::string("step " + std::to_string(i) + padding)}};
      for (auto& d : r.deltas) apply_delta(values, d);
      double t = bench::now_us();
      store.put_checkpoint(r, values, durability);
      put_us += bench::now_us() - t;
      TaskWrites w{"saver-1", "", r.id, "00000000-0000-0000-0000-000000000001", "step",
                   {ChannelWrite{"counter", i + 1}, ChannelWrite{"log", boost::json::string("step " + std::to_string(i + 1))},
                    ChannelWrite{"branch:to:step", nullptr}}};
      t = bench::now_us();
      store.put_writes(w, durability);
      writes_us += bench::now_us() - t;
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
    if (!got || got->values.at("counter").as_int64() != n - 1) {
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
  boost::json::object result{{"bench", "saver"},
                             {"impl", "weft"},
                             {"n", n},
                             {"payload", payload},
                             {"durability", durability_name},
                             {"sync_writes_grace_ms", std::stoi(bench::arg(args, "grace", "0"))},
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
