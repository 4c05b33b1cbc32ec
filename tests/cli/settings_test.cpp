// SPDX-License-Identifier: MIT
#include "cli/settings.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <cstdio>
#include <unistd.h>
#include <fstream>
#include <map>

using namespace weft::cli;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ParsedArgs args_of(std::map<std::string, std::string> values) {
  ParsedArgs a;
  a.values = std::move(values);
  return a;
}

}  // namespace

TEST_CASE("with no configuration a run uses weft.db, the sandbox and the offline model") {
  Settings s = resolve_settings(args_of({}), env_of({}));
  CHECK(s.db_path == "weft.db");
  CHECK(s.crisp.kind == CrispSetting::Kind::sandbox);
  CHECK(s.model.kind == ModelSetting::Kind::offline);
  CHECK(s.sandbox_state_path() == "weft.db.sandbox.json");
}

TEST_CASE("CRISP and OPENAI variables switch to the real services") {
  Settings s = resolve_settings(args_of({}), env_of({{"CRISP_API_IDENTIFIER", "id"},
                                                     {"CRISP_API_KEY", "secret-key"},
                                                     {"CRISP_WEBSITE_ID", "w"},
                                                     {"OPENAI_API_KEY", "sk-secret"},
                                                     {"WEFT_MODEL", "gpt-x"}}));
  CHECK(s.crisp.kind == CrispSetting::Kind::remote);
  CHECK(s.crisp.url == "https://api.crisp.chat/v1/");
  CHECK(s.model.spec() == "openai:gpt-x");
  // The recorded form names services, never secrets.
  std::string recorded = boost::json::serialize(s.to_json());
  CHECK(recorded.find("secret") == std::string::npos);
}

TEST_CASE("a partial set of CRISP variables keeps the sandbox") {
  Settings s = resolve_settings(args_of({}), env_of({{"CRISP_API_IDENTIFIER", "id"}}));
  CHECK(s.crisp.kind == CrispSetting::Kind::sandbox);
}

TEST_CASE("command line options win over the environment and the recorded run") {
  boost::json::object recorded;
  recorded["model"] = "scripted:old.json";
  recorded["crisp"] = "http://127.0.0.1:9/v1";
  Settings s = resolve_settings(args_of({{"model", "offline"}}), env_of({{"OPENAI_API_KEY", "k"}}), &recorded);
  CHECK(s.model.kind == ModelSetting::Kind::offline);
  CHECK(s.crisp.url == "http://127.0.0.1:9/v1/");
}

TEST_CASE("bad values are usage errors naming the accepted forms") {
  CHECK_THROWS_WITH_AS(resolve_settings(args_of({{"model", "gpt"}}), env_of({})),
                       "--model 'gpt' is not one of offline, scripted:FILE, openai:NAME", UsageError);
  CHECK_THROWS_AS(resolve_settings(args_of({{"crisp", "ftp://x"}}), env_of({})), UsageError);
  CHECK_THROWS_AS(resolve_settings(args_of({{"durability", "never"}}), env_of({})), UsageError);
  CHECK_THROWS_AS(resolve_settings(args_of({{"stream", "all"}}), env_of({})), UsageError);
  CHECK_THROWS_AS(resolve_settings(args_of({{"seed", "12x"}}), env_of({})), UsageError);
}

TEST_CASE("JSON arguments are read inline or from a file") {
  CHECK(read_json_argument("input", R"({"limit":3})").as_object().at("limit").as_int64() == 3);
  CHECK_THROWS_AS(read_json_argument("input", "{limit:3}"), UsageError);
  CHECK_THROWS_AS(read_json_argument("input", "@/nonexistent/weft-input.json"), UsageError);
  std::string path = "/tmp/weft-settings-test-" + std::to_string(::getpid()) + ".json";
  { std::ofstream(path) << R"({"locale":"fr"})"; }
  CHECK(read_json_argument("input", "@" + path).as_object().at("locale").as_string() == "fr");
  std::remove(path.c_str());
}
