// SPDX-License-Identifier: MIT
#pragma once
// The Crisp API front: every /v1 route goes through one gate (faults, Basic auth, tier, website
// subscription, rate limit, quota, helpdesk family) before its handler; the handler's Reply or
// ApiError becomes the {error, reason, data} envelope; successful writes land in the effect log.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sandbox/crisp/detail/prng.hpp"
#include "sandbox/crisp/detail/rate_limiter.hpp"
#include "sandbox/crisp/detail/route_context.hpp"
#include "sandbox/crisp/detail/state_file.hpp"
#include "sandbox/crisp/detail/hook_sender.hpp"
#include "sandbox/crisp/detail/store.hpp"
#include "sandbox/crisp/options.hpp"
#include "sandbox/http/router.hpp"

namespace weft::sandbox::crisp::detail {

// Which helpdesk family a route belongs to; the website's helpdesk mode hides the other one.
enum class Family { general, helpdesk, helpdesk_legacy, helpdesk_tree };

using RouteHandler = std::function<Reply(Ctx&)>;

class Api {
 public:
  explicit Api(SandboxOptions options);

  // Loads the state file (when configured and present) or seeds a fresh world.
  void init();
  // The router with every route; the Api must outlive it.
  http::Router build_router();

  // Registers a /v1/website/{website_id}<suffix> route behind the gate.
  void add(std::string method, std::string suffix, Family family, RouteHandler handler);
  // Registers a route outside the gate (the /_sandbox endpoints).
  void add_raw(std::string method, std::string path, http::Handler handler);

  // The following lock the state mutex themselves.
  void set_faults(const Faults& faults);
  Faults faults() const;
  void set_limits(const Limits& limits);
  Limits limits() const;
  void reset(std::optional<std::uint64_t> seed);
  // Writes the state file when it is configured but absent (e.g. deleted while serving); every
  // change is already in it otherwise, and a stale copy is never written over another process's.
  void save_now();
  std::string effects_json(std::int64_t since) const;
  std::string requests_json() const;
  std::string info_json() const;
  // The hook sender's counters (GET /_sandbox/hooks); {"url": null} when hooks are off.
  std::string hooks_json() const;
  void set_helpdesk_mode(const std::string& website_id, const std::string& mode);

  std::string main_website_id() const;
  std::string other_website_id() const;
  Token token() const;
  const SandboxOptions& options() const { return options_; }

 private:
  http::Response gate(http::Request& req, const std::string& route_key, Family family, const RouteHandler& handler);
  std::optional<http::Response> inject_fault(std::int64_t& latency_ms);
  void count(const std::string& route_key, int status);
  Token effective_token() const;
  // Shared state file protocol (state_file.hpp); both require mutex_. refresh_locked() reloads
  // the world when another process replaced the file; save_locked() writes it (call with the
  // StateFileLock held).
  void refresh_locked() const;
  void save_locked();

  SandboxOptions options_;
  mutable std::mutex mutex_;
  // A cache of the state file when there is one: refreshing it from the file is logically const.
  mutable Store store_;
  mutable FileVersion synced_;  // the file version store_ equals (meaningless without a state file)
  RateLimiter limiter_;
  Faults faults_;
  Prng fault_rng_{1};
  std::map<std::string, std::int64_t> by_route_;
  std::map<int, std::int64_t> by_status_;
  std::int64_t total_ = 0;
  std::int64_t reads_ = 0;
  std::int64_t writes_ = 0;
  http::Router router_;
  std::unique_ptr<HookSender> hooks_;  // when options_.hook_url is set (created by init())
};

// Route families, one file each (route_*.cpp).
void add_website_routes(Api& api);
void add_conversation_routes(Api& api);
void add_conversation_property_routes(Api& api);
void add_message_routes(Api& api);
void add_spam_routes(Api& api);
void add_inbox_routes(Api& api);
void add_operator_routes(Api& api);
void add_visitor_routes(Api& api);
void add_people_routes(Api& api);
void add_helpdesk_routes(Api& api);
void add_helpdesk_legacy_routes(Api& api);
void add_helpdesk_tree_routes(Api& api);
void add_campaign_routes(Api& api);
void add_admin_routes(Api& api);

// JSON text of an envelope.
std::string envelope(bool error, std::string_view reason, const boost::json::value& data);
// The same with `data` already serialized.
std::string envelope_raw(bool error, std::string_view reason, std::string_view data_json);
// An error envelope answer; `message` (when not empty) goes into data.message.
http::Response error_response(int status, std::string_view reason, std::string_view message);

}  // namespace weft::sandbox::crisp::detail
