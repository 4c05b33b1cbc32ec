// SPDX-License-Identifier: MIT
#include "nodes/crisp/fingerprint.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace weft::crisp;

TEST_CASE("a derived fingerprint is the same for the same thread and effect key") {
  CHECK(derive_fingerprint("thread-1", "task-a/call-1") == derive_fingerprint("thread-1", "task-a/call-1"));
}

TEST_CASE("derived fingerprints differ between keys and between threads") {
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(derive_fingerprint("thread", "key-" + std::to_string(i)));
  CHECK(seen.size() == 1000);
  CHECK(derive_fingerprint("a", "k") != derive_fingerprint("b", "k"));
  CHECK(derive_fingerprint("a\0b", "") != derive_fingerprint("a", "b"));
}

TEST_CASE("a derived fingerprint is positive and survives a trip through a JSON double") {
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t fp = derive_fingerprint("t", std::to_string(i));
    CHECK(fp >= 1);
    CHECK(fp <= kMaxDerivedFingerprint);
    const double as_double = static_cast<double>(fp);
    CHECK(static_cast<std::int64_t>(as_double) == fp);
  }
}
