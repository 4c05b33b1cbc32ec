#include "cli/settings.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <sstream>

namespace json = boost::json;

namespace weft::cli {

std::string ModelSetting::spec() const {
  switch (kind) {
    case Kind::offline: return "offline";
    case Kind::scripted: return "scripted:" + argument;
    case Kind::openai: return "openai:" + argument;
  }
  return "offline";
}

std::string Settings::sandbox_state_path() const { return db_path + ".sandbox.json"; }

json::object Settings::to_json() const {
  json::object o;
  o["db"] = db_path;
  o["model"] = model.spec();
  o["crisp"] = crisp.kind == CrispSetting::Kind::sandbox ? std::string("sandbox") : crisp.url;
  o["durability"] = durability;
  o["sandbox_seed"] = sandbox_seed;
  return o;
}

ModelSetting parse_model_setting(const std::string& text, const EnvLookup& env) {
  ModelSetting m;
  if (text == "offline") return m;
  if (text.rfind("scripted:", 0) == 0 && text.size() > 9) {
    m.kind = ModelSetting::Kind::scripted;
    m.argument = text.substr(9);
    return m;
  }
  if (text == "openai" || (text.rfind("openai:", 0) == 0 && text.size() > 7)) {
    m.kind = ModelSetting::Kind::openai;
    m.argument = text.size() > 7 ? text.substr(7) : env("WEFT_MODEL").value_or("gpt-4o-mini");
    return m;
  }
  throw UsageError("--model '" + text + "' is not one of offline, scripted:FILE, openai:NAME");
}

CrispSetting parse_crisp_setting(const std::string& text) {
  CrispSetting c;
  if (text == "sandbox") return c;
  if (text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0) {
    c.kind = CrispSetting::Kind::remote;
    c.url = text;
    if (c.url.back() != '/') c.url += '/';
    return c;
  }
  throw UsageError("--crisp '" + text + "' is neither 'sandbox' nor an http(s) URL such as https://api.crisp.chat/v1/");
}

namespace {

std::string recorded_string(const json::object* recorded, const char* key) {
  if (!recorded) return {};
  auto it = recorded->find(key);
  if (it == recorded->end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

}  // namespace

Settings resolve_settings(const ParsedArgs& args, const EnvLookup& env, const json::object* recorded) {
  Settings s;
  if (auto db = args.get("db")) {
    s.db_path = *db;
  } else if (auto env_db = env("WEFT_DB")) {
    s.db_path = *env_db;
  }
  if (s.db_path.empty()) throw UsageError("--db needs a file path");

  if (auto m = args.get("model")) {
    s.model = parse_model_setting(*m, env);
  } else if (auto r = recorded_string(recorded, "model"); !r.empty()) {
    s.model = parse_model_setting(r, env);
  } else if (env("OPENAI_API_KEY") || env("OPENAI_BASE_URL")) {
    s.model = parse_model_setting("openai", env);
  }

  if (auto c = args.get("crisp")) {
    s.crisp = parse_crisp_setting(*c);
  } else if (auto r = recorded_string(recorded, "crisp"); !r.empty()) {
    s.crisp = parse_crisp_setting(r);
  } else if (env("CRISP_API_IDENTIFIER") && env("CRISP_API_KEY") && env("CRISP_WEBSITE_ID")) {
    s.crisp = parse_crisp_setting(env("CRISP_API_URL").value_or("https://api.crisp.chat/v1/"));
  }

  if (auto d = args.get("durability")) {
    if (*d != "sync" && *d != "async" && *d != "exit") {
      throw UsageError("--durability '" + *d + "' is not one of sync, async, exit");
    }
    s.durability = *d;
  } else if (auto r = recorded_string(recorded, "durability"); !r.empty()) {
    s.durability = r;
  }

  if (auto st = args.get("stream")) {
    if (*st != "values" && *st != "updates" && *st != "debug") {
      throw UsageError("--stream '" + *st + "' is not one of values, updates, debug");
    }
    s.stream = *st;
  }
  s.json = args.has("json");

  if (auto seed = args.get("seed")) {
    try {
      std::size_t used = 0;
      s.sandbox_seed = std::stoull(*seed, &used);
      if (used != seed->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw UsageError("--seed '" + *seed + "' is not a non-negative integer");
    }
  } else if (recorded) {
    if (auto it = recorded->find("sandbox_seed"); it != recorded->end() && it->value().is_number()) {
      s.sandbox_seed = it->value().to_number<std::uint64_t>();
    }
  }
  return s;
}

json::value read_json_argument(const std::string& option, const std::string& text) {
  std::string source = text;
  std::string where = "--" + option;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) throw UsageError("--" + option + " file '" + text.substr(1) + "' cannot be read");
    where = "--" + option + " file '" + text.substr(1) + "'";
    // One byte past the limit tells "too big" from "exactly the limit" without reading an endless
    // source (@/dev/zero, a FIFO) any further.
    source.assign(kMaxJsonArgumentBytes + 1, '\0');
    in.read(source.data(), static_cast<std::streamsize>(source.size()));
    source.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw UsageError(where + " cannot be read");
  }
  if (source.size() > kMaxJsonArgumentBytes) {
    throw UsageError(where + " is larger than " + std::to_string(kMaxJsonArgumentBytes / 1024) +
                     " KiB; give a smaller JSON document");
  }
  boost::system::error_code ec;
  json::value v = json::parse(source, ec);
  if (ec) {
    throw UsageError(where + " is not valid JSON (" + ec.message() + "); give e.g. '{\"limit\":20}' or @file.json");
  }
  return v;
}

}  // namespace weft::cli
