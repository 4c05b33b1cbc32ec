// SPDX-License-Identifier: MIT
// ECMA-262 pattern syntax (without flags, with the web-compatibility grammar of Annex B) mapped
// onto RE2. The two agree on most syntax; where the meaning differs the translation spells the
// ECMA meaning out:
//   .            any code point but \n \r U+2028 U+2029 (RE2's dot excludes only \n)
//   \s \S        ECMA's white space and line terminators (RE2's \s is ASCII only)
//   \uXXXX       \x{XXXX}; a surrogate pair becomes its code point
//   \cX \0       the control character / NUL
//   \a, \e, \z.. an escaped letter with no meaning in ECMA is that letter (Annex B identity
//                escape), where RE2 would read a bell, an end-of-text anchor, ...
//   (?<name>     (?P<name> (Debian 12's RE2 knows only the Python spelling)
//   { } ]        literal where they do not form a quantifier / close a class (Annex B)
//   [ in a class a literal [ (RE2 would read [[:alpha:]] as a POSIX class)
//   [] [^]       the empty class / any code point (RE2 would read ] as the first member)
// Refused: backreferences (\1, \k<name>), lookahead and lookbehind, legacy octal escapes and lone
// surrogates: RE2 cannot match the first two in linear time, and the others have no UTF-8 meaning
// or are almost always a mistake. Inside a class, \S keeps RE2's (ASCII) meaning.

