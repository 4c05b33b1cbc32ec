// SPDX-License-Identifier: MIT
// weft-bench-http: what weft::http::Client adds per request over loopback, against a minimal
// hand-written Beast coroutine client on the same keep-alive connection and the same server
// (sandbox/http, one thread); and what connection reuse saves.
//
//   weft-bench-http [--requests N] [--rounds R]
//
// Both clients run on one io_context thread, sequentially (one request in flight), interleaved in
// rounds so that machine load affects them alike. Prints p50/p90/p99 latencies in microseconds.

#include "nodes/http/client.hpp"
#include "sandbox/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Stats {
  std::vector<double> samples;
  double pct(double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
    return samples[i];
  }
};

asio::awaitable<void> raw_rounds(std::uint16_t port, int n, Stats* stats) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  stream.socket().set_option(asio::ip::tcp::no_delay(true));
  beast::flat_buffer buffer;
  for (int i = 0; i < n; ++i) {
    const auto start = Clock::now();
    bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/ping", 11);
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    req.keep_alive(true);
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    bhttp::response<bhttp::string_body> res;
    co_await bhttp::async_read(stream, buffer, res, asio::use_awaitable);
    if (res.result_int() != 200) throw std::runtime_error("raw: bad status");
    stats->samples.push_back(micros(Clock::now() - start));
  }
}

asio::awaitable<void> weft_rounds(weft::http::Client client, std::string url, int n, bool reuse, Stats* stats) {
  for (int i = 0; i < n; ++i) {
    if (!reuse) client.close_idle();
    const auto start = Clock::now();
    weft::http::Request req;
    req.url = url;
    weft::http::Response res = co_await client.request(std::move(req));
    if (res.status != 200) throw std::runtime_error("weft: bad status");
    stats->samples.push_back(micros(Clock::now() - start));
  }
}

template <class Awaitable>
void run(asio::io_context& io, Awaitable work) {
  auto f = asio::co_spawn(io, std::move(work), asio::use_future);
  io.restart();
  io.run();
  f.get();
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 20000;
  int rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (arg == "--requests") requests = std::atoi(argv[i + 1]);
    if (arg == "--rounds") rounds = std::atoi(argv[i + 1]);
  }
  weft::sandbox::http::Router router;
  router.add("GET", "/ping",
             [](weft::sandbox::http::Request&) { return weft::sandbox::http::Response::json(200, R"({"ok":true})"); });
  weft::sandbox::http::Server server(std::move(router));
  server.start();
  const std::string url = server.base_url() + "/ping";

  asio::io_context io;
  weft::http::Client client(io.get_executor());
  Stats raw, weft_client, no_reuse;
  // Warm-up: connections, allocations, caches.
  run(io, raw_rounds(server.port(), 500, &raw));
  run(io, weft_rounds(client, url, 500, true, &weft_client));
  raw.samples.clear();
  weft_client.samples.clear();
  const int per_round = std::max(1, requests / rounds);
  for (int r = 0; r < rounds; ++r) {
    run(io, raw_rounds(server.port(), per_round, &raw));
    run(io, weft_rounds(client, url, per_round, true, &weft_client));
  }
  const auto opened = client.stats().connections_opened;  // warm-up and measured keep-alive rounds
  const auto sent = client.stats().attempts;
  run(io, weft_rounds(client, url, std::max(200, requests / 20), false, &no_reuse));

  std::printf("requests per client: %d (in %d interleaved rounds), server: sandbox/http, 1 thread\n",
              per_round * rounds, rounds);
  std::printf("%-34s %9s %9s %9s\n", "latency (us)", "p50", "p90", "p99");
  std::printf("%-34s %9.1f %9.1f %9.1f\n", "raw Beast coroutine, keep-alive", raw.pct(0.5), raw.pct(0.9),
              raw.pct(0.99));
  std::printf("%-34s %9.1f %9.1f %9.1f\n", "weft::http::Client, keep-alive", weft_client.pct(0.5), weft_client.pct(0.9),
              weft_client.pct(0.99));
  std::printf("%-34s %9.1f %9.1f %9.1f\n", "weft::http::Client, new connection", no_reuse.pct(0.5), no_reuse.pct(0.9),
              no_reuse.pct(0.99));
  std::printf("added by weft::http::Client at p50: %.1f us\n", weft_client.pct(0.5) - raw.pct(0.5));
  std::printf("keep-alive: %llu requests (warm-up included) over %llu connection(s)\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(opened));
  server.stop();
  return 0;
}
