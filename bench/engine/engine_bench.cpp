// SPDX-License-Identifier: MIT
// Engine overhead: how long the superstep machinery takes when nodes do nothing.
//
//   weft_bench_engine [--quick] [--plain]
//
// --quick runs fewer repetitions; --plain skips the checkpointer variants (for profiling).
//
// Scenarios (each repeated, best and median of the repetitions printed):
//   loop N      a one-integer state self loop of N steps (node returns {"n": n+1}, a router
//               goes back to the node until n == N); reported per step
//   chain       START -> a -> b -> c -> END, one invocation; reported per invocation
//   fanout 100  a router Sends 100 tasks, each appends one item, all join into one node;
//               reported per round (one invocation = plan + 100 tasks + join)
// each with no checkpointer and with the in-memory one (Durability::sync). Then, with no
// checkpointer:
//   growing     each step appends one ~200-byte message, 1,000 steps, to an append channel and
//               to a messages channel (merged by id); the mean per-step cost of the first and of
//               the last 100 steps (node-to-node thread CPU time), to show what grows with history

#include "engine/state_graph.hpp"
#include "store/memory_checkpointer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace weft;

namespace {

CompiledGraph self_loop(std::int64_t steps) {
  StateGraph g({{"n", Channel::last_value()}}, "self_loop");
  g.add_node("loop", [](StateView s, NodeContext) { return json::object{{"n", s.get_int("n") + 1}}; });
  g.add_edge(std::string(START), "loop");
  g.add_conditional_edges(
      "loop", [steps](StateView s) -> Route { return s.get_int("n") < steps ? Route("loop") : Route(END); },
      std::vector<std::string>{"loop"});
  return g.compile();
}

CompiledGraph chain() {
  StateGraph g({{"n", Channel::last_value()}}, "chain");
  for (const char* name : {"a", "b", "c"})
    g.add_node(name, [](StateView s, NodeContext) { return json::object{{"n", s.get_int("n") + 1}}; });
  g.add_edge(std::string(START), "a");
  g.add_edge("a", "b");
  g.add_edge("b", "c");
  g.add_edge("c", std::string(END));
  return g.compile();
}

CompiledGraph fanout(int width) {
  StateGraph g({{"items", Channel::append()}, {"count", Channel::last_value()}}, "fanout");
  g.add_node("plan", [](StateView, NodeContext) {});
  g.add_node("work", [](StateView in, NodeContext) { return json::object{{"items", in.get_int("i")}}; });
  g.add_node("join", [](StateView s, NodeContext) {
    return json::object{{"count", static_cast<std::int64_t>(s.at("items").as_array().size())}};
  });
  g.add_edge(std::string(START), "plan");
  g.add_conditional_edges(
      "plan",
      [width](StateView) -> Route {
        std::vector<Send> sends;
        sends.reserve(static_cast<std::size_t>(width));
        for (int i = 0; i < width; ++i) sends.push_back(Send{"work", json::object{{"i", i}}});
        return sends;
      },
      std::vector<std::string>{"work"});
  g.add_edge("work", "join");
  return g.compile();
}

std::string message_text(std::int64_t i) {
  std::string text = "step " + std::to_string(i) + ": ";
  while (text.size() < 150) text += "lorem ipsum dolor sit amet ";
  text.resize(150);
  return text;
}

// A self loop appending one message per step to `messages`, stamping the thread CPU clock.
CompiledGraph growing(Channel channel, std::int64_t steps, std::vector<double>& stamps);

RunResult run_once(boost::asio::io_context& io, const CompiledGraph& graph, RunConfig config) {
  RunResult out;
  boost::asio::co_spawn(io, graph.run(json::object(), std::move(config)), [&](std::exception_ptr e, RunResult r) {
    if (e) std::rethrow_exception(e);
    out = std::move(r);
  });
  io.restart();
  io.run();
  return out;
}

struct Stats {
  double best, median, wall_best;
};

// What the last seconds_of() call measured: thread CPU time and wall time.
double last_cpu_seconds = 0;
double last_wall_seconds = 0;

Stats measure(int repetitions, const std::function<double()>& once) {
  std::vector<double> samples;
  double wall_best = 1e300;
  for (int i = 0; i < repetitions; ++i) {
    const double value = once();  // CPU seconds scaled to the scenario's unit
    samples.push_back(value);
    if (last_cpu_seconds > 0) wall_best = std::min(wall_best, value * last_wall_seconds / last_cpu_seconds);
  }
  std::sort(samples.begin(), samples.end());
  return {samples.front(), samples[samples.size() / 2], wall_best};
}

// CPU time of this thread, not wall time: the machines we share run other builds, and the
// engine never blocks (nodes here do no I/O), so CPU time is the engine's cost.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_of(const std::function<void()>& work) {
  const double start = thread_cpu_seconds();
  const auto wall_start = std::chrono::steady_clock::now();
  work();
  last_wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  last_cpu_seconds = thread_cpu_seconds() - start;
  return last_cpu_seconds;
}

