// SPDX-License-Identifier: MIT
// weft_store_crash_helper: runs a small graph on a SqliteStore and, when told, dies with _exit(42)
// at a named point, as a crashed process would (no destructors, no flush, no lease release).
//
// usage: weft_store_crash_helper <db> <side-file> <graph> <action> [<crash-point>]
//   graph:  pipeline  rounds of start -> (a || b) -> join, b posting through ctx.effect
//           approval  draft -> review (ctx.interrupt) -> publish (ctx.effect)
//   action: run (fresh input) | continue (null input: resume after a crash) | approve (resume value)
//           | update (update_state {"note":"edited"}) | fork:<checkpoint id> (run from an old checkpoint)
//   crash-point: none | after_writes:K | before_checkpoint:K | after_checkpoint:K | in_effect:K
//                (K counts calls in this process, from 1)
// The side file is the "outside world": one line per node execution ("run <node> <task_id>"), per
// task whose writes were committed ("committed <task_id>") and per effect performed
// ("effect <key>"); effects also append to <db>.world, which reconcile() reads after a crash.
// Exit codes: 0 done, 10 interrupted, 42 crashed on purpose, 1 error.
#include "engine/state_graph.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace weft;

namespace {

std::string g_side;
std::string g_world;  // <db>.world: the effects' outside world, shared by every process on the db
std::string g_crash_kind = "none";
int g_crash_at = 0;

/// Appends one line with a single write(2): visible to the parent even after _exit.
void append_line(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) std::_Exit(3);
  const std::string text = line + "\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::_Exit(3);
  ::close(fd);
}

void side(const std::string& line) { append_line(g_side, line); }

bool world_has(const std::string& line) {
  std::ifstream in(g_world);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line) return true;
  }
  return false;
}

void maybe_crash(const std::string& kind) {
  static std::map<std::string, int> counts;
  if (kind != g_crash_kind) return;
  if (++counts[kind] == g_crash_at) _exit(42);
}

/// Forwards to the SqliteStore, dying at the chosen point.
class CrashingStore final : public Checkpointer, public EffectJournal {
 public:
  explicit CrashingStore(std::shared_ptr<SqliteStore> store) : store_(std::move(store)) {}
  void put_writes(const TaskWrites& w, Durability d) override {
    store_->put_writes(w, d);
    side("committed " + w.task_id);
    maybe_crash("after_writes");
  }
  void put_checkpoint(const CheckpointRecord& r, const boost::json::object& values, Durability d) override {
    maybe_crash("before_checkpoint");
    store_->put_checkpoint(r, values, d);
    maybe_crash("after_checkpoint");
  }
  std::optional<CheckpointTuple> get(const std::string& t, const std::string& ns, const std::string& id) override {
    return store_->get(t, ns, id);
  }
  std::vector<CheckpointTuple> list(const std::string& t, const std::string& ns, const ListOptions& o) override {
    return store_->list(t, ns, o);
  }
  void set_thread_status(const std::string& t, ThreadStatus s, const std::string& g,
                         const boost::json::object& m) override {
    store_->set_thread_status(t, s, g, m);
  }
  std::optional<ThreadInfo> thread(const std::string& t) override { return store_->thread(t); }
  std::vector<ThreadInfo> threads() override { return store_->threads(); }
  void delete_thread(const std::string& t) override { store_->delete_thread(t); }
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& t) override { return store_->acquire_lease(t); }
  void flush() override { store_->flush(); }
  EffectEntry find(const std::string& t, const std::string& k) override { return store_->find(t, k); }
  void begin(const std::string& t, const std::string& k) override { store_->begin(t, k); }
  void finish(const std::string& t, const std::string& k, const boost::json::value& r) override {
    store_->finish(t, k, r);
  }
  void abandon(const std::string& t, const std::string& k) override { store_->abandon(t, k); }

 private:
  std::shared_ptr<SqliteStore> store_;
};

/// An effect that records itself in the outside world; the reconcile step looks there.
boost::asio::awaitable<boost::json::value> post(NodeContext ctx, std::string key, boost::json::value result) {
  const std::string world_key = ctx.task_id() + ":" + key;
  auto reconcile = [world_key, result]() -> boost::asio::awaitable<std::optional<boost::json::value>> {
    if (world_has("effect " + world_key)) co_return result;  // it did happen: record, do not redo
    co_return std::nullopt;
  };
  auto body = [world_key, result]() -> boost::json::value {
    append_line(g_world, "effect " + world_key);
    side("effect " + world_key);
    maybe_crash("in_effect");
    return result;
  };
  // GCC 12: no co_await in a full-expression that builds a capturing lambda; hoist it.
  boost::asio::awaitable<boost::json::value> pending = ctx.effect(key, std::move(body), std::move(reconcile));
  boost::json::value got = co_await std::move(pending);
  co_return got;
}

