// SPDX-License-Identifier: MIT
#include "cli/settings.hpp"

#include "cli/database.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
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

std::string Settings::local_file_base() const { return Database::is_url(db_path) ? std::string("weft") : db_path; }

std::string Settings::sandbox_state_path() const { return local_file_base() + ".sandbox.json"; }

json::object Settings::to_json() const {
  json::object o;
  o["db"] = Database::display_name(db_path);  // recorded in checkpoints: never a password
  o["model"] = model.spec();
  o["crisp"] = crisp.kind == CrispSetting::Kind::sandbox ? std::string("sandbox") : crisp.url;
  o["durability"] = durability;
  o["sandbox_seed"] = sandbox_seed;
  if (temperature) o["temperature"] = *temperature;
  if (max_tokens) o["max_tokens"] = *max_tokens;
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

// A model temperature: a number in [0, 2] (the OpenAI range).
double parse_temperature(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(value >= 0.0 && value <= 2.0))
    throw UsageError(where + " '" + text + "' is not a number from 0 to 2");
  return value;
}

// A token cap: an integer from 1 to 10,000,000.
std::int64_t parse_max_tokens(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < 1 || value > 10'000'000)
    throw UsageError(where + " '" + text + "' is not an integer from 1 to 10000000");
  return value;
}

// The model options: command line, else the recorded run's, else the environment.
void resolve_model_options(Settings& s, const ParsedArgs& args, const EnvLookup& env, const json::object* recorded) {
  const json::value* recorded_temperature = recorded ? recorded->if_contains("temperature") : nullptr;
  const json::value* recorded_max_tokens = recorded ? recorded->if_contains("max_tokens") : nullptr;
  if (auto t = args.get("temperature")) {
    s.temperature = parse_temperature(*t, "--temperature");
  } else if (recorded_temperature && recorded_temperature->is_number()) {
    s.temperature = recorded_temperature->to_number<double>();
  } else if (auto e = env("WEFT_TEMPERATURE")) {
    s.temperature = parse_temperature(*e, "WEFT_TEMPERATURE");
  }
  if (auto m = args.get("max-tokens")) {
    s.max_tokens = parse_max_tokens(*m, "--max-tokens");
  } else if (recorded_max_tokens && recorded_max_tokens->is_number()) {
    s.max_tokens = recorded_max_tokens->to_number<std::int64_t>();
  } else if (auto e = env("WEFT_MAX_TOKENS")) {
    s.max_tokens = parse_max_tokens(*e, "WEFT_MAX_TOKENS");
  }
}

}  // namespace

namespace {

// A non-negative decimal number of `option`, at most `max`. Throws UsageError.
double non_negative(const std::string& option, const std::string& text, double max) {
  double value = -1;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(value >= 0) || value > max) {
    throw UsageError("--" + option + " '" + text + "' is not a number from 0 to " +
                     std::to_string(static_cast<long long>(max)));
  }
  return value;
}

// --crisp-rate, --crisp-concurrency, --rate-limit-wait, --model-timeout: not recorded, so a
// resume may choose another pace.
void read_pace_options(const ParsedArgs& args, Settings& s) {
  if (auto v = args.get("crisp-rate")) s.crisp_rate = non_negative("crisp-rate", *v, 1e6);
  if (auto v = args.get("crisp-concurrency")) {
    const double n = non_negative("crisp-concurrency", *v, 4096);
    if (n != static_cast<double>(static_cast<std::size_t>(n))) {
      throw UsageError("--crisp-concurrency '" + *v + "' is not a whole number");
    }
    s.crisp_concurrency = static_cast<std::size_t>(n);
  }
  if (auto v = args.get("rate-limit-wait")) s.rate_limit_wait_s = non_negative("rate-limit-wait", *v, 86'400);
  if (auto v = args.get("model-timeout")) s.model_timeout_s = non_negative("model-timeout", *v, 86'400);
}

}  // namespace

Settings resolve_settings(const ParsedArgs& args, const EnvLookup& env, const json::object* recorded) {
  Settings s;
  if (auto db = args.get("db")) {
    s.db_path = *db;
  } else if (auto env_db = env("WEFT_DB")) {
    s.db_path = *env_db;
  }
  if (s.db_path.empty()) throw UsageError("--db needs a file path or a postgresql:// URL");

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
  resolve_model_options(s, args, env, recorded);
  read_pace_options(args, s);
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
