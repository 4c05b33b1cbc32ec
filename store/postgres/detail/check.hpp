// SPDX-License-Identifier: MIT
#pragma once
// Private: the integrity check of a PostgreSQL Weft database, reached through store::check() with
// a postgresql:// URL (store/check.hpp). Never throws but std::bad_alloc.

#include "store/check.hpp"

#include <string>

namespace weft::store::postgres::detail {

CheckReport check_database(const std::string& url);

}  // namespace weft::store::postgres::detail
