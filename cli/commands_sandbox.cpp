// SPDX-License-Identifier: MIT
// weft sandbox: serve the Crisp sandbox until interrupted.

#include "cli/detail/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/version.hpp"
#include "sandbox/crisp/sandbox.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <iostream>
#include <pthread.h>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

int serve(const Invocation& inv) {
  sandbox::crisp::SandboxOptions options;
  if (auto port = inv.args.get("port")) {
    try {
      int p = std::stoi(*port);
      if (p < 0 || p > 65535) throw std::out_of_range("port");
      options.port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
      throw UsageError("--port '" + *port + "' is not a port number (0 = a free port)");
    }
  }
  if (auto seed = inv.args.get("seed")) {
    try {
      options.seed = std::stoull(*seed);
    } catch (const std::exception&) {
      throw UsageError("--seed '" + *seed + "' is not a non-negative integer");
    }
  }
  if (auto faults = inv.args.get("faults")) {
    try {
      options.faults = sandbox::crisp::parse_faults(*faults);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--faults: ") + e.what());
    }
  }
  options.state_file = inv.args.get_or("state", "");
  if (auto url = inv.args.get("hook-url")) {
    if (url->rfind("http://", 0) != 0)
      throw UsageError("--hook-url '" + *url + "' must be an http:// URL (the sandbox delivers on loopback)");
    options.hook_url = *url;
    options.hook_secret = inv.env("CRISP_HOOK_SECRET").value_or("");
  }

  // Block the stop signals before the server threads start so they inherit the mask and this
  // thread alone receives them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sandbox::crisp::Sandbox sandbox(std::move(options));
  sandbox.start();
  auto credentials = sandbox.credentials();
  if (inv.args.has("json")) {
    json::object o;
    o["version"] = weft_version();
    o["url"] = sandbox.base_url();
    o["api_url"] = sandbox.api_url();
    o["identifier"] = credentials.identifier;
    o["key"] = credentials.key;
    o["tier"] = credentials.tier;
    o["website_id"] = sandbox.website_id();
    o["effects_url"] = sandbox.base_url() + "/_sandbox/effects";
    o["hooks_url"] = sandbox.base_url() + "/_sandbox/hooks";
    inv.out << json::serialize(o) << std::endl;
  } else {
    inv.out << "Crisp sandbox listening on " << sandbox.base_url() << " (Ctrl-C stops it)\n"
            << "Use it from another shell (these are the sandbox's own test tokens):\n"
            << "  export CRISP_API_URL=" << sandbox.api_url() << "\n"
            << "  export CRISP_API_IDENTIFIER=" << credentials.identifier << "\n"
            << "  export CRISP_API_KEY=" << credentials.key << "\n"
            << "  export CRISP_WEBSITE_ID=" << sandbox.website_id() << "\n"
            << "  weft run spam_triage --crisp " << sandbox.api_url() << "\n"
            << "Every write it performs: " << sandbox.base_url() << "/_sandbox/effects\n"
            << std::flush;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  sandbox.stop();
  inv.err << "sandbox stopped (signal " << received << ")\n";
  return kExitDone;
}

}  // namespace

Command sandbox_command() {
  return {{"sandbox",
           "Serve the local Crisp sandbox (seeded data, faults, effect log) until Ctrl-C.",
           {},
           {{"port", "N", "port on 127.0.0.1 (default 0 = a free port)"},
            {"seed", "N", "seed of the generated data and tokens (default 42)"},
            {"state", "FILE", "keep the state in FILE across restarts (default: in memory)"},
            {"faults", "SPEC", "e.g. latency_ms=50,error_rate=0.1,storm_429=10,drop_next=2"},
            {"hook-url", "URL", "deliver Crisp web hooks (message:send, ...) to URL, signed with $CRISP_HOOK_SECRET"},
            json_option()},
           "With --json the first line on stdout is {url, api_url, identifier, key, tier, website_id, effects_url,\n"
           "hooks_url}. With --hook-url, every message added (a visitor's through the API with from=user, an\n"
           "operator's) is POSTed to URL as Crisp does; without CRISP_HOOK_SECRET put ?key= in the URL."},
          serve};
}

}  // namespace weft::cli::detail
