// SPDX-License-Identifier: MIT
// A Crisp write sent without blind repeats: how a failed attempt is read, and the attempt loop.
#include "nodes/crisp/detail/write_once.hpp"

#include "nodes/http/client.hpp"

#include <algorithm>
#include <chrono>

namespace weft::crisp::detail {
namespace json = boost::json;
using boost::asio::awaitable;

std::optional<ApiError> api_error_in(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const ApiError& e) {
    return e;
  } catch (...) {
    return std::nullopt;
  }
}

namespace {

// How a failed single attempt of a write is to be read.
enum class Outcome { rejected, not_sent, unknown };

Outcome classify(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const ApiError& e) {
    const int s = e.status();
    if (s == 420 || s == 423 || s == 429) return Outcome::not_sent;  // throttled: not processed
    if (s >= 400 && s < 500 && s != 408) return Outcome::rejected;   // Crisp said no: nothing written
    return Outcome::unknown;                                         // 5xx: may have been written
  } catch (const Error& e) {
    if (e.code() == make_error_code(error::transport)) return Outcome::unknown;
    return Outcome::rejected;
  } catch (...) {
    return Outcome::rejected;
  }
}

// The wait the failed attempt's answer asked for (a 503's Retry-After), if any.
std::optional<std::chrono::milliseconds> wait_asked(const std::exception_ptr& failure) {
  const std::optional<ApiError> e = api_error_in(failure);
  return e ? e->server_wait() : std::nullopt;
}

}  // namespace

awaitable<json::value> write_once(CrispClient* client, std::string method, std::string path, json::object query,
                                  json::value body, CheckFn check, bool resend_unknown, http::BeforeSend before_send) {
  std::exception_ptr last;
  std::optional<std::chrono::milliseconds> server_wait;
  const int max_attempts = std::max(1, client->http().retry_policy().max_attempts);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (attempt > 0) {
      const auto delay = client->http().retry_delay(attempt, server_wait);
      co_await client->http().sleep_for(delay);
      if (classify(last) == Outcome::unknown) {
        if (check) {
          std::optional<json::value> found = co_await check();
          if (found) co_return *found;
        } else if (!resend_unknown) {
          std::rethrow_exception(last);
        }
      }
    }
    RequestOptions options;
    options.max_attempts = 1;
    options.before_send = before_send;
    try {
      CrispResponse response = co_await client->request(method, path, query, body, options);
      co_return std::move(response.data);
    } catch (...) {
      last = std::current_exception();
    }
    // Throttled past the HTTP layer's rate-limit budget (or a wait longer than max_wait): not
    // processed, and waiting longer is exactly what the budget forbids.
    const Outcome outcome = classify(last);
    if (outcome == Outcome::rejected || outcome == Outcome::not_sent) std::rethrow_exception(last);
    server_wait = wait_asked(last);
  }
  if (check && classify(last) == Outcome::unknown) {
    std::optional<json::value> found = co_await check();
    if (found) co_return *found;
  }
  std::rethrow_exception(last);
}

awaitable<json::value> plain_request(CrispClient* client, std::string method, std::string path, json::object query,
                                     json::value body, http::BeforeSend before_send) {
  RequestOptions options;
  options.before_send = std::move(before_send);
  CrispResponse response = co_await client->request(std::move(method), std::move(path), std::move(query),
                                                    std::move(body), std::move(options));
  co_return std::move(response.data);
}

}  // namespace weft::crisp::detail
