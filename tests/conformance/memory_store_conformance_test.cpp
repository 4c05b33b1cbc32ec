// SPDX-License-Identifier: MIT
// The long-term memory Store contract (engine/store.hpp) on every implementation: InMemoryStore,
// SqliteMemoryStore and PostgresMemoryStore (on the `postgres` fixture's server), each on a
// manual clock. (Moved from tests/store/memory_store_test.cpp; a new Store adds its factory.)

#include "engine/error.hpp"
#include "store/memory_store.hpp"
#include "store/postgres_memory_store.hpp"
#include "store/sqlite_memory_store.hpp"
#include "tests/conformance/store_kits.hpp"

#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

#include <functional>

using namespace weft;
namespace json = boost::json;
using namespace std::chrono_literals;
using weft::test::await;

namespace {

/// One implementation under test, with its manual clock.
struct Subject {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<test::SqliteKit::Dir> dir;
  std::unique_ptr<test::TestDatabase> database;
  std::shared_ptr<Store> store;
};

using Factory = std::function<Subject()>;

Subject in_memory() {
  Subject s;
  s.store = std::make_shared<InMemoryStore>(s.clock);
  return s;
}

Subject sqlite() {
  Subject s;
  s.dir = std::make_unique<test::SqliteKit::Dir>();
  s.store = std::make_shared<SqliteMemoryStore>((s.dir->path / "weft.db").string(), s.clock);
  return s;
}

Subject postgres() {
  Subject s;
  s.database = std::make_unique<test::TestDatabase>();
  s.store = std::make_shared<PostgresMemoryStore>(s.database->url(), s.clock);
  return s;
}

std::error_code error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return {};
}

// Built field by field: designated initializers that skip fields warn under GCC 12's -Wextra.
StoreSearch search_for(StoreNamespace prefix, json::object filter = {}, std::string query = {}, std::size_t limit = 10,
                       std::size_t offset = 0) {
  StoreSearch search;
  search.ns_prefix = std::move(prefix);
  search.filter = std::move(filter);
  search.query = std::move(query);
  search.limit = limit;
  search.offset = offset;
  return search;
}

StoreNamespaceQuery namespaces(StoreNamespace prefix, StoreNamespace suffix = {},
                               std::optional<std::size_t> max_depth = {}, std::size_t limit = 100,
                               std::size_t offset = 0) {
  StoreNamespaceQuery query;
  query.prefix = std::move(prefix);
  query.suffix = std::move(suffix);
  query.max_depth = max_depth;
  query.limit = limit;
  query.offset = offset;
  return query;
}

std::vector<std::string> keys(const std::vector<StoreItem>& items) {
  std::vector<std::string> out;
  for (const StoreItem& item : items) out.push_back(store_namespace_text(item.ns) + "/" + item.key);
  return out;
}

void put_get_replace_delete(const Factory& make) {
  Subject s = make();
  Store& store = *s.store;
  await(store.put({"customers", "c-42"}, "plan", json::object{{"plan", "pro"}}));
  std::optional<StoreItem> item = await(store.get({"customers", "c-42"}, "plan"));
  REQUIRE(item);
  CHECK(item->ns == StoreNamespace{"customers", "c-42"});
  CHECK(item->key == "plan");
  CHECK(item->value == json::object{{"plan", "pro"}});
  CHECK(item->created_at_ms == s.clock->now_ms());
  CHECK(item->updated_at_ms == s.clock->now_ms());
  CHECK_FALSE(item->expires_at_ms);
  const std::int64_t created = item->created_at_ms;

  s.clock->advance(5s);
  await(store.put({"customers", "c-42"}, "plan", json::object{{"plan", "enterprise"}}));
  item = await(store.get({"customers", "c-42"}, "plan"));
  REQUIRE(item);
  CHECK(item->value.at("plan") == "enterprise");
  CHECK(item->created_at_ms == created);
  CHECK(item->updated_at_ms == created + 5000);

  CHECK_FALSE(await(store.get({"customers", "c-43"}, "plan")));
  CHECK_FALSE(await(store.get({"customers"}, "plan")));
  await(store.remove({"customers", "c-42"}, "plan"));
  CHECK_FALSE(await(store.get({"customers", "c-42"}, "plan")));
  await(store.remove({"customers", "c-42"}, "plan"));  // absent: not an error
}

