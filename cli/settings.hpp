// SPDX-License-Identifier: MIT
#pragma once
// Where a `weft` command runs: which database, which model, which Crisp, how durable, how it
// prints. Resolved from the command line first, then the environment, then the offline defaults
// (./weft.db, the in-process Crisp sandbox, the offline model). Secrets are never part of
// Settings' JSON form (to_json), which is what a run records in its thread metadata so that
// `weft resume` reconnects to the same services.

#include "cli/args.hpp"
#include "cli/command.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace weft::cli {

/// How a run reaches Crisp.
struct CrispSetting {
  enum class Kind { sandbox, remote } kind = Kind::sandbox;
  std::string url;  ///< remote: the API base URL (CRISP_API_URL or https://api.crisp.chat/v1/)
};

/// How a run reaches a model.
struct ModelSetting {
  enum class Kind { offline, scripted, openai } kind = Kind::offline;
  std::string argument;      ///< scripted: the script file; openai: the model name
  std::string spec() const;  ///< "offline", "scripted:FILE", "openai:NAME"
};

struct Settings {
  std::string db_path = "weft.db";  ///< --db, WEFT_DB, default ./weft.db; a file or a postgresql:// URL
  ModelSetting model;               ///< --model, else openai:$WEFT_MODEL when OPENAI_API_KEY or OPENAI_BASE_URL is set
  CrispSetting crisp;               ///< --crisp, else remote when CRISP_API_IDENTIFIER/KEY/WEBSITE_ID are all set
  std::string durability = "sync";  ///< --durability sync|async|exit
  std::string stream = "updates";   ///< --stream values|updates|debug
  bool json = false;                ///< --json
  std::uint64_t sandbox_seed = 42;  ///< --seed for the in-process sandbox (first run of a database)
  /// The graphs' model temperature and token cap: --temperature / --max-tokens, else the run's
  /// recorded ones (resume), else WEFT_TEMPERATURE / WEFT_MAX_TOKENS; unset = not sent.
  std::optional<double> temperature;
  std::optional<std::int64_t> max_tokens;
  /// How hard a run may press Crisp (unset = the Crisp client's defaults, CrispClient::
  /// default_host_limits(): 10 requests/s, 8 in flight; the client also slows down to what the
  /// server's 429s and RateLimit fields teach).
  std::optional<double> crisp_rate;              ///< --crisp-rate N requests/s (0 = no client-side rate)
  std::optional<std::size_t> crisp_concurrency;  ///< --crisp-concurrency N requests in flight (0 = unlimited)
  std::optional<double> rate_limit_wait_s;       ///< --rate-limit-wait SECONDS per request (default 300)
  std::optional<double> model_timeout_s;  ///< --model-timeout SECONDS per model call (else WEFT_MODEL_TIMEOUT, 120)

  /// The sandbox's state file for this database: "<db>.sandbox.json". Runs and resumes on the
  /// same database share it, so a resumed run sees the writes of the first one.
  /// Where files kept beside the database start: db_path for a SQLite file, "weft" (the working
  /// directory) for a PostgreSQL URL.
  std::string local_file_base() const;
  std::string sandbox_state_path() const;

  /// What is recorded in thread metadata (no secrets: URLs, model names, file names only).
  boost::json::object to_json() const;
};

/// Parses "offline", "scripted:FILE", "openai:NAME" (or "openai" = $WEFT_MODEL or gpt-4o-mini).
/// Throws UsageError naming the accepted forms.
ModelSetting parse_model_setting(const std::string& text, const EnvLookup& env);

/// Parses "sandbox" or an http(s) URL. Throws UsageError.
CrispSetting parse_crisp_setting(const std::string& text);

/// Settings from the options a command declares (absent options keep the env/defaults).
/// `recorded`, when given, is a previous run's to_json() and supplies what the command line does
/// not (so `weft resume` reuses the run's model and Crisp). Throws UsageError for bad values.
Settings resolve_settings(const ParsedArgs& args, const EnvLookup& env, const boost::json::object* recorded = nullptr);

/// The largest --input/--resume/--update document (inline or @file): 1 MiB.
inline constexpr std::size_t kMaxJsonArgumentBytes = std::size_t{1} << 20;

/// Reads a --input/--resume argument: inline JSON, or "@path" for a file. Throws UsageError with
/// the parse error position, when the file cannot be read, or when the text is larger than
/// kMaxJsonArgumentBytes (reading stops there: an endless file such as @/dev/zero ends at once).
boost::json::value read_json_argument(const std::string& option, const std::string& text);

}  // namespace weft::cli
