// SPDX-License-Identifier: MIT
#pragma once
// Delivers Crisp web hooks from the sandbox to one URL, as Crisp does: a POST of
// {"website_id", "event", "data", "timestamp"} with, when a secret is set, the plugin-hook headers
// X-Crisp-Request-Timestamp (Unix ms) and X-Crisp-Signature (hex HMAC-SHA256 keyed with the
// secret over "[<timestamp>;<body>]"); a website hook's `key` is simply part of the URL. Delivery
// is at least once: a failed attempt (no connection, 429, 5xx) is retried with back-off.
//
// Written here, on Crisp's side, independently of the server's verifier (server/detail/
// hook_signature.*): the sandbox stands in for Crisp, and a shared function would hide a bug
// both sides had. Both are checked against the official crisp-api client's algorithm in tests.
//
// Thread safety: deliver() and stats() may be called from any thread; one background thread
// sends, in order.

#include <boost/json/object.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace weft::sandbox::crisp::detail {

struct HookTarget {
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // path and query
};

// Parses "http://HOST:PORT/path?query". Throws std::invalid_argument naming what is wrong (the
// sandbox delivers over plain HTTP only: it runs on loopback beside the receiver).
HookTarget parse_hook_url(const std::string& url);

// Lower-case hex HMAC-SHA256 of "[" timestamp ";" body "]" keyed with `secret`.
std::string sign_hook(const std::string& secret, const std::string& timestamp, const std::string& body);

class HookSender {
 public:
  HookSender(std::string url, std::string secret);
  ~HookSender();
  HookSender(const HookSender&) = delete;
  HookSender& operator=(const HookSender&) = delete;

  // Queues one event for delivery; returns at once.
  void deliver(const std::string& website_id, const std::string& event, boost::json::object data);
  // {"url", "delivered", "failed", "pending", "attempts", "last_error"} (the URL's key elided).
  boost::json::object stats() const;

 private:
  void run();
  bool send(const std::string& body);

  HookTarget target_;
  std::string url_for_display_;
  std::string secret_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;  // serialized bodies
  bool stopping_ = false;
  std::int64_t delivered_ = 0;
  std::int64_t failed_ = 0;
  std::int64_t attempts_ = 0;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace weft::sandbox::crisp::detail
