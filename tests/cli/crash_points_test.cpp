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
  CHECK_THROWS_AS(parse_crash_point("writes:3x"), std::invalid_argument);
}

TEST_CASE("an effect crash point may count only the effects whose journal key holds a segment") {
  auto p = parse_crash_point("effect-pause:1:tool");
  REQUIRE(p);
  CHECK(p->kind == CrashPoint::Kind::effect_pause);
  CHECK(p->count == 1);
  CHECK(p->key_segment == "tool");
  CHECK(parse_crash_point("effect-begin:2")->key_segment.empty());
  CHECK_THROWS_AS(parse_crash_point("checkpoint:1:tool"), std::invalid_argument);  // not an effect point
  CHECK_THROWS_AS(parse_crash_point("effect-begin:1:"), std::invalid_argument);
  CHECK_THROWS_AS(parse_crash_point("effect-begin:1:a:b"), std::invalid_argument);
  CHECK_THROWS_AS(parse_crash_point("effect-begin::tool"), std::invalid_argument);
}
