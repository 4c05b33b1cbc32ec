// SPDX-License-Identifier: MIT
#pragma once
// A small HTTP/1.1 server on loopback for the sandboxes (Crisp, fake LLM). Beast stays in the .cpp.

#include <cstdint>
#include <memory>
#include <string>

#include "sandbox/http/fault_plan.hpp"
#include "sandbox/http/router.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace weft::sandbox::http {

struct ServerOptions {
  std::string address = "127.0.0.1";         // IP to bind; default loopback
  std::uint16_t port = 0;                    // 0 (default) = a free port chosen by the OS
  unsigned threads = 1;                      // threads of the owned io_context; default 1
  std::size_t body_limit = 8 * 1024 * 1024;  // larger request bodies get 413; default 8 MiB
  std::chrono::seconds idle_timeout{60};     // an idle keep-alive connection is closed after it; default 60 s
};

// Accepts connections, reads requests (keep-alive), dispatches them through a Router, and writes
// responses, plain or chunked (SSE), applying the FaultPlan and the per-response fault fields.
//
// Two ways to run it: with its own io_context and `options.threads` threads (first constructor),
// or on a caller's io_context that the caller runs (second constructor).
//
// Errors: start() throws std::system_error when the address cannot be bound. A handler exception
// gives a 500 answer. Malformed HTTP closes that connection.
// Thread safety: start/stop/port/base_url/set_faults/faults/requests_served may be called from any
// thread; start and stop not concurrently with each other.
class Server {
 public:
  explicit Server(Router router, ServerOptions options = {});
  Server(boost::asio::io_context& io, Router router, ServerOptions options = {});
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; with an owned io_context also starts its threads. Returns once the port is
  // known, so requests may be sent right away.
  void start();

  // Closes the listener and every open connection, cancels pending delays, and (owned io_context)
  // joins the threads. Idempotent. A handler running at that moment finishes first.
  void stop();

  std::uint16_t port() const;    // the bound port; 0 before start()
  std::string base_url() const;  // "http://<address>:<port>" (no trailing slash)

  void set_faults(FaultPlan plan);  // takes effect for the next request read
  FaultPlan faults() const;

  std::uint64_t requests_served() const;  // requests read and answered (or dropped) so far

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace weft::sandbox::http
