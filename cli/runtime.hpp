// SPDX-License-Identifier: MIT
#pragma once
// What a `weft` command runs on: the store, and (for run/resume) the services the graphs act
// with: the Crisp sandbox started in-process or real Crisp, and the model. Everything is owned
// here and passed down explicitly; nothing is global.

#include "cli/command.hpp"
#include "cli/database.hpp"
#include "cli/settings.hpp"
#include "engine/store.hpp"
#include "graphs/registry.hpp"
#include "nodes/http/rate_limit_event.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace weft {
namespace crisp {
class CrispClient;
class CrispTools;
}  // namespace crisp
namespace sandbox::crisp {
class Sandbox;
}
}  // namespace weft

namespace weft::cli {

/// Receives one progress line (rate-limit waits, sandbox start); may be a no-op.
using ProgressLine = std::function<void(const std::string&)>;

/// Owns the io_context, the store and, once connect() ran, the sandbox, the Crisp client and the
/// model. Not thread-safe: one command uses it from one thread. Destruction stops the sandbox
/// and closes the store; it never throws (a failure to stop is a warning on std::cerr).
class Runtime {
 public:
  Runtime(Settings settings, EnvLookup env);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Settings& settings() const noexcept { return settings_; }
  boost::asio::io_context& io() noexcept { return io_; }

  /// Opens (creating) the database — a SQLite file or a PostgreSQL URL (cli/database.hpp) — or
  /// uses `opened` (a store already open on settings().db_path, so a command opens it once). With
  /// WEFT_CRASH_AT set, the checkpointer and journal are wrapped in crash points
  /// (crash_points.hpp). Throws weft::Error from the store.
  void open_store(std::shared_ptr<Database> opened = nullptr);
  /// Opens an existing database read-only (works in a read-only directory; puts throw); throws
  /// UsageError (exit 2) "no database at 'path'; ..." when the file does not exist.
  void open_existing_store();
  Database& store();
  std::shared_ptr<Checkpointer> checkpointer() const { return checkpointer_; }
  std::shared_ptr<EffectJournal> journal() const { return journal_; }
  /// Long-term memory in the same file (store/sqlite_memory_store.hpp); set by open_store().
  std::shared_ptr<Store> memory_store() const { return memory_store_; }

  /// Starts the sandbox (when settings().crisp is sandbox; its state file is
  /// settings().sandbox_state_path()) or reads CRISP_* for real Crisp, and makes the model.
  /// `progress` gets rate-limit waits as lines, unless `rate_limits` is given: it then gets each
  /// http::RateLimitEvent (for a countdown). Throws weft::Error / std::runtime_error with a
  /// message that says what to set.
  void connect(ProgressLine progress, http::RateLimitObserver rate_limits = {});
  /// Services bound to a placeholder website that never receives a request: for commands that
  /// only need the graphs' and tools' shapes (`weft graph`, `weft tools`).
  graphs::GraphServices offline_shapes();
  /// The services after connect().
  const graphs::GraphServices& services() const noexcept { return services_; }
  /// "sandbox http://127.0.0.1:PORT (state weft.db.sandbox.json)" or "crisp https://... website W".
  const std::string& crisp_description() const noexcept { return crisp_description_; }
  /// The Crisp website the services act on (after connect()).
  const std::string& website_id() const noexcept { return website_id_; }
  /// The Crisp client after connect() (shares its HTTP client: pace, retries, redaction).
  std::shared_ptr<crisp::CrispClient> crisp_client() const noexcept { return crisp_client_; }
  /// The in-process sandbox, or nullptr.
  sandbox::crisp::Sandbox* sandbox() noexcept { return sandbox_.get(); }

 private:
  Settings settings_;
  EnvLookup env_;
  boost::asio::io_context io_;
  std::shared_ptr<Database> store_;
  std::shared_ptr<Store> memory_store_;
  std::shared_ptr<Checkpointer> checkpointer_;
  std::shared_ptr<EffectJournal> journal_;
  std::unique_ptr<sandbox::crisp::Sandbox> sandbox_;
  std::shared_ptr<crisp::CrispClient> crisp_client_;
  graphs::GraphServices services_;
  std::string crisp_description_;
  std::string website_id_;
};

}  // namespace weft::cli
