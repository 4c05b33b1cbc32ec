#include "nodes/http/client.hpp"

#include "nodes/http/detail/connection.hpp"
#include "nodes/http/detail/host_state.hpp"
#include "nodes/http/detail/url.hpp"
#include "nodes/http/rate_limit_headers.hpp"
#include "nodes/http/redact.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

namespace weft::http {

namespace asio = boost::asio;
namespace chr = std::chrono;

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(asio::any_io_executor ex, ClientOptions opts);

  asio::awaitable<Response> run(Request request);

  std::shared_ptr<detail::HostState> host_for(const detail::Url& url);
  HostLimits limits_for(const detail::Url& url) const;
  chr::nanoseconds backoff(int attempt);
  void emit(const RateLimitEvent& event) const {
    if (options.observer) options.observer(event);
  }

  asio::any_io_executor executor;
  ClientOptions options;
  std::shared_ptr<Clock> clock;
  // Built on the first HTTPS connection (or at construction when extra_ca_pem must be checked):
  // loading the system CA store costs tens of milliseconds, which a command talking only to a
  // loopback sandbox over plain HTTP should not pay at start-up.
  std::once_flag tls_once;
  std::unique_ptr<asio::ssl::context> tls_context;
  asio::ssl::context& tls();

  mutable std::mutex mutex;  // guards hosts, options.host_limits and rng
  std::map<std::string, std::shared_ptr<detail::HostState>> hosts;
  std::mt19937_64 rng;

  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> connections_reused{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> local_waits{0};
};

namespace {

[[noreturn]] void fail(error code, const std::string& host, int status, int attempts, const std::string& message) {
  throw RequestError(code, host, status, attempts, message);
}

bool retryable_status(int status) { return status == 429 || status == 420 || status == 423 || status >= 500; }
bool rate_limit_status(int status) { return status == 429 || status == 420 || status == 423; }

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

std::string millis(chr::nanoseconds d) { return std::to_string(chr::duration_cast<chr::milliseconds>(d).count()) + " ms"; }

}  // namespace

Client::Impl::Impl(asio::any_io_executor ex, ClientOptions opts)
    : executor(std::move(ex)), options(std::move(opts)), clock(options.clock ? options.clock : system_clock()) {
  rng.seed(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}());
  if (!options.extra_ca_pem.empty()) tls();  // a bad extra_ca_pem is reported by the constructor
}

asio::ssl::context& Client::Impl::tls() {
  // A throw leaves the flag unset, so a later call tries again (and throws again).
  std::call_once(tls_once, [this] {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (options.use_system_ca) context->set_default_verify_paths(ec);  // absent store: only extra_ca_pem is trusted
    if (!options.extra_ca_pem.empty()) {
      context->add_certificate_authority(asio::buffer(options.extra_ca_pem), ec);
      if (ec) {
        throw weft::Error(make_error_code(error::tls_failed),
                          "http client: ClientOptions::extra_ca_pem is not a valid PEM certificate (" + ec.message() + ")");
      }
    }
    context->set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    tls_context = std::move(context);
  });
  return *tls_context;
}

HostLimits Client::Impl::limits_for(const detail::Url& url) const {
  if (auto it = options.host_limits.find(url.host + ":" + std::to_string(url.port)); it != options.host_limits.end()) {
    return it->second;
  }
  if (auto it = options.host_limits.find(url.host); it != options.host_limits.end()) return it->second;
  return options.default_limits;
}

std::shared_ptr<detail::HostState> Client::Impl::host_for(const detail::Url& url) {
  std::lock_guard lock(mutex);
  auto& slot = hosts[url.pool_key()];
  if (!slot) slot = std::make_shared<detail::HostState>(url.authority(), limits_for(url), clock->now());
  return slot;
}