#include "nodes/tools/detail/ecma_regex.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace weft::detail {
namespace {

// ECMA-262 WhiteSpace and LineTerminator, as the members of an RE2 class.
constexpr std::string_view kSpaceMembers =
    R"(\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF})";

[[noreturn]] void unsupported(const std::string& what) { throw std::invalid_argument(what); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::uint32_t hex_value(std::string_view digits) {
  std::uint32_t v = 0;
  for (const char c : digits) v = v * 16 + static_cast<std::uint32_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  return v;
}

std::string code_point(std::uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", static_cast<unsigned>(cp));
  return buf;
}

class Translator {
 public:
  explicit Translator(std::string_view p) : p_(p) {}

  std::string run() {
    while (i_ < p_.size()) {
      const char c = p_[i_];
      if (c == '\\') {
        escape(false);
      } else if (c == '[') {
        char_class();
      } else if (c == '(') {
        group();
      } else if (c == '.') {
        out_ += R"([^\n\r\x{2028}\x{2029}])";
        ++i_;
      } else if (c == '{') {
        brace();
      } else if (c == '}' || c == ']') {
        out_ += '\\';
        out_ += c;
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    return std::move(out_);
  }

 private:
  bool at(std::size_t k, char c) const { return i_ + k < p_.size() && p_[i_ + k] == c; }

  // `{` starts a quantifier only as {n}, {n,} or {n,m}; otherwise it is a literal (Annex B).
  void brace() {
    std::size_t j = i_ + 1;
    const std::size_t digits_from = j;
    while (j < p_.size() && is_digit(p_[j])) ++j;
    bool quantifier = j > digits_from;
    if (quantifier && j < p_.size() && p_[j] == ',') {
      ++j;
      while (j < p_.size() && is_digit(p_[j])) ++j;
    }
    quantifier = quantifier && j < p_.size() && p_[j] == '}';
    if (quantifier) {
      out_.append(p_.substr(i_, j + 1 - i_));
      i_ = j + 1;
    } else {
      out_ += "\\{";
      ++i_;
    }
  }

  void group() {
    if (!at(1, '?')) {
      out_ += '(';
      ++i_;
      return;
    }
    if (at(2, ':')) {
      out_ += "(?:";
      i_ += 3;
    } else if (at(2, '=') || at(2, '!')) {
      unsupported("lookahead '(?" + std::string(1, p_[i_ + 2]) + "' is not supported (linear-time matching)");
    } else if (at(2, '<') && (at(3, '=') || at(3, '!'))) {
      unsupported("lookbehind '(?<" + std::string(1, p_[i_ + 3]) + "' is not supported (linear-time matching)");
    } else if (at(2, '<')) {
      out_ += "(?P<";
      i_ += 3;
    } else {
      unsupported("invalid group '(?' at offset " + std::to_string(i_));
    }
  }

  // \u escapes: 4 hex digits, a surrogate pair as one code point. Returns false (nothing
  // consumed) when `\u` is not followed by 4 hex digits: then it is the letter u (Annex B).
  bool unicode_escape() {
    auto four_hex = [this](std::size_t from) {
      if (from + 4 > p_.size()) return false;
      for (std::size_t k = 0; k < 4; ++k)
        if (!is_hex(p_[from + k])) return false;
      return true;
    };
    if (!four_hex(i_ + 2)) return false;
    std::uint32_t cp = hex_value(p_.substr(i_ + 2, 4));
    i_ += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && at(0, '\\') && at(1, 'u') && four_hex(i_ + 2)) {
      const std::uint32_t low = hex_value(p_.substr(i_ + 2, 4));
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i_ += 6;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
      unsupported("a lone surrogate \\u" + std::string(p_.substr(i_ - 4, 4)) + " cannot match UTF-8 text");
    out_ += code_point(cp);
    return true;
  }

  // One escape at p_[i_] == '\\', outside a class or (in_class) inside one.
  void escape(bool in_class) {
    if (i_ + 1 >= p_.size()) unsupported("the pattern ends with a lone backslash");
    const char c = p_[i_ + 1];
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        out_ += '\\';
        out_ += c;
        i_ += 2;
        return;
      case 'b':
      case 'B':
        // A word boundary outside a class; in a class \b is backspace and \B the letter B.
        if (!in_class) {
          out_ += '\\';
          out_ += c;
        } else {
          out_ += c == 'b' ? std::string("\\x08") : std::string("B");
        }
        i_ += 2;
        return;
      case 's':
        out_ += in_class ? std::string(kSpaceMembers) : "[" + std::string(kSpaceMembers) + "]";
        i_ += 2;
        return;
      case 'S':
        out_ += in_class ? std::string("\\S") : "[^" + std::string(kSpaceMembers) + "]";
        i_ += 2;
        return;
      case '0':
        if (i_ + 2 < p_.size() && is_digit(p_[i_ + 2]))
          unsupported("legacy octal escape at offset " + std::to_string(i_) + " is not supported");
        out_ += "\\x00";
        i_ += 2;
        return;
      case 'x':
        if (i_ + 3 < p_.size() && is_hex(p_[i_ + 2]) && is_hex(p_[i_ + 3])) {
          out_.append(p_.substr(i_, 4));
          i_ += 4;
        } else {
          out_ += 'x';
          i_ += 2;
        }
        return;
      case 'u':
        if (!unicode_escape()) {
          out_ += 'u';
          i_ += 2;
        }
        return;
      case 'c':
        if (i_ + 2 < p_.size() && is_letter(p_[i_ + 2])) {
          out_ += code_point(static_cast<std::uint32_t>(p_[i_ + 2]) % 32);
          i_ += 3;
        } else {
          out_ += "\\\\";  // Annex B: "\c" not followed by a letter is a backslash and a c
          i_ += 1;
        }
        return;
      case 'k':
        if (at(2, '<')) unsupported("backreference \\k<...> is not supported (linear-time matching)");
        break;
      default: break;
    }
    if (is_digit(c))
      unsupported(std::string(in_class ? "octal escape" : "backreference") + " \\" + c +
                  " is not supported (linear-time matching)");
    if (is_letter(c)) {
      out_ += c;  // identity escape: the letter itself
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out_ += '\\';
      out_ += c;
    } else {
      // a multi-byte character: ECMA matches the character itself. Copy its UTF-8 bytes.
      std::size_t j = i_ + 2;
      while (j < p_.size() && (static_cast<unsigned char>(p_[j]) & 0xC0) == 0x80) ++j;
      out_.append(p_.substr(i_ + 1, j - (i_ + 1)));
      i_ = j;
      return;
    }
    i_ += 2;
  }

  void char_class() {
    const std::size_t start = i_;
    ++i_;
    const bool negated = at(0, '^');
    if (negated) ++i_;
    if (at(0, ']')) {
      // ECMA: [] matches nothing and [^] any code point; RE2 would take ] as a member.
      out_ += negated ? R"([\x00-\x{10FFFF}])" : R"([^\x00-\x{10FFFF}])";
      ++i_;
      return;
    }
    out_ += negated ? "[^" : "[";
    while (true) {
      if (i_ >= p_.size()) unsupported("unterminated character class at offset " + std::to_string(start));
      const char c = p_[i_];
      if (c == ']') break;
      if (c == '\\') {
        escape(true);
      } else if (c == '[') {
        out_ += "\\[";
        ++i_;
      } else {
        out_ += c;
        ++i_;
      }
    }
    out_ += ']';
    ++i_;
  }

  std::string_view p_;
  std::size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::string ecma_to_re2(std::string_view ecma_pattern) { return Translator(ecma_pattern).run(); }

EcmaRegex::EcmaRegex(std::string_view ecma_pattern) : translated_(ecma_to_re2(ecma_pattern)) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is reported to the caller, not on stderr
  options.set_encoding(RE2::Options::EncodingUTF8);
  re_ = std::make_unique<re2::RE2>(translated_, options);
  if (!re_->ok()) throw std::invalid_argument(re_->error());
}

EcmaRegex::~EcmaRegex() = default;

bool EcmaRegex::search(std::string_view text) const { return RE2::PartialMatch(text, *re_); }

bool EcmaRegex::full_match(std::string_view text) const { return RE2::FullMatch(text, *re_); }

}  // namespace weft::detail
