// SPDX-License-Identifier: MIT
#pragma once
// A fresh PostgreSQL database per test case on the throwaway test server. The server's URL comes
// from WEFT_TEST_POSTGRES_URL (set by the CTest fixture that starts the server); without it, or
// when the server does not answer, the test FAILS: a queue test never passes without a database.

#include "store/postgres/detail/pg_session.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

namespace weft::test {

/// The server's URL (its database part is replaced per case). REQUIREs that it is set.
inline std::string postgres_server_url() {
  const char* url = std::getenv("WEFT_TEST_POSTGRES_URL");
  REQUIRE_MESSAGE((url && *url), "WEFT_TEST_POSTGRES_URL is not set: the PostgreSQL test server did not start");
  return url;
}

/// `url` naming database `name` instead of its own.
inline std::string with_database(const std::string& url, const std::string& name) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme + 3);
  const auto query = url.find('?', scheme + 3);
  std::string base = url.substr(0, path != std::string::npos ? path : query);
  return base + "/" + name + (query != std::string::npos ? url.substr(query) : "");
}

/// Creates a database of its own for one test case and drops it afterwards.
class ScratchDatabase {
 public:
  ScratchDatabase() : server_(postgres_server_url()) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ = "weft_queue_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(rd() % 100000);
    store::detail::PgSession admin(server_);
    admin.exec("CREATE DATABASE " + name_);
    url_ = with_database(server_, name_);
  }
  ~ScratchDatabase() {
    try {
      store::detail::PgSession admin(server_);
      admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
      // a leftover database in a throwaway cluster is harmless
    }
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace weft::test
