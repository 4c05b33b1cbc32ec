// SPDX-License-Identifier: MIT
#include "server/detail/cron_schedule.hpp"

#include <ctime>
#include <stdexcept>
#include <vector>

namespace weft::server::detail {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (true) {
    std::size_t end = text.find(sep, i);
    out.push_back(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return out;
}

int number(std::string_view text, const std::string& what) {
  if (text.empty() || text.size() > 4) throw std::invalid_argument(what);
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw std::invalid_argument(what);
    n = n * 10 + (c - '0');
  }
  return n;
}

// Sets the bits of one field; returns whether it was "*".
template <std::size_t N>
bool parse_field(std::string_view field, int low, int high, std::bitset<N>& bits, const std::string& schedule,
                 const char* name) {
  const std::string what = "cron schedule '" + schedule + "': " + name + " field '" + std::string(field) +
                           "' is not valid (range " + std::to_string(low) + "-" + std::to_string(high) + ")";
  bool star = false;
  for (std::string_view part : split(field, ',')) {
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string_view::npos) {
      step = number(part.substr(slash + 1), what);
      if (step == 0) throw std::invalid_argument(what);
      part = part.substr(0, slash);
    }
    int from = low;
    int to = high;
    if (part == "*") {
      star = step == 1;
    } else if (auto dash = part.find('-'); dash != std::string_view::npos) {
      from = number(part.substr(0, dash), what);
      to = number(part.substr(dash + 1), what);
    } else {
      from = number(part, what);
      to = step == 1 ? from : high;
    }
    if (from < low || to > high || from > to) throw std::invalid_argument(what);
    for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v));
  }
  return star && field == "*";
}

}  // namespace

CronSchedule parse_cron(std::string_view text) {
  const std::string schedule(text);
  std::vector<std::string_view> fields;
  for (std::string_view f : split(text, ' '))
    if (!f.empty()) fields.push_back(f);
  if (fields.size() != 5)
    throw std::invalid_argument("cron schedule '" + schedule +
                                "' must have 5 fields: minute hour day-of-month month day-of-week");
  CronSchedule s;
  parse_field(fields[0], 0, 59, s.minutes, schedule, "minute");
  parse_field(fields[1], 0, 23, s.hours, schedule, "hour");
  s.any_day = parse_field(fields[2], 1, 31, s.days, schedule, "day-of-month");
  parse_field(fields[3], 1, 12, s.months, schedule, "month");
  std::bitset<8> weekdays;
  s.any_weekday = parse_field(fields[4], 0, 7, weekdays, schedule, "day-of-week");
  for (std::size_t d = 0; d < 7; ++d) s.weekdays[d] = weekdays[d];
  if (weekdays[7]) s.weekdays[0] = true;
  return s;
}

std::int64_t next_fire_ms(const CronSchedule& s, std::int64_t after_ms) {
  std::int64_t minute = after_ms / 60'000 + 1;
  const std::int64_t limit = minute + 5LL * 366 * 24 * 60;
  while (minute < limit) {
    std::time_t t = static_cast<std::time_t>(minute * 60);
    std::tm tm{};
    gmtime_r(&t, &tm);
    if (!s.months[static_cast<std::size_t>(tm.tm_mon + 1)]) {
      // Skip to the first minute of the next month.
      tm.tm_mon += 1;
      tm.tm_mday = 1;
      tm.tm_hour = 0;
      tm.tm_min = 0;
      tm.tm_sec = 0;
      minute = static_cast<std::int64_t>(timegm(&tm)) / 60;
      continue;
    }
    const bool dom = s.days[static_cast<std::size_t>(tm.tm_mday)];
    const bool dow = s.weekdays[static_cast<std::size_t>(tm.tm_wday)];
    const bool day = s.any_day && s.any_weekday ? true : s.any_day ? dow : s.any_weekday ? dom : (dom || dow);
    if (!day) {
      minute += 24 * 60 - (tm.tm_hour * 60 + tm.tm_min);
      continue;
    }
    if (!s.hours[static_cast<std::size_t>(tm.tm_hour)]) {
      minute += 60 - tm.tm_min;
      continue;
    }
    if (s.minutes[static_cast<std::size_t>(tm.tm_min)]) return minute * 60'000;
    ++minute;
  }
  return -1;
}

}  // namespace weft::server::detail
