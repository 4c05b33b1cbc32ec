// SPDX-License-Identifier: MIT
// The weft binary with --db naming a PostgreSQL database on the test cluster.
#include "cli/exit_code.hpp"
#include "tests/cli/process.hpp"
#include "tests/support/postgres.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace weft;

namespace {

std::string password_of(const std::string& url) {
  std::size_t colon = url.find(':', url.find("://") + 3);
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

test::ProcessResult run_weft(const std::vector<std::string>& args, const test::TempDir& dir) {
  test::ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"WEFT_DB", "OPENAI_API_KEY", "OPENAI_BASE_URL"};
  return test::run_process(test::weft_binary(), args, options);
}

void check_one_clear_line(const test::ProcessResult& r, const std::string& url, const std::string& expected) {
  CHECK(r.exit_code == cli::kExitFailed);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(expected) != std::string::npos);
  CHECK(r.err.find(password_of(url)) == std::string::npos);
  CHECK(r.out.find(password_of(url)) == std::string::npos);
  INFO(r.err);
}

}  // namespace

TEST_CASE("a run on a PostgreSQL --db is listed and inspected there, and its password is never shown") {
  test::TestDatabase db;
  test::TempDir dir;
  auto run = run_weft({"run", "spam_triage", "--db", db.url(), "--thread", "t1", "--quiet"}, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == cli::kExitDone);
  auto threads = run_weft({"threads", "--db", db.url(), "--json"}, dir);
  REQUIRE(threads.exit_code == cli::kExitDone);
  CHECK(threads.out.find("\"t1\"") != std::string::npos);
  CHECK(threads.out.find("***") != std::string::npos);
  auto history = run_weft({"history", "t1", "--db", db.url()}, dir);
  CHECK(history.exit_code == cli::kExitDone);
  auto check = run_weft({"check", db.url()}, dir);
  CHECK(check.exit_code == cli::kExitDone);
  CHECK(check.out.find("': ok;") != std::string::npos);
  for (const auto* r : {&run, &threads, &history, &check}) {
    CHECK(r->out.find(password_of(db.url())) == std::string::npos);
    CHECK(r->err.find(password_of(db.url())) == std::string::npos);
  }
  CHECK(db.sql("SELECT status FROM weft_threads WHERE thread_id = 't1'").text(0, 0) == "done");
  // The settings recorded with the checkpoints name the database without its password.
  CHECK(db.sql("SELECT 1 FROM weft_checkpoints WHERE metadata LIKE '%" + password_of(db.url()) + "%'").rows() == 0);
  CHECK(db.sql("SELECT count(*) FROM weft_checkpoints WHERE thread_id = 't1'").int64(0, 0) > 0);
}

TEST_CASE("an unreachable server is one line, exit 1") {
  test::TempDir dir;
  const std::string url = "postgresql://weft:do-not-show@127.0.0.1:1/weft_test";
  check_one_clear_line(run_weft({"threads", "--db", url}, dir), url, "cannot connect to PostgreSQL");
  check_one_clear_line(run_weft({"run", "spam_triage", "--db", url, "--quiet"}, dir), url,
                       "cannot connect to PostgreSQL");
}

TEST_CASE("a wrong password is one line, exit 1") {
  test::TestDatabase db;
  test::TempDir dir;
  std::string url = db.url();
  url.replace(url.find(password_of(url)), password_of(url).size(), "wrong-password-here");
  check_one_clear_line(run_weft({"run", "spam_triage", "--db", url, "--quiet"}, dir), url,
                       "password authentication failed");
  CHECK(db.sql("SELECT 1 FROM pg_tables WHERE tablename LIKE 'weft%'").rows() == 0);
}

TEST_CASE("a database of another application is refused with one line, exit 1, nothing written") {
  test::TestDatabase db;
  test::TempDir dir;
  db.sql("CREATE TABLE customers (id int)");
  check_one_clear_line(run_weft({"run", "spam_triage", "--db", db.url(), "--quiet"}, dir), db.url(),
                       "another application");
  CHECK(db.sql("SELECT 1 FROM pg_tables WHERE tablename LIKE 'weft%'").rows() == 0);
}

TEST_CASE("a newer schema version is refused with one line, exit 1, nothing written") {
  test::TestDatabase db;
  test::TempDir dir;
  REQUIRE(run_weft({"run", "spam_triage", "--db", db.url(), "--thread", "old", "--quiet"}, dir).exit_code ==
          cli::kExitDone);
  db.sql("INSERT INTO weft_schema VALUES ('store', 999, 0, 'from the future')");
  const std::int64_t checkpoints = db.sql("SELECT count(*) FROM weft_checkpoints").int64(0, 0);
  check_one_clear_line(run_weft({"run", "spam_triage", "--db", db.url(), "--thread", "new", "--quiet"}, dir), db.url(),
                       "schema version 999");
  check_one_clear_line(run_weft({"threads", "--db", db.url()}, dir), db.url(), "schema version 999");
  CHECK(db.sql("SELECT count(*) FROM weft_checkpoints").int64(0, 0) == checkpoints);
  CHECK(db.sql("SELECT 1 FROM weft_threads WHERE thread_id = 'new'").rows() == 0);
}

TEST_CASE("weft serve on a PostgreSQL --db starts, names the database without its password, and stops cleanly") {
  test::TestDatabase db;
  test::TempDir dir;
  test::ProcessOptions options;
  options.cwd = dir.path();
  options.unset_env = {"WEFT_DB", "OPENAI_API_KEY", "OPENAI_BASE_URL"};
  test::BackgroundProcess serve(test::weft_binary(), {"serve", "--db", db.url(), "--port", "0"}, options);
  const std::string line = serve.read_line();
  CHECK(line.find("\"db\":\"postgresql://weft:***@") != std::string::npos);
  CHECK(line.find(password_of(db.url())) == std::string::npos);
  CHECK(serve.stop() == 0);
  CHECK(db.sql("SELECT count(*) FROM weft_schema").int64(0, 0) >= 1);  // the store opened (and migrated) it
}
