// SPDX-License-Identifier: MIT
#include "graphs/vip_selection.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <stdexcept>

namespace json = boost::json;
using namespace weft::graphs;

namespace {

json::object visitor(const char* sid, const char* email, const char* url) {
  json::object v;
  v["session_id"] = sid;
  v["nickname"] = "N";
  v["email"] = email;
  json::object page;
  page["page_url"] = url;
  page["page_title"] = "Pricing";
  v["last_page"] = std::move(page);
  return v;
}

VisitorObservation observe(std::int64_t at_ms, std::initializer_list<json::object> vs) {
  VisitorObservation o;
  o.at_ms = at_ms;
  for (const auto& v : vs) o.visitors.push_back(v);
  return o;
}

}  // namespace

TEST_CASE("a company visitor who stayed on pricing long enough is selected") {
  VipCriteria c;
  c.free_mail_domains = default_free_mail_domains();
  c.pricing_paths = {"/pricing"};
  c.min_seconds_on_pricing = 60;
  auto first = observe(0, {visitor("session_a", "Ann@Acme-Corp.com", "https://x.io/pricing?plan=pro"),
                           visitor("session_b", "bob@gmail.com", "https://x.io/pricing"),
                           visitor("session_c", "cy@globex.com", "https://x.io/docs")});
  auto second = observe(90'000, {visitor("session_a", "ann@acme-corp.com", "https://x.io/pricing/enterprise"),
                                 visitor("session_b", "bob@gmail.com", "https://x.io/pricing"),
                                 visitor("session_c", "cy@globex.com", "https://x.io/pricing")});
  auto picked = select_vip_visitors({first, second}, c);
  REQUIRE(picked.size() == 1);
  CHECK(picked[0].session_id == "session_a");
  CHECK(picked[0].domain == "acme-corp.com");
  CHECK(picked[0].company == "Acme Corp");
  CHECK(picked[0].seconds_on_pricing == 90);
}

TEST_CASE("a visitor seen on pricing for less than the configured time is not selected") {
  VipCriteria c;
  c.pricing_paths = {"/pricing"};
  c.min_seconds_on_pricing = 120;
  auto picked = select_vip_visitors({observe(0, {visitor("session_a", "a@acme.com", "https://x/pricing")}),
                                     observe(90'000, {visitor("session_a", "a@acme.com", "https://x/pricing")})},
                                    c);
  CHECK(picked.empty());
}

TEST_CASE("an enterprise domain list restricts the selection to those domains and their subdomains") {
  VipCriteria c;
  c.enterprise_domains = {"globex.com"};
  c.pricing_paths = {"/pricing"};
  c.min_seconds_on_pricing = 0;
  auto obs = observe(0, {visitor("session_a", "a@acme.com", "https://x/pricing"),
                         visitor("session_g", "g@eu.globex.com", "https://x/pricing")});
  auto picked = select_vip_visitors({obs}, c);
  REQUIRE(picked.size() == 1);
  CHECK(picked[0].session_id == "session_g");
}

TEST_CASE("criteria are read from the graph input and a wrong type names the key") {
  auto input =
      json::parse(R"({"enterprise_domains":["ACME.com"],"min_seconds_on_pricing":30,"pricing_paths":["/plans"]})")
          .as_object();
  auto c = parse_vip_criteria(input);
  CHECK(c.enterprise_domains == std::vector<std::string>{"acme.com"});
  CHECK(c.min_seconds_on_pricing == 30);
  CHECK(c.pricing_paths == std::vector<std::string>{"/plans"});
  CHECK_FALSE(c.free_mail_domains.empty());
  CHECK_THROWS_WITH_AS(parse_vip_criteria(json::parse(R"({"pricing_paths":"/p"})").as_object()),
                       "input 'pricing_paths' must be an array of strings", std::invalid_argument);
}

TEST_CASE("company names are derived from the registrable part of the domain") {
  CHECK(company_from_domain("acme-corp.com") == "Acme Corp");
  CHECK(company_from_domain("mail.initech.co.uk") == "Initech");
  CHECK(company_from_domain("eu.globex.com") == "Globex");
}
