// SPDX-License-Identifier: MIT
#include "graphs/detail/reply_checks.hpp"

#include <re2/re2.h>

#include <algorithm>

namespace weft::graphs::detail {
namespace {

// A URL ends at whitespace or at the punctuation that usually closes a sentence or a bracket.
const RE2& url_pattern() {
  static const RE2 re(R"((https?://[^\s<>()\[\]"']+))");
  return re;
}

// Promises of money or gifts. Words, not substrings: "free" in "feel free" is not an offer, so
// only "free" before a thing that costs money counts.
const RE2& money_pattern() {
  static const RE2 re(
      R"((?i)\b(discount|coupon|promo(tion(al)?)?\s*codes?|voucher|refund(s|ed)?|credit\s+note|store\s+credit|)"
      R"(free\s+(month|months|year|upgrade|plan|trial\s+extension|enterprise|access|of\s+charge)|\d+\s*%\s*off)\b)");
  return re;
}

std::string trim_url(std::string url) {
  while (!url.empty() && (url.back() == '.' || url.back() == ',' || url.back() == ';' || url.back() == ':' ||
                          url.back() == '!' || url.back() == '?')) {
    url.pop_back();
  }
  return url;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::vector<std::string> reply_problems(const std::string& reply, const std::vector<std::string>& article_urls) {
  std::vector<std::string> problems;
  if (reply.size() > kMaxReplyChars) {
    problems.push_back("the reply is " + std::to_string(reply.size()) + " characters long (at most " +
                       std::to_string(kMaxReplyChars) + " are sent automatically)");
  }
  // Bounded: only the part that could be sent is read.
  const std::string_view text(reply.data(), std::min(reply.size(), kMaxReplyChars * 2));
  re2::StringPiece input(text.data(), text.size());
  std::string url;
  std::vector<std::string> reported;
  while (RE2::FindAndConsume(&input, url_pattern(), &url)) {
    url = trim_url(url);
    const bool known = std::any_of(article_urls.begin(), article_urls.end(), [&](const std::string& a) {
      return !a.empty() && without_trailing_slash(a) == without_trailing_slash(url);
    });
    if (known || std::find(reported.begin(), reported.end(), url) != reported.end()) continue;
    reported.push_back(url);
    problems.push_back("it links to " + url.substr(0, 200) + ", which is not a helpdesk article the search returned");
  }
  std::string offer;
  if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), money_pattern(), &offer)) {
    problems.push_back("it mentions '" + offer +
                       "': only a human may promise discounts, codes, refunds or free offers");
  }
  return problems;
}

}  // namespace weft::graphs::detail
