// SPDX-License-Identifier: MIT
#pragma once
// Graph-specific progress for the status line: "triaged 7 of 20" (spam_triage), "handled 2 of 5"
// (vip_outreach). A graph's entry says which node's update gives the total (the length of a
// list it writes) and which node's updates count one item each; graphs without an entry show none.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace weft::cli {

class GraphProgress {
 public:
  explicit GraphProgress(const std::string& graph);
  /// Takes one finished task's update (node, its update object).
  /// Returns true when the update counted one item (the line about it may show text()).
  bool on_update(const std::string& node, const boost::json::value& update);
  /// "triaged 7 of 20", or "" before the total is known or for a graph without an entry.
  std::string text() const;

 private:
  std::string total_node_;
  std::string total_key_;
  std::string count_node_;
  std::string verb_;
  std::int64_t total_ = -1;
  std::int64_t done_ = 0;
};

}  // namespace weft::cli
