// SPDX-License-Identifier: MIT
#include "nodes/http/rate_limit_headers.hpp"

#include "nodes/http/detail/ascii.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

namespace weft::http {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};

// A tiny cursor over the date text.
struct Cursor {
  std::string_view s;
  bool literal(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  bool digits(std::size_t count, int& out) {
    if (s.size() < count) return false;
    int v = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    s.remove_prefix(count);
    return true;
  }
  bool month(int& out) {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  bool time(int& h, int& m, int& sec) {
    return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, sec);
  }
};

// Years a system_clock::time_point (int64 nanoseconds: 1677..2262) holds with room to subtract
// "now"; a date outside them is malformed here (found by fuzz/rate_limit_headers: the year 1497
// overflowed the conversion to nanoseconds).
constexpr int kFirstYear = 1900, kLastYear = 2200;

// The longest wait a header can ask for (about 317 years): a larger number means the same, and
// would overflow milliseconds.
constexpr std::int64_t kMaxWaitSeconds = 10'000'000'000;

std::optional<chr::system_clock::time_point> make_time(int y, int mo, int d, int h, int mi, int s) {
  if (y < kFirstYear || y > kLastYear) return std::nullopt;
  const chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(mo)},
                                chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return chr::sys_days{ymd} + chr::hours{h} + chr::minutes{mi} + chr::seconds{s};
}

template <class Names>
bool skip_day_name(Cursor& c, const Names& names) {
  for (auto name : names) {
    if (c.literal(name)) return true;
  }
  return false;
}

std::optional<std::int64_t> parse_int(std::string_view v) {
  v = detail::trim(v);
  std::int64_t out = 0;
  if (v.empty()) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || out < 0) return std::nullopt;
  return out;
}

// OpenAI's reset durations: "1s", "6m0s", "20ms", "1h2m3.5s".
std::optional<chr::milliseconds> parse_go_duration(std::string_view v) {
  v = detail::trim(v);
  if (v.empty()) return std::nullopt;
  double total_ms = 0;
  while (!v.empty()) {
    std::size_t i = 0;
    while (i < v.size() && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    double number = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + i, number);
    if (ec != std::errc() || ptr != v.data() + i) return std::nullopt;
    v.remove_prefix(i);
    if (v.substr(0, 2) == "ms") {
      total_ms += number;
      v.remove_prefix(2);
    } else if (!v.empty() && v[0] == 'h') {
      total_ms += number * 3'600'000;
      v.remove_prefix(1);
    } else if (!v.empty() && v[0] == 'm') {
      total_ms += number * 60'000;
      v.remove_prefix(1);
    } else if (!v.empty() && v[0] == 's') {
      total_ms += number * 1000;
      v.remove_prefix(1);
    } else {
      return std::nullopt;
    }
  }
  if (!(total_ms < static_cast<double>(kMaxWaitSeconds) * 1000)) return chr::seconds(kMaxWaitSeconds);
  return chr::milliseconds(static_cast<std::int64_t>(total_ms + 0.5));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(sep, pos);
    parts.push_back(detail::trim(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos)));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return parts;
}

struct StructuredItem {
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> reset;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> window;
};

// The structured RateLimit field: draft -07 "limit=100, remaining=50, reset=5" (one dictionary)
// and drafts -08..-10 "\"default\";r=50;t=30, \"burst\";r=1;t=1" (one item per policy).
std::vector<StructuredItem> parse_structured(std::string_view value) {
  std::vector<StructuredItem> items;
  StructuredItem dictionary;
  bool dictionary_used = false;
  for (auto member : split(value, ',')) {
    if (member.empty()) continue;
    const auto params = split(member, ';');
    const bool is_dictionary_member = params.front().find('=') != std::string_view::npos;
    StructuredItem item;
    StructuredItem& target = is_dictionary_member ? dictionary : item;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto eq = params[i].find('=');
      if (eq == std::string_view::npos) continue;  // the item's name
      const std::string key = detail::to_lower(detail::trim(params[i].substr(0, eq)));
      const auto number = parse_int(params[i].substr(eq + 1));
      if (!number) continue;  // malformed parameters are ignored
      if (key == "r" || key == "remaining") target.remaining = number;
      if (key == "t" || key == "reset") target.reset = number;
      if (key == "limit" || key == "q") target.limit = number;
      if (key == "w" || key == "window") target.window = number;
    }
    if (is_dictionary_member) {
      dictionary_used = true;
    } else {
      items.push_back(item);
    }
  }
  if (dictionary_used) items.push_back(dictionary);
  return items;
}

}  // namespace

