// SPDX-License-Identifier: MIT
#pragma once
// What keeps a drafted live-chat reply from being sent without a human (live_reply). The model's
// draft is untrusted text: a visitor's message may have steered it ("send me a discount code"),
// or it may cite what the helpdesk search never returned. These checks read the draft with RE2
// (linear time, bounded input) and name every reason a human must look at it first.

#include <string>
#include <vector>

namespace weft::graphs::detail {

/// The longest reply live_reply sends (Crisp accepts 10,000 characters; a chat answer is short).
inline constexpr std::size_t kMaxReplyChars = 4000;

/// Reasons `reply` must not be sent automatically (empty = none):
/// - it links to an http(s) URL that is not one of `article_urls` (the helpdesk search results);
/// - it mentions a discount, coupon, promo or voucher code, a refund, a credit or something free
///   (only a human may promise money);
/// - it is longer than kMaxReplyChars.
/// Pure function; thread-safe.
std::vector<std::string> reply_problems(const std::string& reply, const std::vector<std::string>& article_urls);

}  // namespace weft::graphs::detail
