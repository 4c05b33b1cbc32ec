// SPDX-License-Identifier: MIT
#include "nodes/crisp/detail/path_template.hpp"

#include <stdexcept>

namespace weft::crisp::detail {

PathTemplate PathTemplate::parse(std::string_view text) {
  PathTemplate t;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    const std::size_t close_before = text.find('}', i);
    if (close_before < open) throw std::invalid_argument("path template '" + std::string(text) + "': unbalanced '}'");
    if (open == std::string_view::npos) {
      t.parts_.push_back({std::string(text.substr(i)), false, false});
      break;
    }
    if (open > i) t.parts_.push_back({std::string(text.substr(i, open - i)), false, false});
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos)
      throw std::invalid_argument("path template '" + std::string(text) + "': unbalanced '{'");
    std::string name(text.substr(open + 1, close - open - 1));
    bool multi = false;
    if (!name.empty() && name.back() == '*') {
      multi = true;
      name.pop_back();
    }
    if (name.empty() || name.find('{') != std::string::npos)
      throw std::invalid_argument("path template '" + std::string(text) + "': empty variable name");
    t.parts_.push_back({std::move(name), true, multi});
    i = close + 1;
  }
  return t;
}

std::vector<std::string> PathTemplate::variables() const {
  std::vector<std::string> out;
  for (const auto& p : parts_)
    if (p.variable) out.push_back(p.text);
  return out;
}

std::string encode_segment(std::string_view segment) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string encode_query(std::string_view text) { return encode_segment(text); }

std::string PathTemplate::expand(const boost::json::object& vars) const {
  std::string out;
  for (const auto& p : parts_) {
    if (!p.variable) {
      out += p.text;
      continue;
    }
    const boost::json::value* v = vars.if_contains(p.text);
    if (!v || v->is_null()) throw std::invalid_argument("missing path variable " + p.text);
    std::string value;
    if (v->is_string())
      value = std::string(v->as_string());
    else if (v->is_int64())
      value = std::to_string(v->as_int64());
    else if (v->is_uint64())
      value = std::to_string(v->as_uint64());
    else
      throw std::invalid_argument("path variable " + p.text + " must be a string or an integer");
    if (value.empty()) throw std::invalid_argument("path variable " + p.text + " is empty");
    if (!p.multi) {
      if (value == "." || value == "..") throw std::invalid_argument("path variable " + p.text + " is a dot segment");
      out += encode_segment(value);
      continue;
    }
    std::size_t start = 0;
    bool first = true;
    while (true) {
      const std::size_t slash = value.find('/', start);
      const std::string_view seg =
          std::string_view(value).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (seg.empty() || seg == "." || seg == "..")
        throw std::invalid_argument("path variable " + p.text + " has an empty, '.' or '..' segment");
      if (!first) out += '/';
      out += encode_segment(seg);
      first = false;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  return out;
}

}  // namespace weft::crisp::detail
