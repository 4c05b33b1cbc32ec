// SPDX-License-Identifier: MIT
#include "graphs/detail/article_ranking.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace json = boost::json;

namespace weft::graphs::detail {
namespace {

// Words too common to say what a question is about.
bool is_stop_word(std::string_view w) {
  static constexpr std::array<std::string_view, 40> kStop = {
      "the",    "and",  "for",    "you",   "your",  "our", "are",   "can",   "how",    "what",
      "why",    "when", "where",  "who",   "does",  "did", "not",   "with",  "this",   "that",
      "have",   "has",  "from",   "but",   "any",   "all", "there", "hello", "thanks", "thank",
      "please", "help", "should", "would", "could", "get", "need",  "want",  "is",     "hi"};
  return std::find(kStop.begin(), kStop.end(), w) != kStop.end();
}

std::set<std::string> words_of(std::string_view text) {
  std::set<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.size() > 4 && word.back() == 's') word.pop_back();
    if (word.size() >= 3 && !is_stop_word(word)) out.insert(word);
    word.clear();
  };
  // Bounded: a question's first few kilobytes say what it is about.
  for (char c : text.substr(0, 4000)) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word += static_cast<char>(std::tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

bool bool_at(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

bool is_public_article(const json::object& item) {
  if (const json::value* state = item.if_contains("state"); state != nullptr && state->is_object()) {
    // Tree knowledge bases: {type: file|folder, state: {published, hidden}}.
    if (string_at(item, "type") == "folder") return false;
    return bool_at(state->as_object(), "published", false) && !bool_at(state->as_object(), "hidden", false);
  }
  // Classic knowledge bases: {status: published|draft, visibility: visible|hidden}.
  return string_at(item, "status") == "published" && string_at(item, "visibility") != "hidden";
}

std::vector<std::size_t> rank_by_title(std::string_view question, const std::vector<std::string>& titles,
                                       std::size_t limit) {
  const std::set<std::string> asked = words_of(question);
  std::vector<std::pair<std::size_t, std::size_t>> scored;  // (shared words, index)
  for (std::size_t i = 0; i < titles.size(); ++i) {
    std::size_t shared = 0;
    for (const auto& w : words_of(titles[i])) shared += asked.count(w);
    if (shared > 0) scored.emplace_back(shared, i);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < limit; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace weft::graphs::detail
