// SPDX-License-Identifier: MIT
// JSON Schema `pattern`: ECMA-262 syntax matched by RE2 (nodes/tools/detail/ecma_regex.cpp).
// Untrusted text of any size is matched in linear time with bounded stack (std::regex recursed
// per character: a 30,000-character string overflowed the stack, issue #10); the ECMA meaning is
// kept where RE2's syntax differs; what RE2 cannot match in linear time is refused at compile time.

#include "nodes/tools/error.hpp"
#include "nodes/tools/json_schema.hpp"

#include <boost/json/parse.hpp>
#include <doctest/doctest.h>

#include <string>

namespace json = boost::json;
using weft::JsonSchema;

namespace {

JsonSchema pattern_schema(const std::string& pattern) {
  json::object schema;
  schema["type"] = "string";
  schema["pattern"] = pattern;
  return JsonSchema::compile(schema);
}

bool accepts(const std::string& pattern, const std::string& text) {
  return pattern_schema(pattern).is_valid(json::value(text));
}

std::string compile_error(const std::string& pattern) {
  try {
    pattern_schema(pattern);
  } catch (const weft::Error& e) {
    CHECK(e.code() == weft::tools::error::invalid_schema);
    return e.what();
  }
  return "(compiled)";
}

const std::string kTreePath = "^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$";

}  // namespace

TEST_SUITE("json schema pattern") {
  TEST_CASE("a megabyte string is matched against a pattern without exhausting the stack") {
    const JsonSchema schema = pattern_schema(kTreePath);
    std::string path;
    while (path.size() < (1u << 20)) path += "segment-with-a-long-name/";
    path += "article.md";
    CHECK(schema.is_valid(json::value(path)));
    CHECK(schema.validate(json::value(path + "/")).at(0).to_string() == "does not match pattern " + kTreePath);
    const std::string run(30'000, 'a');  // the length that crashed std::regex
    CHECK(schema.is_valid(json::value(run)));
    CHECK_FALSE(schema.is_valid(json::value(run + " ")));
  }

  TEST_CASE("a pattern that backtracks exponentially elsewhere answers at once on 30,000 characters") {
    const std::string text(30'000, 'a');
    CHECK_FALSE(accepts("^(a|aa)*b$", text));
    CHECK_FALSE(accepts("^(a+)+$", text + "!"));
    CHECK(accepts("^(a+)+$", text));
  }

  TEST_CASE("patterns keep their ECMA-262 meaning where RE2's syntax differs") {
    CHECK(accepts("b+", "abbc"));  // unanchored: a search, as JSON Schema says
    CHECK_FALSE(accepts("^b+$", "abbc"));
    CHECK_FALSE(accepts("^a$", "a\n"));  // $ is the end of the input, not before a final newline
    // . is any code point but the line terminators
    CHECK(accepts("^a.b$",
                  "a\xC3\xA9"
                  "b"));
    CHECK_FALSE(accepts("^a.b$", "a\nb"));
    CHECK_FALSE(accepts("^a.b$", "a\rb"));
    CHECK_FALSE(accepts("^a.b$",
                        "a\xE2\x80\xA8"
                        "b"));
    // \s is ECMA's white space, Unicode included; \S its complement
    CHECK(accepts("^\\s$", "\xC2\xA0"));
    CHECK(accepts("^\\s$", "\v"));
    CHECK(accepts("^[\\sx]+$", "x\xE3\x80\x80x"));
    CHECK_FALSE(accepts("^\\S$", "\xC2\xA0"));
    CHECK(accepts("^\\S$", "z"));
    // \u escapes, surrogate pairs as one code point, \cX and \0
    CHECK(accepts("^\\u0041$", "A"));
    CHECK(accepts("^\\uD83D\\uDE00$", "\xF0\x9F\x98\x80"));
    CHECK(accepts("^\\cJ$", "\n"));
    CHECK(accepts("^\\0$", std::string(1, '\0')));
    // [] matches nothing, [^] anything; [ and \b inside a class are literals
    CHECK_FALSE(accepts("a[]", "a"));
    CHECK(accepts("^a[^]b$", "a\nb"));
    CHECK(accepts("^[[:a]+$", "[:a"));
    CHECK_FALSE(accepts("^[[:alpha:]]$", "q"));
    CHECK(accepts("^[\\b]$", "\b"));
    // a brace that is no quantifier, a lone ] and an escaped letter without meaning are literals
    CHECK(accepts("^a{$", "a{"));
    CHECK(accepts("^a{,2}$", "a{,2}"));
    CHECK(accepts("^a{2}$", "aa"));
    CHECK(accepts("^a]$", "a]"));
    CHECK(accepts("^\\a\\z$", "az"));
    CHECK(accepts("^\\/$", "/"));
    // named groups in ECMA's spelling
    CHECK(accepts("^(?<year>[0-9]{4})-(?:[0-9]{2})$", "2026-12"));
  }

  TEST_CASE("a pattern RE2 cannot match in linear time is refused when the schema compiles") {
    CHECK(compile_error("(a)\\1").find("backreference \\1 is not supported") != std::string::npos);
    CHECK(compile_error("(?<n>a)\\k<n>").find("backreference \\k<...> is not supported") != std::string::npos);
    CHECK(compile_error("a(?=b)").find("lookahead '(?=' is not supported") != std::string::npos);
    CHECK(compile_error("a(?!b)").find("lookahead '(?!' is not supported") != std::string::npos);
    CHECK(compile_error("(?<=a)b").find("lookbehind '(?<=' is not supported") != std::string::npos);
    CHECK(compile_error("[a").find("unterminated character class") != std::string::npos);
    CHECK(compile_error("a\\").find("lone backslash") != std::string::npos);
    CHECK(compile_error("\\uD800").find("lone surrogate") != std::string::npos);
    CHECK(compile_error("a{2000}").starts_with("schema /pattern: invalid regular expression 'a{2000}': "));
    CHECK(compile_error("(").starts_with("schema /pattern: invalid regular expression '(': "));
  }

}  // TEST_SUITE
