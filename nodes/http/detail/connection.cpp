// SPDX-License-Identifier: MIT
#include "nodes/http/detail/connection.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>

namespace weft::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

void Connection::close() {
  error_code ec;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp().close();
}

namespace {

bool is_ssl_error(const error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() || ec.category() == asio::ssl::error::get_stream_category();
}

[[noreturn]] void throw_aborted() { throw boost::system::system_error(asio::error::operation_aborted); }

// Coroutines below throw only through these functions, with named arguments: GCC 12 mishandles
// temporaries of a full-expression that throws inside a coroutine.
[[noreturn]] void throw_transport(error code, const std::string& detail) {
  throw TransportFailure{code, detail, true, false};
}

// Maps an error of a read or write to a transport failure. `received`: response bytes seen.
[[noreturn]] void throw_io_failure(const error_code& ec, bool received, bool delivered) {
  TransportFailure f;
  f.nothing_received = !received;
  f.delivered = delivered;
  f.detail = ec.message();
  if (ec == beast::error::timeout) {
    f.code = error::timeout;
  } else if (ec == bhttp::error::body_limit) {
    f.code = error::bad_response;
    f.detail = "response body exceeds the body limit";
  } else if (ec.category() == make_error_code(bhttp::error::end_of_stream).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    f.code = error::bad_response;
  } else if (is_ssl_error(ec) && ec != asio::ssl::error::stream_truncated) {
    f.code = error::tls_failed;
  } else {
    f.code = error::connection_dropped;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      f.detail = "the server closed the connection";
    } else if (ec == bhttp::error::partial_message) {
      f.detail = "the server closed the connection in the middle of the response";
    }
  }
  throw f;
}

// Arms the stream's timer for one read or write: read_timeout, cut short by the overall deadline.
void arm(beast::tcp_stream& tcp_layer, const ExchangeSpec& spec) {
  std::chrono::steady_clock::duration limit = spec.read_timeout;
  if (spec.deadline) {
    const auto left = *spec.deadline - std::chrono::steady_clock::now();
    limit = std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(1), std::min(limit, left));
  }
  tcp_layer.expires_after(limit);
}

template <class Stream>
asio::awaitable<Outcome> exchange_on(Stream& stream, Connection& connection, ExchangeSpec spec) {
  const Request& req = *spec.request;
  bhttp::request<bhttp::string_body> message;
  const auto verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown) {
    message.method_string(req.method);
  } else {
    message.method(verb);
  }
  if (spec.proxy != nullptr) {
    // Absolute form: the proxy needs to know where to forward (RFC 9112 §3.2.2).
    message.target("http://" + spec.url->authority() + spec.url->target);
    if (!spec.proxy->authorization.empty()) message.set(bhttp::field::proxy_authorization, spec.proxy->authorization);
  } else {
    message.target(spec.url->target);
  }
  message.version(11);
  message.set(bhttp::field::host, spec.url->authority());
  bool has_user_agent = false;
  for (const auto& [name, value] : req.headers) {
    if (beast::iequals(name, "user-agent")) has_user_agent = true;
    message.insert(name, value);
  }
  if (!has_user_agent) message.set(bhttp::field::user_agent, spec.user_agent);
  message.keep_alive(true);
  message.body() = req.body;
  if (!req.body.empty() || (verb != bhttp::verb::get && verb != bhttp::verb::head && verb != bhttp::verb::delete_)) {
    message.prepare_payload();
  }

  auto& tcp_layer = connection.tcp();
  error_code ec;
  arm(tcp_layer, spec);
  co_await bhttp::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec) throw_io_failure(ec, false, false);

  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(spec.body_limit);
  if (verb == bhttp::verb::head) parser.skip(true);
  arm(tcp_layer, spec);
  co_await bhttp::async_read_header(stream, connection.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec) {
    const bool received = connection.buffer.size() > 0;
    throw_io_failure(ec, received, false);
  }

  Outcome out;
  const auto& head = parser.get();
  out.status = static_cast<int>(head.result_int());
  out.reason = std::string(head.reason());
  for (const auto& field : head) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  const bool stream_body = req.on_body && out.status >= 200 && out.status < 300;
  bool delivered = false;

  std::array<char, 16 * 1024> buffer;
  while (!parser.is_done()) {
    parser.get().body().data = buffer.data();
    parser.get().body().size = buffer.size();
    arm(tcp_layer, spec);
    // read_some, not read: a streamed body must reach on_body as it arrives.
    co_await bhttp::async_read_some(stream, connection.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec == asio::error::operation_aborted) throw_aborted();
    const std::size_t got = buffer.size() - parser.get().body().size;
    if (got > 0) {  // bytes parsed before an error still belong to the caller
      if (stream_body) {
        delivered = true;
        req.on_body(std::string_view(buffer.data(), got));
      } else {
        out.body.append(buffer.data(), got);
      }
    }
    if (ec) throw_io_failure(ec, true, delivered);
  }
  out.keep_alive = parser.get().keep_alive();
  tcp_layer.expires_never();
  co_return out;
}

