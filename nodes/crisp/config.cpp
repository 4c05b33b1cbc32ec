// SPDX-License-Identifier: MIT
#include "nodes/crisp/config.hpp"

#include "nodes/crisp/error.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <vector>

namespace weft::crisp {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::string base64(std::string_view in) {
  std::vector<unsigned char> out(4 * ((in.size() + 2) / 3) + 1);
  const int n =
      EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace

std::string_view to_string(Tier tier) noexcept {
  switch (tier) {
    case Tier::plugin: return "plugin";
    case Tier::website: return "website";
    case Tier::user: return "user";
  }
  return "plugin";
}

std::string_view to_string(HelpdeskRoutes routes) noexcept {
  switch (routes) {
    case HelpdeskRoutes::automatic: return "auto";
    case HelpdeskRoutes::legacy: return "legacy";
    case HelpdeskRoutes::tree: return "tree";
  }
  return "auto";
}

std::optional<HelpdeskRoutes> parse_helpdesk_routes(std::string_view text) noexcept {
  if (text == "auto") return HelpdeskRoutes::automatic;
  if (text == "legacy") return HelpdeskRoutes::legacy;
  if (text == "tree") return HelpdeskRoutes::tree;
  return std::nullopt;
}

std::optional<CrispConfig> CrispConfig::from_env_if_set() {
  if (env("CRISP_API_IDENTIFIER").empty() && env("CRISP_API_KEY").empty() && env("CRISP_WEBSITE_ID").empty())
    return std::nullopt;
  return from_env();
}

CrispConfig CrispConfig::from_env() {
  CrispConfig config;
  config.identifier = env("CRISP_API_IDENTIFIER");
  config.key = env("CRISP_API_KEY");
  config.website_id = env("CRISP_WEBSITE_ID");
  std::string missing;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"CRISP_API_IDENTIFIER", &config.identifier},
        {"CRISP_API_KEY", &config.key},
        {"CRISP_WEBSITE_ID", &config.website_id}}) {
    if (value->empty()) missing += (missing.empty() ? "" : ", ") + std::string(name);
  }
  if (!missing.empty())
    throw Error(error::missing_config,
                "Crisp configuration incomplete: set " + missing +
                    " (a plugin or website token from the Crisp Marketplace, and the website's id)");
  if (const std::string url = env("CRISP_API_URL"); !url.empty()) {
    config.base_url = url;
    if (config.base_url.back() != '/') config.base_url += '/';
  }
  if (const std::string tier = env("CRISP_API_TIER"); !tier.empty()) {
    if (tier == "plugin")
      config.tier = Tier::plugin;
    else if (tier == "website")
      config.tier = Tier::website;
    else if (tier == "user")
      config.tier = Tier::user;
    else
      throw Error(error::missing_config, "CRISP_API_TIER must be plugin, website or user");
  }
  if (const std::string routes = env("CRISP_HELPDESK_ROUTES"); !routes.empty()) {
    const auto parsed = parse_helpdesk_routes(routes);
    if (!parsed) throw Error(error::missing_config, "CRISP_HELPDESK_ROUTES must be auto, legacy or tree");
    config.helpdesk_routes = *parsed;
  }
  return config;
}

std::string CrispConfig::authorization() const { return "Basic " + base64(identifier + ":" + key); }

std::string CrispConfig::describe() const {
  return "Crisp " + base_url + " website " + website_id + " tier " + std::string(to_string(tier)) + " identifier " +
         identifier.substr(0, 4) + "…";
}

}  // namespace weft::crisp
