// SPDX-License-Identifier: MIT
// Plain-text helpers of the OfflineModel's tasks: case, whitespace, phrases, sentences.
#include "nodes/model/detail/offline_text.hpp"

#include <cctype>

namespace weft::model::detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool contains_phrase(std::string_view text, std::string_view phrase) {
  std::size_t pos = 0;
  while ((pos = text.find(phrase, pos)) != std::string_view::npos) {
    const bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
    const std::size_t end = pos + phrase.size();
    const bool right = end >= text.size() || !std::isalnum(static_cast<unsigned char>(text[end])) ||
                       !std::isalnum(static_cast<unsigned char>(phrase.back()));
    if (left && right) return true;
    pos += 1;
  }
  return false;
}

std::string first_sentence(std::string_view text, std::size_t limit) {
  text = trim(text);
  std::size_t end = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' || text[i] == '?' || text[i] == '!' || text[i] == '\n') {
      end = i + (text[i] == '\n' ? 0 : 1);
      break;
    }
  }
  std::string out(trim(text.substr(0, end)));
  if (out.size() > limit) {
    out = out.substr(0, limit);
    if (const auto space = out.rfind(' '); space != std::string::npos && space > limit / 2) out.resize(space);
    out += "...";
  }
  return out;
}

}  // namespace weft::model::detail
