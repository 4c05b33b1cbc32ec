// SPDX-License-Identifier: MIT
// The rules every Store implementation shares: what a valid namespace, key and value are, how a
// search matches, and in which order results come back. One home, so the in-memory, SQLite and
// PostgreSQL stores cannot drift apart.
#include "engine/store.hpp"

#include "engine/error.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <tuple>

namespace weft {
namespace {

[[noreturn]] void invalid(const std::string& message) { throw Error(engine::error::invalid_store_request, message); }

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `pattern` matches `labels` starting at `at`, label by label, "*" matching any label.
bool labels_match(const StoreNamespace& labels, std::size_t at, const StoreNamespace& pattern) {
  if (at + pattern.size() > labels.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != "*" && pattern[i] != labels[at + i]) return false;
  }
  return true;
}

}  // namespace

void validate_store_namespace(const StoreNamespace& ns, bool allow_empty) {
  if (ns.empty() && !allow_empty) invalid("store namespace is empty; give at least one label, e.g. [\"users\"]");
  if (ns.size() > kMaxStoreDepth) {
    invalid("store namespace has " + std::to_string(ns.size()) + " labels; at most " + std::to_string(kMaxStoreDepth) +
            " are allowed");
  }
  for (std::size_t i = 0; i < ns.size(); ++i) {
    const std::string& label = ns[i];
    const std::string where = "store namespace label " + std::to_string(i);
    if (label.empty()) invalid(where + " is empty; labels must be non-empty strings");
    if (label.size() > kMaxStoreLabelBytes) {
      invalid(where + " is " + std::to_string(label.size()) + " bytes; at most " + std::to_string(kMaxStoreLabelBytes) +
              " are allowed");
    }
    if (label.find('.') != std::string::npos)
      invalid(where + " ('" + label + "') contains '.'; labels cannot contain periods");
    if (has_control_character(label)) invalid(where + " contains a control character");
  }
}

void validate_store_key(std::string_view key) {
  if (key.empty()) invalid("store key is empty; give a non-empty key");
  if (key.size() > kMaxStoreKeyBytes) {
    invalid("store key is " + std::to_string(key.size()) + " bytes; at most " + std::to_string(kMaxStoreKeyBytes) +
            " are allowed");
  }
  if (has_control_character(key)) invalid("store key contains a control character");
}

void validate_store_put(const boost::json::object& value, const std::optional<Clock::duration>& ttl) {
  const std::size_t size = boost::json::serialize(value).size();
  if (size > kMaxStoreValueBytes) {
    invalid("store value is " + std::to_string(size) + " bytes serialized; at most " +
            std::to_string(kMaxStoreValueBytes) + " are allowed");
  }
  if (ttl && ttl->count() <= 0) invalid("store ttl must be positive (got " + std::to_string(ttl->count()) + " ms)");
}

std::string store_namespace_text(const StoreNamespace& ns) {
  std::string text;
  for (const std::string& label : ns) {
    if (!text.empty()) text += '.';
    text += label;
  }
  return text;
}

bool store_item_matches(const StoreItem& item, const StoreSearch& search) {
  if (!labels_match(item.ns, 0, search.ns_prefix)) return false;
  for (const auto& [field, wanted] : search.filter) {
    const boost::json::value* have = item.value.if_contains(field);
    if (!have || *have != wanted) return false;
  }
  if (!search.query.empty()) {
    if (lower(boost::json::serialize(item.value)).find(lower(search.query)) == std::string::npos) return false;
  }
  return true;
}

bool store_namespace_matches(const StoreNamespace& ns, const StoreNamespaceQuery& query) {
  if (!labels_match(ns, 0, query.prefix)) return false;
  if (query.suffix.size() > ns.size()) return false;
  return labels_match(ns, ns.size() - query.suffix.size(), query.suffix);
}

std::vector<StoreItem> store_page(std::vector<StoreItem> items, std::size_t offset, std::size_t limit) {
  std::sort(items.begin(), items.end(), [](const StoreItem& a, const StoreItem& b) {
    return std::tie(b.updated_at_ms, a.ns, a.key) < std::tie(a.updated_at_ms, b.ns, b.key);
  });
  if (offset >= items.size()) return {};
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(offset));
  if (items.size() > limit) items.resize(limit);
  return items;
}

std::vector<StoreNamespace> store_namespace_page(std::vector<StoreNamespace> namespaces,
                                                 const StoreNamespaceQuery& query) {
  if (query.max_depth) {
    for (StoreNamespace& ns : namespaces) {
      if (ns.size() > *query.max_depth) ns.resize(*query.max_depth);
    }
  }
  std::sort(namespaces.begin(), namespaces.end());
  namespaces.erase(std::unique(namespaces.begin(), namespaces.end()), namespaces.end());
  if (query.offset >= namespaces.size()) return {};
  namespaces.erase(namespaces.begin(), namespaces.begin() + static_cast<std::ptrdiff_t>(query.offset));
  if (namespaces.size() > query.limit) namespaces.resize(query.limit);
  return namespaces;
}

}  // namespace weft