void ttl_expiry(const Factory& make) {
  Subject s = make();
  Store& store = *s.store;
  await(store.put({"sessions"}, "short", json::object{{"v", 1}}, Clock::duration(60'000)));
  await(store.put({"sessions"}, "forever", json::object{{"v", 2}}));
  std::optional<StoreItem> item = await(store.get({"sessions"}, "short"));
  REQUIRE(item);
  CHECK(item->expires_at_ms == s.clock->now_ms() + 60'000);

  s.clock->advance(59s);
  CHECK(await(store.get({"sessions"}, "short")));
  s.clock->advance(1s);
  CHECK_FALSE(await(store.get({"sessions"}, "short")));
  CHECK(keys(await(store.search(search_for({"sessions"})))) == std::vector<std::string>{"sessions/forever"});

  // A put after expiry starts a new item: a fresh created_at.
  await(store.put({"sessions"}, "short", json::object{{"v", 3}}));
  item = await(store.get({"sessions"}, "short"));
  REQUIRE(item);
  CHECK(item->created_at_ms == s.clock->now_ms());
  CHECK_FALSE(item->expires_at_ms);
}

void search_prefix_filter_query_paging(const Factory& make) {
  Subject s = make();
  Store& store = *s.store;
  await(store.put({"customers", "c-1"}, "plan", json::object{{"plan", "pro"}, {"seats", 5}}));
  s.clock->advance(1s);
  await(store.put({"customers", "c-2"}, "plan", json::object{{"plan", "free"}, {"seats", 1}}));
  s.clock->advance(1s);
  await(store.put({"customers", "c-3"}, "plan", json::object{{"plan", "pro"}, {"note", "Prefers EMAIL"}}));
  s.clock->advance(1s);
  await(store.put({"customersX"}, "plan", json::object{{"plan", "pro"}}));  // not under "customers"

  CHECK(keys(await(store.search(search_for({"customers"})))) ==
        std::vector<std::string>{"customers.c-3/plan", "customers.c-2/plan", "customers.c-1/plan"});
  CHECK(keys(await(store.search(search_for({"customers"}, {{"plan", "pro"}})))) ==
        std::vector<std::string>{"customers.c-3/plan", "customers.c-1/plan"});
  CHECK(keys(await(store.search(search_for({"customers"}, {{"plan", "pro"}, {"seats", 5}})))) ==
        std::vector<std::string>{"customers.c-1/plan"});
  CHECK(keys(await(store.search(search_for({}, {}, "email")))) == std::vector<std::string>{"customers.c-3/plan"});
  CHECK(keys(await(store.search(search_for({}, {}, "", 2, 1)))) ==
        std::vector<std::string>{"customers.c-3/plan", "customers.c-2/plan"});
  CHECK(await(store.search(search_for({"customers"}, {}, "", 10, 9))).empty());
  CHECK(keys(await(store.search(search_for({"customers", "c-2"})))) == std::vector<std::string>{"customers.c-2/plan"});
}

void namespaces_listing(const Factory& make) {
  Subject s = make();
  Store& store = *s.store;
  await(store.put({"a", "b", "c"}, "k", json::object{}));
  await(store.put({"a", "b", "d"}, "k", json::object{}));
  await(store.put({"a", "x"}, "k", json::object{}));
  await(store.put({"z"}, "k", json::object{}, Clock::duration(1000)));
  s.clock->advance(2s);  // {"z"} expires

  using List = std::vector<StoreNamespace>;
  CHECK(await(store.list_namespaces(namespaces({}))) == List{{"a", "b", "c"}, {"a", "b", "d"}, {"a", "x"}});
  CHECK(await(store.list_namespaces(namespaces({"a", "b"}))) == List{{"a", "b", "c"}, {"a", "b", "d"}});
  CHECK(await(store.list_namespaces(namespaces({}, {"d"}))) == List{{"a", "b", "d"}});
  CHECK(await(store.list_namespaces(namespaces({"a", "*", "c"}))) == List{{"a", "b", "c"}});
  CHECK(await(store.list_namespaces(namespaces({}, {}, 2))) == List{{"a", "b"}, {"a", "x"}});
  CHECK(await(store.list_namespaces(namespaces({}, {}, std::nullopt, 1, 1))) == List{{"a", "b", "d"}});
}

void bad_requests_write_nothing(const Factory& make) {
  Subject s = make();
  Store& store = *s.store;
  const std::error_code invalid = engine::error::invalid_store_request;
  CHECK(error_of([&] { await(store.put({}, "k", json::object{})); }) == invalid);
  CHECK(error_of([&] { await(store.put({"a", ""}, "k", json::object{})); }) == invalid);
  CHECK(error_of([&] { await(store.put({"a.b"}, "k", json::object{})); }) == invalid);
  CHECK(error_of([&] { await(store.put({"a"}, "", json::object{})); }) == invalid);
  CHECK(error_of([&] { await(store.put({"a"}, "k", json::object{}, Clock::duration(0))); }) == invalid);
  CHECK(error_of([&] {
          await(store.put({"a"}, "k", json::object{{"blob", std::string(kMaxStoreValueBytes, 'x')}}));
        }) == invalid);
  CHECK(error_of([&] { await(store.get({"a\nb"}, "k")); }) == invalid);
  CHECK(await(store.list_namespaces(namespaces({}))).empty());
}

}  // namespace

#define STORE_CONTRACT_CASE(what, fn)                     \
  TEST_CASE("in-memory store: " what) { fn(in_memory); }  \
  TEST_CASE("sqlite memory store: " what) { fn(sqlite); } \
  TEST_CASE("postgres memory store: " what) { fn(postgres); }

STORE_CONTRACT_CASE("put, get, replace and delete an item", put_get_replace_delete)
STORE_CONTRACT_CASE("an item with a ttl expires on the store's clock", ttl_expiry)
STORE_CONTRACT_CASE("search by namespace prefix, field filter, query text and page", search_prefix_filter_query_paging)
STORE_CONTRACT_CASE("namespaces are listed by prefix, suffix, wildcard, depth and page", namespaces_listing)
STORE_CONTRACT_CASE("a bad namespace, key, ttl or oversized value is refused and writes nothing",
                    bad_requests_write_nothing)
