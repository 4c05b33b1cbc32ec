// SPDX-License-Identifier: MIT
#pragma once
// The one place that opens "a store from a --db string": a SQLite file path, or a PostgreSQL URL
// (`postgresql://` / `postgres://`). Commands talk to the Database, never to a store type, so
// every command that takes --db takes both. Its name() is what messages show: the path, or the
// URL with its password redacted.

#include "engine/checkpointer.hpp"
#include "engine/effect_journal.hpp"
#include "engine/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft {
class SqliteStore;
class PostgresStore;
}  // namespace weft

namespace weft::cli {

class Database {
 public:
  enum class Mode {
    create,    ///< open, creating (a file) or migrating (a schema) as needed
    existing,  ///< read what exists: UsageError (exit 2) for a missing file; no migration when current
  };
  /// Throws weft::Error from the store (exit 1: unreachable server, wrong password, another
  /// application's database, newer schema), or UsageError for a missing SQLite file (existing).
  /// `lease_ttl_ms` > 0 sets the thread leases' time to live (SqliteOptions/PostgresOptions::
  /// lease_ttl_ms; default 0: the store's own, 30 s): `weft worker` aligns it with its queue lease.
  static std::shared_ptr<Database> open(const std::string& db, Mode mode, std::int64_t lease_ttl_ms = 0);
  /// Whether `db` names a PostgreSQL database rather than a file.
  static bool is_url(const std::string& db) noexcept;
  /// `db` as messages may show it (a URL's password redacted).
  static std::string display_name(const std::string& db);

  std::shared_ptr<Checkpointer> checkpointer() const { return checkpointer_; }
  std::shared_ptr<EffectJournal> journal() const { return journal_; }
  /// Long-term memory in the same database (SqliteMemoryStore or PostgresMemoryStore).
  std::shared_ptr<Store> memory_store(const std::string& db) const;
  const std::string& name() const noexcept { return name_; }
  bool is_postgres() const noexcept { return postgres_ != nullptr; }

  // What commands ask of a store (engine/checkpointer.hpp, engine/effect_journal.hpp).
  std::optional<ThreadInfo> thread(const std::string& thread_id) { return checkpointer_->thread(thread_id); }
  std::vector<ThreadInfo> threads() { return checkpointer_->threads(); }
  std::optional<CheckpointTuple> get(const std::string& thread_id, const std::string& ns,
                                     const std::string& checkpoint_id = {}) {
    return checkpointer_->get(thread_id, ns, checkpoint_id);
  }
  void set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                         const boost::json::object& metadata) {
    checkpointer_->set_thread_status(thread_id, status, graph, metadata);
  }
  void flush() { checkpointer_->flush(); }
  EffectEntry find(const std::string& thread_id, const std::string& key) { return journal_->find(thread_id, key); }
  void begin_request(const std::string& thread_id, const std::string& key, const std::string& digest) {
    journal_->begin_request(thread_id, key, digest);
  }
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) {
    journal_->finish(thread_id, key, result);
  }
  /// Whether a live process holds the thread's lease (a `running` thread without one is stale).
  bool has_live_run(const std::string& thread_id);

 private:
  std::string name_;
  std::shared_ptr<SqliteStore> sqlite_;
  std::shared_ptr<PostgresStore> postgres_;
  std::shared_ptr<Checkpointer> checkpointer_;
  std::shared_ptr<EffectJournal> journal_;
};

}  // namespace weft::cli
