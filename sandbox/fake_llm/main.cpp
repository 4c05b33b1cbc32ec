// weft-fake-llm: serves an OpenAI-compatible /v1/chat/completions from a script until SIGINT/SIGTERM.
//
//   weft-fake-llm --script replies.json [--port N] [--api-key KEY] [--rate-limit N/MS] [--model NAME]
//                 [--record FILE]
//
// Prints "OPENAI_BASE_URL=http://127.0.0.1:<port>/v1" on stdout once listening. With --record,
// writes every request received, one JSON object per line {"method","path","status","body"}, to
// FILE when it stops (so a test can read what a client in another process sent).

#include "sandbox/fake_llm/server.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

int usage(const char* why) {
  std::cerr << "weft-fake-llm: " << why << "\n"
            << "usage: weft-fake-llm --script FILE [--port N] [--api-key KEY] [--rate-limit N/MS] [--model NAME]"
               " [--record FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using weft::sandbox::fake_llm::FakeLlm;
  weft::sandbox::fake_llm::Options options;
  std::string script;
  std::string record;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) return {};
      return argv[++i];
    };
    if (arg == "--script") {
      script = value();
    } else if (arg == "--port") {
      options.port = static_cast<std::uint16_t>(std::atoi(value().c_str()));
    } else if (arg == "--api-key") {
      options.api_key = value();
    } else if (arg == "--record") {
      record = value();
    } else if (arg == "--model") {
      options.model = value();
    } else if (arg == "--rate-limit") {
      const std::string spec = value();
      const auto slash = spec.find('/');
      if (slash == std::string::npos) return usage("--rate-limit wants N/MS, e.g. 10/1000");
      weft::sandbox::fake_llm::ServerRateLimit limit;
      limit.requests = static_cast<std::size_t>(std::atoll(spec.substr(0, slash).c_str()));
      limit.window = std::chrono::milliseconds(std::atoll(spec.substr(slash + 1).c_str()));
      options.rate_limit = limit;
    } else if (arg == "--help" || arg == "-h") {
      usage("an OpenAI-compatible fake LLM for tests and offline demos");
      return 0;
    } else {
      return usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (script.empty()) return usage("--script is required");

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server threads start: they inherit it

  try {
    auto server = FakeLlm::from_file(script, options);
    server->start();
    std::cout << "OPENAI_BASE_URL=" << server->base_url() << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    server->stop();
    if (!record.empty()) {
      std::ofstream out(record, std::ios::trunc);
      for (const auto& r : server->requests()) {
        boost::json::object line;
        line["method"] = r.method;
        line["path"] = r.path;
        line["status"] = r.status;
        line["body"] = r.body;
        out << boost::json::serialize(line) << "\n";
      }
      if (!out) throw std::runtime_error("cannot write --record file '" + record + "'");
    }
  } catch (const std::exception& e) {
    std::cerr << "weft-fake-llm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
