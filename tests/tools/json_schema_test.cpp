// SPDX-License-Identifier: MIT
// JsonSchema: for each supported keyword, a table of instances and the exact violations expected
// ("" = valid); then compile errors, and error collection.

#include "nodes/tools/error.hpp"
#include "nodes/tools/json_schema.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
using weft::JsonSchema;
using weft::SchemaOptions;

namespace {

struct Case {
  const char* instance;
  const char* expected;  // violations joined by " | "; "" when valid
};

std::string violations(const JsonSchema& schema, const json::value& instance) {
  std::string out;
  for (const auto& violation : schema.validate(instance)) out += (out.empty() ? "" : " | ") + violation.to_string();
  return out;
}

void check_table(const char* schema_text, const std::vector<Case>& cases, const SchemaOptions& options = {}) {
  const JsonSchema schema = JsonSchema::compile(json::parse(schema_text), options);
  for (const Case& c : cases) {
    INFO("schema: " << schema_text << "  instance: " << c.instance);
    const json::value instance = json::parse(c.instance);
    CHECK(violations(schema, instance) == c.expected);
    // is_valid stops early but must agree with validate.
    CHECK(schema.is_valid(instance) == (std::string(c.expected).empty()));
  }
}

std::string compile_error(const char* schema_text, const SchemaOptions& options = {}) {
  try {
    JsonSchema::compile(json::parse(schema_text), options);
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::tools::error::invalid_schema);
    return e.what();
  }
  return "(compiled)";
}

}  // namespace

