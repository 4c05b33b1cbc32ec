// SPDX-License-Identifier: MIT
#include "sandbox/http/client.hpp"

#include <system_error>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sandbox/http/base64.hpp"
#include "sandbox/http/url.hpp"

namespace weft::sandbox::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view{value};
  }
  return std::nullopt;
}

struct Client::Impl {
  std::string host;
  std::uint16_t port;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(io);
    buffer.clear();
    const net::ip::tcp::endpoint ep(net::ip::make_address(host), port);
    stream->connect(ep);
    stream->socket().set_option(net::ip::tcp::no_delay(true));
  }
};

Client::Client(std::string host, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

Client::~Client() { close(); }

void Client::close() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    impl_->stream->socket().close(ec);
    impl_->stream.reset();
  }
}

ClientResponse Client::request(std::string_view method, std::string_view target, std::string_view body,
                               const Fields& headers) {
  if (!impl_->stream) impl_->connect();
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, impl_->host + ":" + std::to_string(impl_->port));
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.body() = std::string(body);
    req.prepare_payload();
  }
  req.keep_alive(true);
  try {
    bhttp::write(*impl_->stream, req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    bhttp::read(*impl_->stream, impl_->buffer, parser);
    auto& msg = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(msg.body());
    if (!msg.keep_alive()) close();
    return out;
  } catch (const boost::system::system_error& e) {
    close();
    throw std::system_error(e.code(), "sandbox http client: " + std::string(method) + " " + std::string(target));
  }
}

std::string basic_auth(std::string_view user, std::string_view password) {
  return "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
}

}  // namespace weft::sandbox::http
