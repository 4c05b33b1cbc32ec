// SPDX-License-Identifier: MIT
// What any load of a thread's latest state from a Weft SQLite file must at least cost, in a fresh
// process: the rows of the chain `get_state` reads (the head back to the nearest snapshot), read
// with the bare SQLite C API; then the same rows parsed by Boost.JSON into one arena and nothing
// else (no fold, no checks); then one deep copy of those values into a new arena, the least it
// costs to build the state as Boost.JSON values from any encoding. Used for issue #11's fresh-load
// goal (bench/README.md, store, session 6). usage:
//   weft_bench_load_floor FILE.db THREAD_ID        (e.g. the file of `resume --phase=prepare`)
// Prints one `RESULT {json}` line with the thread CPU time of each part.
#include "bench_util.hpp"

#include <boost/json.hpp>
#include <sqlite3.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace bench = weft::bench;

namespace {

// Steps `q` through the chain (head first, down to the nearest snapshot) and hands `row` the
// text of each row that folding would parse: its deltas, or the snapshot that ends the chain.
template <class Row>
void for_each_chain_row(sqlite3_stmt* q, Row row) {
  while (sqlite3_step(q) == SQLITE_ROW) {
    const int column = sqlite3_column_type(q, 1) == SQLITE_NULL ? 0 : 1;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(q, column));
    row(std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(q, column))));
    if (column == 1) break;
  }
}

int fail(const char* why, const char* file) {
  std::fprintf(stderr, "weft_bench_load_floor: %s (%s)\n", why, file);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FILE.db THREAD_ID\n", argv[0]);
    return 2;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return fail("cannot open", argv[1]);
  // Outside the timed part, like the store's own open: the schema is read at the first statement.
  sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);

  double c = bench::thread_cpu_us();
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db,
                         "SELECT deltas, snapshot FROM checkpoints WHERE thread_id = ?1 AND ns = '' "
                         "ORDER BY checkpoint_id DESC",
                         -1, &q, nullptr) != SQLITE_OK) {
    return fail("not a Weft checkpoint file", argv[1]);
  }
  sqlite3_bind_text(q, 1, argv[2], -1, SQLITE_STATIC);
  std::size_t bytes = 0;
  for_each_chain_row(q, [&](std::string_view text) { bytes += text.size(); });
  const double read_ms = (bench::thread_cpu_us() - c) / 1000;
  // Copies of the texts for the parse (outside the timed parts: SQLite reuses its buffers per step).
  std::vector<std::string> copies;
  sqlite3_reset(q);
  for_each_chain_row(q, [&](std::string_view text) { copies.emplace_back(text); });
  sqlite3_finalize(q);
  sqlite3_close(db);
  if (copies.empty()) return fail("no checkpoint of that thread", argv[2]);

  c = bench::thread_cpu_us();
  auto arena = boost::json::make_shared_resource<boost::json::monotonic_resource>(8192);
  boost::json::parser parser(arena);
  std::vector<boost::json::value> values;
  values.reserve(copies.size());
  for (const std::string& text : copies) {
    parser.reset(arena);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) return fail("a row is not JSON", argv[1]);
    values.push_back(parser.release());
  }
  const double parse_ms = (bench::thread_cpu_us() - c) / 1000;

  c = bench::thread_cpu_us();
  auto other = boost::json::make_shared_resource<boost::json::monotonic_resource>(8192);
  std::vector<boost::json::value> built;
  built.reserve(values.size());
  for (const auto& v : values) built.emplace_back(v, other);
  const double build_ms = (bench::thread_cpu_us() - c) / 1000;

  bench::emit(boost::json::object{{"bench", "load-floor"},
                                  {"rows", copies.size()},
                                  {"bytes", bytes},
                                  {"read_cpu_ms", read_ms},
                                  {"parse_cpu_ms", parse_ms},
                                  {"build_cpu_ms", build_ms}});
  return 0;
}
