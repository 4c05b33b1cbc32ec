// SPDX-License-Identifier: MIT
#pragma once
// Text banks of the seeded data: names, domains, pages, and conversation scripts by kind
// (spam, bot, bug report, sales question, resolved case with its operator solution, injection).

#include <string>
#include <vector>

namespace weft::sandbox::crisp::detail::seed_text {

struct Script {
  std::string topic;
  std::vector<std::string> visitor;    // visitor lines, in order
  std::vector<std::string> operator_;  // operator lines, interleaved after each visitor line
};

const std::vector<std::string>& first_names();
const std::vector<std::string>& last_names();
const std::vector<std::string>& enterprise_domains();  // company email domains
const std::vector<std::string>& company_names();       // same order as enterprise_domains()
const std::vector<std::string>& free_mail_domains();
struct Page {
  std::string title;
  std::string url_path;
};
const std::vector<Page>& pages();  // pricing and docs pages of the seeded product
struct Place {
  std::string city, region, country;
  double latitude, longitude;
  int timezone;  // minutes offset from UTC, Crisp style (negative east is not assumed)
  std::string locale;
};
const std::vector<Place>& places();
const std::vector<std::string>& user_agents();

const std::vector<std::string>& spam_lines();
const std::vector<std::string>& bot_lines();
const std::vector<Script>& bug_reports();
const std::vector<Script>& sales_questions();
const std::vector<Script>& resolved_cases();  // each with a clear operator solution
const std::vector<Script>& general_questions();
const std::vector<Script>& prompt_injections();

}  // namespace weft::sandbox::crisp::detail::seed_text
