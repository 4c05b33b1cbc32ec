// SPDX-License-Identifier: MIT
// The answer time of POST /crisp/hooks under a burst: `events` signed message:send events over
// `conversations` conversations, paced evenly over `seconds`, sent by `senders` keep-alive
// connections, to an in-process weft::server on a fresh SQLite file (durability sync: every
// event and its run are committed before the answer). The graph each event starts is a one-node
// graph, so what is measured is the endpoint and the queue, not a model.
//
//   weft-bench-hooks [--events 1000] [--conversations 100] [--seconds 10] [--senders 10]
//
// Prints p50 / p99 / max answer time and how many answers were not 200 "accepted", then waits
// for every run to finish and prints the runs/s the queue drained at.

#include "engine/state_graph.hpp"
#include "sandbox/http/client.hpp"
#include "server/server.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
using namespace weft;
using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kWebsite = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
constexpr const char* kSecret = "bench-secret";

std::string hmac_hex(const std::string& key, const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
       text.size(), mac.data(), &length);
  std::string hex;
  char digits[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(digits, sizeof digits, "%02x", mac[i]);
    hex += digits;
  }
  return hex;
}

graphs::GraphRegistry bench_graphs() {
  graphs::GraphDefinition d;
  d.name = "note";
  d.description = "records the event";
  d.input_schema = json::parse(R"({"type":"object","properties":{"session_id":{"type":"string"},
      "message_fingerprint":{"type":"integer"}}})")
                       .as_object();
  d.build = [](const graphs::GraphServices&, CompileOptions options) {
    StateGraph g({{"input", Channel::last_value()}, {"log", Channel::append()}}, "note");
    g.add_node("note", [](StateView s, NodeContext) { return json::object{{"log", s.at("input")}}; });
    g.add_edge(std::string(START), "note");
    g.add_edge("note", std::string(END));
    return g.compile(std::move(options));
  };
  graphs::GraphRegistry registry;
  registry.add(std::move(d));
  return registry;
}

long arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const long events = arg(argc, argv, "--events", 1000);
  const long conversations = arg(argc, argv, "--conversations", 100);
  const double seconds = static_cast<double>(arg(argc, argv, "--seconds", 10));
  const long senders = arg(argc, argv, "--senders", 10);

  const auto folder =
      std::filesystem::temp_directory_path() / ("weft-bench-hooks-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(folder);
  const std::string db = (folder / "weft.db").string();
  auto store = std::make_shared<SqliteStore>(db);

  boost::asio::io_context io;
  server::ServerEnvironment env;
  env.registry = bench_graphs();
  env.checkpointer = store;
  env.journal = store;
  env.catalog_path = db;
  server::ServerOptions options;
  options.workers = 8;
  options.crisp_hooks.secret = kSecret;
  options.crisp_hooks.website_ids = {kWebsite};
  options.crisp_hooks.routing = "on message:send from=user run note\n";
  server::Server srv(io, std::move(env), options);
  srv.start();
  std::thread io_thread([&] { io.run(); });

  std::vector<double> answer_ms(static_cast<std::size_t>(events));
  std::atomic<long> not_accepted{0};
  const auto start = Steady::now();
  const auto interval = std::chrono::duration<double>(seconds / static_cast<double>(events));
  std::vector<std::thread> threads;
  for (long t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      sandbox::http::Client client("127.0.0.1", srv.port());
      for (long i = t; i < events; i += senders) {
        std::this_thread::sleep_until(start +
                                      std::chrono::duration_cast<Steady::duration>(interval * static_cast<double>(i)));
        char session[64];
        std::snprintf(session, sizeof session, "session_%08ld-0000-4000-8000-000000000000", i % conversations);
        json::object data{{"website_id", kWebsite}, {"session_id", session}, {"type", "text"},
                          {"from", "user"},         {"content", "hello"},    {"fingerprint", 1000 + i}};
        const std::string body = json::serialize(
            json::object{{"website_id", kWebsite}, {"event", "message:send"}, {"data", data}, {"timestamp", 0}});
        const std::string stamp = std::to_string(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        const auto sent = Steady::now();
        const auto answer = client.request("POST", "/crisp/hooks", body,
                                           {{"Content-Type", "application/json"},
                                            {"X-Crisp-Request-Timestamp", stamp},
                                            {"X-Crisp-Signature", hmac_hex(kSecret, "[" + stamp + ";" + body + "]")}});
        answer_ms[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::milli>(Steady::now() - sent).count();
        if (answer.status != 200 || answer.body.find("accepted") == std::string::npos) ++not_accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double sent_s = std::chrono::duration<double>(Steady::now() - start).count();

  // Drain: every run finished (the thread list shows no busy thread).
  sandbox::http::Client client("127.0.0.1", srv.port());
  for (;;) {
    auto busy =
        client.request("POST", "/threads/count", R"({"status":"busy"})", {{"Content-Type", "application/json"}});
    if (busy.body == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double drained_s = std::chrono::duration<double>(Steady::now() - start).count();

  std::sort(answer_ms.begin(), answer_ms.end());
  auto pct = [&](double p) {
    return answer_ms[static_cast<std::size_t>(p * static_cast<double>(answer_ms.size() - 1))];
  };
  std::printf("hooks: %ld events over %ld conversations in %.1f s (%ld senders)\n", events, conversations, sent_s,
              senders);
  std::printf("answer time: p50 %.2f ms, p99 %.2f ms, max %.2f ms; not accepted: %ld\n", pct(0.5), pct(0.99),
              answer_ms.back(), not_accepted.load());
  std::printf("all runs finished after %.1f s (%.0f runs/s from the first event)\n", drained_s,
              static_cast<double>(events) / drained_s);

  std::promise<void> stopped;
  boost::asio::post(io, [&] { srv.stop([&] { stopped.set_value(); }); });
  stopped.get_future().wait();
  io.stop();
  io_thread.join();
  std::filesystem::remove_all(folder);
  return not_accepted.load() == 0 ? 0 : 1;
}