// CONNECT host:port through the proxy on the connection's TCP stream (its timer already armed).
asio::awaitable<void> open_tunnel(Connection& connection, const Url& url, const ProxyRoute& proxy) {
  auto& tcp_layer = connection.tcp();
  const std::string authority =
      (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
  bhttp::request<bhttp::empty_body> request;
  request.method(bhttp::verb::connect);
  request.target(authority);
  request.version(11);
  request.set(bhttp::field::host, authority);
  if (!proxy.authorization.empty()) request.set(bhttp::field::proxy_authorization, proxy.authorization);
  error_code ec;
  co_await bhttp::async_write(tcp_layer, request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec == beast::error::timeout) {
    const std::string detail = "the proxy " + proxy.shown + " timed out";
    throw_transport(error::timeout, detail);
  }
  if (ec) {
    const std::string detail = "the proxy " + proxy.shown + " failed: " + ec.message();
    throw_transport(error::connect_failed, detail);
  }
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // a CONNECT answer has no body: the tunnel follows
  co_await bhttp::async_read_header(tcp_layer, connection.buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec == beast::error::timeout) {
    const std::string detail = "the proxy " + proxy.shown + " did not answer CONNECT in time";
    throw_transport(error::timeout, detail);
  }
  if (ec) {
    const std::string detail = "the proxy " + proxy.shown + " closed the connection during CONNECT: " + ec.message();
    throw_transport(error::connect_failed, detail);
  }
  const unsigned status = parser.get().result_int();
  if (status < 200 || status >= 300) {
    std::string detail =
        "the proxy " + proxy.shown + " refused CONNECT " + authority + " with " + std::to_string(status);
    if (status == 407) detail += " (proxy authentication required: put user:password in the proxy URL)";
    throw_transport(error::connect_failed, detail);
  }
}

}  // namespace

asio::awaitable<std::shared_ptr<Connection>> connect(asio::any_io_executor executor, asio::ssl::context* tls, Url url,
                                                     std::chrono::milliseconds timeout,
                                                     std::optional<ProxyRoute> proxy) {
  std::shared_ptr<Connection> connection;
  if (url.tls) {
    connection = std::make_shared<Connection>(executor, *tls);
  } else {
    connection = std::make_shared<Connection>(executor);
  }
  error_code ec;
  tcp::resolver resolver(executor);
  const std::string& dial_host = proxy ? proxy->host : url.host;
  const std::string port = std::to_string(proxy ? proxy->port : url.port);
  const std::string via = proxy ? " (proxy " + proxy->shown + ")" : std::string();
  auto endpoints = co_await resolver.async_resolve(dial_host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec) {
    const std::string detail = "cannot resolve host" + via + ": " + ec.message();
    throw_transport(error::connect_failed, detail);
  }

  auto& tcp_layer = connection->tcp();
  tcp_layer.expires_after(timeout);
  co_await tcp_layer.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == asio::error::operation_aborted) throw_aborted();
  if (ec == beast::error::timeout) {
    const std::string detail = "connect timed out" + via;
    throw_transport(error::timeout, detail);
  }
  if (ec) {
    const std::string detail = ec.message() + via;
    throw_transport(error::connect_failed, detail);
  }
  tcp_layer.socket().set_option(tcp::no_delay(true), ec);

  if (proxy && url.tls) {
    auto tunnelling = open_tunnel(*connection, url, *proxy);
    co_await std::move(tunnelling);
  }

  if (url.tls) {
    auto& stream = *connection->secure;
    if (!url.host_is_ip()) {
      // SNI: servers hosting several names need it to pick the certificate.
      if (SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()) != 1) {
        const std::string detail = "cannot set SNI host name";
        throw_transport(error::tls_failed, detail);
      }
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) throw_aborted();
    if (ec == beast::error::timeout) {
      const std::string detail = "TLS handshake timed out";
      throw_transport(error::timeout, detail);
    }
    if (ec) {
      std::string detail = "TLS handshake failed: " + ec.message();
      const long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) {
        detail += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
      }
      throw_transport(error::tls_failed, detail);
    }
  }
  tcp_layer.expires_never();
  co_return connection;
}

asio::awaitable<Outcome> exchange(std::shared_ptr<Connection> connection, ExchangeSpec spec) {
  if (connection->secure) {
    auto op = exchange_on(*connection->secure, *connection, std::move(spec));
    Outcome out = co_await std::move(op);
    co_return out;
  }
  auto op = exchange_on(*connection->plain, *connection, std::move(spec));
  Outcome out = co_await std::move(op);
  co_return out;
}

}  // namespace weft::http::detail
