// SPDX-License-Identifier: MIT
#include "store/error.hpp"

namespace weft::store {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weft.store"; }
  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::open_failed: return "cannot open database";
      case error::not_a_database: return "not an SQLite database";
      case error::not_a_weft_store: return "not a Weft store";
      case error::corrupt: return "database is corrupt";
      case error::schema_too_new: return "schema version too new";
      case error::bad_record: return "undecodable record";
      case error::thread_busy: return "thread is being run by another process";
      case error::lease_lost: return "thread lease lost";
      case error::effect_conflict: return "effect already started";
      case error::unknown_checkpoint: return "unknown checkpoint";
      case error::busy: return "database is locked";
      case error::disk_full: return "disk full";
      case error::write_failed: return "asynchronous write failed";
      case error::sqlite: return "SQLite error";
      case error::postgres: return "PostgreSQL error";
    }
    return "unknown store error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace weft::store
