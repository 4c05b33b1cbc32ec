// SPDX-License-Identifier: MIT
#pragma once
// weft-fake-llm: an OpenAI-compatible Chat Completions server on loopback, driven by a script
// (script.hpp, README.md), for tests and offline demos. Built on sandbox/http; no part of Weft.
//
// Routes: POST /v1/chat/completions (plain JSON or SSE when "stream": true), GET /v1/models.

#include "sandbox/fake_llm/script.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft::sandbox::fake_llm {

/// A server-side rate limit: at most `requests` answered per sliding `window`; the rest get 429.
struct ServerRateLimit {
  std::size_t requests = 10;               ///< default 10
  std::chrono::milliseconds window{1000};  ///< default 1 s
  bool retry_after = true;                 ///< send Retry-After (delta seconds) on 429; default true
  bool ratelimit_fields = true;            ///< send RateLimit-Limit/-Remaining/-Reset on 429; default true
};

struct Options {
  /// When non-empty, requests must carry "Authorization: Bearer <api_key>" (else 401). Default "".
  std::string api_key;
  /// The 401 body quotes the key that was sent (some providers echo part of it): lets tests prove
  /// the client redacts it. Default false.
  bool echo_key_in_errors = false;
  /// Model listed by GET /v1/models and answered when the request names none. Default "fake-gpt".
  std::string model = "fake-gpt";
  /// Server-side rate limit. Default none.
  std::optional<ServerRateLimit> rate_limit;
  std::string address = "127.0.0.1";  ///< default loopback
  std::uint16_t port = 0;             ///< default 0 = a free port
  unsigned threads = 1;               ///< server threads; default 1
};

/// One request as received (headers lower-cased) and the status it got (0 = dropped unanswered).
struct RecordedRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int status = 0;
  std::optional<std::string> header(std::string_view name) const;
};

/// Thread safety: every member may be called from any thread (not stop() from a handler).
class FakeLlm {
 public:
  /// Throws std::invalid_argument for a malformed script.
  explicit FakeLlm(const boost::json::value& script, Options options = {});
  /// Reads the script from a JSON file. Throws std::invalid_argument (unreadable, malformed).
  static std::unique_ptr<FakeLlm> from_file(const std::string& path, Options options = {});
  ~FakeLlm();  // stop()
  FakeLlm(const FakeLlm&) = delete;
  FakeLlm& operator=(const FakeLlm&) = delete;

  /// Binds (Options::port, 0 = free port) and serves on its own thread(s). Throws std::system_error.
  void start();
  /// Closes everything and joins the threads. Idempotent.
  void stop();

  std::uint16_t port() const;
  /// "http://127.0.0.1:<port>/v1": what OPENAI_BASE_URL should be.
  std::string base_url() const;

  std::vector<RecordedRequest> requests() const;
  std::size_t count_status(int status) const;
  /// Replaces the script (remaining uses reset).
  void set_script(const boost::json::value& script);
  std::size_t script_remaining() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace weft::sandbox::fake_llm
