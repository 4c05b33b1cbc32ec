// SPDX-License-Identifier: MIT
#pragma once
// weft::testing::FakeLlm: an OpenAI-compatible Chat Completions server (sandbox/fake_llm) started
// in-process on a loopback port and answering from a script, so a user's own tests can run graphs
// that call a language model, deterministically and offline. The script format is documented in
// sandbox/fake_llm/README.md (installed as share/doc/weft/fake_llm.md); the simplest is an array
// of replies, taken in order: ["first answer", {"content": "second answer"}].
//
// ```cpp
//   #include <boost/json/parse.hpp>
//   #include <weft/nodes/model/openai_chat_model.hpp>
//   #include <weft/testing/fake_llm.hpp>
//
//   weft::testing::FakeLlm llm(boost::json::parse(R"(["{\"category\":\"spam\"}"])"));
//   llm.start();
//   weft::OpenAIConfig config;
//   config.base_url = llm.base_url();   // "http://127.0.0.1:<port>/v1"
//   config.model = llm.model();
// ```

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace weft::testing {

struct FakeLlmOptions {
  /// When non-empty, requests must carry "Authorization: Bearer <api_key>" (else 401). Default "".
  std::string api_key;
  /// The model GET /v1/models lists and answers report. Default "fake-gpt".
  std::string model = "fake-gpt";
  std::uint16_t port = 0;  ///< port on 127.0.0.1; default 0 = a free port chosen by the OS
};

/// Errors: the constructor and from_file throw std::invalid_argument for a malformed script (or an
/// unreadable file); start() throws std::system_error when the port cannot be bound. A request no
/// script entry matches gets HTTP 500. Thread safety: every member may be called from any thread
/// once start() returned; start and stop not concurrently. The server runs on its own thread.
class FakeLlm {
 public:
  explicit FakeLlm(const boost::json::value& script, FakeLlmOptions options = {});
  /// Reads the script from a JSON file.
  static std::unique_ptr<FakeLlm> from_file(const std::string& path, FakeLlmOptions options = {});
  ~FakeLlm();  ///< stop()
  FakeLlm(const FakeLlm&) = delete;
  FakeLlm& operator=(const FakeLlm&) = delete;

  /// Binds and serves; returns once requests may be sent.
  void start();
  /// Closes every connection and joins the server thread. Idempotent.
  void stop();

  std::uint16_t port() const;             ///< the bound port; 0 before start()
  std::string base_url() const;           ///< "http://127.0.0.1:<port>/v1": what OPENAI_BASE_URL should be
  std::string model() const;              ///< FakeLlmOptions::model
  std::size_t requests_received() const;  ///< requests received so far, answered or not
  std::size_t script_remaining() const;   ///< script uses left (an unlimited entry counts once)

 private:
  struct Impl;
  explicit FakeLlm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::testing
