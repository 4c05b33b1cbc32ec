// SPDX-License-Identifier: MIT
#pragma once
// One HTTP/1.1 connection (plain or TLS) and one request/response exchange on it (private; Beast).

#include "nodes/http/detail/proxy_route.hpp"
#include "nodes/http/detail/url.hpp"
#include "nodes/http/error.hpp"
#include "nodes/http/message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace weft::http::detail {

struct Connection {
  explicit Connection(const boost::asio::any_io_executor& executor) : plain(std::in_place, executor) {}
  Connection(const boost::asio::any_io_executor& executor, boost::asio::ssl::context& context)
      : secure(std::in_place, executor, context) {}

  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;
  boost::beast::flat_buffer buffer;

  boost::beast::tcp_stream& tcp() { return secure ? boost::beast::get_lowest_layer(*secure) : *plain; }
  void close();
};

/// Why an attempt failed below HTTP (no status). Thrown by connect() and exchange().
struct TransportFailure {
  error code = error::connection_dropped;
  std::string detail;             ///< e.g. "connection refused", "certificate verify failed"
  bool nothing_received = false;  ///< failed before any response byte (a stale pooled connection?)
  bool delivered = false;         ///< some body bytes already went to Request::on_body
};

/// Resolves, connects and (https) handshakes with SNI and verification. With `proxy`, connects to
/// the proxy instead, and for https opens a CONNECT tunnel to the origin first (the TLS handshake
/// and its checks are the origin's). Throws TransportFailure (connect_failed, timeout, tls_failed)
/// or boost::system::system_error(operation_aborted) when cancelled. Completes on the awaiting
/// coroutine's executor.
boost::asio::awaitable<std::shared_ptr<Connection>> connect(boost::asio::any_io_executor executor,
                                                            boost::asio::ssl::context* tls, Url url,
                                                            std::chrono::milliseconds timeout,
                                                            std::optional<ProxyRoute> proxy);

/// The response of one exchange.
struct Outcome {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
  bool keep_alive = false;
};

/// What exchange() needs besides the connection. Pointers refer to the caller's frame, which
/// outlives the exchange.
struct ExchangeSpec {
  const Url* url = nullptr;
  const Request* request = nullptr;
  std::string user_agent;
  std::chrono::milliseconds read_timeout{0};
  std::size_t body_limit = 0;
  /// Real-time end of the whole request (Request::timeout); every read waits at most until then.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// Plain http through a proxy: the absolute-form target, and the proxy's credentials (or null).
  const ProxyRoute* proxy = nullptr;
};

/// Writes the request and reads the response on `connection`. When spec.request->on_body is set and
/// the status is 2xx, the body goes there instead of Outcome::body. Throws TransportFailure
/// (timeout, connection_dropped, bad_response) or system_error(operation_aborted) when cancelled.
boost::asio::awaitable<Outcome> exchange(std::shared_ptr<Connection> connection, ExchangeSpec spec);

}  // namespace weft::http::detail
