// SPDX-License-Identifier: MIT
// Crash and resume across processes: a helper runs a graph on the SQLite store and dies with
// _exit at a named point; a second process resumes. The resumed final state must equal an
// uninterrupted run's, no task whose writes were committed may run again, and no effect may run
// twice.
#include "store/sqlite_store.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

using namespace weft;

namespace {

struct Outcome {
  int code = -1;
  std::string out;
};

Outcome helper(const std::vector<std::string>& args) {
  int out[2];
  REQUIRE(pipe(out) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    std::string program = WEFT_STORE_CRASH_HELPER;
    argv.push_back(program.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  Outcome o;
  char buffer[4096];
  ssize_t n;
  while ((n = read(out[0], buffer, sizeof buffer)) > 0) o.out.append(buffer, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(child, &status, 0);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

/// Second words of lines starting with `prefix` ("committed X", "run node X" -> last word).
std::multiset<std::string> last_words(const std::string& path, const std::string& prefix) {
  std::multiset<std::string> out;
  for (const auto& l : lines(path)) {
    if (l.rfind(prefix + " ", 0) == 0) out.insert(l.substr(l.rfind(' ') + 1));
  }
  return out;
}

boost::json::object final_state(const std::string& db) {
  SqliteStore store(db);
  auto latest = store.get("crash-thread", "");
  REQUIRE(latest);
  return latest->values;
}

std::int64_t count_in_doubt(const std::string& db) {
  SQLite::Database raw(db, SQLite::OPEN_READONLY);
  return raw.execAndGet("SELECT count(*) FROM effects WHERE state <> 'done'").getInt64();
}

}  // namespace

TEST_CASE("a pipeline killed at any named point resumes in another process to the uninterrupted result") {
  test::TempDir dir;
  const std::string ref_db = dir.file("reference.db");
  Outcome ref = helper({ref_db, dir.file("reference.side"), "pipeline", "run", "none"});
  REQUIRE_MESSAGE(ref.code == 0, ref.out);
  const boost::json::object reference = final_state(ref_db);
  REQUIRE(reference.at("posted").as_array().size() == 3);

  for (const std::string point : {"after_writes:1", "after_writes:3", "before_checkpoint:2", "before_checkpoint:5",
                                  "after_checkpoint:3", "after_checkpoint:6", "in_effect:1", "in_effect:3"}) {
    CAPTURE(point);
    const std::string db =
        dir.file("crash-" + std::string(point).replace(std::string(point).find(':'), 1, "-") + ".db");
    const std::string side1 = db + ".side1", side2 = db + ".side2";
    Outcome crashed = helper({db, side1, "pipeline", "run", point});
    REQUIRE_MESSAGE(crashed.code == 42, crashed.out);
    Outcome resumed = helper({db, side2, "pipeline", "continue", "none"});
    REQUIRE_MESSAGE(resumed.code == 0, resumed.out);

    CHECK(final_state(db) == reference);
    // No task whose writes were committed before the crash ran again.
    const auto committed = last_words(side1, "committed");
    for (const auto& task : last_words(side2, "run")) CHECK_MESSAGE(!committed.contains(task), task);
    // Every effect happened exactly once across both processes.
    std::multiset<std::string> effects = last_words(side1, "effect");
    for (const auto& e : last_words(side2, "effect")) effects.insert(e);
    CHECK(effects.size() == 3);
    for (const auto& e : effects) CHECK_MESSAGE(effects.count(e) == 1, e);
    CHECK(count_in_doubt(db) == 0);
  }
}

TEST_CASE("a process killed after a step's last task finished but before the step committed re-runs only that task") {
  test::TempDir dir;
  const std::string ref_db = dir.file("reference.db");
  REQUIRE(helper({ref_db, dir.file("reference.side"), "pipeline", "run", "none"}).code == 0);
  const boost::json::object reference = final_state(ref_db);
  // Checkpoint 3 follows the first a || b step: 'a' finished first and was saved on its own;
  // 'b' finished last, so its writes were to commit with that checkpoint, which never happened.
  const std::string db = dir.file("last-task.db");
  Outcome crashed = helper({db, db + ".side1", "pipeline", "run", "before_checkpoint:3"});
  REQUIRE_MESSAGE(crashed.code == 42, crashed.out);
  Outcome resumed = helper({db, db + ".side2", "pipeline", "continue", "none"});
  REQUIRE_MESSAGE(resumed.code == 0, resumed.out);
  CHECK(final_state(db) == reference);

  std::map<std::string, std::string> first_run;  // node -> task id, from the crashed process
  for (const auto& l : lines(db + ".side1")) {
    if (l.rfind("run ", 0) != 0) continue;
    const auto space = l.find(' ', 4);
    first_run.emplace(l.substr(4, space - 4), l.substr(space + 1));
  }
  REQUIRE(first_run.count("a") == 1);
  REQUIRE(first_run.count("b") == 1);
  CHECK(last_words(db + ".side1", "committed") == std::multiset<std::string>{first_run.at("a")});
  const auto rerun = last_words(db + ".side2", "run");
  CHECK(rerun.contains(first_run.at("b")));  // the unsaved last task runs again
  CHECK_FALSE(rerun.contains(first_run.at("a")));
  CHECK_FALSE(rerun.contains(first_run.at("start")));
  // Its effect was journaled before the crash: recorded, not performed again.
  std::multiset<std::string> effects = last_words(db + ".side1", "effect");
  for (const auto& e : last_words(db + ".side2", "effect")) effects.insert(e);
  CHECK(effects.size() == 3);
  for (const auto& e : effects) CHECK_MESSAGE(effects.count(e) == 1, e);
  CHECK(count_in_doubt(db) == 0);
}

TEST_CASE("an interrupted run is resumed by another process without re-running finished nodes") {
  test::TempDir dir;
  const std::string db = dir.file("a.db");
  Outcome first = helper({db, dir.file("side1"), "approval", "run", "none"});
  REQUIRE_MESSAGE(first.code == 10, first.out);
  {
    SqliteStore store(db);
    auto info = store.thread("crash-thread");
    REQUIRE(info);
    CHECK(info->status == ThreadStatus::interrupted);
  }
  Outcome second = helper({db, dir.file("side2"), "approval", "approve", "none"});
  REQUIRE_MESSAGE(second.code == 0, second.out);
  const auto state = final_state(db);
  CHECK(state.at("decision") == "yes");
  CHECK(state.at("published") == "https://example.test/hello");
  CHECK(last_words(dir.file("side2"), "run draft").empty());
  CHECK(last_words(dir.file("side2"), "effect").size() == 1);
  SqliteStore store(db);
  CHECK(store.thread("crash-thread")->status == ThreadStatus::done);
}

TEST_CASE("a process killed inside an effect after approval resumes without repeating the effect") {
  test::TempDir dir;
  const std::string db = dir.file("a.db");
  REQUIRE(helper({db, dir.file("side1"), "approval", "run", "none"}).code == 10);
  REQUIRE(helper({db, dir.file("side2"), "approval", "approve", "in_effect:1"}).code == 42);
  CHECK(count_in_doubt(db) == 1);  // begun, never finished: the journal says so
  Outcome third = helper({db, dir.file("side3"), "approval", "continue", "none"});
  REQUIRE_MESSAGE(third.code == 0, third.out);
  CHECK(final_state(db).at("published") == "https://example.test/hello");
  CHECK(last_words(dir.file("side2"), "effect").size() == 1);
  CHECK(last_words(dir.file("side3"), "effect").empty());  // reconciled from the outside world
  CHECK(count_in_doubt(db) == 0);
}

TEST_CASE("update_state from another process is seen by the resumed run") {
  test::TempDir dir;
  const std::string db = dir.file("a.db");
  REQUIRE(helper({db, dir.file("side1"), "approval", "run", "none"}).code == 10);
  Outcome update = helper({db, dir.file("side2"), "approval", "update", "none"});
  REQUIRE_MESSAGE(update.code == 0, update.out);
  // The engine asks again after an update (the interrupt belonged to the replaced checkpoint).
  Outcome again = helper({db, dir.file("side3"), "approval", "continue", "none"});
  REQUIRE_MESSAGE(again.code == 10, again.out);
  Outcome resumed = helper({db, dir.file("side4"), "approval", "approve", "none"});
  REQUIRE_MESSAGE(resumed.code == 0, resumed.out);
  const auto state = final_state(db);
  CHECK(state.at("note") == "edited");
  CHECK(state.at("decision") == "yes");
  SqliteStore store(db);
  bool has_update = false;
  for (auto& tuple : store.list("crash-thread", "")) has_update |= tuple.record.source == CheckpointSource::update;
  CHECK(has_update);
}

TEST_CASE("a fork from an old checkpoint runs a new branch and leaves the old history intact") {
  test::TempDir dir;
  const std::string db = dir.file("a.db");
  REQUIRE(helper({db, dir.file("side1"), "pipeline", "run", "none"}).code == 0);
  std::vector<CheckpointTuple> before;
  std::string fork_point;
  {
    SqliteStore store(db);
    before = store.list("crash-thread", "");
    REQUIRE(before.size() > 6);
    fork_point = before[before.size() - 4].record.id;  // early in the run
  }
  Outcome forked = helper({db, dir.file("side2"), "pipeline", "fork:" + fork_point, "none"});
  REQUIRE_MESSAGE(forked.code == 0, forked.out);
  SqliteStore store(db);
  auto after = store.list("crash-thread", "");
  CHECK(after.size() > before.size());
  std::map<std::string, const CheckpointTuple*> by_id;
  for (auto& t : after) by_id[t.record.id] = &t;
  for (auto& old : before) {
    auto it = by_id.find(old.record.id);
    REQUIRE(it != by_id.end());
    CHECK(it->second->values == old.values);
    CHECK(it->second->record.parent_id == old.record.parent_id);
  }
  // The new head descends from the fork point, not from the old head.
  std::string walk = after.front().record.id;
  bool reaches_fork = false;
  while (!walk.empty() && by_id.contains(walk)) {
    if (walk == fork_point) reaches_fork = true;
    if (walk == before.front().record.id) break;
    walk = by_id[walk]->record.parent_id;
  }
  CHECK(reaches_fork);
  CHECK(after.front().values.at("round") == 3);
}
