// SPDX-License-Identifier: MIT
#include "nodes/http/detail/semaphore.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace weft::http::detail {

namespace asio = boost::asio;

bool Semaphore::try_acquire() {
  std::lock_guard lock(mutex_);
  if (capacity_ != 0 && in_use_ >= capacity_) return false;
  ++in_use_;
  return true;
}

asio::awaitable<void> Semaphore::acquire() {
  auto self = shared_from_this();
  auto executor = co_await asio::this_coro::executor;
  auto initiation = [self, executor](auto handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    std::unique_lock lock(self->mutex_);
    auto waiter = std::make_shared<Waiter>();
    auto target = asio::get_associated_executor(handler, executor);
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    waiter->resume = [shared, target](boost::system::error_code ec) {
      asio::post(target, [shared, ec]() mutable { std::move (*shared)(ec); });
    };
    if (self->capacity_ == 0 || self->in_use_ < self->capacity_) {
      ++self->in_use_;
      lock.unlock();
      complete(waiter, {});
      return;
    }
    self->waiters_.push_back(waiter);
    if (slot.is_connected()) {
      slot.assign([weak = std::weak_ptr<Semaphore>(self), waiter](asio::cancellation_type) {
        if (auto s = weak.lock()) s->cancel(waiter);
      });
    }
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(boost::system::error_code)>(std::move(initiation),
                                                                                                 asio::use_awaitable);
}

void Semaphore::complete(const std::shared_ptr<Waiter>& waiter, boost::system::error_code ec) {
  waiter->done = true;
  auto resume = std::move(waiter->resume);
  waiter->resume = nullptr;
  resume(ec);
}

void Semaphore::cancel(const std::shared_ptr<Waiter>& waiter) {
  std::unique_lock lock(mutex_);
  if (waiter->done) return;
  waiter->done = true;
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (*it == waiter) {
      waiters_.erase(it);
      break;
    }
  }
  lock.unlock();
  complete(waiter, asio::error::operation_aborted);
}

std::deque<std::shared_ptr<Semaphore::Waiter>> Semaphore::grant_locked() {
  std::deque<std::shared_ptr<Waiter>> ready;
  while (!waiters_.empty() && (capacity_ == 0 || in_use_ < capacity_)) {
    auto w = waiters_.front();
    waiters_.pop_front();
    if (w->done) continue;
    w->done = true;
    ++in_use_;
    ready.push_back(std::move(w));
  }
  return ready;
}

void Semaphore::release() {
  std::unique_lock lock(mutex_);
  if (in_use_ > 0) --in_use_;
  auto ready = grant_locked();
  lock.unlock();
  for (auto& w : ready) complete(w, {});
}

void Semaphore::set_capacity(std::size_t capacity) {
  std::unique_lock lock(mutex_);
  capacity_ = capacity;
  auto ready = grant_locked();
  lock.unlock();
  for (auto& w : ready) complete(w, {});
}

}  // namespace weft::http::detail
