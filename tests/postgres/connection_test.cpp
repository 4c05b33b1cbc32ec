// SPDX-License-Identifier: MIT
// The libpq connection layer against the test cluster: blocking and awaited queries, a slow query
// that suspends only its own coroutine, the bounded pool, and one-line connection errors that never
// show the password.
#include "store/error.hpp"
#include "store/postgres/detail/pool.hpp"
#include "tests/support/postgres.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace weft;
using weft::store::postgres::detail::Connection;
using weft::store::postgres::detail::Params;
using weft::store::postgres::detail::Pool;
using weft::store::postgres::detail::redact_url;
using namespace std::chrono_literals;

namespace {

std::string password_of(const std::string& url) {
  std::size_t colon = url.find(':', url.find("://") + 3);
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

}  // namespace

TEST_CASE("a connection runs blocking and awaited queries with text parameters") {
  Connection c(test::postgres_url());
  auto r = c.exec("SELECT $1::text || '!', $2::bigint + 1, $3::text IS NULL", Params().add("hi").add(41).add_null());
  REQUIRE(r.rows() == 1);
  CHECK(r.text(0, 0) == "hi!");
  CHECK(r.int64(0, 1) == 42);
  CHECK(r.text(0, 2) == "t");

  boost::asio::io_context io;
  std::string got;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto rows = co_await c.async_exec("SELECT generate_series(1, $1::int)::text", Params().add(3));
        for (int i = 0; i < rows.rows(); ++i) got += rows.text(i, 0);
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  CHECK(got == "123");
  CHECK(c.usable());
}

TEST_CASE("a slow query suspends only its coroutine: the executor's other work goes on meanwhile") {
  Connection c(test::postgres_url());
  boost::asio::io_context io;  // one thread runs both coroutines
  int ticks = 0;
  bool query_done = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        co_await c.async_exec("SELECT pg_sleep(0.4)", {});
        query_done = true;
      },
      boost::asio::detached);
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
        while (!query_done) {
          timer.expires_after(20ms);
          co_await timer.async_wait(boost::asio::use_awaitable);
          ++ticks;
        }
      },
      boost::asio::detached);
  io.run();
  CHECK(query_done);
  CHECK(ticks >= 10);  // a blocking query would have let the timer tick once at most
}

TEST_CASE("a failed query throws store::error::postgres with the server's message and leaves the connection usable") {
  Connection c(test::postgres_url());
  try {
    c.exec("SELECT * FROM no_such_table");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::postgres);
    CHECK(std::string(e.what()).find("no_such_table") != std::string::npos);
    CHECK(std::string(e.what()).find("42P01") != std::string::npos);
    CHECK(std::string(e.what()).find(password_of(test::postgres_url())) == std::string::npos);
  }
  CHECK(c.exec("SELECT 1").rows() == 1);
}

TEST_CASE("connection errors are one line, open_failed, and never show the password") {
  const std::string url = test::postgres_url();
  const std::string password = password_of(url);
  SUBCASE("wrong password") {
    std::string bad = url;
    bad.replace(bad.find(password), password.size(), "not-the-password");
    try {
      Connection c(bad);
      FAIL("connected with a wrong password");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::open_failed);
      std::string what = e.what();
      CHECK(what.find("password authentication failed") != std::string::npos);
      CHECK(what.find("not-the-password") == std::string::npos);
      CHECK(what.find('\n') == std::string::npos);
    }
  }
  SUBCASE("unreachable server") {
    std::string bad = "postgresql://weft:" + password + "@127.0.0.1:1/weft_test";
    try {
      Connection c(bad);
      FAIL("connected to port 1");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::open_failed);
      std::string what = e.what();
      CHECK(what.find("127.0.0.1") != std::string::npos);
      CHECK(what.find(password) == std::string::npos);
      CHECK(what.find("***") != std::string::npos);
    }
  }
  SUBCASE("unknown database") {
    try {
      Connection c(test::with_database(url, "no_such_database"));
      FAIL("connected to a missing database");
    } catch (const Error& e) {
      CHECK(e.code() == store::error::open_failed);
      CHECK(std::string(e.what()).find("no_such_database") != std::string::npos);
    }
  }
}

TEST_CASE("redact_url hides passwords in URLs and key=value strings") {
  CHECK(redact_url("postgresql://u:secret@h:5/db") == "postgresql://u:***@h:5/db");
  CHECK(redact_url("postgresql://u@h/db") == "postgresql://u@h/db");
  CHECK(redact_url("postgresql://h/db?user=u&password=secret&sslmode=off") ==
        "postgresql://h/db?user=u&password=***&sslmode=off");
  CHECK(redact_url("host=h password=secret dbname=d") == "host=h password=*** dbname=d");
  CHECK(redact_url("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db");
}

TEST_CASE("the pool never opens more than its size and hands a returned connection to a waiting coroutine") {
  auto pool = Pool::create(test::postgres_url(), 2, 5s, 5);
  boost::asio::io_context io;
  int finished = 0;
  std::size_t most_open = 0;
  for (int i = 0; i < 6; ++i) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto lease = co_await pool->async_acquire();
          most_open = std::max(most_open, pool->open_connections());
          co_await lease->async_exec("SELECT pg_sleep(0.05)", {});
          ++finished;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }
  io.run();
  CHECK(finished == 6);
  CHECK(most_open == 2);
  CHECK(pool->open_connections() == 2);
}

TEST_CASE("an exhausted pool makes a caller wait, then fail with busy after the acquire timeout") {
  auto pool = Pool::create(test::postgres_url(), 1, 200ms, 5);
  auto held = pool->acquire();
  try {
    auto second = pool->acquire();
    FAIL("got a second connection from a pool of one");
  } catch (const Error& e) {
    CHECK(e.code() == store::error::busy);
  }
}

TEST_CASE("a connection returned inside a transaction is rolled back before reuse") {
  auto pool = Pool::create(test::postgres_url(), 1, 5s, 5);
  {
    auto lease = pool->acquire();
    lease->exec("BEGIN");
    lease->exec("CREATE TEMP TABLE pool_probe (x int)");
  }
  auto lease = pool->acquire();
  CHECK_FALSE(lease->in_transaction());
  CHECK(lease->exec("SELECT 1 FROM pg_class WHERE relname = 'pool_probe'").rows() == 0);
}
