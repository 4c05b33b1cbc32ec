// SPDX-License-Identifier: MIT
#pragma once
// Configuration of the Crisp sandbox: tokens, limits, faults, seed, state file.
// Every behaviour listed here is sandbox behaviour, documented in sandbox/README.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::sandbox::crisp {

// An API token the sandbox accepts (HTTP Basic identifier:key).
struct Token {
  std::string identifier;             // a UUID in real Crisp
  std::string key;                    // 64 hex characters in real Crisp
  std::string tier = "plugin";        // "plugin" | "website" | "user": the X-Crisp-Tier it must be sent with
  std::vector<std::string> websites;  // website ids it is subscribed to (others answer 404 not_subscribed)
};

// Fault injection. Every field defaults to "off". Changeable at runtime (POST /_sandbox/faults).
struct Faults {
  std::int64_t latency_ms = 0;         // added before every /v1 answer
  double error_rate = 0.0;             // fraction [0,1] of /v1 requests answered error_status
  int error_status = 503;              // status for error_rate / error_next (5xx)
  std::int64_t error_next = 0;         // the next N /v1 requests answer error_status
  double drop_rate = 0.0;              // fraction [0,1] of /v1 requests whose connection is closed unanswered
  std::int64_t drop_next = 0;          // the next N /v1 requests are dropped
  std::int64_t storm_429 = 0;          // the next N /v1 requests answer 429 (a "429 storm")
  std::int64_t storm_retry_after = 1;  // Retry-After (seconds) sent during the storm
  bool helpdesk_402 = false;           // every …/helpdesk route answers 402 subscription_upgrade_required
  std::uint64_t seed = 1;              // seeds the error_rate / drop_rate draws
};

// Per-token rate limit (token bucket) and daily quotas. 0 disables the corresponding limit.
struct Limits {
  double rate_per_second = 20.0;       // bucket refill per token; default 20/s
  double burst = 40.0;                 // bucket capacity per token; default 40
  std::int64_t quota_plugin = 5000;    // requests per UTC day per plugin-tier token (Crisp: 5,000)
  std::int64_t quota_website = 10000;  // requests per UTC day per website-tier token (Crisp: 10,000)
  std::int64_t quota_user = 0;         // user tier: no daily quota (Crisp rate-limits it per route instead)
};

struct SandboxOptions {
  std::string address = "127.0.0.1";  // bind address; default loopback
  std::uint16_t port = 0;             // 0 (default) = a free port
  unsigned threads = 1;               // server threads; default 1
  std::uint64_t seed = 42;            // seed of the generated data and credentials; default 42
  std::string
      state_file;  // "" (default) = in memory only; else loaded at start, merged and saved on each write (shared safely by several processes, README)
  std::string helpdesk_mode = "both";  // "legacy" | "tree" | "both" for the main website; default both
  std::optional<Token> token;  // the accepted token; default: generated from the seed, plugin tier, main website
  Faults faults;               // default: none
  Limits limits;               // default: see Limits
  std::string
      hook_url;  // "" (default) = no web hooks; else Crisp-shaped hooks are POSTed here (http://HOST:PORT/path?key=...) when messages are added
  std::string
      hook_secret;  // signs the hooks as Crisp plugin hooks (X-Crisp-Signature); "" = unsigned (a website hook: put ?key= in hook_url)
};

}  // namespace weft::sandbox::crisp

namespace weft::sandbox::crisp {

// Parses "latency_ms=50,error_rate=0.1,error_status=502,drop_next=2,storm_429=10,helpdesk_402=1"
// (comma-separated key=value, keys as in Faults) on top of `base`. Throws std::invalid_argument
// naming the bad key or value.
Faults parse_faults(std::string_view spec, Faults base = {});

}  // namespace weft::sandbox::crisp
