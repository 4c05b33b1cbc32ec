// SPDX-License-Identifier: MIT
#pragma once
// The Crisp sandbox: a local server that behaves like Crisp's REST API v1 (crisp-api.md) for the
// routes Weft's tools use, with seeded data, limits, fault injection and an effect log.

#include <cstdint>
#include <memory>
#include <string>

#include "sandbox/crisp/options.hpp"

namespace weft::sandbox::crisp {

struct Credentials {
  std::string identifier;  // Basic auth user
  std::string key;         // Basic auth password
  std::string tier;        // the X-Crisp-Tier to send ("plugin" by default)
};

// Starts on a loopback port in-process (tests, `weft sandbox`, `weft-sandbox`).
//
// Errors: start() throws std::system_error when the port cannot be bound, std::runtime_error
// when the state file exists but cannot be read or parsed, and std::invalid_argument on a bad
// option (helpdesk mode).
// Thread safety: all members may be called from any thread once start() returned; the server's
// own threads serialise access to the state with one mutex.
class Sandbox {
 public:
  explicit Sandbox(SandboxOptions options = {});
  ~Sandbox();  // stop()
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  void start();  // seeds or loads the state, binds, serves
  void stop();   // closes every connection; idempotent; writes were saved when made (README)

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  std::string api_url() const;   // base_url() + "/v1/" (what CRISP_API_URL should be)
  Credentials credentials() const;
  std::string website_id() const;        // the main website (the token is subscribed to it)
  std::string other_website_id() const;  // a website that exists but the token is not subscribed to

  void set_faults(const Faults& faults);  // same as POST /_sandbox/faults
  Faults faults() const;
  void set_limits(const Limits& limits);  // same as POST /_sandbox/limits (resets the buckets)

  // GET /_sandbox/effects, as JSON text: {"effects":[{method,path,body,time,session_id,fingerprint,...}]}
  std::string effects_json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::sandbox::crisp
