// SPDX-License-Identifier: MIT
#include "nodes/model/error.hpp"
#include "nodes/model/offline_model.hpp"
#include "tests/http/run.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
weft::ChatResponse ask(weft::ChatRequest r) {
  weft::OfflineModel model;
  asio::io_context io;
  auto call = [](weft::OfflineModel& m, weft::ChatRequest req) -> asio::awaitable<weft::ChatResponse> {
    weft::ChatResponse out = co_await m.complete(std::move(req));
    co_return out;
  };
  return weft::test::run(io, call(model, std::move(r)));
}
weft::ChatRequest task(const char* name, const char* user_text) {
  weft::ChatRequest r;
  r.messages.push_back(weft::user_message(user_text));
  r.metadata["task"] = name;
  return r;
}
std::string category(const char* text) {
  return std::string(ask(task("classify", text)).parsed.at("category").as_string());
}
}  // namespace

TEST_CASE("every offline answer is marked offline and never pretends to be an LLM") {
  const auto res = ask(task("classify", "hello"));
  CHECK(res.model == "weft-offline");
  CHECK(res.message.at("metadata").at("offline") == true);
  CHECK(res.message.at("metadata").at("task") == "classify");
  CHECK(res.tool_calls.empty());
  CHECK(res.usage.total_tokens == 0);
  CHECK(weft::OfflineModel().is_offline());
  CHECK(weft::OfflineModel().describe() == "weft-offline");
}

TEST_CASE("classification by keyword rules gives spam, technical, sales or other, with a reason") {
  CHECK(category("You have won the lottery! Click here to claim your bitcoin.") == "spam");
  CHECK(category("Our checkout page shows an error 500 since the plugin update, the widget is not loading") ==
        "technical");
  CHECK(category("Hi, what is the pricing of the enterprise plan? Can we get a quote?") == "sales");
  CHECK(category("Thanks for the nice chat yesterday!") == "other");
  const auto res = ask(task("classify", "casino casino, click here"));
  CHECK(std::string(res.parsed.at("reason").as_string()).find("'casino'") != std::string::npos);
  CHECK(json::parse(res.content()) == res.parsed);
}

// A real customer's long thread about failing webhooks quotes its endpoint, status page, logs and
// docs: links are how customers show evidence, not a sign of spam.
constexpr const char* kWebhookThread =
    "Hi, since Monday our webhook deliveries are failing: we no longer receive message:send events.\n"
    "Our endpoint is https://hooks.northwind-shop.com/crisp/events and answers in under 80 ms, see "
    "https://status.northwind-shop.com for our uptime.\n"
    "Here is an extract of our access log: https://gist.github.com/northwind-ops/4f2a9c and a screenshot of "
    "your dashboard: https://imgur.com/a/x7Kq2\n"
    "The last delivery we got was at 09:12 UTC, nothing since then, and no retries show up.\n"
    "Our retry configuration is documented at https://docs.northwind-shop.com/ops/retries if that helps.\n"
    "Could you look into it? Our order notifications depend on it and customers are asking.";

// A guest-post pitch talks money (prices, quotes, discounts) like a sales lead, but it sells to us.
constexpr const char* kGuestPostPitch =
    "Hi team! I'm Laura, content manager at BrightReach Media. We would love to contribute a guest post to "
    "the Acme Cloud blog. Every article includes 2 do-follow backlinks to boost your rankings. Our pricing "
    "is $120 per post, with a discount on plans of 5 posts or more. Happy to send our price list and a "
    "quote today!";

TEST_CASE("a customer's long webhook-failure thread with several links is technical, not spam") {
  const auto res = ask(task("classify", kWebhookThread));
  CHECK(res.parsed.at("category") == "technical");
  CHECK(std::string(res.parsed.at("reason").as_string()).find("links") == std::string::npos);
}

TEST_CASE("links or spam hint words alone never make a message spam") {
  CHECK(category("visit http://a.example http://b.example http://c.example") == "other");
  CHECK(category("Congratulations on the launch! We use bitcoin payments, see http://a.example http://b.example "
                 "http://c.example") == "other");
  const auto res = ask(task("classify", "click here http://a.example http://b.example http://c.example"));
  CHECK(std::string(res.parsed.at("reason").as_string()).find("not unambiguous") != std::string::npos);
}

