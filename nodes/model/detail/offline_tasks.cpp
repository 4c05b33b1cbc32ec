// SPDX-License-Identifier: MIT
// The OfflineModel's writing tasks: extracting problem and solution from a transcript, a greeting,
// a help-desk article and a reply (offline_model.md); triage is offline_classify.cpp.
#include "nodes/model/detail/offline_tasks.hpp"

#include "nodes/model/detail/offline_text.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace weft::model::detail {

namespace json = boost::json;

namespace {

enum class Speaker { customer, operator_, unknown };

Speaker speaker_of(std::string_view label) {
  const std::string l = lower(trim(label));
  static const std::array<std::string_view, 6> customers = {"user",   "visitor", "customer",
                                                            "client", "contact", "human"};
  static const std::array<std::string_view, 6> operators = {"operator",  "agent", "support",
                                                            "assistant", "staff", "bot"};
  if (std::find(customers.begin(), customers.end(), l) != customers.end()) return Speaker::customer;
  if (std::find(operators.begin(), operators.end(), l) != operators.end()) return Speaker::operator_;
  return Speaker::unknown;
}

bool mentions_any(std::string_view text, std::initializer_list<std::string_view> phrases) {
  const std::string l = lower(text);
  for (auto p : phrases) {
    if (contains_phrase(l, p)) return true;
  }
  return false;
}

}  // namespace

json::object offline_extract(std::string_view transcript) {
  struct Line {
    Speaker speaker;
    std::string text;
  };
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos <= transcript.size()) {
    auto nl = transcript.find('\n', pos);
    if (nl == std::string_view::npos) nl = transcript.size();
    const std::string_view raw = trim(transcript.substr(pos, nl - pos));
    pos = nl + 1;
    if (raw.empty()) continue;
    const auto colon = raw.find(':');
    Speaker speaker = Speaker::unknown;
    std::string_view text = raw;
    if (colon != std::string_view::npos && colon < 24) {
      speaker = speaker_of(raw.substr(0, colon));
      if (speaker != Speaker::unknown) text = trim(raw.substr(colon + 1));
    }
    if (!text.empty()) lines.push_back(Line{speaker, std::string(text)});
  }

  std::string problem;
  std::string solution;
  // Problem: the first customer line that describes a problem or asks; else the first customer line.
  for (const auto& line : lines) {
    if (line.speaker == Speaker::operator_) continue;
    if (line.text.find('?') != std::string::npos ||
        mentions_any(line.text, {"error", "problem", "issue", "can't", "cannot", "not working", "doesn't", "how do",
                                 "how can", "help", "fail"})) {
      problem = line.text;
      break;
    }
  }
  if (problem.empty()) {
    for (const auto& line : lines) {
      if (line.speaker != Speaker::operator_) {
        problem = line.text;
        break;
      }
    }
  }
  // Solution: the last operator line that gives an instruction or a fix; else the last operator line.
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->speaker != Speaker::operator_) continue;
    if (mentions_any(it->text,
                     {"try", "go to", "you can", "click", "enable", "disable", "set", "update", "clear", "restart",
                      "fixed", "resolved", "solution", "should", "need to", "make sure", "open"})) {
      solution = it->text;
      break;
    }
  }
  if (solution.empty()) {
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
      if (it->speaker == Speaker::operator_) {
        solution = it->text;
        break;
      }
    }
  }
  if (problem.empty() && !lines.empty()) problem = lines.front().text;
  if (solution.empty() && lines.size() > 1) solution = lines.back().text;

  std::string title;
  const std::string l = lower(problem);
  for (std::string_view prefix : {"how do i ", "how can i ", "how to "}) {
    if (const auto at = l.find(prefix); at != std::string::npos) {
      std::string rest = first_sentence(std::string_view(problem).substr(at + prefix.size()), 70);
      while (!rest.empty() && (rest.back() == '?' || rest.back() == '.')) rest.pop_back();
      title = "How to " + rest;
      break;
    }
  }
  if (title.empty() && !problem.empty()) title = "Troubleshooting: " + first_sentence(problem, 70);
  if (title.empty()) title = "Untitled article";

  json::object out;
  out["problem"] = problem;
  out["solution"] = solution;
  out["title"] = title;
  return out;
}

