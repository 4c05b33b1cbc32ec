// SPDX-License-Identifier: MIT
// Analytics: POST …/analytics/generate (the official clients' generateAnalytics), computed from
// the sandbox's own world. Crisp's reference gives the route and says the body is a query object;
// the query fields below are the sandbox's reading of it (nodes/crisp/README.md, "Analytics").
//
//   {"metric": "conversations" | "first_response_time",
//    "date": {"from": "YYYY-MM-DD[THH:MM:SS[.mmm]Z]", "to": ...},   UTC, from inclusive, to exclusive
//    "classifier": "none" | "inbox" | "segment",
//    "filter": {"inbox_id"?: uuid, "segment"?: text}}
//
// A conversation belongs to the range by its created_at. Its first response time is from its
// first visitor message to the first operator message after it (conversations without one are
// counted as unanswered). The answer:
//   {"metric", "date": {"from", "to"} (epoch ms), "classifier",
//    "total": {...}, "points": [{"key", "name"?, ...}]}
// where each {...} is {"count"} for conversations, {"count", "answered", "mean_s", "median_s"}
// for first_response_time (null when none answered).

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;
namespace {

int digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool all_digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.mmm]]Z" -> epoch ms; nullopt when malformed.
std::optional<std::int64_t> parse_utc(std::string_view s) {
  if (s.size() < 10 || !all_digits(s, 0, 4) || s[4] != '-' || !all_digits(s, 5, 2) || s[7] != '-' ||
      !all_digits(s, 8, 2))
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day day{year{digits(s, 0, 4)}, month{static_cast<unsigned>(digits(s, 5, 2))},
                           std::chrono::day{static_cast<unsigned>(digits(s, 8, 2))}};
  if (!day.ok()) return std::nullopt;
  std::int64_t ms = duration_cast<milliseconds>(sys_days{day}.time_since_epoch()).count();
  if (s.size() == 10) return ms;
  if (s[10] != 'T' || s.back() != 'Z' || !all_digits(s, 11, 2) || s.size() < 17 || s[13] != ':' ||
      !all_digits(s, 14, 2))
    return std::nullopt;
  const int h = digits(s, 11, 2), m = digits(s, 14, 2);
  int sec = 0, milli = 0;
  std::size_t at = 16;
  if (s[at] == ':') {
    if (!all_digits(s, at + 1, 2)) return std::nullopt;
    sec = digits(s, at + 1, 2);
    at += 3;
    if (s[at] == '.') {
      std::size_t n = 0;
      while (at + 1 + n < s.size() && s[at + 1 + n] >= '0' && s[at + 1 + n] <= '9') ++n;
      if (n == 0 || n > 3) return std::nullopt;
      milli = digits(s, at + 1, n) * (n == 1 ? 100 : n == 2 ? 10 : 1);
      at += 1 + n;
    }
  }
  if (at != s.size() - 1 || h > 23 || m > 59 || sec > 59) return std::nullopt;
  return ms + ((h * 60 + m) * 60 + sec) * 1000 + milli;
}

struct Bucket {
  std::string name;
  std::int64_t count = 0;
  std::vector<double> responses_s;
};

json::object summary(const std::string& metric, Bucket& b) {
  json::object o;
  o["count"] = b.count;
  if (metric == "first_response_time") {
    o["answered"] = static_cast<std::int64_t>(b.responses_s.size());
    if (b.responses_s.empty()) {
      o["mean_s"] = nullptr;
      o["median_s"] = nullptr;
    } else {
      std::sort(b.responses_s.begin(), b.responses_s.end());
      double sum = 0;
      for (double v : b.responses_s) sum += v;
      const std::size_t n = b.responses_s.size();
      o["mean_s"] = sum / static_cast<double>(n);
      o["median_s"] = n % 2 ? b.responses_s[n / 2] : (b.responses_s[n / 2 - 1] + b.responses_s[n / 2]) / 2.0;
    }
  }
  return o;
}

// Seconds from the first visitor message to the first operator message after it.
std::optional<double> first_response_s(const json::array& messages) {
  std::optional<std::int64_t> asked;
  for (const auto& m : messages) {
    const auto& o = m.as_object();
    const std::int64_t ts = o.at("timestamp").to_number<std::int64_t>();
    const auto& from = o.at("from").as_string();
    if (!asked && from == "user")
      asked = ts;
    else if (asked && from == "operator")
      return static_cast<double>(ts - *asked) / 1000.0;
  }
  return std::nullopt;
}

}  // namespace

