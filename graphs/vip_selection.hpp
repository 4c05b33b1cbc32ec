// SPDX-License-Identifier: MIT
#pragma once
// The local filter of vip_outreach: which active visitors are worth a proactive greeting. Pure
// functions over observations of Crisp's visitors list (crisp-api.md §2.9), so the rule is tested
// without a server and the graph stays a thin shell around it.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace weft::graphs {

/// What makes a visitor a VIP candidate. Every field comes from the graph's input.
struct VipCriteria {
  /// When non-empty, only visitors whose email domain is one of these (or a subdomain of one).
  /// Default: empty (any domain that is not free mail).
  std::vector<std::string> enterprise_domains;
  /// Email domains never treated as a company. Default: common free-mail providers
  /// (default_free_mail_domains()).
  std::vector<std::string> free_mail_domains;
  /// A page counts as pricing when its URL path contains one of these. Default: {"/pricing"}.
  std::vector<std::string> pricing_paths;
  /// How long a visitor must have stayed on pricing pages, seen across observations. Default 60.
  std::int64_t min_seconds_on_pricing = 60;
};

std::vector<std::string> default_free_mail_domains();

/// Reads criteria from the graph input keys enterprise_domains, free_mail_domains, pricing_paths,
/// min_seconds_on_pricing (absent keys keep the defaults). Throws std::invalid_argument naming the
/// key when a value has the wrong type.
VipCriteria parse_vip_criteria(const boost::json::object& input);

/// One look at the visitors list: when (epoch ms) and the Visitor objects seen.
struct VisitorObservation {
  std::int64_t at_ms = 0;
  boost::json::array visitors;
};

/// A selected visitor, with what the greeting may use.
struct VipCandidate {
  std::string session_id;
  std::string nickname;
  std::string email;
  std::string domain;   ///< lower-case email domain
  std::string company;  ///< a display name derived from the domain ("acme-corp.com" -> "Acme Corp")
  std::string page_url;
  std::string page_title;
  std::int64_t seconds_on_pricing = 0;

  boost::json::object to_json() const;
};

/// Visitors that were on a pricing page in the latest observation and in every earlier consecutive
/// observation back to one at least min_seconds_on_pricing before it, with a company email domain
/// that passes the criteria. Ordered by session_id so runs are deterministic. Visitors without an
/// email are skipped (no company to address). Pure function; thread-safe.
std::vector<VipCandidate> select_vip_visitors(const std::vector<VisitorObservation>& observations,
                                              const VipCriteria& criteria);

/// "acme-corp.com" -> "Acme Corp"; "mail.big.co.uk" -> "Big".
std::string company_from_domain(const std::string& domain);

}  // namespace weft::graphs
