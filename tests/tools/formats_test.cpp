// SPDX-License-Identifier: MIT
// The built-in format checks, one table per format: edge cases on both sides of each rule.

#include "nodes/tools/formats.hpp"

#include <doctest/doctest.h>

#include <string_view>
#include <utility>
#include <vector>

namespace {

using Table = std::vector<std::pair<std::string_view, bool>>;

void check_format(bool (*checker)(std::string_view) noexcept, const Table& table) {
  for (const auto& [text, expected] : table) {
    INFO("text: '" << std::string(text) << "'");
    CHECK(checker(text) == expected);
  }
}

}  // namespace

TEST_SUITE("formats") {
  TEST_CASE("date-time follows RFC 3339 including leap years, fractions and offsets") {
    check_format(weft::formats::is_date_time, {{"2026-11-24T09:30:00Z", true},
                                               {"2026-11-24t09:30:00z", true},
                                               {"2024-02-29T23:59:60+14:00", true},
                                               {"2026-11-24T09:30:00.123456-05:30", true},
                                               {"2026-02-29T00:00:00Z", false},
                                               {"2026-11-24T24:00:00Z", false},
                                               {"2026-11-24T09:60:00Z", false},
                                               {"2026-11-24T09:30:00", false},
                                               {"2026-11-24T09:30:00.Z", false},
                                               {"2026-11-24T09:30:00+0100", false},
                                               {"2026-11-24", false},
                                               {"", false}});
  }

  TEST_CASE("date accepts real calendar days only") {
    check_format(weft::formats::is_date, {{"2000-02-29", true},
                                          {"1900-02-29", false},
                                          {"2026-04-31", false},
                                          {"2026-00-10", false},
                                          {"2026-1-10", false},
                                          {"2026-12-31", true}});
  }

  TEST_CASE("time accepts a full time with an offset") {
    check_format(weft::formats::is_time, {{"09:30:00Z", true},
                                          {"09:30:00.25-05:00", true},
                                          {"09:30Z", false},
                                          {"09:30:00", false},
                                          {"09:30:00+25:00", false}});
  }

  TEST_CASE("email accepts dot-atom addresses and rejects malformed ones") {
    check_format(weft::formats::is_email, {{"ops@example.com", true},
                                           {"first.last+tag@sub.example.co", true},
                                           {"a@localhost", true},
                                           {"a@[192.168.0.1]", true},
                                           {"@example.com", false},
                                           {"a@", false},
                                           {"a.@example.com", false},
                                           {".a@example.com", false},
                                           {"a..b@example.com", false},
                                           {"a b@example.com", false},
                                           {"a@-example.com", false},
                                           {"a@example..com", false},
                                           {"a@exa_mple.com", false}});
  }

  TEST_CASE("hostname follows RFC 1123 label rules") {
    check_format(weft::formats::is_hostname,
                 {{"example.com", true},
                  {"a-b.c1", true},
                  {"-a.com", false},
                  {"a-.com", false},
                  {"a.com.", false},
                  {"", false},
                  {std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com"), false}});
  }

  TEST_CASE("uri requires a scheme and only characters URIs allow") {
    check_format(weft::formats::is_uri, {{"https://example.com/path?q=1#frag", true},
                                         {"mailto:ops@example.com", true},
                                         {"urn:isbn:0451450523", true},
                                         {"https://example.com/%20x", true},
                                         {"//example.com", false},
                                         {"example.com", false},
                                         {"1http://x", false},
                                         {"https://exa mple.com", false},
                                         {"https://example.com/%zz", false},
                                         {"https://example.com/%2", false},
                                         {"https://example.com/\"", false}});
  }

  TEST_CASE("uuid is 8-4-4-4-12 hexadecimal digits") {
    check_format(weft::formats::is_uuid, {{"bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9", true},
                                          {"BF6935C9-43B3-4F8E-87EA-175C1E1ED1A9", true},
                                          {"bf6935c943b34f8e87ea175c1e1ed1a9", false},
                                          {"bf6935c9-43b3-4f8e-87ea-175c1e1ed1ag", false},
                                          {"bf6935c9-43b3-4f8e-87ea_175c1e1ed1a9", false}});
  }

  TEST_CASE("ipv4 is a dotted quad without leading zeros") {
    check_format(weft::formats::is_ipv4, {{"0.0.0.0", true},
                                          {"255.255.255.255", true},
                                          {"256.0.0.1", false},
                                          {"01.2.3.4", false},
                                          {"1.2.3", false},
                                          {"1.2.3.4.5", false},
                                          {"1.2.3.", false},
                                          {"1..3.4", false},
                                          {"1.2.3.4 ", false}});
  }

  TEST_CASE("ipv6 accepts the RFC 4291 textual forms") {
    check_format(weft::formats::is_ipv6, {{"::1", true},
                                          {"2001:db8::8a2e:370:7334", true},
                                          {"::ffff:192.0.2.1", true},
                                          {"2001:db8:::1", false},
                                          {"12345::", false},
                                          {"1.2.3.4", false},
                                          {"", false}});
  }

  TEST_CASE("builtin finds every documented format by name and nothing else") {
    for (const char* name : {"date-time", "date", "time", "email", "hostname", "uri", "uuid", "ipv4", "ipv6"})
      CHECK(weft::formats::builtin(name) != nullptr);
    CHECK(weft::formats::builtin("crisp-session-id") == nullptr);
    CHECK((*weft::formats::builtin("uuid"))("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9"));
  }

}  // TEST_SUITE
