// SPDX-License-Identifier: MIT
// The approval inbox: the page at `/` (server/web/, embedded in the binary) and its change feed,
// `GET /inbox/changes`, an event stream that says "something changed" whenever a thread's status,
// latest checkpoint or runs change. The page reads everything else through the runs API it shares
// with the SDKs (threads/search, state, history, assistants/{id}/graph, runs with command.resume).
#include "server/detail/router.hpp"
#include "server/detail/runs.hpp"
#include "server/detail/state.hpp"
#include "server/detail/web_assets.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <functional>

namespace json = boost::json;
namespace net = boost::asio;

namespace weft::server::detail {
namespace {

// How often the feed looks for a change. A change is seen within this, without any hook in the
// run manager: the feed reads what the routes read.
constexpr std::chrono::milliseconds kChangePoll{250};

// The page may only talk to this server, run only its own script and style, and not be framed.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void reply_asset(Exchange& ex, const WebAsset& asset) {
  Response res{http::status::ok, ex.request().version()};
  res.set(http::field::content_type, asset.content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", kPagePolicy);
  res.set("Referrer-Policy", "no-referrer");
  res.body() = std::string(asset.body);
  res.keep_alive(ex.request().keep_alive());
  res.prepare_payload();
  ex.response() = std::move(res);
}

void hash_into(std::size_t& seed, std::string_view text) {
  seed ^= std::hash<std::string_view>{}(text) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

// A digest of what the inbox shows: every thread's status and last update, and the runs pending
// or running on it. Equal digests: nothing for the page to redraw.
std::size_t inbox_digest(ServerState& s) {
  std::size_t seed = 0;
  for (const ThreadInfo& t : s.environment.checkpointer->threads()) {
    hash_into(seed, t.thread_id);
    hash_into(seed, to_string(t.status));
    hash_into(seed, std::to_string(t.updated_at_ms));
  }
  for (const ThreadRow& row : s.catalog->threads()) {
    hash_into(seed, row.thread_id);
    hash_into(seed, std::to_string(row.updated_at_ms));
    for (const auto& run : s.runs->active_on(row.thread_id)) {
      hash_into(seed, run->row.run_id);
      hash_into(seed, run->row.status);
    }
  }
  return seed;
}

// One `changed` event at once (the page's first draw), then one per change, with a heartbeat
// comment while nothing changes so that a client that went away is noticed. Ends with the client
// or when the server stops.
net::awaitable<void> follow_changes(ServerState& s, Exchange& ex) {
  const bool opened = co_await ex.open_stream();
  if (!opened) co_return;
  net::steady_timer timer(s.io);
  std::optional<std::size_t> last;
  std::int64_t version = 0;
  auto quiet = std::chrono::milliseconds(0);
  while (!s.stopping) {
    const std::size_t digest = inbox_digest(s);
    if (digest != last) {
      last = digest;
      json::object data;
      data["version"] = ++version;
      data["at"] = iso_time(now_ms());
      const bool sent = co_await ex.send_event("changed", json::serialize(data), std::to_string(version));
      if (!sent) co_return;
      quiet = std::chrono::milliseconds(0);
    } else if (quiet >= s.options.stream_heartbeat) {
      const bool alive = co_await ex.send_comment("heartbeat");
      if (!alive) co_return;
      quiet = std::chrono::milliseconds(0);
    }
    timer.expires_after(kChangePoll);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    quiet += kChangePoll;
  }
}

}  // namespace

const WebAsset* find_web_asset(std::string_view name) {
  for (const WebAsset& asset : web_assets())
    if (asset.name == name) return &asset;
  return nullptr;
}

bool is_inbox_page(http::verb method, std::string_view path) {
  if (method != http::verb::get) return false;
  if (path == "/") return true;
  constexpr std::string_view folder = "/inbox/";
  return path.starts_with(folder) && find_web_asset(path.substr(folder.size())) != nullptr;
}

void add_inbox_routes(Router& router) {
  using V = http::verb;
  router.add(V::get, "/", [](ServerState&, Exchange& ex) -> net::awaitable<void> {
    reply_asset(ex, *find_web_asset("inbox.html"));
    co_return;
  });
  // Before /inbox/{}: "changes" is the feed, not a file.
  router.add(V::get, "/inbox/changes",
             [](ServerState& s, Exchange& ex) -> net::awaitable<void> { co_await follow_changes(s, ex); });
  router.add(V::get, "/inbox/{}", [](ServerState&, Exchange& ex) -> net::awaitable<void> {
    const WebAsset* asset = find_web_asset(ex.params[0]);
    if (asset == nullptr || asset->name == "inbox.html") not_found("Inbox file '" + ex.params[0] + "'");
    reply_asset(ex, *asset);
    co_return;
  });
}

}  // namespace weft::server::detail
