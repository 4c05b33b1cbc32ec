// SPDX-License-Identifier: MIT
// GET /ok and GET /info.
#include "server/detail/router.hpp"
#include "server/detail/state.hpp"

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {

void add_system_routes(Router& router) {
  router.add(http::verb::get, "/ok", [](ServerState&, Exchange& ex) -> net::awaitable<void> {
    ex.reply(json::object{{"ok", true}});
    co_return;
  });
  router.add(http::verb::get, "/info", [](ServerState&, Exchange& ex) -> net::awaitable<void> {
    json::object flags;
    flags["assistants"] = true;
    flags["crons"] = true;
    flags["langsmith"] = false;
    flags["store"] = true;  // routes_store.cpp
    json::object info;
    info["version"] = "weft-0.1.0";
    info["server"] = "weft";
    info["flags"] = std::move(flags);
    ex.reply(std::move(info));
    co_return;
  });
}

}  // namespace weft::server::detail
