// SPDX-License-Identifier: MIT
#include "nodes/http/redact.hpp"

#include <doctest/doctest.h>

TEST_CASE("secret headers are recognised by name, case-insensitively") {
  CHECK(weft::http::is_secret_header("Authorization"));
  CHECK(weft::http::is_secret_header("x-api-key"));
  CHECK(weft::http::is_secret_header("X-Crisp-Token"));
  CHECK(weft::http::is_secret_header("Cookie"));
  CHECK_FALSE(weft::http::is_secret_header("Content-Type"));
  CHECK_FALSE(weft::http::is_secret_header("X-Crisp-Tier"));
}

TEST_CASE("secret query values and userinfo are removed from URLs") {
  CHECK(weft::http::redact_url("https://h/x?api_key=abcd1234&page=2") == "https://h/x?api_key=[redacted]&page=2");
  CHECK(weft::http::redact_url("https://user:pw@h/x?token=t0k3n") == "https://[redacted]@h/x?token=[redacted]");
  CHECK(weft::http::redact_url("http://h/x?page=2") == "http://h/x?page=2");
}

TEST_CASE("every secret of a request is redacted from any text, with and without its scheme word") {
  const weft::http::Headers headers = {{"Authorization", "Bearer sk-live-123456"}, {"Accept", "application/json"}};
  const auto secrets = weft::http::secrets_of(headers, "https://h/x?key=querysecret");
  const std::string text =
      "sent Bearer sk-live-123456; server echoed sk-live-123456 and querysecret; Accept application/json";
  const std::string out = weft::http::redact(text, secrets);
  CHECK(out.find("sk-live-123456") == std::string::npos);
  CHECK(out.find("querysecret") == std::string::npos);
  CHECK(out.find("application/json") != std::string::npos);
}