TEST_SUITE("json schema") {
  TEST_CASE("type accepts the named JSON types, integers as numbers and 3.0 as an integer") {
    check_table(R"({"type":"string"})",
                {{R"("a")", ""}, {"42", "expected string, got number"}, {"null", "expected string, got null"}});
    check_table(R"({"type":"integer"})", {{"3", ""},
                                          {"-3", ""},
                                          {"3.0", ""},
                                          {"18446744073709551615", ""},
                                          {"3.5", "expected integer, got number"},
                                          {R"("3")", "expected integer, got string"}});
    check_table(R"({"type":"number"})", {{"3", ""}, {"3.5", ""}, {"true", "expected number, got boolean"}});
    check_table(R"({"type":"boolean"})", {{"false", ""}, {R"("true")", "expected boolean, got string"}});
    check_table(R"({"type":"object"})", {{"{}", ""}, {"[]", "expected object, got array"}});
    check_table(R"({"type":"array"})", {{"[]", ""}, {"{}", "expected array, got object"}});
    check_table(R"({"type":"null"})", {{"null", ""}, {"0", "expected null, got number"}});
  }

  TEST_CASE("an array of types accepts any of them, which is how a field is made nullable") {
    check_table(R"({"type":["string","null"]})",
                {{R"("x")", ""}, {"null", ""}, {"1", "expected string or null, got number"}});
    check_table(R"({"properties":{"email":{"type":["string","null"],"format":"email"}}})",
                {{R"({"email":null})", ""},
                 {R"({"email":"a@b.co"})", ""},
                 {R"({"email":"nope"})", "/email: is not a valid email"}});
  }

  TEST_CASE("properties validate each named member and report its path") {
    check_table(R"({"type":"object","properties":{"content":{"type":"string"}}})",
                {{R"({"content":"hi"})", ""},
                 {"{}", ""},
                 {R"({"other":1})", ""},
                 {R"({"content":42})", "/content: expected string, got number"}});
    check_table(R"({"properties":{"a":{"properties":{"b":{"type":"integer"}}}}})",
                {{R"({"a":{"b":"x"}})", "/a/b: expected integer, got string"}});
    // A member name is escaped as a JSON Pointer token.
    check_table(R"({"properties":{"a/b~c":{"type":"string"}}})",
                {{R"({"a/b~c":1})", "/a~1b~0c: expected string, got number"}});
  }

  TEST_CASE("required reports every missing property at the object's path") {
    check_table(R"({"required":["origin","type"]})",
                {{R"({"origin":"chat","type":"text"})", ""},
                 {R"({"type":"text"})", "missing required property 'origin'"},
                 {"{}", "missing required property 'origin' | missing required property 'type'"},
                 {"[]", ""}});  // required applies to objects only
    check_table(R"({"properties":{"user":{"type":"object","required":["email"]}}})",
                {{R"({"user":{}})", "/user: missing required property 'email'"}});
  }

  TEST_CASE("additionalProperties false rejects unknown members and lists the allowed ones") {
    check_table(R"({"properties":{"content":{},"type":{}},"additionalProperties":false})",
                {{R"({"content":1})", ""},
                 {R"({"content":1,"from":"x"})", "property 'from' is not allowed (allowed: content, type)"}});
    check_table(R"({"additionalProperties":false})",
                {{"{}", ""}, {R"({"a":1})", "property 'a' is not allowed (no properties are allowed)"}});
  }

  TEST_CASE("additionalProperties as a schema validates only the members properties does not name") {
    check_table(R"({"properties":{"a":{"type":"string"}},"additionalProperties":{"type":"integer"}})",
                {{R"({"a":"s","b":2})", ""}, {R"({"a":"s","b":"2"})", "/b: expected integer, got string"}});
  }

  TEST_CASE("minProperties and maxProperties bound the member count") {
    check_table(R"({"minProperties":1,"maxProperties":2})",
                {{R"({"a":1})", ""},
                 {"{}", "must have at least 1 properties (got 0)"},
                 {R"({"a":1,"b":2,"c":3})", "must have at most 2 properties (got 3)"}});
  }

  TEST_CASE("items validates every element and reports its index") {
    check_table(R"({"items":{"type":"integer"}})",
                {{"[]", ""},
                 {"[1,2]", ""},
                 {R"([1,"2",3,"4"])", "/1: expected integer, got string | /3: expected integer, got string"}});
  }

  TEST_CASE("prefixItems validates positions and items the rest") {
    check_table(R"({"prefixItems":[{"type":"string"},{"type":"integer"}],"items":false})",
                {{R"(["a",1])", ""},
                 {R"(["a"])", ""},
                 {R"(["a","b"])", "/1: expected integer, got string"},
                 {R"(["a",1,true])", "/2: no value is allowed here"}});
    check_table(R"({"prefixItems":[{"type":"string"}],"items":{"type":"boolean"}})",
                {{R"(["a",true,false])", ""}, {R"(["a",1])", "/1: expected boolean, got number"}});
  }

  TEST_CASE("minItems and maxItems bound the length of an array") {
    check_table(R"({"minItems":2,"maxItems":3})", {{"[1,2]", ""},
                                                   {"[1]", "must have at least 2 items (got 1)"},
                                                   {"[1,2,3,4]", "must have at most 3 items (got 4)"}});
  }

  TEST_CASE("uniqueItems compares JSON values, numbers by value and objects regardless of order") {
    check_table(R"({"uniqueItems":true})",
                {{R"([1,"1",true,null])", ""},
                 {"[1,2,1]", "items 0 and 2 are equal; items must be unique"},
                 {"[1,1.0]", "items 0 and 1 are equal; items must be unique"},
                 {R"([{"a":1,"b":[2]},{"b":[2],"a":1}])", "items 0 and 1 are equal; items must be unique"}});
    check_table(R"({"uniqueItems":false})", {{"[1,1]", ""}});
  }

  TEST_CASE("enum accepts only the listed values and names them") {
    check_table(R"({"properties":{"type":{"enum":["text","note"]}}})",
                {{R"({"type":"note"})", ""}, {R"({"type":"file"})", R"(/type: must be one of "text", "note")"}});
    check_table(R"({"enum":[0,1,null]})", {{"1.0", ""}, {"null", ""}, {"2", "must be one of 0, 1, null"}});
  }

  TEST_CASE("const accepts exactly one value") {
    check_table(R"({"const":"user"})", {{R"("user")", ""}, {R"("operator")", R"(must be "user")"}});
    check_table(R"({"const":{"a":[1]}})", {{R"({"a":[1.0]})", ""}, {R"({"a":[2]})", R"(must be {"a":[1]})"}});
  }

  TEST_CASE("minLength and maxLength count Unicode code points, not bytes") {
    check_table(R"({"minLength":2,"maxLength":5})", {{R"("ab")", ""},
                                                     {R"("h\u00e9llo")", ""},  // 5 code points, 6 bytes
                                                     {R"("a")", "must be at least 2 characters long (got 1)"},
                                                     {R"("abcdef")", "must be at most 5 characters long (got 6)"},
                                                     {"12", ""}});  // string keywords ignore other types
  }

  TEST_CASE("pattern is an unanchored ECMAScript search and its failure names the pattern") {
    check_table(R"({"properties":{"session_id":{"type":"string","pattern":"^session_[0-9a-f-]{36}$"}}})",
                {{R"({"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"})", ""},
                 {R"({"session_id":"session_42"})", "/session_id: does not match pattern ^session_[0-9a-f-]{36}$"}});
    check_table(R"({"pattern":"b+"})", {{R"("abbc")", ""}, {R"("ac")", "does not match pattern b+"}});
  }

  TEST_CASE("format checks the built-in formats and ignores non-strings") {
    check_table(R"({"format":"date-time"})", {{R"("2026-11-24T09:30:00Z")", ""},
                                              {R"("2026-11-24T09:30:00.123+01:00")", ""},
                                              {R"("2026-11-24 09:30:00Z")", "is not a valid date-time"},
                                              {R"("2026-13-01T00:00:00Z")", "is not a valid date-time"},
                                              {"42", ""}});
    check_table(R"({"format":"date"})", {{R"("2024-02-29")", ""}, {R"("2026-02-29")", "is not a valid date"}});
    check_table(R"({"format":"email"})", {{R"("ops@example.com")", ""},
                                          {R"("ops@@example.com")", "is not a valid email"},
                                          {R"("example.com")", "is not a valid email"}});
    check_table(R"({"format":"uri"})", {{R"("https://example.com/a?b=c#d")", ""},
                                        {R"("example.com/a")", "is not a valid uri"},
                                        {R"("https://exa mple.com")", "is not a valid uri"}});
    check_table(R"({"format":"uuid"})", {{R"("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9")", ""},
                                         {R"("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a")", "is not a valid uuid"}});
    check_table(R"({"format":"ipv4"})", {{R"("192.168.0.1")", ""}, {R"("256.1.1.1")", "is not a valid ipv4"}});
  }

  TEST_CASE("a custom format hook is checked like a built-in one") {
    SchemaOptions options;
    options.formats["crisp-session-id"] = [](std::string_view s) {
      return s.starts_with("session_") && s.size() == 44;
    };
    check_table(R"({"properties":{"id":{"type":"string","format":"crisp-session-id"}}})",
                {{R"({"id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"})", ""},
                 {R"({"id":"700c65e1-85e2-465a-b9ac-ecb5ec2c9881"})", "/id: is not a valid crisp-session-id"}},
                options);
  }

  TEST_CASE("minimum, maximum and the exclusive bounds compare numbers of any JSON kind") {
    check_table(
        R"({"minimum":1,"maximum":10})",
        {{"1", ""}, {"10", ""}, {"5.5", ""}, {"0", "must be >= 1 (got 0)"}, {"10.5", "must be <= 10 (got 10.5)"}});
    check_table(R"({"exclusiveMinimum":1,"exclusiveMaximum":2.5})",
                {{"2", ""}, {"1", "must be > 1 (got 1)"}, {"2.5", "must be < 2.5 (got 2.5)"}});
    check_table(R"({"minimum":-9223372036854775808})", {{"-9223372036854775808", ""}});
  }

  TEST_CASE("multipleOf is exact for integers and tolerates binary rounding for decimals") {
    check_table(R"({"multipleOf":3})", {{"9", ""}, {"-9", ""}, {"0", ""}, {"10", "must be a multiple of 3 (got 10)"}});
    check_table(R"({"multipleOf":0.1})", {{"0.3", ""}, {"7", ""}, {"0.35", "must be a multiple of 0.1 (got 0.35)"}});
    check_table(R"({"multipleOf":0.5})", {{"1.5", ""}, {"1.2", "must be a multiple of 0.5 (got 1.2)"}});
  }

  TEST_CASE("anyOf passes when one alternative matches and otherwise says why each failed") {
    check_table(
        R"({"anyOf":[{"type":"string"},{"type":"integer","minimum":0}]})",
        {{R"("a")", ""},
         {"3", ""},
         {"-1",
          "does not match any alternative of anyOf (#0: expected string, got number; #1: must be >= 0 (got -1))"}});
  }

  TEST_CASE("oneOf requires exactly one matching alternative") {
    check_table(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})",
                {{"1.5", ""},
                 {"1", "matches more than one alternative of oneOf (matches #0 and #1); it must match exactly one"},
                 {R"("x")",
                  "does not match any alternative of oneOf (#0: expected integer, got string; #1: expected number, got "
                  "string)"}});
    check_table(R"({"oneOf":[{"properties":{"a":{"type":"string"}},"required":["a"]},{"required":["b"]}]})",
                {{R"({"a":1})",
                  "does not match any alternative of oneOf (#0: /a: expected string, got number; #1: missing required "
                  "property 'b')"}});
  }

  TEST_CASE("allOf applies every subschema and collects all of their violations") {
    check_table(
        R"({"allOf":[{"minLength":2},{"pattern":"^a"}]})",
        {{R"("ab")", ""}, {R"("b")", "must be at least 2 characters long (got 1) | does not match pattern ^a"}});
  }

  TEST_CASE("not rejects what its subschema accepts") {
    check_table(R"({"not":{"type":"null"}})", {{"0", ""}, {"null", "must not match the schema under 'not'"}});
  }

  TEST_CASE("$ref resolves local definitions, including recursive ones") {
    check_table(R"({"$defs":{"id":{"type":"string","format":"uuid"}},"properties":{"a":{"$ref":"#/$defs/id"}}})",
                {{R"({"a":"bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9"})", ""}, {R"({"a":"x"})", "/a: is not a valid uuid"}});
    check_table(
        R"({"$ref":"#/$defs/node","$defs":{"node":{"type":"object","additionalProperties":false,
                  "properties":{"v":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}})",
        {{R"({"v":1,"children":[{"children":[{"v":2}]}]})", ""},
         {R"({"children":[{"children":[{"v":"x"}]}]})", "/children/0/children/0/v: expected integer, got string"}});
    check_table(R"({"definitions":{"n":{"minimum":0}},"items":{"$ref":"#/definitions/n"}})",
                {{"[1,-1]", "/1: must be >= 0 (got -1)"}});
    check_table(R"({"properties":{"self":{"$ref":"#"}},"required":["x"]})",
                {{R"({"x":1,"self":{"x":2}})", ""}, {R"({"x":1,"self":{}})", "/self: missing required property 'x'"}});
  }

  TEST_CASE("a $ref cycle that consumes no input is reported instead of overflowing the stack") {
    const JsonSchema schema =
        JsonSchema::compile(json::parse(R"({"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})"));
    const auto found = schema.validate(json::value(1));
    REQUIRE(found.size() == 1);
    CHECK(found[0].message.find("recursion too deep") != std::string::npos);
  }

  TEST_CASE("boolean schemas accept or reject everything") {
    check_table("true", {{"1", ""}, {"{}", ""}});
    check_table("false", {{"1", "no value is allowed here"}});
    CHECK(JsonSchema().is_valid(json::parse(R"({"any":"thing"})")));
  }

  TEST_CASE("every violation of a call is collected, not only the first, in document order") {
    check_table(R"({"type":"object","required":["website_id","content"],"additionalProperties":false,
                  "properties":{"website_id":{"type":"string","format":"uuid"},"content":{"type":"string"},
                                "type":{"enum":["text","note"]}}})",
                {{R"({"content":42,"type":"file","from":"x"})",
                  "missing required property 'website_id' | /content: expected string, got number | "
                  "/type: must be one of \"text\", \"note\" | property 'from' is not allowed (allowed: content, type, "
                  "website_id)"}});
  }

  TEST_CASE("annotations and vendor keywords are accepted and do not change validity") {
    check_table(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","title":"t","description":"d",
                  "default":1,"examples":[1],"deprecated":false,"x-crisp-id":"session_id","type":"integer"})",
                {{"1", ""}, {R"("1")", "expected integer, got string"}});
  }

  TEST_CASE("a malformed schema fails to compile with the location of the problem") {
    CHECK(compile_error("42") == "schema (root): a schema must be an object or a boolean");
    CHECK(compile_error(R"({"type":"strng"})") == "schema /type: unknown type 'strng'");
    CHECK(compile_error(R"({"properties":{"a":{"type":5}}})") ==
          "schema /properties/a/type: must be a type name or an array of type names");
    CHECK(compile_error(R"({"minLength":-1})") == "schema /minLength: must be a non-negative integer");
    CHECK(compile_error(R"({"required":"a"})") == "schema /required: must be an array");
    CHECK(compile_error(R"({"enum":[]})") == "schema /enum: must not be empty");
    CHECK(compile_error(R"({"multipleOf":0})") == "schema /multipleOf: must be a number greater than 0");
    CHECK(compile_error(R"({"anyOf":[]})") == "schema /anyOf: must be a non-empty array of schemas");
    CHECK(compile_error(R"({"items":[{}]})").find("use prefixItems") != std::string::npos);
    CHECK(compile_error(R"({"pattern":"("})").starts_with("schema /pattern: invalid regular expression '('"));
  }

  TEST_CASE("an unknown format, a non-local or dangling $ref and unsupported keywords are refused") {
    CHECK(compile_error(R"({"format":"crisp-session-id"})") ==
          "schema /format: unknown format 'crisp-session-id' (register it in SchemaOptions::formats)");
    CHECK(compile_error(R"({"$ref":"#/$defs/missing"})") ==
          "schema /$ref: $ref target '#/$defs/missing' does not exist");
    CHECK(compile_error(R"({"$ref":"https://example.com/s.json"})").find("only local references") != std::string::npos);
    CHECK(compile_error(R"({"if":{"type":"string"}})") ==
          "schema /if: keyword 'if' is not supported by Weft's validator");
    CHECK(compile_error(R"({"properties":{"a":{"patternProperties":{}}}})") ==
          "schema /properties/a/patternProperties: keyword 'patternProperties' is not supported by Weft's validator");
    CHECK(compile_error(R"({"propertis":{}})") == "schema /propertis: unknown keyword 'propertis'");
    CHECK(compile_error(R"({"nullable":true})").find("type\": [\"string\", \"null\"]") != std::string::npos);
  }

  TEST_CASE("a compiled schema keeps its source and copies share one compiled tree") {
    const json::value source = json::parse(R"({"type":"string"})");
    const JsonSchema a = JsonSchema::compile(source);
    const JsonSchema b = a;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
    CHECK(&a.source() == &b.source());
    CHECK(a.source() == source);
    CHECK_FALSE(b.is_valid(json::value(1)));
  }

  TEST_CASE("a lazy schema judges exactly like a compiled one") {
    const char* text =
        R"({"type":"object","properties":{"id":{"type":"string","pattern":"^s_[0-9a-f]{4}$"},"n":{"type":"integer","minimum":1}},"required":["id"],"additionalProperties":false})";
    const JsonSchema eager = JsonSchema::compile(json::parse(text));
    const JsonSchema lazy = JsonSchema::lazy(json::parse(text));
    CHECK(lazy.source() == eager.source());
    for (const char* instance :
         {R"({"id":"s_00af"})", R"({"id":"s_00AF","n":0})", R"({"n":2})", R"({"id":"s_1234","x":1})", "[]"}) {
      INFO(instance);
      CHECK(violations(lazy, json::parse(instance)) == violations(eager, json::parse(instance)));
      CHECK(lazy.is_valid(json::parse(instance)) == eager.is_valid(json::parse(instance)));
    }
  }

  TEST_CASE("a lazy schema that does not compile fails each validation with the compile error, not its creation") {
    const JsonSchema lazy = JsonSchema::lazy(json::parse(R"({"properties":{"id":{"pattern":"(unclosed"}}})"));
    CHECK(lazy.source().is_object());  // no compilation needed
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        (void)lazy.validate(json::object());
        FAIL("validated with a schema that does not compile");
      } catch (const weft::Error& e) {
        CHECK(e.code() == weft::tools::error::invalid_schema);
        CHECK(std::string(e.what()).find("schema /properties/id/pattern: invalid regular expression") == 0);
      }
    }
    CHECK_THROWS_AS((void)lazy.is_valid(json::object()), weft::Error);
  }

  TEST_CASE("copies of a lazy schema validating from several threads at once compile it once and agree") {
    const JsonSchema lazy =
        JsonSchema::lazy(json::parse(R"({"type":"string","pattern":"^[a-z]+$","format":"custom"})"),
                         SchemaOptions{{{"custom", [](std::string_view s) { return s.size() < 5; }}}});
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([copy = lazy, &wrong] {  // each thread its own handle on the shared state
        for (int i = 0; i < 50; ++i) {
          if (!copy.is_valid(json::value("abc"))) ++wrong;
          if (copy.is_valid(json::value("abcdef"))) ++wrong;  // the custom format, kept until compiled
          if (copy.is_valid(json::value("ABC"))) ++wrong;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(wrong.load() == 0);
  }

}  // TEST_SUITE
