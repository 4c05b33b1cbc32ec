// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/store.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/seed_data.hpp"
#include "sandbox/crisp/detail/state_file.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void Store::reset(std::uint64_t seed, const std::string& helpdesk_mode) {
  root_ = generate_world(seed, helpdesk_mode);
  ids_ = Prng(seed ^ 0xA5A5A5A5DEADBEEFULL);
  sync_prng_out();
}

bool Store::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buf;
  buf << in.rdbuf();
  json::value doc;
  try {
    doc = json::parse(buf.str());
  } catch (const std::exception& e) {
    throw std::runtime_error("crisp sandbox: state file '" + path + "' is not JSON (" + e.what() +
                             "); delete it or pass another --state-file");
  }
  const auto* obj = doc.if_object();
  if (obj == nullptr || !obj->contains("format") || obj->at("format") != "weft-crisp-sandbox-state" ||
      !obj->contains("websites") || !obj->contains("id_prng")) {
    throw std::runtime_error("crisp sandbox: '" + path +
                             "' is not a sandbox state file; delete it or pass another --state-file");
  }
  root_ = std::move(doc.as_object());
  ids_ = Prng(root_.at("id_prng").to_number<std::uint64_t>());
  return true;
}

void Store::save(const std::string& path) const { replace_file(path, json::serialize(root_)); }

json::object* Store::website(std::string_view website_id) {
  auto* sites = root_.at("websites").if_object();
  if (sites == nullptr) return nullptr;
  auto* site = sites->if_contains(website_id);
  return site == nullptr ? nullptr : site->if_object();
}

std::string Store::main_website_id() const { return std::string(root_.at("main_website_id").as_string()); }
std::string Store::other_website_id() const { return std::string(root_.at("other_website_id").as_string()); }
const json::object& Store::token() const { return root_.at("token").as_object(); }

void Store::sync_prng_out() { root_["id_prng"] = ids_.state(); }

std::string Store::new_uuid() {
  auto id = make_uuid(ids_);
  sync_prng_out();
  return id;
}

std::string Store::new_session_id() {
  auto id = make_session_id(ids_);
  sync_prng_out();
  return id;
}

std::int64_t Store::new_fingerprint() {
  const auto f = make_fingerprint(ids_);
  sync_prng_out();
  return f;
}

json::array& Store::effects() {
  auto& v = root_["effects"];
  if (!v.is_array()) v = json::array();
  return v.as_array();
}

std::int64_t Store::append_effect(json::object entry) {
  auto& log = effects();
  const auto index = static_cast<std::int64_t>(log.size());
  entry["index"] = index;
  log.emplace_back(std::move(entry));
  return index;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
// Howard Hinnant's civil-date algorithms.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

std::string iso8601(std::int64_t ms) {
  std::int64_t z = (ms >= 0 ? ms : ms - 86399999) / 86400000;
  const std::int64_t rem = ms - z * 86400000;
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
                static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
  return buf;
}

std::optional<std::int64_t> parse_iso8601(std::string_view t) {
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    if (pos + len > t.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') return std::nullopt;
  const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 ||
      *s > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  std::int64_t offset_min = 0;
  if (pos < t.size() && t[pos] == 'Z') {
    ++pos;
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    const auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_min = (*oh * 60 + *om) * (t[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return ((days * 24 + *h) * 60 + *mi - offset_min) * 60000 + static_cast<std::int64_t>(*s) * 1000 + millis;
}

}  // namespace weft::sandbox::crisp::detail
