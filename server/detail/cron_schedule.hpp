// SPDX-License-Identifier: MIT
#pragma once
// Private: five-field cron schedules ("*/10 * * * *": minute hour day-of-month month day-of-week),
// evaluated in UTC. Fields take *, N, A-B, lists "A,B", and steps "*/S" or "A-B/S"; day of week
// 0-7 (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day matching
// either one fires.

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::server::detail {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     ///< 1..31
  std::bitset<13> months;   ///< 1..12
  std::bitset<7> weekdays;  ///< 0..6, Sunday = 0
  bool any_day = true;      ///< day-of-month field was "*"
  bool any_weekday = true;  ///< day-of-week field was "*"
};

/// Throws std::invalid_argument naming the bad field ("cron schedule '...': minute field '61' is
/// out of range 0-59").
CronSchedule parse_cron(std::string_view text);

/// The first minute boundary strictly after `after_ms` (epoch milliseconds, UTC) the schedule
/// fires at, or -1 when none within 5 years (e.g. "0 0 31 2 *").
std::int64_t next_fire_ms(const CronSchedule& schedule, std::int64_t after_ms);

}  // namespace weft::server::detail