std::string offline_greeting(const json::object& metadata) {
  auto get = [&](std::string_view key) -> std::string {
    const auto* v = metadata.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(trim(v->get_string())) : std::string();
  };
  const std::string name = get("name");
  const std::string company = get("company");
  const std::string page = get("page");
  const std::string sender = get("sender");
  const std::string locale = lower(get("locale"));
  std::string out;
  if (locale.rfind("fr", 0) == 0) {
    out = name.empty() ? "Bonjour !" : "Bonjour " + name + " !";
    if (!sender.empty()) out += " Je suis " + sender + ".";
    if (!page.empty()) out += " J'ai vu que vous consultiez la page " + page + ".";
    out += company.empty() ? " Avez-vous des questions sur nos offres ?"
                           : " Avez-vous des questions sur nos offres pour " + company + " ?";
  } else if (locale.rfind("de", 0) == 0) {
    out = name.empty() ? "Hallo!" : "Hallo " + name + "!";
    if (!sender.empty()) out += " Ich bin " + sender + ".";
    if (!page.empty()) out += " Ich habe gesehen, dass Sie sich die Seite " + page + " ansehen.";
    out += company.empty() ? " Haben Sie Fragen zu unseren Angeboten?"
                           : " Haben Sie Fragen zu unseren Angeboten f\xc3\xbcr " + company + "?";
  } else if (locale.rfind("es", 0) == 0) {
    out = name.empty() ? "\xc2\xa1Hola!" : "\xc2\xa1Hola " + name + "!";
    if (!sender.empty()) out += " Soy " + sender + ".";
    if (!page.empty()) out += " Vi que estaba mirando la p\xc3\xa1gina " + page + ".";
    out += company.empty() ? " \xc2\xbFTiene alguna pregunta sobre nuestros planes?"
                           : " \xc2\xbFTiene alguna pregunta sobre nuestros planes para " + company + "?";
  } else {
    out = name.empty() ? "Hi there!" : "Hi " + name + "!";
    if (!sender.empty()) out += " I'm " + sender + ".";
    if (!page.empty()) out += " I noticed you were looking at our " + page + " page.";
    out += company.empty() ? " Any questions about our plans? Happy to help."
                           : " Any questions about our plans for " + company + "? Happy to help.";
  }
  return out;
}

json::object offline_article(std::string_view problem, std::string_view solution, std::string_view title,
                             std::string_view locale) {
  const std::string l = lower(locale);
  const bool fr = l.rfind("fr", 0) == 0;
  std::string heading_problem = fr ? "Probl\xc3\xa8me" : "Problem";
  std::string heading_solution = "Solution";
  std::string shown_title = title.empty() ? first_sentence(problem, 70) : std::string(title);
  if (shown_title.empty()) shown_title = "Untitled article";
  std::string content = "# " + shown_title + "\n\n## " + heading_problem + "\n\n" + std::string(trim(problem)) +
                        "\n\n## " + heading_solution + "\n\n" + std::string(trim(solution)) + "\n";
  json::object out;
  out["title"] = shown_title;
  out["description"] = first_sentence(problem.empty() ? std::string_view(shown_title) : problem, 140);
  out["content"] = content;
  return out;
}

json::object offline_reply(const json::object& metadata) {
  std::size_t articles = 0;
  if (const auto* list = metadata.if_contains("articles"); list != nullptr && list->is_array()) {
    articles = list->get_array().size();
  }
  const auto* locale_value = metadata.if_contains("locale");
  const std::string locale =
      locale_value != nullptr && locale_value->is_string() ? lower(locale_value->get_string()) : std::string();
  const bool fr = locale.rfind("fr", 0) == 0;
  std::string reply;
  if (articles == 0) {
    reply = fr ? "Merci pour votre message ! Un membre de l'\xc3\xa9quipe vous r\xc3\xa9pond ici tr\xc3\xa8s vite."
               : "Thanks for your message! A teammate will get back to you here shortly.";
  } else {
    reply = fr ? "Merci pour votre message ! Ces articles de notre centre d'aide r\xc3\xa9pondent peut-\xc3\xaatre "
                 "\xc3\xa0 "
                 "votre question. Sinon, un membre de l'\xc3\xa9quipe vous r\xc3\xa9pond ici."
               : "Thanks for your message! These articles from our help center may answer your question. If they "
                 "don't, a teammate will follow up here.";
  }
  json::array cited;
  for (std::size_t i = 1; i <= articles; ++i) cited.emplace_back(static_cast<std::int64_t>(i));
  json::object out;
  out["reply"] = reply;
  // A template cannot know whether it answers: never a confidence a policy could trust.
  out["confidence"] = 0;
  out["cited"] = std::move(cited);
  return out;
}

}  // namespace weft::model::detail