std::optional<chr::system_clock::time_point> parse_http_date(std::string_view text) {
  text = detail::trim(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    Cursor c{text};
    if (skip_day_name(c, kDays) && c.literal(", ") && c.digits(2, d) && c.literal(" ") && c.month(mo) &&
        c.literal(" ") && c.digits(4, y) && c.literal(" ") && c.time(h, mi, s) && c.literal(" GMT") && c.s.empty()) {
      return make_time(y, mo, d, h, mi, s);
    }
  }
  {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    Cursor c{text};
    if (skip_day_name(c, kLongDays) && c.literal(", ") && c.digits(2, d) && c.literal("-") && c.month(mo) &&
        c.literal("-") && c.digits(2, y) && c.literal(" ") && c.time(h, mi, s) && c.literal(" GMT") && c.s.empty()) {
      y += y < 70 ? 2000 : 1900;
      return make_time(y, mo, d, h, mi, s);
    }
  }
  {  // asctime: Sun Nov  6 08:49:37 1994
    Cursor c{text};
    if (skip_day_name(c, kDays) && c.literal(" ") && c.month(mo) && c.literal(" ")) {
      if (c.literal(" ")) {
        if (!c.digits(1, d)) return std::nullopt;
      } else if (!c.digits(2, d)) {
        return std::nullopt;
      }
      if (c.literal(" ") && c.time(h, mi, s) && c.literal(" ") && c.digits(4, y) && c.s.empty()) {
        return make_time(y, mo, d, h, mi, s);
      }
    }
  }
  return std::nullopt;
}

std::string format_http_date(chr::system_clock::time_point time) {
  const auto days = chr::floor<chr::days>(time);
  const chr::year_month_day ymd{days};
  const chr::hh_mm_ss hms{chr::floor<chr::seconds>(time - days)};
  const chr::weekday wd{days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                std::string(kDays[(wd.c_encoding() + 6) % 7]).c_str(), static_cast<unsigned>(ymd.day()),
                std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]).c_str(), static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<chr::seconds> parse_delta_seconds(std::string_view value) {
  const auto n = parse_int(value);
  if (!n) return std::nullopt;
  return chr::seconds(std::min(*n, kMaxWaitSeconds));
}

std::optional<chr::milliseconds> parse_retry_after(std::string_view value, chr::system_clock::time_point now) {
  if (const auto delta = parse_delta_seconds(value)) return chr::duration_cast<chr::milliseconds>(*delta);
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  if (*date <= now) return chr::milliseconds(0);
  return chr::ceil<chr::milliseconds>(*date - now);
}

