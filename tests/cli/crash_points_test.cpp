// SPDX-License-Identifier: MIT
#include "cli/crash_points.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using weft::cli::CrashPoint;
using weft::cli::parse_crash_point;

TEST_CASE("crash points are parsed from their names and counts") {
  CHECK_FALSE(parse_crash_point("").has_value());
  auto p = parse_crash_point("effect-finish:3");
  REQUIRE(p);
  CHECK(p->kind == CrashPoint::Kind::effect_finish);
  CHECK(p->count == 3);
  CHECK(parse_crash_point("checkpoint")->count == 1);
  CHECK_THROWS_AS(parse_crash_point("explode:1"), std::invalid_argument);
  CHECK_THROWS_AS(parse_crash_point("writes:0"), std::invalid_argument);
  CHECK_THROWS_AS(parse_crash_point("writes:x"), std::invalid_argument);
}
