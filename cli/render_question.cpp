// SPDX-License-Identifier: MIT
#include "cli/render_question.hpp"

#include "cli/progress.hpp"
#include "cli/status_line.hpp"

#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::cli {

namespace {

constexpr std::size_t kWidth = 76;

std::string member(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? printable(std::string(v->as_string()), true) : std::string();
}

void render_article(std::ostream& out, const json::object& a) {
  out << "\n    # " << printable(member(a, "title")) << "\n";
  if (std::string d = member(a, "description"); !d.empty()) out << "\n" << wrap(d, kWidth, "    ") << "\n";
  out << "\n" << wrap(member(a, "content"), kWidth, "    ") << "\n";
  std::string from = member(a, "source_session_id");
  std::string locale = member(a, "locale");
  std::string model = member(a, "model");
  out << "\n    (locale " << (locale.empty() ? "?" : locale) << (from.empty() ? "" : ", learnt from " + from)
      << (model.empty() ? "" : ", drafted by " + model) << ")\n";
}

void render_greeting(std::ostream& out, const json::object& v) {
  std::string who = member(v, "nickname");
  if (std::string email = member(v, "email"); !email.empty()) who += (who.empty() ? "" : " ") + ("<" + email + ">");
  if (std::string company = member(v, "company"); !company.empty()) who += " at " + company;
  std::string page = member(v, "page_title");
  if (std::string url = member(v, "page_url"); !url.empty()) page += (page.empty() ? "" : " ") + ("(" + url + ")");
  out << "\n    To " << printable(who.empty() ? member(v, "session_id") : who)
      << (page.empty() ? "" : ", on " + printable(page)) << "; the visitor will see:\n\n";
  out << wrap(member(v, "greeting"), kWidth - 4, "    | ") << "\n";
}

void render_fields(std::ostream& out, const json::object& subject) {
  for (const auto& [key, value] : subject) {
    std::string text = value.is_string() ? printable(std::string(value.as_string())) : json::serialize(value);
    out << "    " << std::string(key) << ": " << truncate(printable(text), 300) << "\n";
  }
}

// The answers a question accepts, as --resume JSON: from its answer_examples, in its choices' order.
std::vector<std::string> answers_of(const json::object& question) {
  std::vector<std::string> answers;
  const json::object* examples = nullptr;
  if (auto* e = question.if_contains("answer_examples"); e && e->is_object()) examples = &e->as_object();
  if (auto* choices = question.if_contains("choices"); choices && choices->is_array() && examples) {
    for (const auto& choice : choices->as_array()) {
      if (!choice.is_string()) continue;
      if (auto* example = examples->if_contains(choice.as_string()); example && example->is_string()) {
        answers.emplace_back(example->as_string());
      }
    }
  }
  return answers;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  bool safe = !text.empty();
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == '/' || c == ':' || c == '@' || c == '+' || c == ',' || c == '=';
    if (!ok) safe = false;
  }
  if (safe) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string wrap(const std::string& text, std::size_t width, const std::string& indent) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view paragraph(text.data() + start, end - start);
    std::string line;
    std::size_t columns = 0;
    std::size_t i = 0;
    auto flush = [&] {
      out += indent + line + "\n";
      line.clear();
      columns = 0;
    };
    if (paragraph.empty()) flush();
    while (i < paragraph.size()) {
      std::size_t space = paragraph.find(' ', i);
      if (space == std::string_view::npos) space = paragraph.size();
      std::string_view word = paragraph.substr(i, space - i);
      std::size_t word_columns = 0;
      for (char c : word) word_columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      if (columns > 0 && columns + 1 + word_columns > width) flush();
      if (columns > 0) {
        line += ' ';
        ++columns;
      }
      line += word;
      columns += word_columns;
      i = space + 1;
    }
    if (!line.empty()) flush();
    if (end == text.size()) break;
    start = end + 1;
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void render_questions(std::ostream& out, const std::vector<Interrupt>& interrupts, const std::string& thread_id,
                      const std::string& graph) {
  out << "Waiting for a human on thread " << printable(thread_id) << " (" << graph << "):\n";
  const std::string resume = "weft resume " + shell_quote(thread_id) + " --resume ";
  for (const auto& i : interrupts) {
    const json::object* question = i.value.if_object();
    const json::object* subject = nullptr;
    if (question) {
      if (auto* s = question->if_contains("subject"); s && s->is_object()) subject = &s->as_object();
    }
    std::string title = question ? member(*question, "question") : std::string();
    out << "\n  [" << i.node << "] " << (title.empty() ? std::string("a question") : title) << "\n";
    if (subject && subject->contains("title") && subject->contains("content")) {
      render_article(out, *subject);
    } else if (subject && subject->contains("greeting")) {
      render_greeting(out, *subject);
    } else if (subject) {
      render_fields(out, *subject);
    } else if (!i.value.is_null()) {
      out << "    " << truncate(json::serialize(i.value), 600) << "\n";
    }
    if (question) {
      if (std::string problem = member(*question, "previous_answer_problem"); !problem.empty()) {
        out << "\n    (the previous answer was not accepted: " << printable(problem) << ")\n";
      }
    }
    std::vector<std::string> answers = question ? answers_of(*question) : std::vector<std::string>{};
    if (answers.empty()) answers.emplace_back("null");
    out << "\n  Answer with one of:\n";
    for (const auto& answer : answers) {
      // Several pending questions are answered together as {interrupt_id: answer}.
      std::string json_answer = interrupts.size() > 1 ? "{\"" + i.id + "\":" + answer + "}" : answer;
      out << "    " << resume << shell_quote(json_answer) << "\n";
    }
  }
}

}  // namespace weft::cli
