// SPDX-License-Identifier: MIT
// The OfflineModel's triage (offline_classify): spam pitch phrases and hints, and the customer
// categories' phrase rules, as offline_model.md specifies them.
#include "nodes/model/detail/offline_tasks.hpp"

#include "nodes/model/detail/offline_text.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <vector>

namespace weft::model::detail {

namespace json = boost::json;

namespace {

struct Rule {
  const char* category;
  std::vector<std::string_view> phrases;
};

// Spam evidence comes in two strengths. A pitch phrase announces an unsolicited offer that a real
// customer does not write to a vendor's support chat; a hint is a word spam often uses but a
// customer may too ("crypto", "click here"). The offline verdict is spam only with a pitch phrase
// (see offline_model.md), so hints and links alone never make a customer's message spam.
const std::vector<std::string_view>& spam_pitches() {
  static const std::vector<std::string_view> phrases = {"viagra",
                                                        "cheap pills",
                                                        "casino",
                                                        "lottery",
                                                        "you have won",
                                                        "you have been selected",
                                                        "claim your prize",
                                                        "free money",
                                                        "investment opportunity",
                                                        "guaranteed returns",
                                                        "guaranteed profit",
                                                        "double your",
                                                        "trading bot",
                                                        "airdrop",
                                                        "seo services",
                                                        "backlinks",
                                                        "guest post",
                                                        "guest posts",
                                                        "guest posting",
                                                        "sponsored post",
                                                        "rank your website",
                                                        "buy followers",
                                                        "instagram followers",
                                                        "tiktok followers",
                                                        "make money",
                                                        "earn $",
                                                        "work from home",
                                                        "loan offer",
                                                        "no credit check",
                                                        "inheritance"};
  return phrases;
}

const std::vector<std::string_view>& spam_hints() {
  static const std::vector<std::string_view> phrases = {"winner",
                                                        "congratulations",
                                                        "click here",
                                                        "crypto",
                                                        "bitcoin",
                                                        "forex",
                                                        "zero risk",
                                                        "100% free",
                                                        "limited time offer",
                                                        "act now",
                                                        "wire transfer",
                                                        "prince",
                                                        "adult",
                                                        "dating",
                                                        "unsubscribe",
                                                        "weight loss",
                                                        "followers",
                                                        "price list",
                                                        "reply yes",
                                                        "connect your wallet",
                                                        "domain authority"};
  return phrases;
}

// Technical wins ties over sales (a customer with a bug who mentions a plan needs the engineers).
const std::array<Rule, 2>& customer_rules() {
  static const std::array<Rule, 2> table = {{
      {"technical", {"error",         "bug",          "crash",
                     "crashes",       "not working",  "doesn't work",
                     "does not work", "broken",       "exception",
                     "stack trace",   "api",          "sdk",
                     "webhook",       "webhooks",     "integration",
                     "install",       "installation", "cannot log in",
                     "can't log in",  "login",        "password reset",
                     "timeout",       "timed out",    "500",
                     "404",           "failed",       "fails",
                     "failing",       "javascript",   "plugin",
                     "chatbox",       "widget",       "not loading",
                     "blank page",    "sync",         "configure",
                     "configuration", "dns",          "ssl",
                     "certificate"}},
      {"sales",
       {"pricing",  "price",   "prices",   "quote",      "plan",    "plans",       "subscription", "upgrade", "demo",
        "purchase", "buy",     "discount", "enterprise", "invoice", "trial",       "license",      "licence", "cost",
        "how much", "billing", "contract", "seats",      "volume",  "partnership", "reseller"}},
  }};
  return table;
}

std::vector<std::string> matches(std::string_view lower_text, const std::vector<std::string_view>& phrases) {
  std::vector<std::string> found;
  for (auto phrase : phrases) {
    if (contains_phrase(lower_text, phrase)) found.emplace_back(phrase);
  }
  return found;
}

std::size_t count_urls(std::string_view text) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while ((pos = text.find("http", pos)) != std::string_view::npos) {
    if (text.substr(pos, 7) == "http://" || text.substr(pos, 8) == "https://") ++n;
    pos += 4;
  }
  return n;
}

std::string join_quoted(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out;
}

}  // namespace

json::object offline_classify(std::string_view text) {
  const std::string l = lower(text);
  const std::vector<std::string> pitches = matches(l, spam_pitches());
  const std::vector<std::string> hints = matches(l, spam_hints());
  // Links are supporting evidence only: they count once there is a pitch, never on their own (a
  // customer's webhook thread quotes its endpoints, status pages and logs).
  const bool many_links = count_urls(l) >= 3;
  const std::size_t spam_score = 2 * pitches.size() + hints.size() + (!pitches.empty() && many_links ? 1 : 0);

  std::string best = "other";
  std::size_t best_score = 0;
  std::vector<std::string> best_matched;
  std::size_t technical_score = 0;
  for (const auto& rule : customer_rules()) {
    std::vector<std::string> matched = matches(l, rule.phrases);
    if (std::string_view(rule.category) == "technical") technical_score = matched.size();
    if (matched.size() > best_score) {  // strict: technical wins ties
      best_score = matched.size();
      best = rule.category;
      best_matched = std::move(matched);
    }
  }
  // Unambiguous spam: a pitch, and more spam evidence than technical evidence. Sales words never
  // outweigh a pitch: spam is selling by nature (a guest-post offer quotes its prices).
  const bool spam = !pitches.empty() && spam_score >= 2 && spam_score > technical_score;

  json::object out;
  if (spam) {
    best = "spam";
    best_matched = pitches;
    best_matched.insert(best_matched.end(), hints.begin(), hints.end());
    if (many_links) best_matched.emplace_back("3+ links");
  }
  out["category"] = best;
  std::string reason;
  if (best == "other") {
    reason = "offline keyword rules: no spam pitch, technical or sales keyword found";
  } else {
    reason = "offline keyword rules: matched " + best + " keyword" + (best_matched.size() > 1 ? "s " : " ") +
             join_quoted(best_matched);
  }
  if (!spam && (!pitches.empty() || !hints.empty())) {
    std::vector<std::string> seen = pitches;
    seen.insert(seen.end(), hints.begin(), hints.end());
    reason += "; possible spam (" + join_quoted(seen) + ") but not unambiguous, left for a human";
  }
  out["reason"] = reason;
  json::array matched;
  for (const auto& m : best_matched) matched.emplace_back(m);
  out["matched"] = std::move(matched);
  return out;
}

}  // namespace weft::model::detail
