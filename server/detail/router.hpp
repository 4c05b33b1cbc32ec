// SPDX-License-Identifier: MIT
#pragma once
// Private: the route table. Patterns are literal path segments and "{}" for one parameter
// ("/threads/{}/runs/{}/join"); a request's path is split on '/', percent-decoded per segment.

#include "server/detail/api.hpp"

#include <boost/beast/http/verb.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::server::detail {

struct ServerState;

using Handler = std::function<boost::asio::awaitable<void>(ServerState&, Exchange&)>;

class Router {
 public:
  void add(http::verb method, std::string_view pattern, Handler handler);

  /// The handler for (method, path), filling `params`. nullptr when nothing matches; then
  /// `path_known` says whether another method would have matched (405 rather than 404).
  const Handler* match(http::verb method, std::string_view path, std::vector<std::string>& params,
                       bool& path_known) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

/// Splits "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string, std::less<>> parse_query(std::string_view query);
/// Percent-decodes (and '+' -> ' ' when `plus_is_space`).
std::string percent_decode(std::string_view text, bool plus_is_space);

void add_system_routes(Router& router);      // routes_system.cpp
void add_assistant_routes(Router& router);   // routes_assistants.cpp
void add_thread_routes(Router& router);      // routes_threads.cpp
void add_run_routes(Router& router);         // routes_runs.cpp
void add_cron_routes(Router& router);        // routes_crons.cpp
void add_crisp_hook_routes(Router& router);  // routes_crisp_hooks.cpp
/// Starts the runs of Crisp events a previous process accepted but had not started (it died
/// between committing the event and its run). routes_crisp_hooks.cpp.
void route_pending_hook_events(ServerState& s);
void add_mcp_routes(Router& router);    // routes_mcp.cpp
void add_store_routes(Router& router);  // routes_store.cpp
void add_inbox_routes(Router& router);  // routes_inbox.cpp: the approval inbox page and its change feed
/// Whether (method, path) is a file of the inbox page, which loads without the API key (its data
/// calls need it). routes_inbox.cpp.
bool is_inbox_page(http::verb method, std::string_view path);

}  // namespace weft::server::detail
