// SPDX-License-Identifier: MIT
#include "cli/graph_progress.hpp"

#include <boost/json/object.hpp>

#include <array>

namespace weft::cli {

namespace {

struct Entry {
  const char* graph;
  const char* total_node;  // its update holds the list of items...
  const char* total_key;   // ...under this key
  const char* count_node;  // each of its updates is one item done
  const char* verb;        // "<verb> 7 of 20"
};

constexpr std::array<Entry, 2> kEntries{{
    {"spam_triage", "fetch", "conversations", "triage", "triaged"},
    {"vip_outreach", "select", "candidates", "outreach", "handled"},
}};

}  // namespace

GraphProgress::GraphProgress(const std::string& graph) {
  for (const Entry& e : kEntries) {
    if (graph == e.graph) {
      total_node_ = e.total_node;
      total_key_ = e.total_key;
      count_node_ = e.count_node;
      verb_ = e.verb;
    }
  }
}

bool GraphProgress::on_update(const std::string& node, const boost::json::value& update) {
  if (verb_.empty()) return false;
  if (node == total_node_) {
    if (const boost::json::object* o = update.if_object()) {
      if (auto* list = o->if_contains(total_key_); list && list->is_array()) {
        total_ = static_cast<std::int64_t>(list->as_array().size());
      }
    }
  } else if (node == count_node_) {
    ++done_;
    return true;
  }
  return false;
}

std::string GraphProgress::text() const {
  if (total_ < 0) return {};
  return verb_ + " " + std::to_string(done_ < total_ ? done_ : total_) + " of " + std::to_string(total_);
}

}  // namespace weft::cli
