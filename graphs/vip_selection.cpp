// SPDX-License-Identifier: MIT
#include "graphs/vip_selection.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace json = boost::json;

namespace weft::graphs {

std::vector<std::string> default_free_mail_domains() {
  return {"gmail.com",      "googlemail.com", "yahoo.com",   "yahoo.fr", "hotmail.com", "hotmail.fr",
          "outlook.com",    "live.com",       "icloud.com",  "me.com",   "aol.com",     "proton.me",
          "protonmail.com", "gmx.com",        "gmx.de",      "web.de",   "mail.com",    "yandex.ru",
          "orange.fr",      "free.fr",        "laposte.net", "qq.com",   "163.com",     "zoho.com"};
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> string_list(const json::object& input, const char* key, std::vector<std::string> fallback) {
  auto it = input.find(key);
  if (it == input.end() || it->value().is_null()) return fallback;
  if (!it->value().is_array())
    throw std::invalid_argument(std::string("input '") + key + "' must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string()) throw std::invalid_argument(std::string("input '") + key + "' must be an array of strings");
    out.push_back(lower(std::string(v.as_string())));
  }
  return out;
}

std::string string_at(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

// True when `domain` is `base` or a subdomain of it.
bool domain_matches(const std::string& domain, const std::string& base) {
  if (domain == base) return true;
  return domain.size() > base.size() && domain.compare(domain.size() - base.size(), base.size(), base) == 0 &&
         domain[domain.size() - base.size() - 1] == '.';
}

std::string url_path(const std::string& url) {
  auto scheme = url.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  if (start == std::string::npos) return "/";
  auto end = url.find_first_of("?#", start);
  return lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

struct Seen {
  const json::object* visitor = nullptr;
  bool on_pricing = false;
};

}  // namespace

VipCriteria parse_vip_criteria(const json::object& input) {
  VipCriteria c;
  c.enterprise_domains = string_list(input, "enterprise_domains", {});
  c.free_mail_domains = string_list(input, "free_mail_domains", default_free_mail_domains());
  c.pricing_paths = string_list(input, "pricing_paths", {"/pricing"});
  if (auto it = input.find("min_seconds_on_pricing"); it != input.end() && !it->value().is_null()) {
    if (!it->value().is_number()) throw std::invalid_argument("input 'min_seconds_on_pricing' must be a number");
    c.min_seconds_on_pricing = static_cast<std::int64_t>(it->value().to_number<double>());
    if (c.min_seconds_on_pricing < 0) throw std::invalid_argument("input 'min_seconds_on_pricing' must be >= 0");
  }
  return c;
}

std::string company_from_domain(const std::string& domain) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string name;
  if (labels.size() >= 3 && labels.back().size() == 2) {
    const std::string& second = labels[labels.size() - 2];
    bool generic = second == "co" || second == "com" || second == "org" || second == "net" || second == "ac";
    name = generic ? labels[labels.size() - 3] : second;
  } else if (labels.size() >= 2) {
    name = labels[labels.size() - 2];
  } else {
    name = labels.empty() ? std::string() : labels.front();
  }
  std::string out;
  bool capital = true;
  for (char c : name) {
    if (c == '-' || c == '_') {
      out += ' ';
      capital = true;
    } else {
      out += capital ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      capital = false;
    }
  }
  return out;
}

json::object VipCandidate::to_json() const {
  json::object o;
  o["session_id"] = session_id;
  o["nickname"] = nickname;
  o["email"] = email;
  o["domain"] = domain;
  o["company"] = company;
  o["page_url"] = page_url;
  o["page_title"] = page_title;
  o["seconds_on_pricing"] = seconds_on_pricing;
  return o;
}

std::vector<VipCandidate> select_vip_visitors(const std::vector<VisitorObservation>& observations,
                                              const VipCriteria& criteria) {
  if (observations.empty()) return {};
  auto on_pricing = [&](const json::object& visitor) {
    auto page = visitor.find("last_page");
    if (page == visitor.end() || !page->value().is_object()) return false;
    std::string path = url_path(string_at(page->value().as_object(), "page_url"));
    return std::any_of(criteria.pricing_paths.begin(), criteria.pricing_paths.end(),
                       [&](const std::string& p) { return !p.empty() && path.find(p) != std::string::npos; });
  };
  // Index every observation by session id.
  std::vector<std::map<std::string, Seen>> seen(observations.size());
  for (std::size_t i = 0; i < observations.size(); ++i) {
    for (const auto& v : observations[i].visitors) {
      if (!v.is_object()) continue;
      const auto& visitor = v.as_object();
      std::string sid = string_at(visitor, "session_id");
      if (sid.empty()) continue;
      seen[i][sid] = Seen{&visitor, on_pricing(visitor)};
    }
  }
  std::vector<VipCandidate> out;
  const std::size_t last = observations.size() - 1;
  for (const auto& [sid, now] : seen[last]) {
    if (!now.on_pricing) continue;
    // Walk back while the visitor stayed on pricing pages.
    std::size_t first = last;
    while (first > 0) {
      auto it = seen[first - 1].find(sid);
      if (it == seen[first - 1].end() || !it->second.on_pricing) break;
      --first;
    }
    std::int64_t seconds = (observations[last].at_ms - observations[first].at_ms) / 1000;
    if (seconds < criteria.min_seconds_on_pricing) continue;
    const json::object& visitor = *now.visitor;
    std::string email = lower(string_at(visitor, "email"));
    auto at = email.rfind('@');
    if (at == std::string::npos || at + 1 >= email.size()) continue;
    std::string domain = email.substr(at + 1);
    bool free_mail = std::any_of(criteria.free_mail_domains.begin(), criteria.free_mail_domains.end(),
                                 [&](const std::string& d) { return domain_matches(domain, d); });
    if (free_mail) continue;
    if (!criteria.enterprise_domains.empty() &&
        std::none_of(criteria.enterprise_domains.begin(), criteria.enterprise_domains.end(),
                     [&](const std::string& d) { return domain_matches(domain, d); })) {
      continue;
    }
    VipCandidate c;
    c.session_id = sid;
    c.nickname = string_at(visitor, "nickname");
    c.email = email;
    c.domain = domain;
    c.company = company_from_domain(domain);
    if (auto page = visitor.find("last_page"); page != visitor.end() && page->value().is_object()) {
      c.page_url = string_at(page->value().as_object(), "page_url");
      c.page_title = string_at(page->value().as_object(), "page_title");
    }
    c.seconds_on_pricing = seconds;
    out.push_back(std::move(c));
  }
  return out;  // std::map iteration already orders by session id
}

}  // namespace weft::graphs
