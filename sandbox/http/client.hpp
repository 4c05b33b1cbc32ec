// SPDX-License-Identifier: MIT
#pragma once
// A minimal blocking HTTP/1.1 client for tests and benches of the sandboxes (loopback, keep-alive).
// Not a general client: no TLS, no redirects, no proxy.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sandbox/http/message.hpp"

namespace weft::sandbox::http {

struct ClientResponse {
  int status = 0;
  Fields headers;                                                       // names as received
  std::string body;                                                     // chunked bodies are reassembled
  std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive
};

// One keep-alive connection to host:port, opened lazily and reopened after the server closes it.
// Errors: request() throws std::system_error when the connection fails or the server closes it
// without answering (the next request reconnects). Thread safety: one thread at a time.
class Client {
 public:
  Client(std::string host, std::uint16_t port);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and reads the whole answer. `headers` are added as given; Host, and
  // Content-Length when a body is present, are set automatically.
  ClientResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                         const Fields& headers = {});
  void close();  // closes the connection (the next request reconnects)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Basic " + base64(user ":" password), for the Authorization header.
std::string basic_auth(std::string_view user, std::string_view password);

}  // namespace weft::sandbox::http
