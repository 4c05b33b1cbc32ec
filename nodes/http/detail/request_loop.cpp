// SPDX-License-Identifier: MIT
// The HTTP client's request loop (Client::Impl::run): one request from URL to Response, through the
// host's concurrency slot and rate-limit admission, a pooled or new connection, the exchange, and
// the retry decision (transport failures, 5xx, 429/420/423 with the server's asked wait), with the
// error messages a user reads when it gives up.
#include "nodes/http/detail/client_impl.hpp"

#include "nodes/http/detail/connection.hpp"
#include "nodes/http/detail/retry_policy.hpp"
#include "nodes/http/rate_limit_headers.hpp"

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace weft::http {

namespace {

[[noreturn]] void fail(error code, const std::string& host, int status, int attempts, const std::string& message) {
  throw RequestError(code, host, status, attempts, message);
}

std::string status_text(int status, const std::string& reason) {
  return reason.empty() ? std::to_string(status) : std::to_string(status) + " " + reason;
}

// A short, single-line excerpt of a body for error messages.
std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, 200);
  for (auto& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > 200) out += "...";
  return out;
}

// Releases a concurrency slot when the attempt ends, however it ends.
struct SlotGuard {
  detail::Semaphore* semaphore = nullptr;
  ~SlotGuard() {
    if (semaphore != nullptr) semaphore->release();
  }
};

// The one redaction primitive (redact.hpp), under a name Client::redact does not hide.
std::string mask(std::string text, const std::vector<std::string>& secrets) { return redact(std::move(text), secrets); }

std::string millis(chr::nanoseconds d) {
  return std::to_string(chr::duration_cast<chr::milliseconds>(d).count()) + " ms";
}

}  // namespace

