// SPDX-License-Identifier: MIT
#pragma once
// CrispConfig: where and how the Crisp client connects, and to which website its tools are bound.

#include <optional>
#include <string>
#include <string_view>

namespace weft::crisp {

/// The token tier sent as X-Crisp-Tier.
enum class Tier { plugin, website, user };
std::string_view to_string(Tier tier) noexcept;

/// Which helpdesk (knowledge-base) route family a website uses (reference §8.7).
enum class HelpdeskRoutes {
  automatic,  ///< probe: tree list first, then the legacy article list; cached per website
  legacy,     ///< v10 article routes (…/helpdesk/locale/{locale}/article/…)
  tree,       ///< crisp-api 11 tree routes (…/helpdesk/tree/{path|content|metadata|page}/…)
};
std::string_view to_string(HelpdeskRoutes routes) noexcept;
/// "auto" | "legacy" | "tree"; nullopt for anything else.
std::optional<HelpdeskRoutes> parse_helpdesk_routes(std::string_view text) noexcept;

/// Thread safety: a plain value.
struct CrispConfig {
  /// API base, ending with "/v1/". Default: the real Crisp API.
  std::string base_url = "https://api.crisp.chat/v1/";
  /// Token identifier (HTTP Basic user). Secret-adjacent: never logged. Default: empty.
  std::string identifier;
  /// Token key (HTTP Basic password). Secret: never logged, never in an error. Default: empty.
  std::string key;
  /// The one website the tools act on (a UUID). Default: empty.
  std::string website_id;
  /// X-Crisp-Tier. Default: plugin (what integrations use).
  Tier tier = Tier::plugin;
  /// Helpdesk route family of `website_id`. Default: automatic (probe).
  HelpdeskRoutes helpdesk_routes = HelpdeskRoutes::automatic;

  /// Reads CRISP_API_IDENTIFIER, CRISP_API_KEY, CRISP_WEBSITE_ID (required), CRISP_API_URL
  /// (optional base URL), CRISP_API_TIER (plugin|website|user) and CRISP_HELPDESK_ROUTES
  /// (auto|legacy|tree). Throws weft::Error(crisp::error::missing_config) naming the missing
  /// variables (never their values) or the invalid one.
  static CrispConfig from_env();
  /// As from_env(), but nullopt when none of the three required variables is set.
  static std::optional<CrispConfig> from_env_if_set();

  /// "Basic base64(identifier:key)". The only place the key leaves this struct.
  std::string authorization() const;
  /// A description safe to log: base URL, website, tier, identifier's first 4 characters only.
  std::string describe() const;
};

}  // namespace weft::crisp
