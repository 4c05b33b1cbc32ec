// SPDX-License-Identifier: MIT
// The sandbox's seeded world: the websites, operators, inboxes, conversations, people, helpdesks
// and campaigns generate_world() builds from a seed. Over 400 lines on purpose: it is data (one
// builder per record kind, then make_site's long literal list of records), read top to bottom
// and changed by adding records; splitting it would scatter one world over several files.
#include "sandbox/crisp/detail/seed_data.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>

#include <boost/json/array.hpp>

#include "sandbox/crisp/detail/ids.hpp"
#include "sandbox/crisp/detail/prng.hpp"
#include "sandbox/crisp/detail/seed_text.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;
namespace st = seed_text;

std::string slugify(std::string_view title) {
  std::string out;
  bool dash = false;
  for (const char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
      dash = false;
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
      dash = false;
    } else if (u < 0x80 && !out.empty() && !dash) {
      out.push_back('-');
      dash = true;
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "untitled" : out;
}

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

struct Person {
  std::string first, last, nickname, email, company, company_domain;
  bool enterprise = false;
  st::Place place;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::string uuid() { return make_uuid(rng_); }

  Person person(bool enterprise) {
    Person p;
    p.first = rng_.pick(st::first_names());
    p.last = rng_.pick(st::last_names());
    p.nickname = p.first + " " + p.last;
    p.enterprise = enterprise;
    std::string local = slugify(p.first) + "." + slugify(p.last);
    if (enterprise) {
      const auto i =
          static_cast<std::size_t>(rng_.between(0, static_cast<std::int64_t>(st::enterprise_domains().size()) - 1));
      p.company = st::company_names()[i];
      p.company_domain = st::enterprise_domains()[i];
      p.email = local + "@" + p.company_domain;
    } else {
      p.email = local + std::to_string(rng_.between(1, 99)) + "@" + rng_.pick(st::free_mail_domains());
    }
    p.place = rng_.pick(st::places());
    return p;
  }

  json::object message(const std::string& sid, const std::string& wid, const std::string& from, const std::string& text,
                       std::int64_t ts, const json::object& user, bool read) {
    json::object m;
    m["session_id"] = sid;
    m["website_id"] = wid;
    m["type"] = "text";
    m["from"] = from;
    m["origin"] = "chat";
    m["content"] = text;
    m["fingerprint"] = make_fingerprint(rng_);
    m["timestamp"] = ts;
    m["user"] = user;
    m["read"] = read ? "chat" : "";
    m["delivered"] = "chat";
    m["mentions"] = json::array();
    m["preview"] = json::array();
    m["stamped"] = true;
    m["edited"] = false;
    m["translated"] = false;
    m["automated"] = false;
    return m;
  }

  Prng& rng() { return rng_; }

 private:
  Prng rng_;
};

json::object visitor_user(const Person& p) {
  json::object u;
  u["type"] = "participant";
  u["nickname"] = p.nickname;
  u["avatar"] = "";
  return u;
}

json::object operator_user(const json::object& op) {
  json::object u;
  u["type"] = "website";
  u["user_id"] = op.at("details").at("user_id");
  u["nickname"] = std::string(op.at("details").at("first_name").as_string()) + " " +
                  std::string(op.at("details").at("last_name").as_string());
  u["avatar"] = "";
  return u;
}

json::object make_meta(Generator& g, const Person& p, const std::string& subject, json::array segments) {
  json::object meta;
  meta["nickname"] = p.nickname;
  meta["email"] = p.email;
  meta["phone"] = "";
  meta["address"] = "";
  meta["subject"] = subject;
  char ip[32];
  std::snprintf(ip, sizeof ip, "%d.%d.%d.%d", static_cast<int>(g.rng().between(11, 223)),
                static_cast<int>(g.rng().between(0, 255)), static_cast<int>(g.rng().between(0, 255)),
                static_cast<int>(g.rng().between(1, 254)));
  meta["ip"] = ip;
  meta["avatar"] = "";
  meta["origin"] = "chat";
  meta["segments"] = std::move(segments);
  json::object data;
  if (p.enterprise) {
    data["company"] = p.company;
    data["plan"] = g.rng().chance(50) ? "business" : "trial";
  } else {
    data["plan"] = g.rng().chance(30) ? "starter" : "free";
  }
  meta["data"] = std::move(data);
  json::object geo;
  geo["country"] = p.place.country;
  geo["region"] = p.place.region;
  geo["city"] = p.place.city;
  json::object coords;
  coords["latitude"] = p.place.latitude;
  coords["longitude"] = p.place.longitude;
  geo["coordinates"] = std::move(coords);
  json::object device;
  device["geolocation"] = std::move(geo);
  device["timezone"] = p.place.timezone;
  json::array locales;
  locales.emplace_back(p.place.locale);
  device["locales"] = std::move(locales);
  meta["device"] = std::move(device);
  return meta;
}

struct ConversationSpec {
  Person person;
  std::string topic;
  std::vector<std::pair<std::string, std::string>> lines;  // (from, text)
  std::string state;                                       // pending | unresolved | resolved
  json::value inbox_id;                                    // null = default inbox
  const json::object* op = nullptr;                        // operator who answers / is assigned
  json::array segments;
  std::int64_t start = 0;
  bool all_read = false;
  bool automated_visitor = false;
};

int status_of(std::string_view state) { return state == "pending" ? 0 : state == "unresolved" ? 1 : 2; }

// Adds one conversation and its messages to `site`; returns its session id.
std::string add_conversation(Generator& g, json::object& site, ConversationSpec spec) {
  const std::string wid(site.at("website_id").as_string());
  const std::string sid = make_session_id(g.rng());
  json::array msgs;
  std::int64_t ts = spec.start;
  const json::object vuser = visitor_user(spec.person);
  const json::object ouser = spec.op != nullptr ? operator_user(*spec.op) : json::object();
  // Messages after the last operator line are unread by operators unless all_read.
  std::size_t last_operator = 0;
  for (std::size_t i = 0; i < spec.lines.size(); ++i) {
    if (spec.lines[i].first == "operator") last_operator = i + 1;
  }
  int unread_operator = 0;
  std::int64_t waiting_since = 0;
  for (std::size_t i = 0; i < spec.lines.size(); ++i) {
    const auto& [from, text] = spec.lines[i];
    ts += g.rng().between(30'000, 25 * kMinute);
    const bool is_user = from == "user";
    const bool read = !is_user || spec.all_read || i < last_operator;
    if (is_user && !read) ++unread_operator;
    if (is_user && waiting_since == 0 && i >= last_operator) waiting_since = ts;
    auto m = g.message(sid, wid, from, text, ts, is_user ? vuser : ouser, read);
    if (is_user && spec.automated_visitor) m["automated"] = true;
    msgs.emplace_back(std::move(m));
  }
  json::object c;
  c["session_id"] = sid;
  c["website_id"] = wid;
  c["inbox_id"] = spec.inbox_id;
  c["people_id"] = nullptr;
  c["state"] = spec.state;
  c["status"] = status_of(spec.state);
  c["is_verified"] = false;
  c["is_blocked"] = false;
  c["availability"] = g.rng().chance(30) ? "online" : "offline";
  json::object active;
  active["now"] = false;
  active["last"] = ts;
  c["active"] = std::move(active);
  if (!msgs.empty()) {
    const auto& last = msgs.back().as_object();
    c["last_message"] = last.at("content");
    json::object preview;
    preview["type"] = "text";
    preview["from"] = last.at("from");
    std::string excerpt(last.at("content").as_string());
    if (excerpt.size() > 120) excerpt = excerpt.substr(0, 117) + "...";
    preview["excerpt"] = excerpt;
    preview["fingerprint"] = last.at("fingerprint");
    c["preview_message"] = std::move(preview);
  } else {
    c["last_message"] = "";
  }
  c["topic"] = spec.topic;
  c["verifications"] = json::array();
  c["participants"] = json::array();
  c["mentions"] = json::array();
  c["compose"] = json::object();
  json::object unread;
  unread["operator"] = spec.state == "resolved" ? 0 : unread_operator;
  unread["visitor"] = 0;
  c["unread"] = std::move(unread);
  if (spec.op != nullptr) {
    json::object assigned;
    assigned["user_id"] = spec.op->at("details").at("user_id");
    c["assigned"] = std::move(assigned);
  }
  c["meta"] = make_meta(g, spec.person, spec.topic, std::move(spec.segments));
  c["created_at"] = spec.start;
  c["updated_at"] = ts;
  c["waiting_since"] = waiting_since;
  site["conversations"].as_object()[sid] = std::move(c);
  site["messages"].as_object()[sid] = std::move(msgs);
  return sid;
}

json::object make_operator(Generator& g, const std::string& first, const std::string& last, const std::string& email,
                           const std::string& role, const std::string& title, const std::string& availability) {
  json::object details;
  details["user_id"] = g.uuid();
  details["email"] = email;
  details["avatar"] = "";
  details["first_name"] = first;
  details["last_name"] = last;
  details["role"] = role;
  details["title"] = title;
  details["availability"] = availability;
  details["has_token"] = false;
  details["timestamp"] = kSeedAnchorMs - 200 * kDay;
  json::object op;
  op["type"] = "operator";
  op["details"] = std::move(details);
  return op;
}

json::object make_inbox(Generator& g, const std::string& name, const std::string& emoji, int order,
                        json::array operators, json::array conditions) {
  json::object inbox;
  inbox["inbox_id"] = g.uuid();
  inbox["name"] = name;
  inbox["emoji"] = emoji;
  inbox["order"] = order;
  inbox["operators"] = std::move(operators);
  inbox["conditions"] = std::move(conditions);
  inbox["operator"] = "or";
  inbox["teams"] = json::array();
  inbox["team_operators"] = json::array();
  inbox["created_at"] = kSeedAnchorMs - 150 * kDay;
  inbox["updated_at"] = kSeedAnchorMs - 20 * kDay;
  return inbox;
}

json::object condition(const std::string& criterion, const std::string& op, const std::string& query) {
  json::object c;
  c["model"] = "session";
  c["criterion"] = criterion;
  c["operator"] = op;
  json::array q;
  q.emplace_back(query);
  c["query"] = std::move(q);
  return c;
}

struct ArticleSeed {
  std::string locale, content_type, folder, title, description, body;
  bool published, hidden, featured;
};

const std::vector<ArticleSeed>& article_seeds() {
  static const std::vector<ArticleSeed> v{
      {"en", "articles", "getting-started", "Install the chat widget", "Add the chatbox to any website in two minutes",
       "# Install the chat widget\n\nPaste the snippet from **Settings → Widget** before `</body>`.\n\n"
       "For single-page apps (React, Next.js), load it once in the root layout.",
       true, false, true},
      {"en", "articles", "getting-started", "Route conversations to inboxes",
       "Send each conversation to the right team",
       "# Route conversations to inboxes\n\nCreate inboxes in **Settings → Inboxes** and add routing rules on "
       "segments, "
       "email domain or page URL.",
       true, false, false},
      {"en", "articles", "billing", "Change your plan", "Upgrade, downgrade or switch to annual billing",
       "# Change your plan\n\nGo to **Billing → Plan**. Upgrades apply at once and are prorated; downgrades apply at "
       "the next "
       "renewal.",
       true, false, false},
      {"en", "articles", "billing", "Download invoices", "Where to find invoices and receipts",
       "# Download invoices\n\nAll invoices are in **Billing → Invoices** as PDF.", true, false, false},
      {"en", "articles", "troubleshooting", "Widget is not loading", "Checks when the chatbox does not appear",
       "# Widget is not loading\n\n1. Check that the website id in the snippet matches your workspace.\n"
       "2. Disable ad blockers.\n3. Check the browser console for CSP errors: allow `client.acme-cloud.io`.",
       true, false, false},
      {"en", "articles", "troubleshooting", "Webhooks are failing", "Diagnose webhook delivery errors",
       "# Webhooks are failing\n\nDeliveries are retried 5 times with exponential backoff. See **Settings → Webhooks → "
       "Logs**.",
       false, false, false},
      {"en", "articles", "", "Frequently asked questions", "Short answers to common questions",
       "# FAQ\n\n**Is there a free plan?** Yes, for one operator.\n\n**Can I cancel anytime?** Yes.", true, false,
       false},
      {"en", "articles", "internal", "Escalation policy (internal)", "How support escalates to engineering",
       "# Escalation policy\n\nP1: page the on-call engineer. P2: Engineering inbox within 4 hours.", true, true,
       false},
      {"en", "guides", "", "Set up SAML SSO with Okta", "Step-by-step SSO guide",
       "# Set up SAML SSO with Okta\n\nCreate a SAML app in Okta with ACS URL "
       "`https://app.acme-cloud.io/sso/saml/acs`.",
       true, false, false},
      {"fr", "articles", "premiers-pas", "Installer le widget de chat", "Ajouter la chatbox à votre site",
       "# Installer le widget\n\nCollez le code de **Paramètres → Widget** avant `</body>`.", true, false, false},
      {"fr", "articles", "facturation", "Changer d'offre", "Passer à une offre supérieure",
       "# Changer d'offre\n\nRendez-vous dans **Facturation → Offre**.", true, false, false},
      {"fr", "articles", "", "Questions fréquentes", "Réponses courtes",
       "# FAQ\n\n**Puis-je résilier ?** Oui, à tout moment.", false, false, false}};
  return v;
}

json::object make_entry(Generator& g, const std::string& locale, const std::string& type, const std::string& path,
                        const std::string& kind, const std::string& title, const std::string& description,
                        const std::string& body, bool published, bool hidden, bool featured, int order,
                        const std::string& author) {
  json::object e;
  e["entry_id"] = g.uuid();
  e["locale"] = locale;
  e["content_type"] = type;
  e["tree_path"] = path;
  e["kind"] = kind;
  e["title"] = title;
  e["description"] = description;
  e["content"] = body;
  e["published"] = published;
  e["hidden"] = hidden;
  e["featured"] = featured;
  e["order"] = order;
  e["visits"] = kind == "file" ? g.rng().between(0, 4000) : 0;
  e["format"] = "markdown";
  e["color"] = "";
  e["image"] = "";
  e["author"] = author;
  const std::int64_t created = kSeedAnchorMs - g.rng().between(30, 300) * kDay;
  e["created_at"] = created;
  e["updated_at"] = created + g.rng().between(0, 20) * kDay;
  e["published_at"] = published ? json::value(created + kDay) : json::value();
  return e;
}

json::object make_helpdesk(Generator& g, const std::string& name, const std::string& domain, const std::string& author,
                           bool full) {
  json::object hd;
  hd["name"] = name;
  hd["url"] = "https://help." + domain;
  json::object locales;
  for (const std::string loc : {"en", "fr"}) {
    if (!full && loc == "fr") continue;
    json::object l;
    l["locale_id"] = g.uuid();
    l["locale"] = loc;
    l["url"] = "https://help." + domain + "/" + loc + "/";
    l["created_at"] = kSeedAnchorMs - 300 * kDay;
    locales[loc] = std::move(l);
  }
  hd["locales"] = std::move(locales);
  json::array entries;
  int order = 1;
  std::vector<std::string> folders;
  for (const auto& a : article_seeds()) {
    if (!full && a.locale != "en") continue;
    if (!full && order > 2) break;
    if (!a.folder.empty()) {
      const std::string key = a.locale + "/" + a.content_type + "/" + a.folder;
      if (std::find(folders.begin(), folders.end(), key) == folders.end()) {
        folders.push_back(key);
        std::string folder_title = a.folder;
        folder_title[0] = static_cast<char>(folder_title[0] - 'a' + 'A');
        for (auto& ch : folder_title) ch = ch == '-' ? ' ' : ch;
        entries.emplace_back(make_entry(g, a.locale, a.content_type, a.folder, "folder", folder_title, "", "", true,
                                        false, false, static_cast<int>(folders.size()), author));
      }
    }
    const std::string file = slugify(a.title) + ".md";
    const std::string path = a.folder.empty() ? file : a.folder + "/" + file;
    entries.emplace_back(make_entry(g, a.locale, a.content_type, path, "file", a.title, a.description, a.body,
                                    a.published, a.hidden, a.featured, order++, author));
  }
  hd["entries"] = std::move(entries);
  hd["history"] = json::array();
  return hd;
}

json::object make_campaign(Generator& g, const std::string& name, const std::string& type, const std::string& tag,
                           bool ready, bool dispatched, bool running, int progress, const std::string& sender,
                           int targets) {
  json::object c;
  c["campaign_id"] = g.uuid();
  c["type"] = type;
  c["format"] = "markdown";
  c["name"] = name;
  c["subject"] = name;
  c["tag"] = tag;
  c["ready"] = ready;
  c["dispatched"] = dispatched;
  c["running"] = running;
  c["progress"] = progress;
  c["targets"] = targets;
  c["reached"] = targets * progress / 100;
  const std::int64_t created = kSeedAnchorMs - g.rng().between(5, 90) * kDay;
  c["created_at"] = created;
  c["updated_at"] = created + kDay;
  c["dispatched_at"] = dispatched ? json::value(created + 2 * kDay) : json::value();
  json::object s;
  s["user_id"] = sender;
  c["sender"] = std::move(s);
  json::object recipients;
  recipients["type"] = "segment";
  json::array segs;
  segs.emplace_back(tag);
  recipients["segments"] = std::move(segs);
  recipients["people"] = json::array();
  recipients["filter"] = json::array();
  c["recipients"] = std::move(recipients);
  c["message"] = "Hello {{ user.nickname | default: \"there\" }}, " + name + ".";
  json::object stats;
  stats["opened"] = targets * progress / 300;
  stats["clicked"] = targets * progress / 1000;
  stats["unsubscribed"] = progress > 0 ? 2 : 0;
  c["statistics"] = std::move(stats);
  return c;
}

json::object make_person_profile(Generator& g, const Person& p, std::int64_t created, json::array segments) {
  json::object prof;
  prof["people_id"] = g.uuid();
  prof["email"] = p.email;
  json::object person;
  person["nickname"] = p.nickname;
  person["avatar"] = "";
  person["gender"] = "";
  person["phone"] = "";
  person["address"] = "";
  person["description"] = "";
  person["website"] = p.enterprise ? "https://" + p.company_domain : "";
  person["timezone"] = p.place.timezone;
  person["profiles"] = json::array();
  if (p.enterprise) {
    json::object emp;
    emp["name"] = p.company;
    emp["domain"] = p.company_domain;
    emp["title"] = g.rng().pick(
        std::vector<std::string>{"CTO", "Head of Support", "Engineering Manager", "Procurement Lead", "Developer"});
    emp["role"] = "engineering";
    emp["seniority"] = "manager";
    person["employment"] = std::move(emp);
  }
  json::object geo;
  geo["country"] = p.place.country;
  geo["region"] = p.place.region;
  geo["city"] = p.place.city;
  person["geolocation"] = std::move(geo);
  json::array locales;
  locales.emplace_back(p.place.locale);
  person["locales"] = std::move(locales);
  prof["person"] = std::move(person);
  if (p.enterprise) {
    json::object company;
    company["name"] = p.company;
    company["domain"] = p.company_domain;
    company["url"] = "https://" + p.company_domain;
    prof["company"] = std::move(company);
  }
  prof["segments"] = std::move(segments);
  prof["notepad"] = "";
  json::object active;
  active["now"] = false;
  active["last"] = created + g.rng().between(0, 10) * kDay;
  prof["active"] = std::move(active);
  prof["score"] = g.rng().between(0, 100);
  prof["created_at"] = created;
  prof["updated_at"] = created;
  return prof;
}

json::array segs(std::initializer_list<const char*> names) {
  json::array a;
  for (const char* n : names) a.emplace_back(n);
  return a;
}

json::object make_site(Generator& g, const std::string& wid, const std::string& name, const std::string& domain,
                       const std::string& mode, bool full) {
  json::object site;
  site["website_id"] = wid;
  site["name"] = name;
  site["domain"] = domain;
  site["helpdesk_mode"] = mode;
  site["conversations"] = json::object();
  site["messages"] = json::object();
  site["reports"] = json::object();

  json::array ops;
  ops.emplace_back(make_operator(g, "Sam", "Carter", "sam@" + domain, "owner", "Head of Support", "online"));
  ops.emplace_back(make_operator(g, "Lena", "Fischer", "lena@" + domain, "member", "Support Engineer", "online"));
  ops.emplace_back(make_operator(g, "Marco", "Bianchi", "marco@" + domain, "member", "Account Executive", "away"));
  ops.emplace_back(make_operator(g, "Aiko", "Tanaka", "aiko@" + domain, "member", "Customer Success", "offline"));
  ops.emplace_back(make_operator(g, "Noah", "Dupont", "noah@" + domain, "member", "Developer Advocate", "online"));
  const json::object& sam = ops[0].as_object();
  const json::object& lena = ops[1].as_object();
  const json::object& marco = ops[2].as_object();
  const json::object& aiko = ops[3].as_object();
  auto uid = [](const json::object& op) { return op.at("details").at("user_id"); };

  json::array inboxes;
  {
    json::array o1, o2, o3, o4;
    o1.push_back(uid(lena));
    o1.push_back(uid(ops[4].as_object()));
    json::array c1;
    c1.emplace_back(condition("segments", "eq", "bug"));
    inboxes.emplace_back(make_inbox(g, "Engineering", "🛠️", 1, std::move(o1), std::move(c1)));
    o2.push_back(uid(marco));
    json::array c2;
    c2.emplace_back(condition("segments", "eq", "lead"));
    inboxes.emplace_back(make_inbox(g, "Sales", "💼", 2, std::move(o2), std::move(c2)));
    o3.push_back(uid(sam));
    o3.push_back(uid(aiko));
    inboxes.emplace_back(make_inbox(g, "Billing", "💳", 3, std::move(o3), json::array()));
    o4.push_back(uid(sam));
    inboxes.emplace_back(make_inbox(g, "Trust & Safety", "🛡️", 4, std::move(o4), json::array()));
  }
  const json::value engineering = inboxes[0].at("inbox_id");
  const json::value sales = inboxes[1].at("inbox_id");
  const json::value billing = inboxes[2].at("inbox_id");

  std::vector<std::pair<Person, std::string>> profiled;  // people with a conversation, and their segment
  std::int64_t clock = kSeedAnchorMs - 45 * kDay;
  auto next_start = [&] {
    clock += g.rng().between(2 * kHour, 14 * kHour);
    return clock;
  };
  auto script_lines = [](const st::Script& s, bool answered) {
    std::vector<std::pair<std::string, std::string>> lines;
    for (std::size_t i = 0; i < s.visitor.size(); ++i) {
      lines.emplace_back("user", s.visitor[i]);
      if (answered && i < s.operator_.size()) lines.emplace_back("operator", s.operator_[i]);
    }
    return lines;
  };

  const int copies = full ? 2 : 1;
  std::vector<std::function<void()>> makers;
  // Spam and bot conversations: obvious, unread, in the default inbox.
  if (full) {
    for (const auto& line : st::spam_lines()) {
      makers.emplace_back([&, line] {
        ConversationSpec s;
        s.person = g.person(false);
        s.topic = "";
        s.lines = {{"user", line}};
        if (g.rng().chance(40)) s.lines.emplace_back("user", line);
        s.state = "pending";
        s.inbox_id = nullptr;
        s.start = next_start();
        add_conversation(g, site, std::move(s));
      });
    }
    for (const auto& line : st::bot_lines()) {
      makers.emplace_back([&, line] {
        ConversationSpec s;
        s.person = g.person(false);
        s.person.nickname = "visitor" + std::to_string(g.rng().between(1000, 9999));
        s.lines = {{"user", line}, {"user", line}, {"user", line}};
        s.state = "pending";
        s.inbox_id = nullptr;
        s.automated_visitor = true;
        s.start = next_start();
        add_conversation(g, site, std::move(s));
      });
    }
  }
  for (int copy = 0; copy < copies; ++copy) {
    for (const auto& script : st::bug_reports()) {
      makers.emplace_back([&, script] {
        ConversationSpec s;
        s.person = g.person(g.rng().chance(70));
        s.topic = script.topic;
        const bool answered = !script.operator_.empty();
        s.lines = script_lines(script, answered);
        s.state = answered ? "unresolved" : "pending";
        s.inbox_id = g.rng().chance(70) ? engineering : json::value();
        s.op = answered ? &lena : nullptr;
        s.segments = segs({"bug"});
        s.start = next_start();
        profiled.emplace_back(s.person, "bug");
        add_conversation(g, site, std::move(s));
      });
    }
    for (const auto& script : st::sales_questions()) {
      makers.emplace_back([&, script] {
        ConversationSpec s;
        s.person = g.person(g.rng().chance(80));
        s.topic = script.topic;
        const bool answered = !script.operator_.empty();
        s.lines = script_lines(script, answered);
        s.state = answered ? "unresolved" : "pending";
        s.inbox_id = sales;
        s.op = answered ? &marco : nullptr;
        s.segments = segs({"lead", "pricing"});
        s.start = next_start();
        profiled.emplace_back(s.person, "lead");
        add_conversation(g, site, std::move(s));
      });
    }
    for (const auto& script : st::resolved_cases()) {
      makers.emplace_back([&, script] {
        ConversationSpec s;
        s.person = g.person(g.rng().chance(50));
        s.topic = script.topic;
        s.lines = script_lines(script, true);
        s.lines.emplace_back("user", g.rng().pick(std::vector<std::string>{
                                         "That worked, thank you!", "Perfect, fixed now. Thanks a lot.",
                                         "Great, all good on our side.", "Thanks, solved!"}));
        s.state = "resolved";
        s.inbox_id = g.rng().chance(50) ? engineering : json::value();
        s.op = g.rng().chance(50) ? &lena : &aiko;
        s.segments = segs({"support"});
        s.all_read = true;
        s.start = next_start();
        profiled.emplace_back(s.person, "support");
        add_conversation(g, site, std::move(s));
      });
    }
    for (const auto& script : st::general_questions()) {
      makers.emplace_back([&, script] {
        ConversationSpec s;
        s.person = g.person(g.rng().chance(40));
        s.topic = script.topic;
        const bool answered = !script.operator_.empty();
        s.lines = script_lines(script, answered);
        s.state = answered ? (g.rng().chance(50) ? "resolved" : "unresolved") : "pending";
        s.all_read = s.state == "resolved";
        s.inbox_id = script.topic == "Refund request" ? billing : json::value();
        s.op = answered ? &aiko : nullptr;
        s.start = next_start();
        profiled.emplace_back(s.person, "customer");
        add_conversation(g, site, std::move(s));
      });
    }
  }
  if (full) {
    for (const auto& script : st::prompt_injections()) {
      makers.emplace_back([&, script] {
        ConversationSpec s;
        s.person = g.person(false);
        s.topic = script.topic;
        s.lines = script_lines(script, false);
        s.state = "pending";
        s.inbox_id = nullptr;
        s.start = next_start();
        add_conversation(g, site, std::move(s));
      });
    }
    // One long technical thread (95 messages) for paging messages backwards.
    makers.emplace_back([&] {
      ConversationSpec s;
      s.person = g.person(true);
      s.topic = "Webhook integration debugging";
      for (int i = 1; i <= 95; ++i) {
        if (i % 2 == 1) {
          s.lines.emplace_back("user", "Attempt " + std::to_string((i + 1) / 2) + ": delivery to https://hooks." +
                                           s.person.company_domain + "/acme failed with status " +
                                           std::to_string(g.rng().pick(std::vector<int>{401, 408, 500, 502})) + ".");
        } else {
          s.lines.emplace_back("operator", "Noted attempt " + std::to_string(i / 2) + ". Retry id " +
                                               std::to_string(g.rng().between(10000, 99999)) +
                                               ". Please check the signature and the timeout of your endpoint.");
        }
      }
      s.state = "unresolved";
      s.inbox_id = engineering;
      s.op = &lena;
      s.segments = segs({"bug", "webhooks"});
      s.start = next_start();
      profiled.emplace_back(s.person, "bug");
      add_conversation(g, site, std::move(s));
    });
    // Conversations with no message (listed only with include_empty=1).
    for (int i = 0; i < 3; ++i) {
      makers.emplace_back([&] {
        ConversationSpec s;
        s.person = g.person(g.rng().chance(50));
        s.state = "pending";
        s.inbox_id = nullptr;
        s.start = next_start();
        add_conversation(g, site, std::move(s));
      });
    }
  }
  // Interleave kinds deterministically so pages mix spam, bugs and sales.
  for (std::size_t i = makers.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(g.rng().next() % i);
    std::swap(makers[i - 1], makers[j]);
  }
  for (auto& make : makers) make();

  // People profiles: every visitor who wrote with a real question, plus a few prospects.
  json::object people;
  auto& conversations = site["conversations"].as_object();
  for (auto& [person, segment] : profiled) {
    auto prof =
        make_person_profile(g, person, kSeedAnchorMs - g.rng().between(10, 200) * kDay, segs({segment.c_str()}));
    for (auto& [sid, conv] : conversations) {
      (void)sid;
      if (conv.at("meta").at("email") == json::value(person.email))
        conv.as_object()["people_id"] = prof.at("people_id");
    }
    if (!people.contains(prof.at("people_id").as_string())) {
      const std::string id(prof.at("people_id").as_string());
      people[id] = std::move(prof);
    }
  }
  for (int i = 0; i < (full ? 12 : 2); ++i) {
    auto prof =
        make_person_profile(g, g.person(true), kSeedAnchorMs - g.rng().between(1, 60) * kDay, segs({"prospect"}));
    const std::string id(prof.at("people_id").as_string());
    people[id] = std::move(prof);
  }
  site["people"] = std::move(people);

  // Active visitors, on pricing and docs pages, from enterprise and free-mail domains.
  json::array visitors;
  const int nvisitors = full ? 30 : 3;
  std::vector<std::string> sids;
  for (const auto& [sid, conv] : conversations) {
    (void)conv;
    sids.emplace_back(sid);
  }
  for (int i = 0; i < nvisitors; ++i) {
    const bool enterprise = i % 5 < 3;
    Person p = g.person(enterprise);
    json::object v;
    const bool initiated = i % 4 == 0 && !sids.empty();
    if (initiated) {
      const std::string& sid = sids[static_cast<std::size_t>(g.rng().next() % sids.size())];
      v["session_id"] = sid;
      const auto& meta = conversations.at(sid).at("meta");
      v["nickname"] = meta.at("nickname");
      v["email"] = meta.at("email");
      v["inbox_id"] = conversations.at(sid).at("inbox_id");
    } else {
      v["session_id"] = make_session_id(g.rng());
      v["nickname"] = i % 3 == 0 ? json::value("") : json::value(p.nickname);
      v["email"] = i % 3 == 0 ? json::value("") : json::value(p.email);
      v["inbox_id"] = nullptr;
    }
    v["avatar"] = "";
    v["useragent"] = g.rng().pick(st::user_agents());
    v["initiated"] = initiated;
    v["active"] = true;
    const auto& page = st::pages()[static_cast<std::size_t>(i) % st::pages().size()];
    json::object last_page;
    last_page["page_title"] = page.title;
    last_page["page_url"] = "https://" + domain + page.url_path;
    v["last_page"] = std::move(last_page);
    json::object geo;
    json::object coords;
    coords["latitude"] = p.place.latitude;
    coords["longitude"] = p.place.longitude;
    geo["coordinates"] = std::move(coords);
    geo["city"] = p.place.city;
    geo["region"] = p.place.region;
    geo["country"] = p.place.country;
    v["geolocation"] = std::move(geo);
    v["timezone"] = p.place.timezone;
    v["capabilities"] = segs({"browsing", "call"});
    json::array locales;
    locales.emplace_back(p.place.locale);
    v["locales"] = std::move(locales);
    v["duration"] = g.rng().between(20, 3600);  // sandbox extension: seconds on the site
    visitors.emplace_back(std::move(v));
  }
  site["visitors"] = std::move(visitors);

  // Quarantined spam (the spam list), not in the conversations list until accepted.
  json::array spams;
  if (full) {
    const std::vector<std::string> reasons{"content_filter", "ip_reputation", "link_spam"};
    for (int i = 0; i < 6; ++i) {
      Person p = g.person(false);
      json::object s;
      s["spam_id"] = g.uuid();
      s["type"] = "message";
      s["reason"] = reasons[static_cast<std::size_t>(i) % reasons.size()];
      json::object meta;
      meta["session_id"] = make_session_id(g.rng());
      meta["nickname"] = p.nickname;
      meta["email"] = p.email;
      s["metadata"] = std::move(meta);
      json::object headers;
      headers["user-agent"] = g.rng().pick(st::user_agents());
      s["headers"] = std::move(headers);
      s["timestamp"] = kSeedAnchorMs - g.rng().between(1, 72) * kHour;
      json::object content;
      content["type"] = "text";
      content["from"] = "user";
      content["text"] = st::spam_lines()[static_cast<std::size_t>(i + 3) % st::spam_lines().size()];
      s["content"] = std::move(content);
      spams.emplace_back(std::move(s));
    }
  }
  site["spams"] = std::move(spams);

  site["helpdesk"] = make_helpdesk(g, name + " Help Center", domain, std::string(uid(sam).as_string()), full);

  json::object campaigns;
  if (full) {
    const std::string sender(uid(marco).as_string());
    for (auto c : {make_campaign(g, "Black Friday 2026: 30% off annual plans", "one-shot", "black-friday", true, true,
                                 true, 45, sender, 4200),
                   make_campaign(g, "Onboarding drip", "automated", "onboarding", true, true, true, 100, sender, 860),
                   make_campaign(g, "Webinar: scaling support with AI", "one-shot", "webinar", true, true, false, 60,
                                 sender, 2300),
                   make_campaign(g, "Churn winback", "one-shot", "winback", false, false, false, 0, sender, 0),
                   make_campaign(g, "Product update October", "one-shot", "product-update", true, true, false, 100,
                                 sender, 5100)}) {
      const std::string id(c.at("campaign_id").as_string());
      campaigns[id] = std::move(c);
    }
  }
  site["campaigns"] = std::move(campaigns);
  site["operators"] = std::move(ops);
  site["inboxes"] = std::move(inboxes);
  return site;
}

std::string hex_key(Prng& rng) {
  std::string out;
  char buf[17];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng.next()));
    out += buf;
  }
  return out;
}

}  // namespace

json::object generate_world(std::uint64_t seed, const std::string& helpdesk_mode) {
  Generator g(seed);
  json::object world;
  world["format"] = "weft-crisp-sandbox-state";
  world["version"] = 1;
  world["seed"] = seed;
  const std::string main_id = g.uuid();
  const std::string other_id = g.uuid();
  json::object token;
  token["identifier"] = g.uuid();
  token["key"] = hex_key(g.rng());
  world["token"] = std::move(token);
  world["main_website_id"] = main_id;
  world["other_website_id"] = other_id;
  json::object websites;
  websites[main_id] = make_site(g, main_id, "Acme Cloud", "acme-cloud.io", helpdesk_mode, true);
  websites[other_id] = make_site(g, other_id, "Globex Support", "globex-support.com", "legacy", false);
  world["websites"] = std::move(websites);
  world["effects"] = json::array();
  return world;
}

}  // namespace weft::sandbox::crisp::detail
