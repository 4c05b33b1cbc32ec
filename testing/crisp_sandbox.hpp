// SPDX-License-Identifier: MIT
#pragma once
// weft::testing::CrispSandbox: the local Crisp REST API v1 (sandbox/crisp, documented in
// sandbox/README.md) started in-process on a loopback port, so a user's own tests can run graphs
// that use the Crisp tools without Crisp. The seeded world (conversations, people, helpdesk) is
// identical for a given seed.
//
// ```cpp
//   #include <weft/nodes/crisp/config.hpp>
//   #include <weft/testing/crisp_sandbox.hpp>
//
//   weft::testing::CrispSandbox crisp;   // 127.0.0.1, a free port, seed 42
//   crisp.start();
//   weft::crisp::CrispConfig config;
//   config.base_url = crisp.api_url();
//   config.identifier = crisp.credentials().identifier;
//   config.key = crisp.credentials().key;
//   config.website_id = crisp.website_id();
//   // ... run the graph ...; crisp.effects_json() lists every write it performed.
// ```

#include <cstdint>
#include <memory>
#include <string>

namespace weft::testing {

struct CrispSandboxOptions {
  std::uint16_t port = 0;   ///< port on 127.0.0.1; default 0 = a free port chosen by the OS
  std::uint64_t seed = 42;  ///< seed of the generated data and tokens; default 42
  /// Faults, as `weft sandbox --faults` takes them ("latency_ms=20,error_rate=0.05,storm_429=3");
  /// default "" = none.
  std::string faults;
  /// Keep the whole world in this JSON file across restarts; default "" = in memory only.
  std::string state_file;
  /// Crisp-like limits (20 requests/s with a burst of 40, daily plugin quota 5,000). Default false:
  /// tests rarely want to be throttled; turn on to test a graph's rate-limit handling.
  bool rate_limits = false;
};

/// The Basic-auth token a client must send (with the header `X-Crisp-Tier: <tier>`).
struct CrispSandboxCredentials {
  std::string identifier;  ///< Basic auth user (CRISP_API_IDENTIFIER)
  std::string key;         ///< Basic auth password (CRISP_API_KEY)
  std::string tier;        ///< X-Crisp-Tier to send; "plugin"
};

/// Errors: the constructor throws std::invalid_argument for a malformed `faults` spec; start()
/// throws std::system_error when the port cannot be bound and std::runtime_error when the state
/// file cannot be read. Thread safety: every member may be called from any thread once start()
/// returned; start and stop not concurrently with each other. The server runs on its own thread.
class CrispSandbox {
 public:
  explicit CrispSandbox(CrispSandboxOptions options = {});
  ~CrispSandbox();  ///< stop()
  CrispSandbox(const CrispSandbox&) = delete;
  CrispSandbox& operator=(const CrispSandbox&) = delete;

  /// Seeds (or loads the state file), binds and serves; returns once requests may be sent.
  void start();
  /// Saves the state file (if any) and closes every connection. Idempotent.
  void stop();

  std::uint16_t port() const;      ///< the bound port; 0 before start()
  std::string base_url() const;    ///< "http://127.0.0.1:<port>"
  std::string api_url() const;     ///< base_url() + "/v1/": what CRISP_API_URL should be
  std::string website_id() const;  ///< the website the token is subscribed to (CRISP_WEBSITE_ID)
  CrispSandboxCredentials credentials() const;
  /// Every successful write so far, as JSON text: {"effects":[{method, path, body, session_id, ...}]}.
  std::string effects_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::testing
