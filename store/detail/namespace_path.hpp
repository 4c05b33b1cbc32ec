// SPDX-License-Identifier: MIT
#pragma once
// Private: the one text form of a long-term memory namespace in a database column (ns_path), shared
// by the SQLite and PostgreSQL memory stores: each label followed by '\x1f'. Labels hold no
// control character (validated), so the namespaces under a prefix P are exactly the paths in
// [P, P with its last '\x1f' -> '\x20') in bytewise order.

#include "engine/store.hpp"

#include <string>
#include <string_view>

namespace weft::store::detail {

inline std::string ns_path(const StoreNamespace& ns) {
  std::string path;
  for (const std::string& label : ns) {
    path += label;
    path += '\x1f';
  }
  return path;
}

inline StoreNamespace ns_from_path(std::string_view path) {
  StoreNamespace ns;
  std::size_t start = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\x1f') {
      ns.emplace_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return ns;
}

/// The exclusive upper bound of the paths under a non-empty prefix path.
inline std::string ns_path_upper_bound(std::string low) {
  low.back() = '\x20';
  return low;
}

}  // namespace weft::store::detail
