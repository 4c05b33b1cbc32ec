// SPDX-License-Identifier: MIT
// Several sandboxes (as several `weft run` processes in one directory) on one state file: every
// write lands in the file and none is lost, whatever the interleaving (sandbox/README.md, "State
// file shared by several processes"). Separate Sandbox objects stand in for processes: each
// opens its own lock file descriptor, and flock() locks conflict between descriptors.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/sandbox/crisp_fixture.hpp"

using namespace crisp_test;

namespace {

struct TempState {
  TempState() {
    std::string pattern = (std::filesystem::temp_directory_path() / "weft-shared-state-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    path = dir + "/state.json";
  }
  ~TempState() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  sc::SandboxOptions options() const {
    auto o = test_options();
    o.state_file = path;
    return o;
  }
  // The effect log as the file holds it.
  json::array file_effects() const {
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    return json::parse(buf.str()).at("effects").as_array();
  }
  std::string dir;
  std::string path;
};

std::string note(const std::string& text) {
  return R"({"type":"note","from":"operator","origin":"chat","content":")" + text + R"("})";
}

}  // namespace

TEST_CASE("two sandboxes on one state file keep each other's writes and read them") {
  TempState state;
  Fixture a(state.options());
  Fixture b(state.options());
  const auto sid = a.any_session();
  REQUIRE(a.call("POST", "/conversation/" + sid + "/message", note("from a")).status == 200);
  auto from_b = b.call("POST", "/conversation/" + sid + "/message", note("from b"));
  REQUIRE(from_b.status == 200);
  REQUIRE(a.call("PATCH", "/conversation/" + sid + "/state", R"({"state":"resolved"})").status == 200);
  // a reads b's message; both see the whole log, indexes 0, 1, 2.
  const auto fp = std::to_string(from_b.data().at("fingerprint").to_number<std::int64_t>());
  CHECK(a.call("GET", "/conversation/" + sid + "/message/" + fp).data().at("content") == "from b");
  CHECK(a.effects().size() == 3);
  CHECK(b.effects().size() == 3);
  auto logged = state.file_effects();
  REQUIRE(logged.size() == 3);
  CHECK(logged[0].at("body").at("content") == "from a");
  CHECK(logged[1].at("body").at("content") == "from b");
  CHECK(logged[2].at("index").to_number<int>() == 2);
}

TEST_CASE("a sandbox stopping with an old copy of the world does not wipe another's writes") {
  TempState state;
  Fixture stale(state.options());  // loaded the file, then never writes (a run that lost its lease)
  {
    Fixture writer(state.options());
    const auto sid = writer.any_session();
    REQUIRE(writer.call("POST", "/conversation/" + sid + "/message", note("kept")).status == 200);
    REQUIRE(writer.call("POST", "/conversation/" + sid + "/message", note("kept too")).status == 200);
  }
  stale.sandbox.stop();
  CHECK(state.file_effects().size() == 2);
}

TEST_CASE("a leftover '<state>.tmp' of another process does not stop a write (unique temp files)") {
  TempState state;
  Fixture f(state.options());
  // The old fixed temp name, taken by something that cannot be written over.
  std::filesystem::create_directory(state.path + ".tmp");
  const auto sid = f.any_session();
  CHECK(f.call("POST", "/conversation/" + sid + "/message", note("written")).status == 200);
  CHECK(state.file_effects().size() == 1);
  // No temp file is left behind.
  std::size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(state.dir)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 3);  // state.json, state.json.lock, the directory state.json.tmp
}

TEST_CASE("concurrent writers through several sandboxes on one state file lose no write") {
  TempState state;
  constexpr int kSandboxes = 4;
  constexpr int kWrites = 15;
  std::vector<std::unique_ptr<Fixture>> fixtures;
  for (int i = 0; i < kSandboxes; ++i) fixtures.push_back(std::make_unique<Fixture>(state.options()));
  const auto sid = fixtures[0]->any_session();
  std::vector<int> ok(kSandboxes, 0);
  {
    std::vector<std::jthread> writers;
    for (int i = 0; i < kSandboxes; ++i) {
      writers.emplace_back([&, i] {
        for (int k = 0; k < kWrites; ++k) {
          auto r = fixtures[static_cast<std::size_t>(i)]->call("POST", "/conversation/" + sid + "/message",
                                                               note("w" + std::to_string(i) + "-" + std::to_string(k)));
          if (r.status == 200) ++ok[static_cast<std::size_t>(i)];
        }
      });
    }
  }
  for (int i = 0; i < kSandboxes; ++i) CHECK(ok[static_cast<std::size_t>(i)] == kWrites);
  auto logged = state.file_effects();
  CHECK(logged.size() == static_cast<std::size_t>(kSandboxes * kWrites));
  for (std::size_t i = 0; i < logged.size(); ++i) CHECK(logged[i].at("index").to_number<std::size_t>() == i);
  fixtures.clear();  // stopping writes nothing over the file
  CHECK(state.file_effects().size() == static_cast<std::size_t>(kSandboxes * kWrites));
}
