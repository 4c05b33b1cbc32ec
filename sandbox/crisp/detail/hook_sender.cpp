// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/hook_sender.hpp"

#include "sandbox/crisp/detail/store.hpp"
#include "sandbox/http/client.hpp"

#include <boost/json/serialize.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <chrono>
#include <stdexcept>

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

namespace {
constexpr int kAttempts = 6;  // 1 + 5 retries, 100 ms doubling: about 3 s before giving up
}

HookTarget parse_hook_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("hook URL '" + url + "' must start with http://");
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HookTarget t;
  t.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::invalid_argument("hook URL '" + url + "' needs HOST:PORT");
  t.host = authority.substr(0, colon);
  unsigned port = 0;
  const char* first = authority.data() + colon + 1;
  const char* last = authority.data() + authority.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535)
    throw std::invalid_argument("hook URL '" + url + "' has no valid port");
  t.port = static_cast<std::uint16_t>(port);
  return t;
}

std::string sign_hook(const std::string& secret, const std::string& timestamp, const std::string& body) {
  const std::string trace = "[" + timestamp + ";" + body + "]";
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(trace.data()), trace.size(), mac.data(), &length);
  std::string hex;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[mac[i] >> 4];
    hex += kDigits[mac[i] & 0xf];
  }
  return hex;
}

HookSender::HookSender(std::string url, std::string secret) : target_(parse_hook_url(url)), secret_(std::move(secret)) {
  url_for_display_ = url.substr(0, url.find('?'));
  if (url.find('?') != std::string::npos) url_for_display_ += "?…";
  thread_ = std::thread([this] { run(); });
}

HookSender::~HookSender() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void HookSender::deliver(const std::string& website_id, const std::string& event, json::object data) {
  json::object body;
  body["website_id"] = website_id;
  body["event"] = event;
  body["data"] = std::move(data);
  body["timestamp"] = now_ms();
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(json::serialize(body));
  }
  wake_.notify_one();
}

json::object HookSender::stats() const {
  const std::lock_guard lock(mutex_);
  json::object o;
  o["url"] = url_for_display_;
  o["delivered"] = delivered_;
  o["failed"] = failed_;
  o["pending"] = static_cast<std::int64_t>(queue_.size());
  o["attempts"] = attempts_;
  o["last_error"] = last_error_;
  return o;
}

bool HookSender::send(const std::string& body) {
  http::Client client(target_.host, target_.port);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    {
      std::unique_lock lock(mutex_);
      if (attempt > 0 &&
          wake_.wait_for(lock, std::chrono::milliseconds(100 << (attempt - 1)), [&] { return stopping_; }))
        return false;
      ++attempts_;
    }
    std::string error;
    try {
      http::Fields headers{{"Content-Type", "application/json"}, {"User-Agent", "Crisp-Sandbox-Hooks (weft)"}};
      if (!secret_.empty()) {
        const std::string stamp = std::to_string(now_ms());  // signed per attempt, as a fresh delivery
        headers.emplace_back("X-Crisp-Request-Timestamp", stamp);
        headers.emplace_back("X-Crisp-Signature", sign_hook(secret_, stamp, body));
      }
      const http::ClientResponse answer = client.request("POST", target_.target, body, headers);
      if (answer.status >= 200 && answer.status < 300) return true;
      error = "HTTP " + std::to_string(answer.status) + ": " + answer.body.substr(0, 200);
      if (answer.status < 500 && answer.status != 429) {  // refused for good: retrying cannot help
        const std::lock_guard lock(mutex_);
        last_error_ = error;
        return false;
      }
    } catch (const std::exception& e) {
      error = e.what();
      client.close();
    }
    const std::lock_guard lock(mutex_);
    last_error_ = error;
  }
  return false;
}

void HookSender::run() {
  for (;;) {
    std::string body;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      body = queue_.front();
    }
    const bool ok = send(body);
    const std::lock_guard lock(mutex_);
    if (stopping_ && !ok) return;
    queue_.pop_front();
    (ok ? delivered_ : failed_) += 1;
  }
}

}  // namespace weft::sandbox::crisp::detail
