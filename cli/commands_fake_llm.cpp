// SPDX-License-Identifier: MIT
// weft fake-llm: serve the scripted OpenAI-compatible fake LLM (sandbox/fake_llm) until interrupted,
// so a user can run graphs against a deterministic "model" without a key or a network.

#include "cli/detail/commands.hpp"
#include "cli/exit_code.hpp"
#include "sandbox/fake_llm/server.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <pthread.h>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

std::uint64_t whole_number(const std::string& option, const std::string& text, std::uint64_t max) {
  try {
    std::size_t used = 0;
    const auto n = std::stoull(text, &used);
    if (!text.empty() && text.front() != '-' && used == text.size() && n <= max) return n;
  } catch (const std::exception&) {}
  throw UsageError("--" + option + " '" + text + "' is not a whole number from 0 to " + std::to_string(max));
}

// "N/MS": at most N requests answered per sliding window of MS milliseconds; the rest get 429.
sandbox::fake_llm::ServerRateLimit rate_limit_of(const std::string& spec) {
  const auto slash = spec.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == spec.size()) {
    throw UsageError("--rate-limit '" + spec + "' is not N/MS (requests per window in milliseconds), e.g. 10/1000");
  }
  sandbox::fake_llm::ServerRateLimit limit;
  limit.requests = whole_number("rate-limit", spec.substr(0, slash), 1'000'000);
  limit.window = std::chrono::milliseconds(whole_number("rate-limit", spec.substr(slash + 1), 3'600'000));
  if (limit.requests == 0 || limit.window.count() == 0) {
    throw UsageError("--rate-limit '" + spec + "' must allow at least 1 request per window of at least 1 ms");
  }
  return limit;
}

// --record FILE: every request received, one JSON object per line {"method","path","status","body"},
// written when the server stops, so a test can read what a client in another process sent.
void write_record(sandbox::fake_llm::FakeLlm& server, const std::string& file) {
  std::ofstream out(file, std::ios::trunc);
  for (const auto& r : server.requests()) {
    json::object line;
    line["method"] = r.method;
    line["path"] = r.path;
    line["status"] = r.status;
    line["body"] = r.body;
    out << json::serialize(line) << "\n";
  }
  if (!out) throw std::runtime_error("cannot write --record file '" + file + "'");
}

int serve(const Invocation& inv) {
  sandbox::fake_llm::Options options;
  const std::string script = inv.args.get_or("script", "");
  if (script.empty())
    throw UsageError("--script FILE is required (a JSON array of replies; see `weft fake-llm --help`)");
  if (auto port = inv.args.get("port")) options.port = static_cast<std::uint16_t>(whole_number("port", *port, 65535));
  if (auto key = inv.args.get("api-key")) options.api_key = *key;
  if (auto model = inv.args.get("model")) options.model = *model;
  if (auto limit = inv.args.get("rate-limit")) options.rate_limit = rate_limit_of(*limit);

  std::unique_ptr<sandbox::fake_llm::FakeLlm> server;
  try {
    server = sandbox::fake_llm::FakeLlm::from_file(script, options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // an unreadable or malformed script is the caller's to fix
  }

  // Block the stop signals before the server thread starts so it inherits the mask and this
  // thread alone receives them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  server->start();
  if (inv.args.has("json")) {
    json::object o;
    o["base_url"] = server->base_url();
    o["model"] = options.model;
    o["script"] = script;
    o["script_entries_left"] = server->script_remaining();
    inv.out << json::serialize(o) << std::endl;
  } else {
    // The first line is a shell assignment, so `eval "$(weft fake-llm ... | head -1)"` works.
    inv.out << "OPENAI_BASE_URL=" << server->base_url() << std::endl;
    inv.err << "fake LLM (model '" << options.model << "') answering from " << script
            << "; in another shell: export OPENAI_BASE_URL=" << server->base_url() << " (Ctrl-C stops it)\n"
            << std::flush;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  server->stop();
  if (auto record = inv.args.get("record")) write_record(*server, *record);
  inv.err << "fake LLM stopped (signal " << received << ")\n";
  return kExitDone;
}

}  // namespace

Command fake_llm_command() {
  return {{"fake-llm",
           "Serve a scripted OpenAI-compatible model on 127.0.0.1 until Ctrl-C (tests, offline demos).",
           {},
           {{"script", "FILE", "JSON array of replies, taken in order (format: sandbox/fake_llm/README.md); required"},
            {"port", "N", "port on 127.0.0.1 (default 0 = a free port)"},
            {"api-key", "KEY", "require 'Authorization: Bearer KEY' (default: no key needed)"},
            {"rate-limit", "N/MS", "answer at most N requests per MS milliseconds, the rest 429 (default: none)"},
            {"model", "NAME", "model name it lists and reports (default fake-gpt)"},
            {"record", "FILE", "on stop, write every request received to FILE, one JSON line each (default: none)"},
            json_option()},
           "The first line on stdout is OPENAI_BASE_URL=http://127.0.0.1:<port>/v1 (with --json the object\n"
           "{base_url, model, script, script_entries_left}). A request no script entry matches gets HTTP 500."},
          serve};
}

}  // namespace weft::cli::detail
