// SPDX-License-Identifier: MIT
#pragma once
// The sandbox's whole state as one JSON document: websites (conversations, messages, inboxes,
// operators, visitors, people, spam, helpdesk, campaigns), the effect log and the id generator.
// The document is the state file's format (see sandbox/README.md, "State file").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "sandbox/crisp/detail/prng.hpp"

namespace weft::sandbox::crisp::detail {

// Not thread-safe: the owner (Api) serialises every access with its mutex.
class Store {
 public:
  // Seeds a fresh world from `seed` (seed_data.hpp), in helpdesk `mode` for the main website.
  void reset(std::uint64_t seed, const std::string& helpdesk_mode);
  // Loads `path` when it exists (returns true); throws std::runtime_error when it exists but is
  // not a state file. Returns false when it does not exist.
  bool load(const std::string& path);
  // Writes the document to `path` atomically (a unique temp file + rename, state_file.hpp).
  // Throws std::runtime_error.
  void save(const std::string& path) const;

  boost::json::object& root() { return root_; }
  const boost::json::object& root() const { return root_; }
  // The website object, or nullptr when no such website exists.
  boost::json::object* website(std::string_view website_id);
  std::string main_website_id() const;
  std::string other_website_id() const;
  // The generated token {identifier, key}.
  const boost::json::object& token() const;

  // Fresh ids, deterministic for a given state (the generator's position is part of the state).
  std::string new_uuid();
  std::string new_session_id();
  std::int64_t new_fingerprint();

  // Appends one entry to the effect log and returns its index.
  std::int64_t append_effect(boost::json::object entry);
  boost::json::array& effects();

 private:
  void sync_prng_out();
  boost::json::object root_;
  Prng ids_{0};
};

// Current wall-clock time in epoch milliseconds.
std::int64_t now_ms();
// Epoch ms -> "2026-11-24T10:15:00.000Z".
std::string iso8601(std::int64_t ms);
// "2026-11-24T10:15:00Z" / "...00.123Z" / "...+02:00" -> epoch ms; nullopt when malformed.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace weft::sandbox::crisp::detail
