// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/route_context.hpp"

#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void throw_invalid(std::string message) { throw ApiError{400, "invalid_data", std::move(message)}; }
void throw_not_found(std::string message) { throw ApiError{404, "not_found", std::move(message)}; }
void throw_no_route() { throw ApiError{404, "not_found", "the route does not exist"}; }

const json::value& Ctx::body() {
  if (!body_) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      body_ = json::object();
    } else {
      json::error_code ec;
      json::value v = json::parse(req.body, ec);
      if (ec) throw_invalid("data should be object");
      body_ = std::move(v);
    }
  }
  return *body_;
}

const json::object& Ctx::body_checked(const Schema& schema) {
  const auto& b = body();
  const std::string message = schema.message(b);
  if (!message.empty()) throw_invalid(message);
  return b.as_object();
}

std::int64_t Ctx::page() const {
  const auto p = parse_int(param("page_number"));
  if (!p || *p < 1) throw_no_route();
  return *p;
}

std::int64_t Ctx::per_page() const {
  const auto raw = query("per_page");
  if (!raw) return 20;
  const auto v = parse_int(*raw);
  if (!v) throw_invalid("data.per_page should be integer");
  if (*v < 20) throw_invalid("data.per_page should be >= 20");
  if (*v > 50) throw_invalid("data.per_page should be <= 50");
  return *v;
}

bool Ctx::flag(std::string_view name) const {
  const auto v = query(name);
  return v && (*v == "1" || *v == "true");
}

std::optional<std::string_view> Ctx::query(std::string_view name) const {
  auto v = req.query_value(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

json::object& Ctx::conversation() {
  const auto sid = param("session_id");
  if (!is_session_id(sid))
    throw_invalid("data.session_id should match pattern \"" + std::string(kSessionPattern) + "\"");
  auto* conv = site.at("conversations").as_object().if_contains(sid);
  if (conv == nullptr) throw_not_found("conversation not found");
  return conv->as_object();
}

json::array& Ctx::messages() {
  conversation();
  auto& all = site.at("messages").as_object();
  auto& v = all[param("session_id")];
  if (!v.is_array()) v = json::array();
  return v.as_array();
}

json::array paginate(const std::vector<const json::value*>& items, std::int64_t page, std::int64_t per_page) {
  json::array out;
  const auto start = static_cast<std::size_t>((page - 1) * per_page);
  for (std::size_t i = start; i < items.size() && i < start + static_cast<std::size_t>(per_page); ++i)
    out.push_back(*items[i]);
  return out;
}

}  // namespace weft::sandbox::crisp::detail

namespace weft::sandbox::crisp::detail {

std::string paginate_json(const std::vector<const json::value*>& items, std::int64_t page, std::int64_t per_page) {
  std::string out = "[";
  const auto start = static_cast<std::size_t>((page - 1) * per_page);
  for (std::size_t i = start; i < items.size() && i < start + static_cast<std::size_t>(per_page); ++i) {
    if (i > start) out += ',';
    out += json::serialize(*items[i]);
  }
  out += ']';
  return out;
}

std::string paginate_json(const json::array& items, std::int64_t page, std::int64_t per_page) {
  std::vector<const json::value*> pointers;
  pointers.reserve(items.size());
  for (const auto& item : items) pointers.push_back(&item);
  return paginate_json(pointers, page, per_page);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace weft::sandbox::crisp::detail
