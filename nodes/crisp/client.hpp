// SPDX-License-Identifier: MIT
#pragma once
// CrispClient: Crisp's REST API v1 over Weft's HTTP client (nodes/http/): HTTP Basic auth,
// X-Crisp-Tier, the {error, reason, data} envelope mapped to typed errors (error.hpp), and the two
// pagination styles (page numbers until an empty page; messages backwards with timestamp_before).
//
// Retries, backoff (429/420/423/5xx, Retry-After, RateLimit-Reset) and the per-host token bucket
// are the HTTP layer's; this class adds Crisp's conventions on top.

#include "nodes/crisp/config.hpp"
#include "nodes/http/message.hpp"
#include "nodes/http/options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace weft::http {
class Client;
}

namespace weft::crisp {

/// One Crisp answer: the envelope's data plus the HTTP status.
struct CrispResponse {
  int status = 0;
  boost::json::value data;  ///< the envelope's `data` ({} when absent; null for HEAD)
};

/// Per-request options.
struct RequestOptions {
  /// Overrides the HTTP layer's attempt count (1 = the HTTP layer never resends). Used for writes
  /// that are not idempotent, whose retries CrispTools drives itself (check before resending).
  /// Default: unset (the HTTP client's RetryPolicy).
  std::optional<int> max_attempts;
  /// Awaited right before every attempt is sent (http::Request::before_send); what it throws ends
  /// the request unsent. CrispTools passes its EffectScope's lease check here for writes.
  /// Default: unset.
  http::BeforeSend before_send;
};

/// Thread safety: one CrispClient may be shared by many concurrent coroutines (the HTTP client
/// is). Every awaitable completes on the executor of the awaiting coroutine and is cancelled by
/// that coroutine's cancellation slot (the HTTP layer's cancellation).
/// Errors: crisp::ApiError (a weft::Error) for an error envelope, with the code from error_for();
/// weft::Error(crisp::error::transport | bad_response) otherwise. Messages name the method and the
/// route (never the base URL's userinfo, the identifier, the key or the Authorization header).
/// Every response body is passed through the HTTP client's redactor before it is read, so a key a
/// server echoes (raw, identifier:key, base64) reaches neither an error nor returned data.
class CrispClient {
 public:
  /// The client-side limits CrispClient(executor, config) gives the API host: 10 requests/s,
  /// burst 10, 8 in flight. Crisp publishes no per-second limits (reference §1.6), only daily
  /// quotas; this keeps a fan-out from turning into a 429 storm.
  static http::HostLimits default_host_limits();

  /// Creates a client with its own HTTP client on `executor` (default options, and
  /// default_host_limits() for every host).
  CrispClient(boost::asio::any_io_executor executor, CrispConfig config);
  /// Shares an existing HTTP client (its token bucket and retry policy).
  CrispClient(std::shared_ptr<http::Client> http, CrispConfig config);
  ~CrispClient();
  CrispClient(const CrispClient&) = delete;
  CrispClient& operator=(const CrispClient&) = delete;

  const CrispConfig& config() const noexcept { return config_; }
  const std::string& website_id() const noexcept { return config_.website_id; }

  /// Sends `method` to `path` (relative to the base URL, e.g. "website/<id>/conversations/1"),
  /// with `query` (strings as-is, numbers in decimal, booleans as 1/0, objects and arrays
  /// JSON-encoded, null or "" left out) and `body` (null: no body). Returns data and status.
  boost::asio::awaitable<CrispResponse> request(std::string method, std::string path, boost::json::object query = {},
                                                boost::json::value body = nullptr, RequestOptions options = {});

  /// request() returning only the data.
  boost::asio::awaitable<boost::json::value> get(std::string path, boost::json::object query = {});

  /// GET `path`: true when it answers, false on 404 not_found; other errors are thrown.
  boost::asio::awaitable<bool> exists(std::string path);

  /// Page-numbered lists: GET `path_prefix`/1, /2, ... (path_prefix has no trailing slash) until
  /// a page is empty, not an array, or `max_pages` pages were read; returns all items in order.
  boost::asio::awaitable<boost::json::array> list_all_pages(std::string path_prefix, boost::json::object query = {},
                                                            std::size_t max_pages = 100);

  /// One batch of a conversation's messages (oldest first, at most 40): the latest batch, or the
  /// one strictly before `timestamp_before` (epoch ms).
  boost::asio::awaitable<boost::json::array> list_messages(std::string session_id,
                                                           std::optional<std::int64_t> timestamp_before = {});

  /// All messages of a conversation, oldest first, paging backwards with timestamp_before until a
  /// batch has fewer than 40 messages or nothing new (or `max_batches` batches were read).
  /// Messages sharing the boundary millisecond are not lost: the walk re-reads that millisecond
  /// (timestamp_before = oldest + 1) and drops repeats by fingerprint.
  boost::asio::awaitable<boost::json::array> list_all_messages(std::string session_id, std::size_t max_batches = 50);

  /// The route of `path` on this client's website: "website/<website_id>/" + rest.
  std::string website_path(const std::string& rest) const;

  /// The HTTP client (shared): its retry rules (retry_delay()), clock and redactor. Both
  /// constructors register the config's credentials with it (http::Client::add_credentials), so
  /// http().redact(text) masks every form of the key.
  http::Client& http() const noexcept { return *http_; }

 private:
  std::shared_ptr<http::Client> http_;
  CrispConfig config_;
};

/// Encodes a query object as "a=1&b=x" (rules as in request()); empty when nothing is left.
std::string encode_query(const boost::json::object& query);

}  // namespace weft::crisp
