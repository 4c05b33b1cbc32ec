// SPDX-License-Identifier: MIT
// Weft side of the LangGraph.js peer benchmarks (/work/shared/peers/langgraphjs), same workloads:
//   linear   (a) one node loops on itself N times          --n=1000 --saver=none|memory|sqlite|sqlite-sync|sqlite-exit
//   growing  (b) each step appends one ~200-byte message    --n=1000 --saver=...
//   resume   (d) --phase=prepare writes a 1000-step thread; --phase=measure (fresh process) times
//                get_state / get_state_history             --fixture=linear|growing
//   threads  (e) T threads x 10 steps into one file         --threads=1000 --mode=sequential|concurrent
// `sqlite` = Durability::async (LangGraph's default), `sqlite-sync` = sync, `sqlite-exit` = exit.
// `postgres` = PostgresStore, Durability::sync, each workload in a fresh database created on the
// server of --postgres-url=URL (bench/postgres/run.sh starts a throwaway one); db_bytes are then
// the total size of the weft_ tables (pg_total_relation_size, after VACUUM).
// --exclusive=1 sets SqliteOptions::exclusive_locking (opt-in; no other connection may use the file).
// --mmap=BYTES (resume, measure) sets SqliteOptions::mmap_size_bytes (opt-in; default 0, off).
// Each prints one `RESULT {json}` line. One file on purpose (~450 lines): the four workloads share
// the graphs, savers and result fields the peer's scripts mirror, and read best side by side.
#include "bench_util.hpp"
#include "engine/state_graph.hpp"
#include "store/memory_checkpointer.hpp"
#include "store/postgres/detail/connection.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>

#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <unistd.h>

using namespace weft;

