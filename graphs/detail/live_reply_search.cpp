// SPDX-License-Identifier: MIT
// live_reply's helpdesk search (live_reply_search.hpp).

#include "graphs/detail/live_reply_search.hpp"

#include "graphs/detail/article_ranking.hpp"
#include "graphs/detail/node_support.hpp"
#include "graphs/error.hpp"

#include <boost/json/array.hpp>

#include <vector>

namespace json = boost::json;

namespace weft::graphs::detail::live_reply {
namespace {

constexpr std::size_t kMaxArticles = 3;
constexpr std::int64_t kMaxArticlePages = 5;
constexpr std::size_t kArticleExcerptChars = 1500;

struct Candidate {
  std::string title;
  json::object id;  // {"article_id"} or {"tree_path"}: how the article tools name it
};

std::vector<Candidate> public_articles(const json::array& items) {
  std::vector<Candidate> out;
  for (const auto& item : items) {
    if (!item.is_object() || !detail::is_public_article(item.as_object())) continue;
    const json::object& o = item.as_object();
    Candidate c;
    c.title = string_of(o, "title");
    if (!string_of(o, "article_id").empty()) c.id["article_id"] = o.at("article_id");
    if (!string_of(o, "tree_path").empty()) c.id["tree_path"] = o.at("tree_path");
    if (!c.title.empty() && !c.id.empty()) out.push_back(std::move(c));
  }
  return out;
}

json::object article_of(std::size_t n, const Candidate& c, const json::value& page, const json::value& body) {
  json::object article;
  article["n"] = static_cast<std::int64_t>(n);
  const json::object page_object = object_or_empty(page);
  const json::object body_object = object_or_empty(body);
  const std::string title = string_of(page_object, "title", c.title);
  article["title"] = title.empty() ? c.title : title;
  // The URL is the one Crisp gave for the article's public page: never composed, never invented.
  article["url"] = string_of(page_object, "url");
  article["description"] = string_of(body_object, "description");
  article["content"] = string_of(body_object, "content").substr(0, kArticleExcerptChars);
  return article;
}

}  // namespace

boost::asio::awaitable<json::object> search_helpdesk(ToolRegistry tools, std::string locale, std::string question,
                                                     NodeContext ctx) {
  json::array articles;
  std::string search_error;
  try {
    json::array items;
    for (std::int64_t page = 1; page <= kMaxArticlePages; ++page) {
      json::object args;
      args["locale"] = locale;
      args["page_number"] = page;
      auto pending = call_tool(tools, "list_all_crisp_helpdesk_articles", std::move(args), ctx,
                               "articles:" + std::to_string(page));
      json::value listed = co_await std::move(pending);
      if (!listed.is_array() || listed.as_array().empty()) break;
      for (auto& item : listed.as_array()) items.push_back(item);
    }
    const std::vector<Candidate> candidates = public_articles(items);
    std::vector<std::string> titles;
    for (const auto& c : candidates) titles.push_back(c.title);
    const std::vector<std::size_t> best = detail::rank_by_title(question, titles, kMaxArticles);
    for (std::size_t i = 0; i < best.size(); ++i) {
      const Candidate& c = candidates[best[i]];
      json::object args = c.id;
      args["locale"] = locale;
      json::object page_args = args;
      auto pending_page = call_tool(tools, "get_single_crisp_helpdesk_article_page_by_id", std::move(page_args), ctx,
                                    "page:" + std::to_string(i + 1));
      json::value page = co_await std::move(pending_page);
      auto pending_body = call_tool(tools, "get_single_crisp_helpdesk_article_by_id", std::move(args), ctx,
                                    "article:" + std::to_string(i + 1));
      json::value body = co_await std::move(pending_body);
      articles.push_back(article_of(i + 1, c, page, body));
    }
  } catch (const Error& e) {
    // No knowledge base (402), or it cannot be read: the reply is drafted without articles, and a
    // reply that cites nothing is never sent without a human.
    if (e.code() != make_error_code(error::tool_failed)) throw;
    search_error = e.what();
    articles.clear();
  }
  json::object update;
  update["articles"] = std::move(articles);
  update["search_error"] = search_error.empty() ? json::value(nullptr) : json::value(search_error);
  co_return update;
}

}  // namespace weft::graphs::detail::live_reply