TEST_CASE("a guest-post pitch is spam, not sales") {
  const auto res = ask(task("classify", kGuestPostPitch));
  CHECK(res.parsed.at("category") == "spam");
  CHECK(std::string(res.parsed.at("reason").as_string()).find("'guest post'") != std::string::npos);
}

TEST_CASE("a spam pitch word inside a technical report does not outweigh the report") {
  CHECK(category("The widget on our casino website is not loading since the plugin update, error 500") == "technical");
}

TEST_CASE("classification is deterministic and reads whole words only") {
  CHECK(category("I can explain the plane") == "other");  // "plan" is not in "explain"/"plane"
  CHECK(ask(task("classify", "bug in the api")).content() == ask(task("classify", "bug in the api")).content());
}

TEST_CASE("the task is inferred from the response_format schema name when metadata has none") {
  weft::ChatRequest r;
  r.messages.push_back(weft::user_message("SEO services and backlinks for your site"));
  r.response_format = weft::json_schema_format("classification", json::parse(R"({"type":"object"})"));
  CHECK(ask(r).parsed.at("category") == "spam");
}

TEST_CASE("extraction finds the customer's problem and the operator's solution in a transcript") {
  const auto res =
      ask(task("extract",
               "visitor: Hello\n"
               "visitor: How do I reset my password? The reset email never arrives.\n"
               "operator: Thanks for reaching out.\n"
               "operator: Please check your spam folder, then go to Settings > Security and click Resend.\n"
               "visitor: It worked, thanks!"));
  CHECK(res.parsed.at("problem") == "How do I reset my password? The reset email never arrives.");
  CHECK(res.parsed.at("solution") == "Please check your spam folder, then go to Settings > Security and click Resend.");
  CHECK(res.parsed.at("title") == "How to reset my password");
}

TEST_CASE("greetings are templated from the visitor's details and locale") {
  weft::ChatRequest r = task("greeting", "compose");
  r.metadata["name"] = "Ada";
  r.metadata["company"] = "Acme";
  r.metadata["page"] = "/pricing";
  r.metadata["sender"] = "Sam";
  const auto en = ask(r);
  CHECK(en.content() ==
        "Hi Ada! I'm Sam. I noticed you were looking at our /pricing page. Any questions about our plans for Acme? "
        "Happy to help.");
  CHECK(en.parsed.is_null());
  r.metadata["locale"] = "fr";
  CHECK(ask(r).content().rfind("Bonjour Ada !", 0) == 0);
}

TEST_CASE("an article draft is built from an extraction given in the last user message") {
  const auto res = ask(task(
      "article",
      R"({"problem":"The widget does not load on Safari.","solution":"Disable content blockers.","title":"Widget not loading on Safari"})"));
  CHECK(res.parsed.at("title") == "Widget not loading on Safari");
  const std::string content(res.parsed.at("content").as_string());
  CHECK(content.find("# Widget not loading on Safari") == 0);
  CHECK(content.find("## Problem\n\nThe widget does not load on Safari.") != std::string::npos);
  CHECK(content.find("## Solution\n\nDisable content blockers.") != std::string::npos);
}

TEST_CASE("the agent task answers honestly that no LLM is configured, without tool calls") {
  weft::ChatRequest r;
  r.messages.push_back(weft::user_message("Close all spam conversations"));
  r.tools = json::parse(R"([{"type":"function","function":{"name":"x","parameters":{}}}])").as_array();
  const auto res = ask(r);
  CHECK(res.tool_calls.empty());
  CHECK(res.content().find("No language model is configured") != std::string::npos);
  CHECK(res.content().find("Close all spam conversations") != std::string::npos);
}

TEST_CASE("an unknown offline task is an invalid_request error") {
  try {
    ask(task("poetry", "a poem"));
    FAIL("accepted");
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::model::error::invalid_request);
    CHECK(std::string(e.what()).find("poetry") != std::string::npos);
  }
}
