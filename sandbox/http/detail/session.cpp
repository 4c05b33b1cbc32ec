// SPDX-License-Identifier: MIT
#include "sandbox/http/detail/session.hpp"

#include <exception>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "sandbox/http/url.hpp"

namespace weft::sandbox::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

Request to_request(bhttp::request<bhttp::string_body>& msg) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const auto qpos = req.target.find('?');
  req.path = req.target.substr(0, qpos);
  if (qpos != std::string::npos) req.query = parse_query(std::string_view(req.target).substr(qpos + 1));
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  return req;
}

Session::Session(net::ip::tcp::socket socket, std::shared_ptr<ServerCore> core)
    : stream_(std::move(socket)), timer_(stream_.get_executor()), core_(std::move(core)) {}

void Session::start() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void Session::shutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
}

void Session::close() {
  beast::error_code ec;
  timer_.cancel();
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

void Session::do_read() {
  if (core_->stopping) {
    close();
    return;
  }
  parser_.emplace();
  parser_->body_limit(core_->options.body_limit);
  stream_.expires_after(core_->options.idle_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    res_ = Response::text(413, "request body too large");
    res_.close = true;
    head_ = false;
    keep_alive_ = false;
    send();
    return;
  }
  if (ec) {
    close();
    return;
  }
  auto& msg = parser_->get();
  Request req = to_request(msg);
  beast::error_code ep_ec;
  const auto ep = stream_.socket().remote_endpoint(ep_ec);
  if (!ep_ec) req.remote_address = ep.address().to_string();
  head_ = msg.method() == bhttp::verb::head;
  version_ = msg.version();
  const bool client_keep_alive = msg.keep_alive();

  FaultDecision decision = core_->draw();
  ++core_->served;
  if (decision.drop) {
    close();
    return;
  }
  if (decision.answer) {
    res_ = std::move(*decision.answer);
  } else {
    try {
      res_ = core_->router.dispatch(req);
    } catch (const std::exception& e) {
      res_ = Response::text(500, std::string("handler failed: ") + e.what());
    } catch (...) {
      res_ = Response::text(500, "handler failed");
    }
  }
  res_.delay += decision.latency;
  keep_alive_ = client_keep_alive && !res_.close && !core_->stopping;

  if (res_.delay.count() > 0) {
    timer_.expires_after(res_.delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (wait_ec) {
        self->close();
        return;
      }
      self->send();
    });
    return;
  }
  send();
}

void Session::send() {
  if (res_.drop) {
    close();
    return;
  }
  if (res_.chunks && !head_) {
    stream_head_ =
        std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(res_.status), version_);
    for (const auto& [name, value] : res_.headers) stream_head_->insert(name, value);
    stream_head_->chunked(true);
    stream_head_->keep_alive(keep_alive_);
    serializer_ = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*stream_head_);
    stream_.expires_never();
    bhttp::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->send_chunk(0);
    });
    return;
  }
  send_plain();
}

void Session::send_plain() {
  plain_ = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res_.status), version_);
  for (const auto& [name, value] : res_.headers) plain_->insert(name, value);
  if (head_) {
    plain_->content_length(res_.body.size());
  } else {
    plain_->body() = std::move(res_.body);
    plain_->prepare_payload();
  }
  plain_->keep_alive(keep_alive_);
  stream_.expires_never();
  bhttp::async_write(stream_, *plain_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void Session::send_chunk(std::size_t index) {
  if (res_.drop_after_chunks && index >= *res_.drop_after_chunks) {
    close();
    return;
  }
  const auto& chunks = *res_.chunks;
  if (index == chunks.size()) {
    net::async_write(stream_, bhttp::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    return;
  }
  if (chunks[index].delay.count() > 0) {
    timer_.expires_after(chunks[index].delay);
    timer_.async_wait([self = shared_from_this(), index](beast::error_code ec) {
      if (ec) {
        self->close();
        return;
      }
      self->write_chunk(index);
    });
    return;
  }
  write_chunk(index);
}

void Session::write_chunk(std::size_t index) {
  const std::string& data = (*res_.chunks)[index].data;
  if (data.empty()) {  // an empty chunk would end the body: skip it
    send_chunk(index + 1);
    return;
  }
  net::async_write(stream_, bhttp::make_chunk(net::buffer(data)),
                   [self = shared_from_this(), index](beast::error_code ec, std::size_t) {
                     if (ec) {
                       self->close();
                       return;
                     }
                     self->send_chunk(index + 1);
                   });
}

void Session::on_write(beast::error_code ec) {
  plain_.reset();
  serializer_.reset();
  stream_head_.reset();
  if (ec || !keep_alive_) {
    close();
    return;
  }
  do_read();
}

}  // namespace weft::sandbox::http::detail
