// SPDX-License-Identifier: MIT
// Read throughput of the Crisp sandbox: one server thread, several keep-alive client connections
// on their own threads, a mix of read routes, for a fixed duration per route.
//
//   weft-bench-sandbox [--seconds S] [--connections N] [--route NAME]...
//
// Prints requests/s per route and for the mix. Limits are disabled (no 429/423) and the
// sandbox runs exactly one server thread, as the target (>= 5,000 reads/s) requires.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "sandbox/crisp/sandbox.hpp"
#include "sandbox/http/client.hpp"

namespace json = boost::json;
namespace sc = weft::sandbox::crisp;
namespace sh = weft::sandbox::http;

namespace {

struct Route {
  std::string name;
  std::vector<std::string> targets;  // cycled by each connection
};

struct Result {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  double seconds = 0;
};

Result run(const sc::Sandbox& sandbox, const sh::Fields& headers, const Route& route, int connections, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> total{0}, errors{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      sh::Client client("127.0.0.1", sandbox.port());
      std::size_t i = static_cast<std::size_t>(c);
      std::uint64_t n = 0, bad = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const auto& target = route.targets[i++ % route.targets.size()];
        try {
          const auto res = client.request("GET", target, {}, headers);
          if (res.status != 200) ++bad;
        } catch (const std::exception&) {
          ++bad;
        }
        ++n;
      }
      total += n;
      errors += bad;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  Result r;
  r.requests = total;
  r.errors = errors;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int connections = 4;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc)
      seconds = std::stod(argv[++i]);
    else if (arg == "--connections" && i + 1 < argc)
      connections = std::stoi(argv[++i]);
    else if (arg == "--route" && i + 1 < argc)
      only.emplace_back(argv[++i]);
    else {
      std::cerr << "usage: weft-bench-sandbox [--seconds S] [--connections N] [--route NAME]...\n";
      return 2;
    }
  }

  sc::SandboxOptions options;
  options.threads = 1;
  options.limits.rate_per_second = 0;
  options.limits.quota_plugin = 0;
  sc::Sandbox sandbox(options);
  sandbox.start();
  const auto creds = sandbox.credentials();
  const sh::Fields headers{{"Authorization", sh::basic_auth(creds.identifier, creds.key)},
                           {"X-Crisp-Tier", creds.tier}};
  const std::string w = "/v1/website/" + sandbox.website_id();

  // Ids for the per-conversation routes.
  sh::Client setup("127.0.0.1", sandbox.port());
  const auto page = json::parse(setup.request("GET", w + "/conversations/1?per_page=50", {}, headers).body);
  std::vector<std::string> sessions;
  for (const auto& c : page.at("data").as_array()) sessions.emplace_back(c.at("session_id").as_string());

  std::vector<Route> routes;
  {
    Route r{"get conversation", {}};
    for (const auto& s : sessions) r.targets.push_back(w + "/conversation/" + s);
    routes.push_back(r);
    Route st{"get conversation state", {}};
    for (const auto& s : sessions) st.targets.push_back(w + "/conversation/" + s + "/state");
    routes.push_back(st);
    Route m{"list messages (<=40)", {}};
    for (const auto& s : sessions) m.targets.push_back(w + "/conversation/" + s + "/messages");
    routes.push_back(m);
    routes.push_back(Route{"list conversations (20/page)",
                           {w + "/conversations/1", w + "/conversations/2", w + "/conversations/3"}});
    routes.push_back(Route{"visitors count", {w + "/visitors/count"}});
    routes.push_back(Route{"list operators", {w + "/operators/list"}});
    Route mix{"mix of the above", {}};
    for (const auto& r2 : routes)
      mix.targets.insert(mix.targets.end(), r2.targets.begin(),
                         r2.targets.begin() + std::min<std::size_t>(3, r2.targets.size()));
    routes.push_back(mix);
  }

  std::printf(
      "Crisp sandbox read bench: 1 server thread, %d keep-alive connections, %.1f s per route, %u hardware threads\n",
      connections, seconds, std::thread::hardware_concurrency());
  std::printf("%-32s %12s %10s %8s\n", "route", "requests", "req/s", "errors");
  for (const auto& r : routes) {
    if (!only.empty() && std::find(only.begin(), only.end(), r.name) == only.end()) continue;
    const auto res = run(sandbox, headers, r, connections, seconds);
    std::printf("%-32s %12llu %10.0f %8llu\n", r.name.c_str(), static_cast<unsigned long long>(res.requests),
                static_cast<double>(res.requests) / res.seconds, static_cast<unsigned long long>(res.errors));
  }
  sandbox.stop();
  return 0;
}
