// SPDX-License-Identifier: MIT
#include "cli/detail/thread_id.hpp"

#include "cli/args.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <cstdint>
#include <optional>

namespace weft::cli::detail {
namespace {

struct Decoded {
  char32_t code = 0;
  std::size_t length = 0;  // bytes; 0 when the bytes at the position are not UTF-8
};

// Decodes one UTF-8 sequence (shortest form, no surrogates, at most U+10FFFF).
Decoded decode_one(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length = 0;
  char32_t code = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, code = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, code = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, code = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + length > s.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, length};
}

// Characters that move the cursor, end a line or reorder text on a terminal.
bool is_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = decode_one(s, i);
    if (d.length == 0) return false;
    i += d.length;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
}

}  // namespace

void validate_new_thread_id(std::string_view id) {
  if (id.size() > kMaxThreadIdBytes) {
    throw UsageError("--thread is " + std::to_string(id.size()) + " bytes long; a thread id has at most " +
                     std::to_string(kMaxThreadIdBytes) + " bytes");
  }
  for (std::size_t i = 0; i < id.size();) {
    const Decoded d = decode_one(id, i);
    if (d.length == 0) {
      throw UsageError("--thread '" + printable_text(id) + "' is not valid UTF-8 (at byte " + std::to_string(i) +
                       "); a thread id is printable UTF-8 text");
    }
    if (is_control(d.code)) {
      throw UsageError("--thread '" + printable_text(id) + "' contains a control character (at byte " +
                       std::to_string(i) + "); a thread id is printable UTF-8 text");
    }
    i += d.length;
  }
}

std::string printable_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = decode_one(text, i);
    if (d.length == 0) {
      append_escaped(out, text.substr(i, 1));
      ++i;
      continue;
    }
    if (is_control(d.code)) {
      append_escaped(out, text.substr(i, d.length));
    } else {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

boost::json::value utf8_safe(boost::json::value value) {
  if (auto* s = value.if_string()) {
    if (!valid_utf8(*s)) *s = printable_text(*s);
  } else if (auto* a = value.if_array()) {
    for (auto& item : *a) item = utf8_safe(std::move(item));
  } else if (auto* o = value.if_object()) {
    bool keys_valid = true;
    for (const auto& entry : *o) keys_valid = keys_valid && valid_utf8(entry.key());
    if (keys_valid) {
      for (auto& entry : *o) entry.value() = utf8_safe(std::move(entry.value()));
    } else {
      boost::json::object fixed;
      for (auto& entry : *o) {
        const std::string_view key = entry.key();
        fixed[valid_utf8(key) ? std::string(key) : printable_text(key)] = utf8_safe(std::move(entry.value()));
      }
      value = std::move(fixed);
    }
  }
  return value;
}

}  // namespace weft::cli::detail