namespace {

std::map<std::string, std::string> g_args;
std::string g_dir = "/tmp";

boost::json::object make_message(std::int64_t i) {
  std::string body = "step " + std::to_string(i) + ": ";
  for (int k = 0; k < 6; ++k) body += "lorem ipsum dolor sit amet ";
  body.resize(std::min<std::size_t>(body.size(), 150));
  char id[32];
  std::snprintf(id, sizeof id, "msg-%06lld", static_cast<long long>(i));
  return boost::json::object{{"id", id}, {"role", i % 2 ? "assistant" : "tool"}, {"content", body}};
}

struct Saver {
  std::shared_ptr<Checkpointer> checkpointer;
  std::shared_ptr<SqliteStore> sqlite;
  std::string postgres_url;  ///< the fresh database of a `postgres` saver
  Durability durability = Durability::async;
};

/// A fresh database on --postgres-url's server, named after `path`'s file name.
std::string fresh_postgres_database(const std::string& path) {
  const std::string admin = bench::arg(g_args, "postgres-url", "");
  if (admin.empty()) throw std::runtime_error("--saver=postgres needs --postgres-url=URL");
  std::string name = "bench_" + std::to_string(std::hash<std::string>{}(path) % 1000000007);
  store::postgres::detail::Connection c(admin);
  c.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  c.exec("CREATE DATABASE " + name);
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

Saver make_saver(const std::string& kind, const std::string& path) {
  Saver s;
  if (kind == "none") return s;
  if (kind == "memory") {
    s.checkpointer = std::make_shared<MemoryCheckpointer>();
    return s;
  }
  if (kind == "postgres") {
    s.postgres_url = fresh_postgres_database(path);
    s.checkpointer = std::make_shared<PostgresStore>(s.postgres_url);
    s.durability = Durability::sync;
    return s;
  }
  bench::remove_db(path);
  SqliteOptions options;
  options.exclusive_locking = bench::arg(g_args, "exclusive", "0") == "1";
  s.sqlite = std::make_shared<SqliteStore>(path, options);
  s.checkpointer = s.sqlite;
  s.durability = kind == "sqlite-sync"   ? Durability::sync
                 : kind == "sqlite-exit" ? Durability::exit
                                         : Durability::async;
  return s;
}

CompiledGraph linear_graph(std::int64_t n, std::vector<double>* stamps) {
  StateGraph g({{"counter", Channel::last_value()}, {"log", Channel::last_value()}}, "linear");
  g.add_node("step", [n, stamps](StateView s, NodeContext) {
    if (stamps) stamps->push_back(bench::now_us());
    const std::int64_t c = s.get_int("counter") + 1;
    return boost::json::object{{"counter", c}, {"log", "step " + std::to_string(c) + " of " + std::to_string(n)}};
  });
  g.add_edge(std::string(START), "step");
  g.add_conditional_edges(
      "step", [n](StateView s) -> Route { return s.get_int("counter") >= n ? std::string(END) : std::string("step"); },
      std::vector<std::string>{"step", std::string(END)});
  return g.compile();
}

CompiledGraph growing_graph(std::int64_t n, std::vector<double>* stamps) {
  StateGraph g({{"counter", Channel::last_value()}, {"messages", Channel::append()}}, "growing");
  g.add_node("agent", [stamps](StateView s, NodeContext) {
    if (stamps) stamps->push_back(bench::now_us());
    const std::int64_t i = s.get_int("counter") + 1;
    return boost::json::object{{"counter", i}, {"messages", boost::json::array{make_message(i)}}};
  });
  g.add_edge(std::string(START), "agent");
  g.add_conditional_edges(
      "agent",
      [n](StateView s) -> Route { return s.get_int("counter") >= n ? std::string(END) : std::string("agent"); },
      std::vector<std::string>{"agent", std::string(END)});
  return g.compile();
}

RunConfig config_for(const Saver& saver, const std::string& thread, std::int64_t steps) {
  RunConfig config;
  config.thread_id = thread;
  config.recursion_limit = steps + 10;
  config.checkpointer = saver.checkpointer;
  config.durability = saver.durability;
  return config;
}

double cpu_ms() { return static_cast<double>(std::clock()) * 1000.0 / CLOCKS_PER_SEC; }

std::vector<double> deciles(const std::vector<double>& per) {
  std::vector<double> out;
  for (std::size_t d = 0; d < 10; ++d) {
    out.push_back(bench::mean(per, d * per.size() / 10, (d + 1) * per.size() / 10));
  }
  return out;
}

boost::json::array to_array(const std::vector<double>& xs) {
  boost::json::array a;
  for (double x : xs) a.push_back(x);
  return a;
}

void add_db_stats(boost::json::object& result, const Saver& saver, const std::string& path) {
  if (!saver.postgres_url.empty()) {
    store::postgres::detail::Connection c(saver.postgres_url);
    c.exec("VACUUM");
    auto r = c.exec(
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'weft%'");
    result["db_bytes_after_wal_checkpoint"] = r.int64(0, 0);
    return;
  }
  if (!saver.sqlite) return;
  saver.sqlite->flush();
  result["db_bytes_before_wal_checkpoint"] = bench::file_size(path) + bench::file_size(path + "-wal");
  saver.sqlite->checkpoint_wal();
  result["db_bytes_after_wal_checkpoint"] = bench::file_size(path);
}

int run_linear() {
  const std::int64_t n = std::stoll(bench::arg(g_args, "n", "1000"));
  const std::string kind = bench::arg(g_args, "saver", "sqlite-sync");
  const std::int64_t warmup = std::stoll(bench::arg(g_args, "warmup", "200"));
  const std::string tag = std::to_string(getpid());
  if (warmup > 0) {
    const std::string wf = g_dir + "/weft-warmup-linear-" + tag + ".db";
    Saver s = make_saver(kind, wf);
    linear_graph(warmup, nullptr)
        .invoke(boost::json::object{{"counter", 0}, {"log", ""}}, config_for(s, "warmup", warmup))
        .check();
    if (s.sqlite) s.sqlite->flush();
    s = {};
    bench::remove_db(wf);
  }
  const std::string path = g_dir + "/weft-linear-" + kind + "-" + tag + ".db";
  Saver saver = make_saver(kind, path);
  std::vector<double> stamps;
  stamps.reserve(static_cast<std::size_t>(n) + 1);
  CompiledGraph graph = linear_graph(n, &stamps);
  const double c0 = cpu_ms();
  const double t0 = bench::now_us();
  RunResult out = graph.invoke(boost::json::object{{"counter", 0}, {"log", ""}}, config_for(saver, "linear-1", n));
  if (saver.sqlite) saver.sqlite->flush();  // the run's writes are durable before the clock stops
  const double us = bench::now_us() - t0;
  const double cpu = cpu_ms() - c0;
  out.check();
  if (out.values.at("counter").as_int64() != n) throw std::runtime_error("bad final counter");
  std::vector<double> per;
  for (std::size_t i = 0; i + 1 < stamps.size(); ++i) per.push_back(stamps[i + 1] - stamps[i]);
  const auto dec = deciles(per);
  boost::json::object result{{"bench", "linear"},
                             {"impl", "weft"},
                             {"saver", kind},
                             {"exclusive_locking", bench::arg(g_args, "exclusive", "0") == "1"},
                             {"n", n},
                             {"warmup_steps", warmup},
                             {"wall_ms", us / 1000},
                             {"cpu_ms", cpu},
                             {"steps_per_sec", n / (us / 1e6)},
                             {"us_per_step", us / static_cast<double>(n)},
                             {"cpu_us_per_step", cpu * 1000 / static_cast<double>(n)},
                             {"us_per_step_by_decile", to_array(dec)},
                             {"us_per_step_last_decile", dec.back()}};
  add_db_stats(result, saver, path);
  bench::emit(result);
  saver = {};
  bench::remove_db(path);
  return 0;
}

int run_growing() {
  const std::int64_t n = std::stoll(bench::arg(g_args, "n", "1000"));
  const std::string kind = bench::arg(g_args, "saver", "sqlite");
  const std::int64_t warmup = std::stoll(bench::arg(g_args, "warmup", "100"));
  const std::size_t window = std::stoul(bench::arg(g_args, "window", "100"));
  const std::string tag = std::to_string(getpid());
  if (warmup > 0) {
    const std::string wf = g_dir + "/weft-warmup-growing-" + tag + ".db";
    Saver s = make_saver(kind, wf);
    growing_graph(warmup, nullptr)
        .invoke(boost::json::object{{"counter", 0}, {"messages", boost::json::array{}}},
                config_for(s, "warmup", warmup))
        .check();
    if (s.sqlite) s.sqlite->flush();
    s = {};
    bench::remove_db(wf);
  }
  const std::string path = g_dir + "/weft-growing-" + kind + "-" + tag + ".db";
  Saver saver = make_saver(kind, path);
  std::vector<double> stamps;
  CompiledGraph graph = growing_graph(n, &stamps);
  const double c0 = cpu_ms();
  const double t0 = bench::now_us();
  RunResult out = graph.invoke(boost::json::object{{"counter", 0}, {"messages", boost::json::array{}}},
                               config_for(saver, "growing-1", n));
  if (saver.sqlite) saver.sqlite->flush();
  const double t1 = bench::now_us();
  const double cpu = cpu_ms() - c0;
  out.check();
  if (out.values.at("messages").as_array().size() != static_cast<std::size_t>(n)) throw std::runtime_error("bad state");
  stamps.push_back(t1);
  std::vector<double> per;
  for (std::size_t i = 0; i + 1 < stamps.size(); ++i) per.push_back(stamps[i + 1] - stamps[i]);
  const double first = bench::mean(per, 0, std::min(window, per.size()));
  const double last = bench::mean(per, per.size() - std::min(window, per.size()), per.size());
  boost::json::object result{{"bench", "growing"},
                             {"impl", "weft"},
                             {"saver", kind},
                             {"n", n},
                             {"wall_ms", (t1 - t0) / 1000},
                             {"cpu_ms", cpu},
                             {"steps_per_sec", n / ((t1 - t0) / 1e6)},
                             {"us_per_step_first_window", first},
                             {"us_per_step_last_window", last},
                             {"growth_ratio_last_over_first", last / first},
                             {"cpu_us_per_step", cpu * 1000 / static_cast<double>(n)},
                             {"window", window},
                             {"us_per_step_by_decile", to_array(deciles(per))}};
  // The mean of a window counts one-off costs that land in it (a periodic WAL checkpoint's
  // fsync, the end-of-run flush in the last one); the median is the typical step.
  const std::size_t w = std::min(window, per.size());
  const double first_median =
      bench::median(std::vector<double>(per.begin(), per.begin() + static_cast<std::ptrdiff_t>(w)));
  const double last_median = bench::median(std::vector<double>(per.end() - static_cast<std::ptrdiff_t>(w), per.end()));
  result["us_per_step_first_window_median"] = first_median;
  result["us_per_step_last_window_median"] = last_median;
  result["growth_ratio_median"] = last_median / first_median;
  add_db_stats(result, saver, path);
  bench::emit(result);
  saver = {};
  bench::remove_db(path);
  return 0;
}

int run_resume() {
  const std::int64_t n = std::stoll(bench::arg(g_args, "n", "1000"));
  const std::string fixture = bench::arg(g_args, "fixture", "linear");
  const std::string phase = bench::arg(g_args, "phase", "measure");
  const int repeat = std::stoi(bench::arg(g_args, "repeat", "20"));
  const std::string path = g_dir + "/weft-resume-" + fixture + "-n" + std::to_string(n) + ".db";
  const std::string thread = "resume-" + fixture;
  auto build = [&](std::int64_t steps) {
    return fixture == "growing" ? growing_graph(steps, nullptr) : linear_graph(steps, nullptr);
  };
  boost::json::object init = fixture == "growing"
                                 ? boost::json::object{{"counter", 0}, {"messages", boost::json::array{}}}
                                 : boost::json::object{{"counter", 0}, {"log", ""}};
  if (phase == "prepare") {
    Saver saver = make_saver("sqlite", path);
    const double t0 = bench::now_us();
    build(n).invoke(init, config_for(saver, thread, n)).check();
    saver.sqlite->flush();
    const double ms = (bench::now_us() - t0) / 1000;
    bench::emit(boost::json::object{{"bench", "resume-prepare"},
                                    {"impl", "weft"},
                                    {"fixture", fixture},
                                    {"n", n},
                                    {"wall_ms", ms},
                                    {"db_bytes", bench::file_size(path)},
                                    {"wal_bytes", bench::file_size(path + "-wal")}});
    return 0;
  }
  // measure: this process has never opened the file.
  double t = bench::now_us();
  SqliteOptions options;
  options.mmap_size_bytes = std::stoll(bench::arg(g_args, "mmap", "0"));
  auto store = std::make_shared<SqliteStore>(path, options);
  CompiledGraph graph = build(n);
  const double open_ms = (bench::now_us() - t) / 1000;
  RunConfig config;
  config.thread_id = thread;
  config.checkpointer = store;
  // Thread CPU time beside wall time: on the shared build VM the wall clock also counts the time
  // other processes hold the core.
  t = bench::now_us();
  double c = bench::thread_cpu_us();
  const long faults = bench::thread_page_faults();
  auto snap = graph.get_state(config);
  const double first_ms = (bench::now_us() - t) / 1000;
  const double first_cpu_ms = (bench::thread_cpu_us() - c) / 1000;
  const long first_page_faults = bench::thread_page_faults() - faults;
  if (!snap || snap->values.at("counter").as_int64() != n) throw std::runtime_error("bad get_state");
  std::vector<double> warm, warm_cpu;
  for (int i = 0; i < repeat; ++i) {
    t = bench::now_us();
    c = bench::thread_cpu_us();
    (void)graph.get_state(config);
    warm.push_back((bench::now_us() - t) / 1000);
    warm_cpu.push_back((bench::thread_cpu_us() - c) / 1000);
  }
  std::vector<double> hist;
  std::size_t count = 0;
  const int history_repeats = std::stoi(bench::arg(g_args, "history", "3"));  // 0: loads only (profiling)
  for (int i = 0; i < history_repeats; ++i) {
    t = bench::now_us();
    count = graph.get_state_history(config).size();
    hist.push_back((bench::now_us() - t) / 1000);
  }
  t = bench::now_us();
  (void)store->get(thread, "");
  const double get_ms = (bench::now_us() - t) / 1000;
  t = bench::now_us();
  const std::size_t listed = store->list(thread, "").size();
  const double list_ms = (bench::now_us() - t) / 1000;
  bench::emit(boost::json::object{
      {"bench", "resume"},
      {"impl", "weft"},
      {"fixture", fixture},
      {"n", n},
      {"mmap_size_bytes", options.mmap_size_bytes},
      {"open_and_compile_ms", open_ms},
      {"getState_first_ms", first_ms},
      {"getState_warm_median_ms", bench::median(warm)},
      {"getState_first_cpu_ms", first_cpu_ms},
      {"getState_first_page_faults", first_page_faults},
      {"getState_warm_median_cpu_ms", bench::median(warm_cpu)},
      {"getStateHistory_first_ms", hist.empty() ? 0.0 : hist[0]},
      {"getStateHistory_repeat_median_ms", hist.size() < 3 ? 0.0 : bench::median({hist[1], hist[2]})},
      {"history_entries", count},
      {"saver_getTuple_ms", get_ms},
      {"saver_list_all_ms", list_ms},
      {"saver_list_entries", listed},
      {"db_bytes", bench::file_size(path)}});
  return 0;
}

int run_threads() {
  const int threads = std::stoi(bench::arg(g_args, "threads", "1000"));
  const std::int64_t steps = std::stoll(bench::arg(g_args, "steps", "10"));
  const std::string mode = bench::arg(g_args, "mode", "sequential");
  const int batch = std::stoi(bench::arg(g_args, "batch", "50"));
  const std::string kind = bench::arg(g_args, "saver", "sqlite");
  const int warmup = std::stoi(bench::arg(g_args, "warmup", "50"));
  const std::string tag = std::to_string(getpid());
  CompiledGraph graph = linear_graph(steps, nullptr);
  auto run_all = [&](const Saver& saver, int count, const std::string& prefix) {
    const boost::json::object init{{"counter", 0}, {"log", ""}};
    if (mode == "sequential") {
      for (int i = 0; i < count; ++i) {
        RunResult r = graph.invoke(init, config_for(saver, prefix + "-" + std::to_string(i), steps));
        if (r.values.at("counter").as_int64() != steps) throw std::runtime_error("bad thread result");
      }
    } else {
      for (int b = 0; b < count; b += batch) {
        boost::asio::io_context io;
        for (int i = b; i < std::min(count, b + batch); ++i) {
          boost::asio::co_spawn(io, graph.run(init, config_for(saver, prefix + "-" + std::to_string(i), steps)),
                                [](std::exception_ptr e, RunResult r) {
                                  if (e) std::rethrow_exception(e);
                                  r.check();
                                });
        }
        io.run();
      }
    }
    if (saver.sqlite) saver.sqlite->flush();
  };
  if (warmup > 0) {
    const std::string wf = g_dir + "/weft-warmup-threads-" + tag + ".db";
    Saver s = make_saver(kind, wf);
    run_all(s, warmup, "warmup");
    s = {};
    bench::remove_db(wf);
  }
  const std::string path = g_dir + "/weft-threads-" + mode + "-" + tag + ".db";
  Saver saver = make_saver(kind, path);
  const double c0 = cpu_ms();
  const double t0 = bench::now_us();
  run_all(saver, threads, "thread");
  const double ms = (bench::now_us() - t0) / 1000;
  const double cpu = cpu_ms() - c0;
  std::size_t stored = saver.sqlite ? saver.sqlite->threads().size() : static_cast<std::size_t>(threads);
  if (stored != static_cast<std::size_t>(threads)) throw std::runtime_error("stored thread count differs");
  boost::json::object result{{"bench", "threads"},
                             {"impl", "weft"},
                             {"mode", mode},
                             {"saver", kind},
                             {"threads", threads},
                             {"steps", steps},
                             {"wall_ms", ms},
                             {"cpu_ms", cpu},
                             {"runs_per_sec", threads / (ms / 1000)},
                             {"runs_per_cpu_sec", threads / (cpu / 1000)},
                             {"steps_per_sec", threads * steps / (ms / 1000)}};
  add_db_stats(result, saver, path);
  bench::emit(result);
  saver = {};
  bench::remove_db(path);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s linear|growing|resume|threads [--key=value ...]\n", argv[0]);
    return 2;
  }
  g_args = bench::parse_args(argc, argv);
  g_dir = bench::arg(g_args, "dir", "/tmp");
  const std::string what = argv[1];
  try {
    if (what == "linear") return run_linear();
    if (what == "growing") return run_growing();
    if (what == "resume") return run_resume();
    if (what == "threads") return run_threads();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown benchmark '%s'\n", what.c_str());
  return 2;
}
