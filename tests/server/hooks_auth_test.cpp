// SPDX-License-Identifier: MIT
// POST /crisp/hooks authentication: the HMAC signature over [timestamp;body], the replay window,
// website hooks' ?key=, and refusals that store nothing.

#include "tests/server/hooks_support.hpp"

#include <doctest/doctest.h>

using namespace hooks_test;

TEST_CASE("hooks: the signature is HMAC-SHA256 over [timestamp;body], as crisp-api computes it") {
  // Vector computed with Node's crypto exactly as crisp-api's __verifySignature does.
  const std::string body = message_body(kSession, 163408841868743);
  CHECK(
      body ==
      R"({"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"message:send","data":{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","type":"text","from":"user","content":"Hello","fingerprint":163408841868743,"timestamp":1700000000000},"timestamp":1700000000000})");
  const std::string vector_body =
      R"({"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"message:send","data":{"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","fingerprint":163408841868743,"content":"Hello","from":"user"},"timestamp":1700000000000})";
  CHECK(crisp_hook_signature("s3cret", "1700000000000", vector_body) ==
        "c673f0edb3e7b0003fb52a0181d14d5590290d335dfb64e08a1e431137a86277");
  CHECK(crisp_hook_signature_matches("s3cret", "1700000000000", vector_body,
                                     "C673F0EDB3E7B0003FB52A0181D14D5590290D335DFB64E08A1E431137A86277"));
  CHECK_FALSE(crisp_hook_signature_matches("s3cret", "1700000000001", vector_body,
                                           "c673f0edb3e7b0003fb52a0181d14d5590290d335dfb64e08a1e431137a86277"));
  CHECK_FALSE(crisp_hook_signature_matches("", "1700000000000", vector_body,
                                           crisp_hook_signature("", "1700000000000", vector_body)));
  CHECK(parse_hook_timestamp("1700000000000")->count() == 1700000000000);
  CHECK(parse_hook_timestamp("1700000000")->count() == 1700000000000);  // seconds
  CHECK_FALSE(parse_hook_timestamp("-5"));
  CHECK_FALSE(parse_hook_timestamp("17e11"));
  CHECK_FALSE(parse_hook_timestamp(""));
  CHECK_FALSE(parse_hook_timestamp("99999999999999999999"));
}

TEST_CASE("hooks: with neither secret nor key every event is refused and nothing is stored") {
  TestServer s(hook_options("", ""));
  const std::string body = message_body(kSession, 1);
  auto r = s.request("POST", "/crisp/hooks", body, signed_headers(body));
  CHECK(r.status == 403);
  CHECK(r.json.at("detail").as_string().find("CRISP_HOOK_SECRET") != std::string::npos);
  CHECK(stored_events(s) == 0);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("hooks: forged, altered, stale and unsigned events are refused with nothing stored") {
  TestServer s(hook_options());
  const std::string body = message_body(kSession, 5);
  // a bit flipped in the body after signing
  auto headers = signed_headers(body);
  std::string flipped = body;
  flipped[flipped.find("Hello")] ^= 0x01;
  CHECK(s.request("POST", "/crisp/hooks", flipped, headers).status == 401);
  // another secret
  CHECK(s.request("POST", "/crisp/hooks", body, signed_headers(body, "not-the-secret")).status == 401);
  // stale: signed correctly, 10 minutes ago (the window is 5)
  const std::string old = std::to_string(std::stoll(now_ms_text()) - 600'000);
  auto stale = s.request("POST", "/crisp/hooks", body, signed_headers(body, kSecret, old));
  CHECK(stale.status == 401);
  CHECK(stale.json.at("detail").as_string().find("replay") != std::string::npos);
  // the signature without its timestamp; nothing at all; a key when only signatures are accepted
  auto no_stamp = signed_headers(body);
  no_stamp.erase(no_stamp.begin());
  CHECK(s.request("POST", "/crisp/hooks", body, no_stamp).status == 401);
  CHECK(s.request("POST", "/crisp/hooks", body, {{"Content-Type", "application/json"}}).status == 401);
  CHECK(s.request("POST", "/crisp/hooks?key=s3cret", body).status == 401);
  CHECK(stored_events(s) == 0);
  CHECK(count_threads(s) == 0);
}

TEST_CASE("hooks: website hooks authenticate with ?key=, compared whole") {
  TestServer s(hook_options("", "k-123"));
  const std::string body = message_body(kSession, 9);
  CHECK(s.request("POST", "/crisp/hooks?key=k-12", body).status == 401);
  CHECK(s.request("POST", "/crisp/hooks?key=k-1234", body).status == 401);
  CHECK(s.request("POST", "/crisp/hooks", body, signed_headers(body)).status == 401);  // no secret configured
  CHECK(stored_events(s) == 0);
  auto r = s.request("POST", "/crisp/hooks?key=k-123", body);
  CHECK(r.status == 200);
  CHECK(r.json.at("status") == "accepted");
  CHECK(stored_events(s) == 1);
}
