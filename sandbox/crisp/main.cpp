// SPDX-License-Identifier: MIT
// weft-sandbox: runs the Crisp sandbox on loopback until SIGINT/SIGTERM and prints how to reach it.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sandbox/crisp/sandbox.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

constexpr std::string_view kUsage =
    "usage: weft-sandbox [--port N] [--seed N] [--state-file PATH] [--helpdesk-mode legacy|tree|both]\n"
    "                    [--fault key=value[,key=value...]]... [--rate-limit PER_SECOND[:BURST]] [--quota N]\n"
    "                    [--threads N]\n"
    "Runs a local Crisp REST API v1 sandbox on 127.0.0.1 (see sandbox/README.md).\n"
    "Faults: latency_ms, error_rate, error_status, error_next, drop_rate, drop_next, storm_429,\n"
    "        storm_retry_after, helpdesk_402, seed. --rate-limit 0 disables the per-token bucket;\n"
    "        --quota sets the plugin daily quota (0 = none).\n";

std::uint64_t to_u64(std::string_view flag, const std::string& v) {
  try {
    std::size_t used = 0;
    const auto n = std::stoull(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {}
  throw std::invalid_argument(std::string(flag) + " expects a non-negative integer, not '" + v + "'");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::sandbox::crisp;
  SandboxOptions options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        return argv[++i];
      };
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return 0;
      } else if (arg == "--port") {
        const auto p = to_u64(arg, value());
        if (p > 65535) throw std::invalid_argument("--port must be at most 65535");
        options.port = static_cast<std::uint16_t>(p);
      } else if (arg == "--seed") {
        options.seed = to_u64(arg, value());
      } else if (arg == "--state-file") {
        options.state_file = value();
      } else if (arg == "--helpdesk-mode") {
        options.helpdesk_mode = value();
      } else if (arg == "--fault" || arg == "--faults") {
        options.faults = parse_faults(value(), options.faults);
      } else if (arg == "--rate-limit") {
        const std::string v = value();
        const auto colon = v.find(':');
        options.limits.rate_per_second = std::stod(v.substr(0, colon));
        options.limits.burst =
            colon == std::string::npos ? options.limits.rate_per_second * 2 : std::stod(v.substr(colon + 1));
      } else if (arg == "--quota") {
        options.limits.quota_plugin = static_cast<std::int64_t>(to_u64(arg, value()));
      } else if (arg == "--threads") {
        options.threads = static_cast<unsigned>(to_u64(arg, value()));
      } else {
        throw std::invalid_argument("unknown argument '" + std::string(arg) + "'");
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "weft-sandbox: " << e.what() << "\n" << kUsage;
    return 2;
  }

  try {
    Sandbox sandbox(options);
    sandbox.start();
    const auto creds = sandbox.credentials();
    std::cout << "Crisp sandbox listening on " << sandbox.base_url() << "\n"
              << "CRISP_API_URL=" << sandbox.api_url() << "\n"
              << "CRISP_API_IDENTIFIER=" << creds.identifier << "\n"
              << "CRISP_API_KEY=" << creds.key << "\n"
              << "CRISP_WEBSITE_ID=" << sandbox.website_id() << "\n"
              << "X-Crisp-Tier: " << creds.tier << "\n"
              << "Inspect: " << sandbox.base_url()
              << "/_sandbox/effects  (also /_sandbox/requests, /_sandbox/faults, /_sandbox/info)\n"
              << std::flush;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (g_stop == 0) {
      struct timespec ts {
        0, 100'000'000
      };
      nanosleep(&ts, nullptr);
    }
    sandbox.stop();
    std::cout << "stopped\n";
  } catch (const std::exception& e) {
    std::cerr << "weft-sandbox: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
