// SPDX-License-Identifier: MIT
// The long-term memory routes, as LangGraph's API and SDK (`client.store`) use them:
//   PUT    /store/items            {namespace, key, value, ttl?}        -> 204
//   GET    /store/items?namespace=a.b&key=k                             -> the item, or null
//   DELETE /store/items            {namespace, key}                     -> 204
//   POST   /store/items/search     {namespace_prefix, filter, limit, offset, query} -> {"items": [...]}
//   POST   /store/namespaces       {prefix, suffix, max_depth, limit, offset}      -> {"namespaces": [[...]]}
// A bad namespace, key, value or ttl is a 422 {"detail": ...} and nothing is written.
#include "engine/error.hpp"
#include "engine/store.hpp"
#include "server/detail/router.hpp"
#include "server/detail/state.hpp"

#include <cmath>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

Store& store_of(ServerState& state) {
  if (!state.environment.store) throw ApiError(404, "this server has no long-term memory store");
  return *state.environment.store;
}

// ["a", "b"]; absent or null is {} (the store then says whether {} is allowed).
StoreNamespace namespace_field(const json::object& body, std::string_view name) {
  const json::value* v = field(body, name);
  StoreNamespace ns;
  if (v == nullptr) return ns;
  if (!v->is_array()) throw ApiError(422, "'" + std::string(name) + "' must be a list of strings");
  for (const json::value& label : v->as_array()) {
    if (!label.is_string()) throw ApiError(422, "'" + std::string(name) + "' must be a list of strings");
    ns.emplace_back(label.as_string());
  }
  return ns;
}

std::string required_key(std::optional<std::string> key) {
  if (!key || key->empty()) throw ApiError(422, "'key' is required (a non-empty string)");
  return std::move(*key);
}

// LangGraph's ttl is in minutes (a number); null or absent means no expiry.
std::optional<Clock::duration> ttl_field(const json::object& body) {
  const json::value* v = field(body, "ttl");
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) throw ApiError(422, "'ttl' must be a number of minutes or null");
  const double minutes = v->to_number<double>();
  // A year of minutes bounds the product well inside int64 milliseconds.
  if (!std::isfinite(minutes) || minutes <= 0 || minutes > 525'600.0 * 100)
    throw ApiError(422, "'ttl' must be a positive number of minutes (at most 100 years)");
  return Clock::duration(static_cast<std::int64_t>(std::ceil(minutes * 60'000.0)));
}

json::array namespace_json(const StoreNamespace& ns) {
  json::array out;
  for (const std::string& label : ns) out.emplace_back(label);
  return out;
}

json::object item_json(const StoreItem& item) {
  json::object out;
  out["namespace"] = namespace_json(item.ns);
  out["key"] = item.key;
  out["value"] = item.value;
  out["created_at"] = iso_time(item.created_at_ms);
  out["updated_at"] = iso_time(item.updated_at_ms);
  return out;
}

// The store's own refusals (bad namespace, key, value) are the client's fault: 422.
[[noreturn]] void rethrow_store_error(const weft::Error& e) {
  if (e.code() == engine::error::invalid_store_request) throw ApiError(422, e.what());
  throw api_error_of(e);
}

net::awaitable<void> put_item(ServerState& state, Exchange& ex) {
  const json::object& body = ex.body();
  StoreNamespace ns = namespace_field(body, "namespace");
  std::string key = required_key(string_field(body, "key"));
  const json::value* value = field(body, "value");
  if (value == nullptr || !value->is_object()) throw ApiError(422, "'value' is required (a JSON object)");
  std::optional<Clock::duration> ttl = ttl_field(body);
  Store& store = store_of(state);
  try {
    net::awaitable<void> saving = store.put(std::move(ns), std::move(key), value->as_object(), ttl);
    co_await std::move(saving);
  } catch (const weft::Error& e) {
    rethrow_store_error(e);
  }
  ex.reply_empty(204);
}

net::awaitable<void> get_item(ServerState& state, Exchange& ex) {
  std::optional<std::string> ns_text = ex.query_param("namespace");
  StoreNamespace ns;
  if (ns_text && !ns_text->empty()) {
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = ns_text->find('.', start);
      ns.push_back(ns_text->substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  std::string key = required_key(ex.query_param("key"));
  Store& store = store_of(state);
  std::optional<StoreItem> item;
  try {
    net::awaitable<std::optional<StoreItem>> reading = store.get(std::move(ns), std::move(key));
    item = co_await std::move(reading);
  } catch (const weft::Error& e) {
    rethrow_store_error(e);
  }
  if (item) {
    ex.reply(item_json(*item));
  } else {
    ex.reply(nullptr);
  }
}

net::awaitable<void> delete_item(ServerState& state, Exchange& ex) {
  const json::object& body = ex.body();
  StoreNamespace ns = namespace_field(body, "namespace");
  std::string key = required_key(string_field(body, "key"));
  Store& store = store_of(state);
  try {
    net::awaitable<void> deleting = store.remove(std::move(ns), std::move(key));
    co_await std::move(deleting);
  } catch (const weft::Error& e) {
    rethrow_store_error(e);
  }
  ex.reply_empty(204);
}

net::awaitable<void> search_items(ServerState& state, Exchange& ex) {
  const json::object& body = ex.body();
  StoreSearch search;
  search.ns_prefix = namespace_field(body, "namespace_prefix");
  search.filter = object_field(body, "filter");
  search.query = string_field(body, "query").value_or("");
  search.limit = static_cast<std::size_t>(int_field(body, "limit", 10, 1, 1000));
  search.offset = static_cast<std::size_t>(int_field(body, "offset", 0, 0, 1'000'000));
  Store& store = store_of(state);
  std::vector<StoreItem> items;
  try {
    net::awaitable<std::vector<StoreItem>> searching = store.search(std::move(search));
    items = co_await std::move(searching);
  } catch (const weft::Error& e) {
    rethrow_store_error(e);
  }
  json::array out;
  for (const StoreItem& item : items) out.emplace_back(item_json(item));
  ex.reply(json::object{{"items", std::move(out)}});
}

net::awaitable<void> list_namespaces(ServerState& state, Exchange& ex) {
  const json::object& body = ex.body();
  StoreNamespaceQuery query;
  query.prefix = namespace_field(body, "prefix");
  query.suffix = namespace_field(body, "suffix");
  if (field(body, "max_depth") != nullptr)
    query.max_depth =
        static_cast<std::size_t>(int_field(body, "max_depth", 1, 1, static_cast<std::int64_t>(kMaxStoreDepth)));
  query.limit = static_cast<std::size_t>(int_field(body, "limit", 100, 1, 1000));
  query.offset = static_cast<std::size_t>(int_field(body, "offset", 0, 0, 1'000'000));
  Store& store = store_of(state);
  std::vector<StoreNamespace> namespaces;
  try {
    net::awaitable<std::vector<StoreNamespace>> listing = store.list_namespaces(std::move(query));
    namespaces = co_await std::move(listing);
  } catch (const weft::Error& e) {
    rethrow_store_error(e);
  }
  json::array out;
  for (const StoreNamespace& ns : namespaces) out.emplace_back(namespace_json(ns));
  ex.reply(json::object{{"namespaces", std::move(out)}});
}

}  // namespace

void add_store_routes(Router& router) {
  router.add(http::verb::put, "/store/items", put_item);
  router.add(http::verb::get, "/store/items", get_item);
  router.add(http::verb::delete_, "/store/items", delete_item);
  router.add(http::verb::post, "/store/items/search", search_items);
  router.add(http::verb::post, "/store/namespaces", list_namespaces);
}

}  // namespace weft::server::detail
