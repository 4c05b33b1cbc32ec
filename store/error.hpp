// SPDX-License-Identifier: MIT
#pragma once
// Errors of the store module (SQLite and PostgreSQL checkpointers, effect journal, integrity check).
//
// Every store failure reaches the caller as weft::Error with one of these codes; SQLite and JSON
// library exceptions never escape the module. Messages name the file, thread or checkpoint and say
// what to do next.

#include "engine/error.hpp"

#include <system_error>

namespace weft::store {

enum class error {
  open_failed = 1,     ///< the file cannot be opened or created (permissions, missing directory)
  not_a_database,      ///< the file is not an SQLite database (wrong file, or header overwritten)
  not_a_weft_store,    ///< an SQLite database without Weft's schema table (someone else's file)
  corrupt,             ///< SQLite reports the file malformed or truncated
  schema_too_new,      ///< written by a newer Weft (schema version above what this build knows)
  bad_record,          ///< a row holds undecodable JSON or a delta that does not fold
  thread_busy,         ///< another live process holds the thread's lease
  lease_lost,          ///< this process's lease was broken or taken over while it ran
  effect_conflict,     ///< begin() on an effect that is already started or done
  unknown_checkpoint,  ///< a checkpoint id named by the caller does not exist
  busy,                ///< the database stayed locked past the busy timeout
  disk_full,           ///< the disk (or quota) is full
  write_failed,        ///< an asynchronous commit failed; the store refuses further writes
  sqlite,              ///< any other SQLite failure (message carries SQLite's text)
  postgres,            ///< any other PostgreSQL failure (message carries the server's text and SQLSTATE)
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace weft::store

template <>
struct std::is_error_code_enum<weft::store::error> : std::true_type {};
