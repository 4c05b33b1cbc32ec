// SPDX-License-Identifier: MIT
#include "testing/fake_llm.hpp"

#include "sandbox/fake_llm/server.hpp"

namespace weft::testing {

struct FakeLlm::Impl {
  std::unique_ptr<sandbox::fake_llm::FakeLlm> server;
  std::string model;
};

namespace {

sandbox::fake_llm::Options to_server_options(const FakeLlmOptions& options) {
  sandbox::fake_llm::Options out;
  out.api_key = options.api_key;
  out.model = options.model;
  out.port = options.port;
  return out;
}

}  // namespace

FakeLlm::FakeLlm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FakeLlm::FakeLlm(const boost::json::value& script, FakeLlmOptions options)
    : FakeLlm(std::make_unique<Impl>(
          Impl{std::make_unique<sandbox::fake_llm::FakeLlm>(script, to_server_options(options)), options.model})) {}

std::unique_ptr<FakeLlm> FakeLlm::from_file(const std::string& path, FakeLlmOptions options) {
  auto impl = std::make_unique<Impl>(
      Impl{sandbox::fake_llm::FakeLlm::from_file(path, to_server_options(options)), options.model});
  return std::unique_ptr<FakeLlm>(new FakeLlm(std::move(impl)));
}

FakeLlm::~FakeLlm() = default;

void FakeLlm::start() { impl_->server->start(); }
void FakeLlm::stop() { impl_->server->stop(); }
std::uint16_t FakeLlm::port() const { return impl_->server->port(); }
std::string FakeLlm::base_url() const { return impl_->server->base_url(); }
std::string FakeLlm::model() const { return impl_->model; }
std::size_t FakeLlm::requests_received() const { return impl_->server->requests().size(); }
std::size_t FakeLlm::script_remaining() const { return impl_->server->script_remaining(); }

}  // namespace weft::testing
