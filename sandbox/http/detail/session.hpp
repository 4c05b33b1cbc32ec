// SPDX-License-Identifier: MIT
#pragma once
// One accepted connection: read request, dispatch, write (plain or chunked), repeat while keep-alive.
// Private to sandbox/http; includes Beast.

#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "sandbox/http/detail/server_core.hpp"

namespace weft::sandbox::http::detail {

// A parsed Beast request as a handler sees it (header names lower-cased, query decoded); moves
// the body out of `msg`. remote_address is left empty. Used by Session and by the fuzz target
// fuzz/sandbox_http.cpp, which feeds raw bytes through the same parser and conversion.
Request to_request(boost::beast::http::request<boost::beast::http::string_body>& msg);

// All of a session's handlers run on the socket's strand (the executor it was accepted on).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core);
  void start();     // begins reading; call once, after track()
  void shutdown();  // closes the connection from any thread (posted to the strand)

 private:
  void do_read();
  void on_read(boost::beast::error_code ec);
  void send();
  void send_plain();
  void send_chunk(std::size_t index);
  void write_chunk(std::size_t index);
  void on_write(boost::beast::error_code ec);
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<ServerCore> core_;

  Response res_;  // the answer being written
  bool head_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> plain_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::empty_body>> stream_head_;
  std::shared_ptr<boost::beast::http::response_serializer<boost::beast::http::empty_body>> serializer_;
};

}  // namespace weft::sandbox::http::detail
