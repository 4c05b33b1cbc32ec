// SPDX-License-Identifier: MIT
#pragma once
// A server started in-process on a loopback port, over three small test graphs and a SQLite file
// in a fresh temporary folder, with a blocking HTTP client (sandbox/http/client.hpp).
//
// Graphs: "steps" (first -> second, each appends to "log"; first emits a custom event),
// "review" (draft -> ask: interrupts with {"question": ...}, then writes the answer), and
// "slow" (one node waiting `ms` milliseconds on a timer, cancellable), "talk" (speak: streams
// the tokens "Hel", "lo, ", "world" and writes reply "Hello, world" -> after: appends to "log"),
// and "visitor" (what Crisp hooks start: appends its input, {session_id, message_fingerprint,
// website_id, tag}, to "log").

#include "sandbox/http/client.hpp"
#include "server/server.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace server_test {

weft::graphs::GraphRegistry test_graphs();
/// The most runs of "visitor" ever in flight at once on one thread, in this process.
int visitor_runs_at_once_on_one_thread();
/// Forgets that maximum (a test measuring its own runs calls it first).
void reset_visitor_runs_at_once();

struct Reply {
  int status = 0;
  boost::json::value json;  ///< null when the body is empty or not JSON
  std::string body;
  weft::sandbox::http::Fields headers;
  std::string header(std::string_view name) const;
};

struct SseEvent {
  std::string event;
  std::string data;
  std::string id;
};
std::vector<SseEvent> parse_sse(const std::string& body);

class TestServer {
 public:
  explicit TestServer(weft::server::ServerOptions options = {}, std::string folder = {},
                      std::shared_ptr<weft::Clock> clock = {});
  ~TestServer();

  /// One request; the body is sent as given. `headers` adds e.g. x-api-key.
  Reply request(std::string_view method, std::string_view target, std::string_view body = {},
                const weft::sandbox::http::Fields& headers = {});
  Reply post(std::string_view target, const boost::json::value& body, const weft::sandbox::http::Fields& headers = {});
  Reply get(std::string_view target, const weft::sandbox::http::Fields& headers = {});

  /// Stops the server (as SIGTERM does) and waits for it.
  void stop();
  std::uint16_t port() const { return port_; }
  const std::string& folder() const { return folder_; }
  /// Leave the temporary folder in place when destroyed / remove it even if given.
  void keep_folder() { owns_folder_ = false; }
  void remove_folder_at_end() { owns_folder_ = true; }
  std::shared_ptr<weft::SqliteStore> store() const { return store_; }

 private:
  std::string folder_;
  bool owns_folder_ = false;
  std::shared_ptr<weft::SqliteStore> store_;
  boost::asio::io_context io_;
  std::unique_ptr<weft::server::Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::unique_ptr<weft::sandbox::http::Client> client_;
  bool stopped_ = false;
};

/// The "detail" of an error reply, or "<no detail: body>".
std::string detail_of(const Reply& r);

/// POSTs /threads for a thread of `graph`; returns its id (REQUIREs a 200).
std::string new_thread(TestServer& s, const char* graph = "steps");

/// POST /threads/count.
std::int64_t count_threads(TestServer& s);

/// Starts a stream on a raw connection to `port`, reads up to its first event, and hangs up.
void stream_and_hang_up(std::uint16_t port, const std::string& path, const boost::json::object& body);

/// The status of the thread's only run once it has ended (waits for it, polling every 10 ms for
/// at most 20 s; "still running" then).
std::string final_run_status(TestServer& s, const std::string& thread_id);

}  // namespace server_test
