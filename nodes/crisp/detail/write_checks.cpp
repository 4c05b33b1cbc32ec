// SPDX-License-Identifier: MIT
// The checks that look for an earlier attempt of a Crisp write before it is sent again.
#include "nodes/crisp/detail/write_checks.hpp"

#include "nodes/crisp/detail/path_template.hpp"
#include "nodes/crisp/detail/templates.hpp"
#include "nodes/crisp/error.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace weft::crisp::detail {
namespace json = boost::json;
using boost::asio::awaitable;

std::string expand_tool_path(const std::string& tool, const std::string& path, const json::object& vars) {
  try {
    return PathTemplate::parse(path).expand(vars);
  } catch (const std::invalid_argument& e) {
    throw Error(error::invalid_argument, "tool " + tool + ": " + e.what() + "; nothing was sent");
  }
}

awaitable<std::optional<json::value>> check_message(CrispClient* client, std::string session_id,
                                                    std::int64_t fingerprint) {
  // Newest batches first; the boundary millisecond is re-read (timestamp_before is strict and
  // messages may share a millisecond), and a batch with nothing new ends the search.
  std::optional<std::int64_t> before;
  std::set<std::string> seen;
  for (int batch = 0; batch < 25; ++batch) {
    json::array messages = co_await client->list_messages(session_id, before);
    std::optional<std::int64_t> oldest;
    bool progressed = false;
    for (const auto& m : messages) {
      const json::value* fp = field_of(m, "fingerprint");
      if (fp && fp->is_number() &&
          ((fp->is_int64() && fp->as_int64() == fingerprint) ||
           (!fp->is_int64() && fp->to_number<double>() == static_cast<double>(fingerprint)))) {
        json::object done;
        done["fingerprint"] = fingerprint;
        co_return json::value(std::move(done));
      }
      if (seen.insert(fp ? json::serialize(*fp) : json::serialize(m)).second) progressed = true;
      const json::value* ts = field_of(m, "timestamp");
      if (ts && ts->is_int64() && (!oldest || ts->as_int64() < *oldest)) oldest = ts->as_int64();
    }
    if (messages.size() < 40 || !oldest || !progressed) break;
    before = *oldest + 1;
  }
  co_return std::nullopt;
}

// Catalog checks "exists" and "list_match"; the result is {captured vars} (empty for exists).
awaitable<std::optional<json::value>> check_catalog(CrispClient* client, std::string tool, json::value check,
                                                    json::object vars) {
  const json::object& c = check.as_object();
  const std::string kind(c.at("kind").as_string());
  if (kind == "exists") {
    const std::string path = expand_tool_path(tool, std::string(c.at("path").as_string()), vars);
    const bool found = co_await client->exists(path);
    if (!found) co_return std::nullopt;
    co_return json::value(json::object());
  }
  if (kind != "list_match") throw Error(error::invalid_catalog, "tool " + tool + ": unknown check kind " + kind);
  const std::int64_t max_pages =
      c.contains("max_pages") && c.at("max_pages").is_int64() ? c.at("max_pages").as_int64() : 10;
  json::object query;
  if (const auto* q = c.if_contains("query"))
    if (auto rendered = render(*q, vars); rendered && rendered->is_object()) query = rendered->as_object();
  json::object match;
  if (const auto* m = c.if_contains("match"))
    if (auto rendered = render(*m, vars); rendered && rendered->is_object()) match = rendered->as_object();
  if (match.empty()) co_return std::nullopt;
  for (std::int64_t page = 1; page <= max_pages; ++page) {
    json::object page_vars = vars;
    page_vars["page_number"] = page;
    const std::string path = expand_tool_path(tool, std::string(c.at("path").as_string()), page_vars);
    json::value data = co_await client->get(path, query);
    if (!data.is_array() || data.as_array().empty()) break;
    for (const auto& item : data.as_array()) {
      const bool all = std::all_of(match.begin(), match.end(), [&](const json::key_value_pair& kv) {
        const json::value* got = field_of(item, kv.key());
        return got && *got == kv.value();
      });
      if (!all) continue;
      json::object captured;
      if (const auto* cap = c.if_contains("capture"); cap && cap->is_object())
        for (const auto& [var, field] : cap->as_object())
          if (const json::value* v = field_of(item, field.as_string())) captured[var] = *v;
      co_return json::value(std::move(captured));
    }
  }
  co_return std::nullopt;
}

}  // namespace weft::crisp::detail