void add_analytics_routes(Api& api) {
  api.add("POST", "/analytics/generate", Family::general, [](Ctx& ctx) {
    static const Schema schema(R"({"type":"object","required":["metric","date"],"properties":{
      "metric":{"type":"string","enum":["conversations","first_response_time"]},
      "date":{"type":"object","required":["from","to"],"properties":{"from":{"type":"string"},"to":{"type":"string"}}},
      "classifier":{"type":"string","enum":["none","inbox","segment"]},
      "filter":{"type":"object","properties":{"inbox_id":{"type":"string"},"segment":{"type":"string"}}}}})");
    const auto& body = ctx.body_checked(schema);
    const std::string metric(body.at("metric").as_string());
    const auto& date = body.at("date").as_object();
    const auto from = parse_utc(date.at("from").as_string());
    const auto to = parse_utc(date.at("to").as_string());
    if (!from) throw_invalid("data.date.from should match format \"date-time\"");
    if (!to) throw_invalid("data.date.to should match format \"date-time\"");
    if (*to <= *from) throw_invalid("data.date.to should be after data.date.from");
    const std::string classifier =
        body.contains("classifier") ? std::string(body.at("classifier").as_string()) : "none";
    std::optional<std::string> inbox_filter, segment_filter;
    if (const auto* f = body.if_contains("filter")) {
      const auto& filter = f->as_object();
      if (const auto* i = filter.if_contains("inbox_id")) {
        if (!is_uuid(i->as_string())) throw_invalid("data.filter.inbox_id should match format \"uuid\"");
        inbox_filter = std::string(i->as_string());
      }
      if (const auto* s = filter.if_contains("segment")) segment_filter = std::string(s->as_string());
    }

    std::map<std::string, std::string> inbox_names;
    for (const auto& inbox : ctx.site.at("inboxes").as_array())
      inbox_names[std::string(inbox.at("inbox_id").as_string())] = std::string(inbox.at("name").as_string());

    Bucket total;
    std::map<std::string, Bucket> points;
    const auto& messages = ctx.site.at("messages").as_object();
    for (const auto& [sid, value] : ctx.site.at("conversations").as_object()) {
      const auto& c = value.as_object();
      const std::int64_t created = c.at("created_at").to_number<std::int64_t>();
      if (created < *from || created >= *to) continue;
      const json::value& inbox = c.at("inbox_id");
      const std::string inbox_id = inbox.is_string() ? std::string(inbox.as_string()) : std::string();
      if (inbox_filter && inbox_id != *inbox_filter) continue;
      std::vector<std::string> segments;
      if (const auto* meta = c.if_contains("meta"); meta && meta->is_object()) {
        if (const auto* s = meta->as_object().if_contains("segments"); s && s->is_array())
          for (const auto& seg : s->as_array())
            if (seg.is_string()) segments.emplace_back(seg.as_string());
      }
      if (segment_filter && std::find(segments.begin(), segments.end(), *segment_filter) == segments.end()) continue;
      std::optional<double> response;
      if (const auto* m = messages.if_contains(sid); m && m->is_array()) response = first_response_s(m->as_array());
      auto add = [&](Bucket& b) {
        ++b.count;
        if (response) b.responses_s.push_back(*response);
      };
      add(total);
      if (classifier == "inbox") {
        Bucket& b = points[inbox_id.empty() ? "none" : inbox_id];
        if (!inbox_id.empty() && inbox_names.count(inbox_id)) b.name = inbox_names[inbox_id];
        add(b);
      } else if (classifier == "segment") {
        if (segments.empty()) add(points["none"]);
        for (const auto& s : segments) add(points[s]);
      }
    }

    json::object data;
    data["metric"] = metric;
    json::object range;
    range["from"] = *from;
    range["to"] = *to;
    data["date"] = std::move(range);
    data["classifier"] = classifier;
    data["total"] = summary(metric, total);
    json::array out;
    for (auto& [key, bucket] : points) {
      json::object p = summary(metric, bucket);
      p["key"] = key;
      if (!bucket.name.empty()) p["name"] = bucket.name;
      out.push_back(std::move(p));
    }
    data["points"] = std::move(out);
    Reply r;
    r.reason = "resolved";
    r.data = std::move(data);
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