asio::awaitable<Response> Client::Impl::run(Request request) {
  const auto url = detail::parse_url(request.url);
  std::vector<std::string> request_secrets = secrets_of(request.headers, request.url);
  const std::vector<std::string> secrets = all_secrets(std::move(request_secrets));
  const std::string shown_url = mask(redact_url(request.url), secrets);
  if (!url) {
    // GCC 12: no throwing call with temporaries in a coroutine's full-expression (named locals only).
    const std::string message =
        "http: '" + shown_url + "' is not an absolute http:// or https:// URL with a host; fix the configured base URL";
    const std::string no_host;
    fail(error::invalid_url, no_host, 0, 0, message);
  }
  auto host = host_for(*url);
  const std::string where = request.method + " " + mask(redact_url(url->authority() + url->target), secrets);
  const std::optional<detail::ProxyRoute> proxy = route_for(*url, host->host());
  const int max_attempts = std::max(1, request.max_attempts.value_or(options.retry.max_attempts));
  const auto read_timeout = request.read_timeout.value_or(options.read_timeout);
  // The overall deadline, on the injected clock (waits) and on real time (socket reads).
  std::optional<chr::steady_clock::time_point> deadline;
  std::optional<chr::steady_clock::time_point> io_deadline;
  if (request.timeout) {
    deadline = clock->steady_now() + *request.timeout;
    io_deadline = chr::steady_clock::now() + *request.timeout;
  }
  auto overall_timeout = [&](int attempts_so_far, int last_status, const std::string& doing) {
    const std::string message = "http: " + where + " to " + host->host() +
                                ": no answer within the request's overall timeout of " + millis(*request.timeout) +
                                " (" + doing + ", after " + std::to_string(attempts_so_far) +
                                (attempts_so_far == 1 ? " attempt" : " attempts") +
                                "); the server is slow or hung: retry later or raise the timeout";
    fail(error::timeout, host->host(), last_status, attempts_so_far, message);
  };
  auto would_pass_deadline = [&](chr::nanoseconds wait) { return deadline && clock->steady_now() + wait > *deadline; };

  int attempt = 0;   // requests sent (every kind), for messages and Response::attempts
  int failures = 0;  // attempts that failed for real: bounded by max_attempts
  int limited = 0;   // rate-limited answers: bounded by time, not count
  chr::nanoseconds limited_waited{0};
  for (;;) {
    ++attempt;
    std::optional<detail::Outcome> outcome;
    std::optional<detail::TransportFailure> failure;
    bool reused = false;
    try {
      SlotGuard slot;
      if (!host->semaphore().try_acquire()) {
        RateLimitEvent event;
        event.kind = RateLimitEvent::Kind::concurrency;
        event.host = host->host();
        event.reason = std::to_string(host->effective_concurrency()) +
                       " requests are already in flight (HostLimits::max_concurrency, or fewer after a 429)";
        emit(event);
        co_await host->semaphore().acquire();
      }
      slot.semaphore = &host->semaphore();

      for (;;) {
        const detail::Admission admission = host->admit(clock->steady_now());
        if (admission.wait <= chr::nanoseconds::zero()) break;
        if (would_pass_deadline(admission.wait)) {
          const std::string doing = "waiting for the host's rate limit";
          overall_timeout(attempt - 1, 0, doing);
        }
        ++local_waits;
        RateLimitEvent event;
        event.kind = admission.kind;
        event.host = host->host();
        event.wait = chr::ceil<chr::milliseconds>(admission.wait);
        event.reason = admission.reason;
        emit(event);
        co_await clock->sleep_for(admission.wait);
        if (admission.kind == RateLimitEvent::Kind::token_bucket) break;  // the token is reserved
      }

      std::shared_ptr<detail::Connection> connection = host->take_idle(chr::steady_clock::now(), options.idle_timeout);
      reused = connection != nullptr;
      detail::ExchangeSpec spec;
      spec.url = &*url;
      spec.request = &request;
      spec.user_agent = options.user_agent;
      spec.read_timeout = read_timeout;
      spec.body_limit = options.body_limit;
      spec.deadline = io_deadline;
      spec.proxy = proxy && !url->tls ? &*proxy : nullptr;
      for (;;) {
        if (!connection) {
          // Awaitables with non-trivial arguments are built first, then awaited (GCC 12 rule).
          asio::ssl::context* context = url->tls ? &tls() : nullptr;
          chr::milliseconds connect_timeout = options.connect_timeout;
          if (io_deadline) {
            const auto left = chr::ceil<chr::milliseconds>(*io_deadline - chr::steady_clock::now());
            connect_timeout = std::max(chr::milliseconds(1), std::min(connect_timeout, left));
          }
          auto connecting = detail::connect(executor, context, *url, connect_timeout, proxy);
          connection = co_await std::move(connecting);
          ++connections_opened;
        }
        if (request.before_send) {
          // After every wait and the connect, so the answer holds for the bytes about to go out.
          auto asking = request.before_send();
          co_await std::move(asking);
        }
        ++attempts;
        if (reused) ++connections_reused;
        try {
          auto exchanging = detail::exchange(connection, spec);
          detail::Outcome got = co_await std::move(exchanging);
          outcome = std::move(got);
        } catch (const detail::TransportFailure& f) {
          failure = f;
        }
        if (outcome) {
          if (outcome->keep_alive) {
            host->put_idle(std::move(connection), options.max_idle_per_host);
          } else {
            connection->close();
          }
          break;
        }
        connection->close();
        connection.reset();
        // A pooled connection the server closed while idle fails before any answer: that is not
        // an attempt, open a fresh one.
        if (reused && failure->nothing_received && !failure->delivered) {
          --attempts;
          --connections_reused;
          reused = false;
          failure.reset();
          continue;
        }
        break;
      }
    } catch (const detail::TransportFailure& f) {  // from connect()
      failure = f;
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) {
        const std::string message = "http: " + where + ": cancelled";
        fail(error::cancelled, host->host(), 0, attempt, message);
      }
      throw;
    }

    RateLimitEvent event;
    event.host = host->host();
    event.attempt = attempt;
    event.max_attempts = max_attempts;
    chr::nanoseconds wait{0};

    if (failure) {
      ++failures;
      if (io_deadline && chr::steady_clock::now() >= *io_deadline && !failure->delivered) {
        const std::string doing =
            failure->code == error::timeout ? "the server sent nothing" : mask(failure->detail, secrets);
        overall_timeout(attempt, 0, doing);
      }
      const std::string what =
          failure->detail.empty() ? error_category().message(static_cast<int>(failure->code)) : failure->detail;
      const bool retryable =
          !failure->delivered && (failure->code == error::connect_failed || failure->code == error::timeout ||
                                  failure->code == error::connection_dropped);
      if (!retryable || failures >= max_attempts) {
        if (retryable) {
          event.kind = RateLimitEvent::Kind::give_up;
          event.reason = mask(what, secrets);
          emit(event);
        }
        std::string message = "http: " + where + " to " + host->host() + ": " + what;
        if (failure->delivered && failure->code == error::timeout && io_deadline &&
            chr::steady_clock::now() >= *io_deadline) {
          message += " (the request's overall timeout of " + millis(*request.timeout) + " passed mid-stream)";
        } else if (failure->delivered) {
          message += " (the response stream was cut; not retried)";
        }
        message += " after " + std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
        if (failure->code == error::tls_failed) {
          message += "; check the server's certificate (or ClientOptions::extra_ca_pem for a private CA)";
        } else if (failure->code == error::timeout) {
          message += "; the server is slow or unreachable (connect_timeout / read_timeout)";
        } else {
          message += "; check that the server is running and reachable";
          if (proxy) message += " (and the proxy, or NO_PROXY)";
        }
        const std::string shown = mask(message, secrets);
        fail(failure->code, host->host(), 0, attempt, shown);
      }
      wait = backoff(failures);
      event.reason = what;
    } else {
      const RateLimitInfo info = parse_rate_limit(outcome->headers, clock->now());
      host->learn(info, clock->steady_now());
      if (info.limit || info.remaining || info.reset) {
        std::lock_guard lock(mutex);
        last_rate_limit = RateLimitSnapshot{info.limit, info.remaining, info.reset, clock->steady_now()};
      }
      const bool rate_limited = detail::rate_limit_status(outcome->status);
      if (!rate_limited) {
        host->follow_policy(info, clock->steady_now());
        host->on_answer();
      }
      if (!detail::retryable_status(outcome->status)) {
        Response response;
        response.status = outcome->status;
        response.reason = std::move(outcome->reason);
        response.headers = std::move(outcome->headers);
        response.body = std::move(outcome->body);
        response.attempts = attempt;
        response.reused_connection = reused;
        co_return response;
      }
      const error code = rate_limited ? error::rate_limited : error::server_error;
      const std::string status = status_text(outcome->status, outcome->reason);
      const auto asked = info.wait();
      event.status = outcome->status;
      auto give_up = [&](const std::string& why) {
        event.kind = RateLimitEvent::Kind::give_up;
        event.reason = mask(why, secrets);
        emit(event);
        std::string message = "http: " + where + " to " + host->host() + ": gave up after " + std::to_string(attempt) +
                              (attempt == 1 ? " attempt" : " attempts") + "; " + why;
        if (!outcome->body.empty()) message += "; last body: " + excerpt(outcome->body);
        message += rate_limited ? "; the server is rate limiting: lower the request rate (HostLimits) or raise "
                                  "RetryPolicy::max_rate_limit_wait"
                                : "; the server is failing: retry later";
        const std::string shown = mask(message, secrets);
        const std::optional<chr::milliseconds> server_wait = asked;
        throw RequestError(code, host->host(), outcome->status, attempt, shown, server_wait);
      };
      if (rate_limited) {
        ++limited;
        const std::string adapted = host->on_rate_limited(info, clock->steady_now());
        if (adapted.empty()) {
          event.reason = status;
        } else {
          event.reason = status + "; " + adapted;
        }
      } else {
        ++failures;
        if (failures >= max_attempts) {
          const std::string why = "last status " + status;
          give_up(why);
        }
      }
      // A rate-limited "retry now" (Retry-After: 0) is no pace at all: back off instead of spinning.
      if (asked && (*asked > chr::milliseconds::zero() || !rate_limited)) {
        if (*asked > options.retry.max_wait) {
          const std::string why = "the server asked to wait " + millis(*asked) + " (" + info.wait_source +
                                  "), more than RetryPolicy::max_wait " + millis(options.retry.max_wait);
          give_up(why);
        }
        if (rate_limited)
          host->block_for(*asked, clock->steady_now(), "an earlier answer was " + status + " with " + info.wait_source);
        wait = *asked + spread(*asked);
        event.reason += " with " + info.wait_source;
      } else {
        wait = backoff(rate_limited ? limited : failures);
        event.reason += " (no Retry-After or RateLimit header; exponential backoff)";
      }
      if (rate_limited) {
        if (limited_waited + wait > options.retry.max_rate_limit_wait) {
          const std::string why =
              "still rate limited (last status " + status + ") after waiting " + millis(limited_waited) + " in " +
              std::to_string(limited) + " rate-limited answers; the next wait of " + millis(wait) +
              " would pass RetryPolicy::max_rate_limit_wait " + millis(options.retry.max_rate_limit_wait);
          give_up(why);
        }
        limited_waited += wait;
      }
    }
    if (would_pass_deadline(wait)) {
      const std::string doing = "the next retry would come after it";
      overall_timeout(attempt, event.status, doing);
    }
    event.kind = RateLimitEvent::Kind::retry;
    event.wait = chr::ceil<chr::milliseconds>(wait);
    event.reason = mask(event.reason, secrets);
    emit(event);
    ++retries;
    try {
      co_await clock->sleep_for(wait);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) {
        const std::string message = "http: " + where + ": cancelled while waiting to retry";
        fail(error::cancelled, host->host(), event.status, attempt, message);
      }
      throw;
    }
  }
}

}  // namespace weft::http
