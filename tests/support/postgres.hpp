// SPDX-License-Identifier: MIT
#pragma once
// Test helpers for PostgreSQL: the URL of the throwaway cluster CTest started (the `postgres`
// fixture, tests/support/pg_cluster.sh), and a fresh database per test case. When the cluster is
// missing these throw, so the test FAILS: a PostgreSQL test never passes without its server.

#include "store/postgres/detail/connection.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace weft::test {

/// WEFT_TEST_POSTGRES_URL, else the first line of the file WEFT_TEST_POSTGRES_URL_FILE names.
inline std::string postgres_url() {
  if (const char* url = std::getenv("WEFT_TEST_POSTGRES_URL"); url && *url) return url;
  const char* file = std::getenv("WEFT_TEST_POSTGRES_URL_FILE");
  if (!file || !*file) {
    throw std::runtime_error(
        "no PostgreSQL for this test: run it through ctest (fixture `postgres`) or set WEFT_TEST_POSTGRES_URL");
  }
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    throw std::runtime_error(std::string("the test PostgreSQL cluster did not start: no URL in ") + file);
  }
  return url;
}

/// `url` naming database `name` instead (the URL's path is the database).
inline std::string with_database(const std::string& url, const std::string& name) {
  std::size_t slash = url.rfind('/');
  std::size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

/// A new, empty database on the test cluster, dropped on destruction.
class TestDatabase {
 public:
  TestDatabase() : admin_url_(postgres_url()) {
    static std::atomic<int> counter{0};
    name_ = "weft_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    store::postgres::detail::Connection admin(admin_url_);
    admin.exec("CREATE DATABASE " + name_);
    url_ = with_database(admin_url_, name_);
  }
  ~TestDatabase() {
    try {
      store::postgres::detail::Connection admin(admin_url_);
      admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {}
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const noexcept { return url_; }
  const std::string& name() const noexcept { return name_; }
  /// Runs SQL on the database through a connection of its own (for planting faults, checking rows).
  store::postgres::detail::Result sql(const std::string& statement) const {
    store::postgres::detail::Connection c(url_);
    return c.exec(statement);
  }

 private:
  std::string admin_url_, name_, url_;
};

}  // namespace weft::test
