// SPDX-License-Identifier: MIT
#pragma once
// Private: how a Crisp web hook proves where it comes from (server/README.md, "Crisp web hooks").
// Plugin hooks carry X-Crisp-Request-Timestamp and X-Crisp-Signature: the hex HMAC-SHA256, keyed
// with the hook secret, of the text "[<timestamp>;<body>]" (the official crisp-api client's
// verifyHook computes it over JSON.stringify(body), which is the compact body Crisp sends, so we
// verify over the raw bytes received: no re-serialisation can disagree). Website hooks carry the
// secret `key` as a query parameter of the URL. Thread safety: pure functions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::server::detail {

/// Lower-case hex HMAC-SHA256 of "[" timestamp ";" body "]" keyed with `secret`.
std::string crisp_hook_signature(std::string_view secret, std::string_view timestamp, std::string_view body);

/// Whether `signature` (hex, either case) is crisp_hook_signature(secret, timestamp, body).
bool crisp_hook_signature_matches(std::string_view secret, std::string_view timestamp, std::string_view body,
                                  std::string_view signature) noexcept;

/// The instant named by an X-Crisp-Request-Timestamp: decimal Unix time in milliseconds (what
/// Crisp sends) or in seconds (a value below 10^11, i.e. before 1973 read as milliseconds).
/// nullopt for anything else (empty, signs, non-digits, more than 15 digits).
std::optional<std::chrono::milliseconds> parse_hook_timestamp(std::string_view text) noexcept;

}  // namespace weft::server::detail