RateLimitInfo parse_rate_limit(const Headers& headers, chr::system_clock::time_point now) {
  RateLimitInfo info;
  auto note_remaining = [&](std::optional<std::int64_t> r) {
    if (r && (!info.remaining || *r < *info.remaining)) info.remaining = r;
  };
  if (const auto v = find_header(headers, "retry-after-ms")) {
    // Milliseconds, possibly fractional ("1234", "20.5"); rounded up so the wait is never short.
    const auto text = detail::trim(*v);
    double ms = -1;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && ptr == text.data() + text.size() && ms >= 0 && ms < 1e12) {
      info.retry_after = chr::milliseconds(static_cast<std::int64_t>(std::ceil(ms)));
      info.wait_source = "retry-after-ms: " + std::string(text);
    }
  }
  if (const auto v = find_header(headers, "retry-after"); v && !info.retry_after) {
    if (const auto wait = parse_retry_after(*v, now)) {
      info.retry_after = wait;
      info.wait_source = "Retry-After: " + std::string(detail::trim(*v));
    }
  }
  if (const auto v = find_header(headers, "ratelimit-policy")) {
    // The first policy with a window: "100;w=60" (draft -06/-07: the quota is the bare item) or
    // "\"default\";q=100;w=60" (draft -08+).
    for (auto member : split(*v, ',')) {
      const auto params = split(member, ';');
      std::optional<std::int64_t> quota = parse_int(params.front());
      std::optional<std::int64_t> window;
      for (std::size_t i = 1; i < params.size(); ++i) {
        const auto eq = params[i].find('=');
        if (eq == std::string_view::npos) continue;
        const std::string key = detail::to_lower(detail::trim(params[i].substr(0, eq)));
        const auto number = parse_int(params[i].substr(eq + 1));
        if (key == "w" && number && *number > 0) window = number;
        if (key == "q" && number) quota = number;
      }
      if (!window) continue;
      info.window = chr::seconds(std::min(*window, kMaxWaitSeconds));  // bounded: a window is later counted in ms
      if (quota) info.limit = quota;
      break;
    }
  }
  std::optional<chr::milliseconds> reset;
  std::string reset_source;
  if (const auto v = find_header(headers, "ratelimit-reset")) {
    if (const auto s = parse_delta_seconds(*v)) {
      reset = chr::duration_cast<chr::milliseconds>(*s);
      reset_source = "RateLimit-Reset: " + std::string(detail::trim(*v));
    }
  }
  if (const auto v = find_header(headers, "ratelimit-remaining")) note_remaining(parse_int(*v));
  if (const auto v = find_header(headers, "ratelimit-limit")) {
    if (const auto n = parse_int(*v)) info.limit = n;
  }
  if (const auto v = find_header(headers, "ratelimit")) {
    // The item with the lowest remaining quota is the one that binds.
    const auto items = parse_structured(*v);
    const StructuredItem* binding = nullptr;
    for (const auto& item : items) {
      if (binding == nullptr) {
        binding = &item;
      } else if (item.remaining && (!binding->remaining || *item.remaining < *binding->remaining)) {
        binding = &item;
      }
    }
    if (binding != nullptr) {
      note_remaining(binding->remaining);
      if (binding->limit && !info.limit) info.limit = binding->limit;
      if (binding->window && *binding->window > 0 && !info.window)
        info.window = chr::seconds(std::min(*binding->window, kMaxWaitSeconds));
      if (binding->reset && !reset) {
        reset = chr::seconds(std::min(*binding->reset, kMaxWaitSeconds));
        reset_source = "RateLimit: " + std::string(detail::trim(*v));
      }
    }
  }
  if (const auto v = find_header(headers, "x-ratelimit-remaining")) note_remaining(parse_int(*v));
  if (const auto v = find_header(headers, "x-ratelimit-limit"); v && !info.limit) info.limit = parse_int(*v);
  if (const auto v = find_header(headers, "x-ratelimit-remaining-requests")) note_remaining(parse_int(*v));
  if (const auto v = find_header(headers, "x-ratelimit-limit-requests"); v && !info.limit) info.limit = parse_int(*v);
  if (const auto v = find_header(headers, "x-ratelimit-reset-requests"); v && !reset) {
    if (const auto d = parse_go_duration(*v)) {
      reset = *d;
      reset_source = "x-ratelimit-reset-requests: " + std::string(detail::trim(*v));
    }
  }
  info.reset = reset;
  if (!info.retry_after && reset) info.wait_source = reset_source;
  return info;
}

}  // namespace weft::http
