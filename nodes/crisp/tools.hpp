// SPDX-License-Identifier: MIT
#pragma once
// CrispTools: the catalog's tools bound to one CrispClient, i.e. to ONE configured website.
//
// A call (1) checks the arguments against the entry before any request (identifier maze: no
// website_id argument, ids of their kind, enums, types, required fields; see detail/arguments),
// (2) picks the helpdesk route family for article tools (setting or probe, cached), (3) runs the
// request(s), and (4) for side-effecting tools given an EffectScope, goes through the effect
// journal so the write happens once per effect key even across crashes (README: "Effects").

#include "engine/effect_journal.hpp"
#include "engine/effect_protocol.hpp"
#include "engine/node_context.hpp"
#include "nodes/crisp/catalog.hpp"
#include "nodes/crisp/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace weft::crisp {

/// Runs one journaled write: at most once per (call, sub_key); a done entry replays its result;
/// an in-doubt entry (begun, never finished) asks `reconcile`, which returns the result if the
/// write did happen or nullopt to run it. NodeContext::effect and ToolContext::effect have
/// exactly this shape; journal_scope() adapts a bare EffectJournal.
using EffectRunner =
    std::function<boost::asio::awaitable<boost::json::value>(std::string sub_key, EffectFn fn, ReconcileFn reconcile)>;

/// Where a side-effecting call is journaled. With no runner the writes run directly (no
/// exactly-once across crashes); with no fingerprint seed create_a_crisp_message lets Crisp pick
/// the fingerprint.
struct EffectScope {
  EffectRunner run;  ///< default: none
  /// Stable across retries and resumes of the same call and unique per call (thread, task, tool
  /// call); the message fingerprint is derived from it. Default: "" (none).
  std::string fingerprint_seed;
  /// Asked right before every attempt of a write is sent (the first, and each resend after a
  /// back-off or a Retry-After); throws when this process may no longer act on the thread (the
  /// journal's lease check, EffectJournal::confirm_may_act), and the write then ends unsent. The
  /// effect protocol asks once before the write starts; this also covers the waits inside it.
  /// Default: none (nothing asked).
  http::BeforeSend confirm_may_act;
};

/// An EffectScope over a bare journal for (thread_id, key), asking the journal's
/// confirm_may_act(thread_id) before every send of a write: sub-effects are journaled under
/// key + "/" + sub_key through the one effect protocol, weft::run_journaled (done: replay;
/// started: reconcile, and without a way to check weft::Error(engine::error::effect_in_doubt); a
/// throwing write is abandoned), bound to `request` (as ToolContext::request: a different request
/// under the same key is engine::error::effect_request_conflict; default null, unbound). The
/// journal must outlive every call using the scope. For code outside a graph and for tests.
EffectScope journal_scope(EffectJournal& journal, std::string thread_id, std::string key,
                          boost::json::value request = nullptr);

/// Thread safety: call() may run concurrently from many coroutines; the helpdesk family cache is
/// guarded by a mutex. Awaitables complete on the awaiting coroutine's executor and are cancelled
/// through its cancellation slot (HTTP requests and backoff waits).
class CrispTools {
 public:
  /// Binds `catalog`'s tools to `client` (and so to client->website_id()). The catalog must
  /// outlive this object (Catalog::builtin() does).
  explicit CrispTools(std::shared_ptr<CrispClient> client, const Catalog& catalog = Catalog::builtin());

  const Catalog& catalog() const noexcept { return catalog_; }
  const CrispClient& client() const noexcept { return *client_; }

  /// Checks `args` for `tool` without sending anything. Throws weft::Error with
  /// crisp::error::invalid_argument (message: what is wrong, where, where to get a valid id).
  void check(std::string_view tool, const boost::json::value& args) const;

  /// Runs `tool` with `args`. Returns the tool's result (Crisp's data, or the entry's result
  /// template). Errors: invalid_argument before any request; the typed Crisp errors of
  /// CrispClient; engine::error::effect_in_doubt when a journal_only write is in doubt and its
  /// entry says in_doubt: fail (the effect protocol's one code for it). Messages for not_found
  /// name the ids used and where valid ones come from.
  boost::asio::awaitable<boost::json::value> call(std::string tool, boost::json::value args, EffectScope scope = {});

  /// The helpdesk route family for this website: the configured one, or (automatic) the cached
  /// result of probing the tree list then the legacy list in `locale` (reference §8.7).
  boost::asio::awaitable<RouteFamily> helpdesk_family(std::string locale);
  /// Forgets the probed family (the next helpdesk call probes again).
  void forget_helpdesk_family();

 private:
  std::shared_ptr<CrispClient> client_;
  const Catalog& catalog_;
  mutable std::mutex mutex_;
  std::optional<RouteFamily> family_;
};

}  // namespace weft::crisp