chr::nanoseconds Client::Impl::backoff(int attempt) {
  const auto& policy = options.retry;
  const double base = static_cast<double>(chr::duration_cast<chr::nanoseconds>(policy.initial_backoff).count()) *
                      std::pow(std::max(1.0, policy.multiplier), attempt - 1);
  const double capped = std::min(base, static_cast<double>(chr::duration_cast<chr::nanoseconds>(policy.max_backoff).count()));
  double u = 0;
  {
    std::lock_guard lock(mutex);
    u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  return chr::nanoseconds(static_cast<std::int64_t>(capped * (1.0 - jitter * u)));
}

asio::awaitable<Response> Client::Impl::run(Request request) {
  const auto url = detail::parse_url(request.url);
  const auto secrets = secrets_of(request.headers, request.url);
  const std::string shown_url = redact(redact_url(request.url), secrets);
  if (!url) {
    // GCC 12: no throwing call with temporaries in a coroutine's full-expression (named locals only).
    const std::string message =
        "http: '" + shown_url + "' is not an absolute http:// or https:// URL with a host; fix the configured base URL";
    const std::string no_host;
    fail(error::invalid_url, no_host, 0, 0, message);
  }
  auto host = host_for(*url);
  const std::string where = request.method + " " + redact(redact_url(url->authority() + url->target), secrets);
  const int max_attempts = std::max(1, request.max_attempts.value_or(options.retry.max_attempts));
  const auto read_timeout = request.read_timeout.value_or(options.read_timeout);

  int attempt = 0;
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
        event.reason = std::to_string(host->limits().max_concurrency) + " requests are already in flight (HostLimits::max_concurrency)";
        emit(event);
        co_await host->semaphore().acquire();
      }
      slot.semaphore = &host->semaphore();

      for (;;) {
        const detail::Admission admission = host->admit(clock->now());
        if (admission.wait <= chr::nanoseconds::zero()) break;
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
      for (;;) {
        if (!connection) {
          // Awaitables with non-trivial arguments are built first, then awaited (GCC 12 rule).
          asio::ssl::context* context = url->tls ? &tls() : nullptr;
          auto connecting = detail::connect(executor, context, *url, options.connect_timeout);
          connection = co_await std::move(connecting);
          ++connections_opened;
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
      const std::string what = failure->detail.empty() ? error_category().message(static_cast<int>(failure->code))
                                                       : failure->detail;
      const bool retryable = !failure->delivered && (failure->code == error::connect_failed ||
                                                     failure->code == error::timeout ||
                                                     failure->code == error::connection_dropped);
      if (!retryable || attempt >= max_attempts) {
        if (retryable) {
          event.kind = RateLimitEvent::Kind::give_up;
          event.reason = what;
          emit(event);
        }
        std::string message = "http: " + where + " to " + host->host() + ": " + redact(what, secrets);
        if (failure->delivered) message += " (the response stream was cut; not retried)";
        message += " after " + std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
        if (failure->code == error::tls_failed) {
          message += "; check the server's certificate (or ClientOptions::extra_ca_pem for a private CA)";
        } else if (failure->code == error::timeout) {
          message += "; the server is slow or unreachable (connect_timeout / read_timeout)";
        } else {
          message += "; check that the server is running and reachable";
        }
        fail(failure->code, host->host(), 0, attempt, message);
      }
      wait = backoff(attempt);
      event.reason = what;
    } else {
      const RateLimitInfo info = parse_rate_limit(outcome->headers, clock->system_now());
      host->learn(info, clock->now());
      if (!retryable_status(outcome->status)) {
        Response response;
        response.status = outcome->status;
        response.reason = std::move(outcome->reason);
        response.headers = std::move(outcome->headers);
        response.body = std::move(outcome->body);
        response.attempts = attempt;
        response.reused_connection = reused;
        co_return response;
      }
      const bool limited = rate_limit_status(outcome->status);
      const error code = limited ? error::rate_limited : error::server_error;
      const std::string status = status_text(outcome->status, outcome->reason);
      event.status = outcome->status;
      auto give_up = [&](const std::string& why) {
        event.kind = RateLimitEvent::Kind::give_up;
        event.reason = why;
        emit(event);
        std::string message = "http: " + where + " to " + host->host() + ": gave up after " + std::to_string(attempt) +
                              (attempt == 1 ? " attempt" : " attempts") + "; " + why;
        if (!outcome->body.empty()) message += "; last body: " + excerpt(outcome->body);
        message += limited ? "; the server is rate limiting: lower the request rate (HostLimits) or raise "
                             "RetryPolicy::max_attempts/max_wait"
                           : "; the server is failing: retry later";
        const std::string shown = redact(message, secrets);
        fail(code, host->host(), outcome->status, attempt, shown);
      };
      if (attempt >= max_attempts) {
        const std::string why = "last status " + status;
        give_up(why);
      }
      if (const auto asked = info.wait()) {
        wait = *asked;
        event.reason = status + " with " + info.wait_source;
        if (*asked > options.retry.max_wait) {
          const std::string why = "the server asked to wait " + millis(*asked) + " (" + info.wait_source +
                                  "), more than RetryPolicy::max_wait " + millis(options.retry.max_wait);
          give_up(why);
        }
        if (limited) host->block_for(wait, clock->now(), "an earlier answer was " + event.reason);
      } else {
        wait = backoff(attempt);
        event.reason = status + " (no Retry-After or RateLimit header; exponential backoff)";
      }
    }
    event.kind = RateLimitEvent::Kind::retry;
    event.wait = chr::ceil<chr::milliseconds>(wait);
    event.reason = redact(event.reason, secrets);
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

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}
Client::~Client() = default;
Client::Client(const Client&) = default;
Client& Client::operator=(const Client&) = default;

asio::awaitable<Response> Client::request(Request request) {
  auto impl = impl_;  // keeps the pool alive while the request runs
  auto running = impl->run(std::move(request));
  Response response = co_await std::move(running);
  co_return response;
}

void Client::set_host_limits(const std::string& host, HostLimits limits) {
  std::vector<std::shared_ptr<detail::HostState>> affected;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->options.host_limits[host] = limits;
    for (auto& [key, state] : impl_->hosts) {
      // key is "scheme://host:port"; host may be "host" or "host:port".
      const auto authority = key.substr(key.find("://") + 3);
      if (authority == host || authority.substr(0, authority.rfind(':')) == host) affected.push_back(state);
    }
  }
  for (auto& state : affected) state->set_limits(limits);
}

void Client::close_idle() {
  std::vector<std::shared_ptr<detail::HostState>> all;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [key, state] : impl_->hosts) all.push_back(state);
  }
  for (auto& state : all) {
    for (auto& connection : state->drain_idle()) connection->close();
  }
}

ClientStats Client::stats() const {
  ClientStats s;
  s.attempts = impl_->attempts;
  s.connections_opened = impl_->connections_opened;
  s.connections_reused = impl_->connections_reused;
  s.retries = impl_->retries;
  s.local_waits = impl_->local_waits;
  return s;
}

}  // namespace weft::http
