// SPDX-License-Identifier: MIT
// HTTPS: a loopback TLS server with certificates generated at test time (OpenSSL APIs).

#include "nodes/http/client.hpp"
#include "tests/http/test_proxy.hpp"
#include "tests/tools/run_sync.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = weft::http;
using tcp = asio::ip::tcp;

namespace {

struct Credentials {
  std::string cert_pem;
  std::string key_pem;
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed certificate (P-256, SHA-256) whose subjectAltName is `san`.
Credentials make_self_signed(const char* san) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("weft test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san);
  REQUIRE(ext != nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(cert, bc, -1);
  X509_EXTENSION_free(bc);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);

  Credentials out;
  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, cert);
  out.cert_pem = bio_text(cb);
  BIO_free(cb);
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = bio_text(kb);
  BIO_free(kb);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

// Answers "hello tls" over TLS, one connection at a time, on its own thread; records SNI names.
class TlsServer {
 public:
  explicit TlsServer(const Credentials& creds)
      : tls_(asio::ssl::context::tls_server), acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    tls_.use_certificate_chain(asio::buffer(creds.cert_pem));
    tls_.use_private_key(asio::buffer(creds.key_pem), asio::ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { loop(); });
  }
  ~TlsServer() {
    stopping_ = true;
    boost::system::error_code ec;
    asio::io_context wake_io;
    tcp::socket wake(wake_io);
    wake.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port_), ec);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::vector<std::string> server_names() {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  void loop() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec) continue;
      if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
        std::lock_guard lock(mutex_);
        names_.emplace_back(sni);
      }
      beast::flat_buffer buffer;
      beast::http::request<beast::http::string_body> req;
      beast::http::read(stream, buffer, req, ec);
      if (ec) continue;
      beast::http::response<beast::http::string_body> res(beast::http::status::ok, 11);
      res.body() = "hello tls";
      res.keep_alive(false);
      res.prepare_payload();
      beast::http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  asio::io_context io_;
  asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> names_;
  std::thread thread_;
};

asio::awaitable<http::Response> get(http::Client client, std::string url) {
  http::Request r;
  r.url = std::move(url);
  http::Response res = co_await client.request(std::move(r));
  co_return res;
}

}  // namespace

TEST_CASE("certificate verification is on by default: a self-signed server is refused") {
  const auto creds = make_self_signed("DNS:localhost,IP:127.0.0.1");
  TlsServer server(creds);
  asio::io_context io;
  http::Client client(io.get_executor());
  try {
    weft::test::run_sync(io, get(client, "https://localhost:" + std::to_string(server.port()) + "/"));
    FAIL("an untrusted certificate was accepted");
  } catch (const http::RequestError& e) {
    CHECK(e.code() == http::error::tls_failed);
    CHECK(e.attempts() == 1);
    CHECK(std::string(e.what()).find("certificate") != std::string::npos);
  }
}

TEST_CASE("a server whose certificate is trusted answers over HTTPS, and the client sends SNI") {
  const auto creds = make_self_signed("DNS:localhost,IP:127.0.0.1");
  TlsServer server(creds);
  asio::io_context io;
  http::ClientOptions options;
  options.extra_ca_pem = creds.cert_pem;
  http::Client client(io.get_executor(), options);
  const auto res =
      weft::test::run_sync(io, get(client, "https://localhost:" + std::to_string(server.port()) + "/hello"));
  CHECK(res.status == 200);
  CHECK(res.body == "hello tls");
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});
}

TEST_CASE("with HTTPS_PROXY set, an HTTPS request tunnels through CONNECT and TLS is still checked end to end") {
  const auto creds = make_self_signed("DNS:localhost,IP:127.0.0.1");
  TlsServer server(creds);
  weft::test::TestProxy proxy;
  asio::io_context io;
  http::ClientOptions options;
  options.extra_ca_pem = creds.cert_pem;
  options.proxy = http::ProxySettings::from_env([&](std::string_view name) -> std::optional<std::string> {
    if (name == "HTTPS_PROXY") return proxy.url();
    return std::nullopt;
  });
  http::Client client(io.get_executor(), options);
  const std::string url = "https://localhost:" + std::to_string(server.port()) + "/hello";
  const auto res = weft::test::run_sync(io, get(client, url));
  CHECK(res.status == 200);
  CHECK(res.body == "hello tls");
  CHECK(proxy.seen() == std::vector<std::string>{"CONNECT localhost:" + std::to_string(server.port())});
  CHECK(server.server_names() == std::vector<std::string>{"localhost"});  // SNI is the origin's
}

TEST_CASE("a trusted certificate for another host name is refused") {
  const auto creds = make_self_signed("DNS:other.example");
  TlsServer server(creds);
  asio::io_context io;
  http::ClientOptions options;
  options.extra_ca_pem = creds.cert_pem;
  http::Client client(io.get_executor(), options);
  try {
    weft::test::run_sync(io, get(client, "https://localhost:" + std::to_string(server.port()) + "/"));
    FAIL("a certificate for another host was accepted");
  } catch (const http::RequestError& e) {
    CHECK(e.code() == http::error::tls_failed);
  }
}

TEST_CASE("an invalid extra CA is reported when the client is built") {
  asio::io_context io;
  http::ClientOptions options;
  options.extra_ca_pem = "not a certificate";
  CHECK_THROWS_AS(http::Client(io.get_executor(), options), weft::Error);
}
