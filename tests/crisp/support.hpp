// SPDX-License-Identifier: MIT
#pragma once
// Test support for tests/crisp: an in-process Crisp sandbox on loopback, an io_context thread,
// a CrispClient/CrispTools bound to the sandbox's website, an in-memory effect journal, and
// helpers to read the sandbox's effect log and request counters.

#include "engine/effect_journal.hpp"
#include "nodes/crisp/client.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"
#include "sandbox/crisp/sandbox.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace weft::crisp::test {

/// An EffectJournal in memory. crash_after_begin() simulates a process that died between begin()
/// and finish(): the entry stays started (in doubt).
class MemoryJournal final : public EffectJournal {
 public:
  EffectEntry find(const std::string& thread_id, const std::string& key) override;
  void begin(const std::string& thread_id, const std::string& key) override;
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) override;
  void abandon(const std::string& thread_id, const std::string& key) override;
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, EffectEntry> entries_;
};

struct EnvOptions {
  std::string helpdesk_mode = "both";                 ///< sandbox mode of the main website
  HelpdeskRoutes routes = HelpdeskRoutes::automatic;  ///< the client's setting
  bool fast_retries = true;                           ///< short backoffs (tests stay quick)
  bool generous_limits = true;                        ///< sandbox bucket 1000/s (no 429 unless a test wants it)
};

/// One sandbox + one client per test case (parallel-safe: each binds its own free port).
class Env {
 public:
  explicit Env(EnvOptions options = {});
  ~Env();

  sandbox::crisp::Sandbox& sandbox() { return *sandbox_; }
  http::Client& http() { return *http_; }
  std::shared_ptr<http::Client> http_ptr() { return http_; }
  CrispClient& client() { return *client_; }
  CrispTools& tools() { return *tools_; }
  CrispConfig config() const { return config_; }
  boost::asio::io_context& io() { return io_; }

  /// A CrispTools over this sandbox with another configuration (e.g. another website or key).
  std::shared_ptr<CrispTools> tools_for(CrispConfig config);

  /// Runs `aw` on the io thread and waits for it (rethrowing its exception).
  template <class T>
  T run(boost::asio::awaitable<T> aw) {
    return boost::asio::co_spawn(io_, std::move(aw), boost::asio::use_future).get();
  }

  /// Calls a tool and waits.
  boost::json::value call(const std::string& tool, const char* args_json, EffectScope scope = {});
  boost::json::value call(const std::string& tool, boost::json::value args, EffectScope scope = {});

  /// The sandbox's effect log (successful writes).
  boost::json::array effects();
  /// /_sandbox/requests: {total, reads, writes, by_status, by_route}.
  boost::json::object requests();
  /// POST /_sandbox/<what> with a JSON body.
  void admin(const std::string& what, const std::string& body);

 private:
  EnvOptions options_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<sandbox::crisp::Sandbox> sandbox_;
  std::shared_ptr<http::Client> http_;
  CrispConfig config_;
  std::shared_ptr<CrispClient> client_;
  std::shared_ptr<CrispTools> tools_;
};

}  // namespace weft::crisp::test