RunConfig config_for(bool checkpointed, int& thread_counter) {
  RunConfig config;
  config.recursion_limit = 1'000'000;
  if (checkpointed) {
    config.checkpointer = std::make_shared<MemoryCheckpointer>();
    config.thread_id = "bench-" + std::to_string(thread_counter++);
    config.durability = Durability::sync;
  }
  return config;
}

CompiledGraph growing(Channel channel, std::int64_t steps, std::vector<double>& stamps) {
  StateGraph g({{"n", Channel::last_value()}, {"messages", std::move(channel)}}, "growing");
  g.add_node("agent", [&stamps](StateView s, NodeContext) {
    stamps.push_back(thread_cpu_seconds());
    const std::int64_t i = s.get_int("n") + 1;
    char id[32];
    std::snprintf(id, sizeof id, "msg-%06lld", static_cast<long long>(i));
    json::object message{{"id", id}, {"role", i % 2 ? "assistant" : "tool"}, {"content", message_text(i)}};
    return json::object{{"n", i}, {"messages", json::array{std::move(message)}}};
  });
  g.add_edge(std::string(START), "agent");
  g.add_conditional_edges(
      "agent", [steps](StateView s) -> Route { return s.get_int("n") < steps ? Route("agent") : Route(END); },
      std::vector<std::string>{"agent"});
  return g.compile();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool plain = false;
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    plain = plain || std::strcmp(argv[i], "--plain") == 0;
  }
  const int repetitions = quick ? 3 : 9;
  boost::asio::io_context io;
  int threads = 0;
  std::printf("weft engine bench (%d repetitions; thread CPU time best, median; best wall time)\n", repetitions);

  for (bool checkpointed : {false, true}) {
    if (checkpointed && plain) break;
    const char* store = checkpointed ? "memory checkpointer" : "no checkpointer";
    for (std::int64_t steps : {1'000, 10'000}) {
      CompiledGraph graph = self_loop(steps);
      Stats s = measure(repetitions, [&] {
        RunConfig config = config_for(checkpointed, threads);
        RunResult result;
        double t = seconds_of([&] { result = run_once(io, graph, config); });
        if (result.status != RunStatus::done || result.values.at("n").as_int64() != steps) {
          std::fprintf(stderr, "self-loop failed: %s\n", result.error ? result.error->message.c_str() : "wrong result");
          std::abort();
        }
        return t * 1e6 / static_cast<double>(steps);
      });
      std::printf("self-loop %6lld steps, %-19s: %8.3f us/step    (median %.3f; wall best %.3f)\n",
                  static_cast<long long>(steps), store, s.best, s.median, s.wall_best);
    }
    {
      CompiledGraph graph = chain();
      const int invocations = quick ? 200 : 2000;
      Stats s = measure(repetitions, [&] {
        double t = seconds_of([&] {
          for (int i = 0; i < invocations; ++i) {
            RunResult r = run_once(io, graph, config_for(checkpointed, threads));
            if (r.values.at("n").as_int64() != 3) std::abort();
          }
        });
        return t * 1e6 / invocations;
      });
      std::printf("3-node chain,          %-19s: %8.3f us/invoke  (median %.3f; wall best %.3f; 3 steps)\n", store,
                  s.best, s.median, s.wall_best);
    }
    {
      CompiledGraph graph = fanout(100);
      const int rounds = quick ? 20 : 200;
      Stats s = measure(repetitions, [&] {
        double t = seconds_of([&] {
          for (int i = 0; i < rounds; ++i) {
            RunResult r = run_once(io, graph, config_for(checkpointed, threads));
            if (r.values.at("count").as_int64() != 100) std::abort();
          }
        });
        return t * 1e3 / rounds;
      });
      std::printf("100-way Send + join,   %-19s: %8.3f ms/round   (median %.3f; wall best %.3f)\n", store, s.best,
                  s.median, s.wall_best);
    }
  }
  for (auto [label, channel] : {std::pair{"append", Channel::append()}, std::pair{"messages", Channel::messages()}}) {
    constexpr std::int64_t steps = 1'000;
    constexpr std::size_t window = 100;
    std::vector<double> firsts, lasts;
    for (int r = 0; r < repetitions; ++r) {
      std::vector<double> stamps;
      CompiledGraph graph = growing(channel, steps, stamps);
      RunConfig config;
      config.recursion_limit = steps + 10;
      RunResult result = run_once(io, graph, config);
      if (result.status != RunStatus::done || result.values.at("messages").as_array().size() != steps) std::abort();
      // stamps[i + 1] - stamps[i]: step i's routing, barrier and planning, and step i+1's node
      const auto mean_step = [&](std::size_t from) { return (stamps[from + window] - stamps[from]) * 1e6 / window; };
      firsts.push_back(mean_step(0));
      lasts.push_back(mean_step(stamps.size() - 1 - window));
    }
    std::sort(firsts.begin(), firsts.end());
    std::sort(lasts.begin(), lasts.end());
    const double first = firsts[firsts.size() / 2], last = lasts[lasts.size() / 2];
    std::printf("growing 1000 x 200 B, %-9s channel: first 100 %.3f us/step, last 100 %.3f us/step (x%.2f; medians)\n",
                label, first, last, last / first);
  }
  return 0;
}