CompiledGraph pipeline() {
  StateGraph g({{"round", Channel::last_value()}, {"log", Channel::append()}, {"posted", Channel::append()}},
               "pipeline");
  g.add_node("start", [](StateView s, NodeContext ctx) {
    side("run start " + ctx.task_id());
    return boost::json::object{{"round", s.get_int("round") + 1}, {"log", boost::json::array{"start"}}};
  });
  g.add_node("a", [](StateView s, NodeContext ctx) {
    side("run a " + ctx.task_id());
    return boost::json::object{{"log", boost::json::array{"a" + std::to_string(s.get_int("round"))}}};
  });
  g.add_node("b", [](StateView s, NodeContext ctx) -> boost::asio::awaitable<boost::json::object> {
    // Yield once, as a node waiting on I/O would: the sync sibling 'a' then finishes while 'b' is
    // still running, so 'a' is saved on its own and 'b' completes the step.
    auto executor = co_await boost::asio::this_coro::executor;
    auto yielded = boost::asio::post(executor, boost::asio::use_awaitable);
    co_await std::move(yielded);
    side("run b " + ctx.task_id());
    const std::int64_t round = s.get_int("round");
    boost::json::value request = boost::json::object{{"receipt", round}};
    boost::asio::awaitable<boost::json::value> pending = post(ctx, "post", std::move(request));
    boost::json::value receipt = co_await std::move(pending);
    boost::json::object update;
    update["posted"] = boost::json::array{receipt};
    update["log"] = boost::json::array{"b" + std::to_string(round)};
    co_return update;
  });
  g.add_node("join", [](StateView, NodeContext ctx) {
    side("run join " + ctx.task_id());
    return boost::json::object{{"log", boost::json::array{"join"}}};
  });
  g.add_edge(std::string(START), "start");
  g.add_edge("start", "a");
  g.add_edge("start", "b");
  g.add_edge(std::vector<std::string>{"a", "b"}, "join");
  g.add_conditional_edges(
      "join", [](StateView s) -> Route { return s.get_int("round") >= 3 ? std::string(END) : std::string("start"); },
      std::vector<std::string>{"start", std::string(END)});
  return g.compile();
}

CompiledGraph approval() {
  StateGraph g({{"draft", Channel::last_value()},
                {"decision", Channel::last_value()},
                {"note", Channel::last_value()},
                {"published", Channel::last_value()},
                {"log", Channel::append()}},
               "approval");
  g.add_node("draft", [](StateView, NodeContext ctx) {
    side("run draft " + ctx.task_id());
    return boost::json::object{{"draft", "hello"}, {"log", boost::json::array{"draft"}}};
  });
  g.add_node("review", [](StateView, NodeContext ctx) {
    side("run review " + ctx.task_id());
    boost::json::value answer = ctx.interrupt("approve the draft?");
    return boost::json::object{{"decision", answer}, {"log", boost::json::array{"review"}}};
  });
  g.add_node("publish", [](StateView s, NodeContext ctx) -> boost::asio::awaitable<boost::json::object> {
    side("run publish " + ctx.task_id());
    boost::json::value request = boost::json::string("https://example.test/" + std::string(s.get_string("draft")));
    boost::asio::awaitable<boost::json::value> pending = post(ctx, "publish", std::move(request));
    boost::json::value url = co_await std::move(pending);
    boost::json::object update;
    update["published"] = url;
    update["log"] = boost::json::array{"publish"};
    co_return update;
  });
  g.add_edge(std::string(START), "draft");
  g.add_edge("draft", "review");
  g.add_edge("review", "publish");
  g.add_edge("publish", std::string(END));
  return g.compile();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s <db> <side-file> <graph> <action> [<crash-point>]\n", argv[0]);
    return 2;
  }
  const std::string db = argv[1];
  g_side = argv[2];
  g_world = db + ".world";
  const std::string graph_name = argv[3];
  const std::string action = argv[4];
  if (argc > 5 && std::string(argv[5]) != "none") {
    const std::string point = argv[5];
    const auto colon = point.find(':');
    g_crash_kind = point.substr(0, colon);
    g_crash_at = colon == std::string::npos ? 1 : std::atoi(point.c_str() + colon + 1);
  }
  try {
    SqliteOptions options;
    auto store = std::make_shared<SqliteStore>(db, options);
    auto crashing = std::make_shared<CrashingStore>(store);
    CompiledGraph graph = graph_name == "approval" ? approval() : pipeline();
    RunConfig config;
    config.thread_id = "crash-thread";
    config.checkpointer = crashing;
    config.effect_journal = crashing;
    config.durability = Durability::sync;
    RunResult result;
    if (action == "run") {
      result = graph.invoke(boost::json::object{{"log", boost::json::array{"input"}}}, config);
    } else if (action == "continue") {
      result = graph.invoke(nullptr, config);
    } else if (action == "update") {
      std::printf("%s\n", graph.update_state(config, boost::json::object{{"note", "edited"}}).c_str());
      return 0;
    } else if (action.rfind("fork:", 0) == 0) {
      config.checkpoint_id = action.substr(5);
      result = graph.invoke(nullptr, config);
    } else {
      Command resume;
      resume.resume = boost::json::string(action == "approve" ? "yes" : action);
      result = graph.invoke_resume(resume, config);
    }
    if (result.status == RunStatus::failed) {
      std::fprintf(stderr, "run failed: %s\n", result.error ? result.error->message.c_str() : "?");
      return 1;
    }
    std::printf("%s\n", boost::json::serialize(result.values).c_str());
    return result.status == RunStatus::interrupted ? 10 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
