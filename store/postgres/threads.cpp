// SPDX-License-Identifier: MIT
// PostgresStore's thread rows and leases. A lease row per thread carries an epoch raised by every
// acquisition and by break_lease(); a released lease keeps its row (token '') so epochs never go
// back. A background thread renews the leases this store holds every lease_ttl_ms / 3.
#include "store/detail/codec.hpp"
#include "store/detail/db.hpp"  // format_utc
#include "store/detail/lease_clock.hpp"
#include "store/detail/process.hpp"
#include "store/postgres/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

namespace weft::store::postgres::detail {
namespace {

using store::detail::Liveness;
using store::detail::ProcessIdentity;

ThreadStatus parse_status(std::string_view text, const std::string& db, const std::string& thread_id) {
  for (ThreadStatus s : {ThreadStatus::running, ThreadStatus::interrupted, ThreadStatus::done, ThreadStatus::failed}) {
    if (to_string(s) == text) return s;
  }
  store::detail::throw_bad_record({db, "weft_threads", thread_id, thread_id, "status"},
                                  "unknown status '" + std::string(text) + "'");
}

struct Holder {
  ProcessIdentity owner;
  std::string token;
  std::int64_t epoch = 0, acquired_at_ms = 0, heartbeat_at_ms = 0, expires_at_ms = 0, now_ms = 0;
};

constexpr const char* kHolderSql =
    "SELECT owner_pid, owner_host, owner_start, owner_token, epoch, acquired_at_ms, heartbeat_at_ms, "
    "expires_at_ms, " WEFT_PG_NOW_MS " FROM weft_leases WHERE thread_id = $1";

std::optional<Holder> read_holder(const Result& r) {
  if (r.rows() == 0 || r.text(0, 3).empty()) return std::nullopt;  // no row, or released
  Holder h;
  h.owner.pid = r.int64(0, 0);
  h.owner.host = std::string(r.text(0, 1));
  h.owner.start = std::string(r.text(0, 2));
  h.token = std::string(r.text(0, 3));
  h.epoch = r.int64(0, 4);
  h.acquired_at_ms = r.int64(0, 5);
  h.heartbeat_at_ms = r.int64(0, 6);
  h.expires_at_ms = r.int64(0, 7);
  h.now_ms = r.int64(0, 8);
  return h;
}

bool live(const Holder& h) {
  Liveness l = store::detail::liveness(h.owner);
  return l == Liveness::alive || (l == Liveness::unknown && h.now_ms <= h.expires_at_ms);
}

[[noreturn]] void throw_busy(const std::string& thread_id, const Holder& h) {
  const bool self =
      h.owner.pid == store::detail::self_identity().pid && h.owner.host == store::detail::self_identity().host;
  throw Error(error::thread_busy, "thread '" + thread_id + "' is being run by pid " + std::to_string(h.owner.pid) +
                                      (self ? " (this process)" : "") + " on host '" + h.owner.host + "' since " +
                                      store::detail::format_utc(h.acquired_at_ms) + " (lease renewed " +
                                      std::to_string((h.now_ms - h.heartbeat_at_ms) / 1000) + " s ago, expires in " +
                                      std::to_string((h.expires_at_ms - h.now_ms + 999) / 1000) +
                                      " s); wait for that run to finish, or if that process is gone break the lease "
                                      "(PostgresStore::break_lease)");
}

class PostgresLease final : public ThreadLease {
 public:
  PostgresLease(std::shared_ptr<PostgresStoreImpl> impl, std::string thread_id, std::string token)
      : impl_(std::move(impl)), thread_id_(std::move(thread_id)), token_(std::move(token)) {}
  ~PostgresLease() override { impl_->release_lease(thread_id_, token_); }

 private:
  std::shared_ptr<PostgresStoreImpl> impl_;
  std::string thread_id_, token_;
};

/// Renews a held lease, fenced by its epoch and token: $1 thread, $2 epoch, $3 token, $4 ttl.
constexpr const char* kRenewSql =
    "UPDATE weft_leases SET heartbeat_at_ms = " WEFT_PG_NOW_MS ", expires_at_ms = " WEFT_PG_NOW_MS
    " + $4::bigint WHERE thread_id = $1 AND epoch = $2::bigint AND owner_token = $3";

constexpr const char* kThreadSelect =
    "SELECT t.thread_id, t.status, t.graph, t.created_at_ms, t.updated_at_ms, t.metadata, c.checkpoint_id,"
    " c.created_at_ms FROM weft_threads t LEFT JOIN LATERAL (SELECT checkpoint_id, created_at_ms"
    "   FROM weft_checkpoints WHERE thread_id = t.thread_id AND ns = '' ORDER BY checkpoint_id DESC LIMIT 1) c ON true";

}  // namespace

Fence PostgresStoreImpl::fence(const std::string& thread_id) {
  std::lock_guard lock(lease_mutex_);
  auto held = held_leases_.find(thread_id);
  if (held == held_leases_.end()) {
    held = lost_leases_.find(thread_id);
    if (held == lost_leases_.end()) return {};
  }
  return Fence{held->second.epoch, held->second.token};
}

Params PostgresStoreImpl::fenced_params(const std::string& thread_id) {
  return fenced_params(fence(thread_id), thread_id);
}

Params PostgresStoreImpl::fenced_params(const Fence& f, const std::string& thread_id) {
  Params p;
  p.add(thread_id);
  if (f.epoch) {
    p.add(*f.epoch).add(f.token);
  } else {
    p.add_null().add("");
  }
  return p;
}

void PostgresStoreImpl::throw_lease_lost(const std::string& thread_id, std::string_view doing) {
  {
    std::lock_guard lock(lease_mutex_);
    if (auto held = held_leases_.find(thread_id); held != held_leases_.end()) {
      lost_leases_[thread_id] = held->second;
      held_leases_.erase(held);
    }
  }
  throw Error(error::lease_lost, "thread '" + thread_id + "': " + std::string(doing) +
                                     " refused: this process's lease on the thread was broken or taken over by "
                                     "another process (its epoch changed), so nothing was written; the thread's "
                                     "new holder continues it");
}

boost::asio::awaitable<void> PostgresStoreImpl::set_thread_status(const std::string& thread_id, ThreadStatus status,
                                                                  const std::string& graph,
                                                                  const boost::json::object& metadata) {
  require_writable();
  auto connection = co_await pool_->async_acquire();
  // Fenced like every write: a store whose lease was taken over does not set the thread's status.
  Params p = fenced_params(thread_id);
  p.add(to_string(status)).add(graph).add(boost::json::serialize(metadata));
  Result r = co_await connection->async_exec_prepared(
      WEFT_PG_FENCE
      ", saved AS (INSERT INTO weft_threads (thread_id, status, graph, created_at_ms, updated_at_ms, metadata)"
      " SELECT $1, $4, $5, " WEFT_PG_NOW_MS ", " WEFT_PG_NOW_MS
      ", $6 FROM allowed"
      " ON CONFLICT (thread_id) DO UPDATE SET status = excluded.status, updated_at_ms = excluded.updated_at_ms,"
      "   metadata = excluded.metadata, graph = CASE WHEN excluded.graph = '' THEN weft_threads.graph"
      "   ELSE excluded.graph END RETURNING 1)"
      " SELECT count(*) FROM allowed",
      std::move(p));
  if (r.int64(0, 0) == 0) throw_lease_lost(thread_id, "setting its status to '" + std::string(to_string(status)) + "'");
}

boost::asio::awaitable<std::vector<ThreadInfo>> PostgresStoreImpl::threads(const std::string* only) {
  auto connection = co_await pool_->async_acquire();
  Result r;  // (no co_await inside ?: — GCC 12 miscompiles it)
  if (only) {
    r = co_await connection->async_exec(std::string(kThreadSelect) + " WHERE t.thread_id = $1", Params().add(*only));
  } else {
    r = co_await connection->async_exec(std::string(kThreadSelect) + " ORDER BY t.thread_id", {});
  }
  std::vector<ThreadInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    ThreadInfo info;
    info.thread_id = std::string(r.text(i, 0));
    info.status = parse_status(r.text(i, 1), redacted_url_, info.thread_id);
    info.graph = std::string(r.text(i, 2));
    info.created_at_ms = r.int64(i, 3);
    info.updated_at_ms = r.int64(i, 4);
    info.metadata = store::detail::parse_object(
        r.text(i, 5), {redacted_url_, "weft_threads", info.thread_id, info.thread_id, "metadata"});
    if (!r.is_null(i, 6)) {
      info.latest_checkpoint_id = std::string(r.text(i, 6));
      info.updated_at_ms = std::max(info.updated_at_ms, r.int64(i, 7));
    }
    out.push_back(std::move(info));
  }
  co_return out;
}

boost::asio::awaitable<void> PostgresStoreImpl::delete_thread(const std::string& thread_id) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  co_await c->async_exec("BEGIN", {});
  std::optional<Holder> h =
      read_holder(co_await c->async_exec(std::string(kHolderSql) + " FOR UPDATE", Params().add(thread_id)));
  if (h && h->token != fence(thread_id).token && live(*h)) throw_busy(thread_id, *h);  // the pool rolls back
  for (const char* table : {"weft_checkpoints", "weft_writes", "weft_effects", "weft_threads", "weft_leases"}) {
    co_await c->async_exec(std::string("DELETE FROM ") + table + " WHERE thread_id = $1", Params().add(thread_id));
  }
  co_await c->async_exec("COMMIT", {});
  {
    std::lock_guard lock(chain_mutex_);
    const std::string prefix = thread_id + '\0';
    std::erase_if(last_chain_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  }
  std::lock_guard lock(lease_mutex_);
  held_leases_.erase(thread_id);
}

boost::asio::awaitable<std::unique_ptr<ThreadLease>> PostgresStoreImpl::acquire_lease(const std::string& thread_id) {
  require_writable();
  const ProcessIdentity& self = store::detail::self_identity();
  const std::string token = store::detail::random_token();
  const auto sent_at = options_.clock->steady_now();  // before the server computes the expiry
  auto c = co_await pool_->async_acquire();
  co_await c->async_exec("BEGIN", {});
  // A free row first, so that FOR UPDATE has a row to lock even for a thread never leased.
  co_await c->async_exec(
      "INSERT INTO weft_leases (thread_id, epoch, owner_token, owner_pid, owner_host, owner_start, acquired_at_ms,"
      " heartbeat_at_ms, expires_at_ms) VALUES ($1, 0, '', 0, '', '', 0, 0, 0) ON CONFLICT (thread_id) DO NOTHING",
      Params().add(thread_id));
  std::optional<Holder> h =
      read_holder(co_await c->async_exec(std::string(kHolderSql) + " FOR UPDATE", Params().add(thread_id)));
  if (h && (h->token == fence(thread_id).token ||
            (store::detail::liveness(h->owner) != Liveness::dead && h->now_ms <= h->expires_at_ms))) {
    throw_busy(thread_id, *h);  // the pool rolls the transaction back
  }
  Result r = co_await c->async_exec(
      "UPDATE weft_leases SET epoch = epoch + 1, owner_token = $2, owner_pid = $3, owner_host = $4, owner_start = $5,"
      " acquired_at_ms = " WEFT_PG_NOW_MS ", heartbeat_at_ms = " WEFT_PG_NOW_MS ", expires_at_ms = " WEFT_PG_NOW_MS
      " + $6::bigint WHERE thread_id = $1 RETURNING epoch",
      Params().add(thread_id).add(token).add(self.pid).add(self.host).add(self.start).add(options_.lease_ttl_ms));
  co_await c->async_exec("COMMIT", {});
  {
    std::lock_guard lock(lease_mutex_);
    held_leases_[thread_id] = HeldLease{r.int64(0, 0), token, sent_at};
    lost_leases_.erase(thread_id);
    if (!heartbeat_.joinable()) heartbeat_ = std::thread([this] { heartbeat_loop(); });
  }
  co_return std::make_unique<PostgresLease>(shared_from_this(), thread_id, token);
}

void PostgresStoreImpl::release_lease(const std::string& thread_id, const std::string& token) noexcept {
  {
    std::lock_guard lock(lease_mutex_);
    auto held = held_leases_.find(thread_id);
    if (held != held_leases_.end() && held->second.token == token) held_leases_.erase(held);
  }
  try {
    auto c = pool_->acquire();
    c->exec("UPDATE weft_leases SET owner_token = '', expires_at_ms = 0 WHERE thread_id = $1 AND owner_token = $2",
            Params().add(thread_id).add(token));
  } catch (...) {
    // The lease expires by itself after lease_ttl_ms.
  }
}

boost::asio::awaitable<std::optional<LeaseInfo>> PostgresStoreImpl::lease(const std::string& thread_id) {
  auto c = co_await pool_->async_acquire();
  std::optional<Holder> h = read_holder(co_await c->async_exec(kHolderSql, Params().add(thread_id)));
  if (!h) co_return std::nullopt;
  co_return LeaseInfo{thread_id, h->owner.pid, h->owner.host, h->acquired_at_ms, h->heartbeat_at_ms, h->expires_at_ms};
}

boost::asio::awaitable<bool> PostgresStoreImpl::has_live_run(const std::string& thread_id) {
  auto c = co_await pool_->async_acquire();
  std::optional<Holder> h = read_holder(co_await c->async_exec(kHolderSql, Params().add(thread_id)));
  co_return h&& live(*h);
}

boost::asio::awaitable<bool> PostgresStoreImpl::break_lease(const std::string& thread_id) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec(
      "UPDATE weft_leases SET epoch = epoch + 1, owner_token = '', expires_at_ms = 0"
      " WHERE thread_id = $1 AND owner_token <> ''",
      Params().add(thread_id));
  co_return r.affected() > 0;
}

void PostgresStoreImpl::heartbeat_loop() {
  std::unique_lock lock(lease_mutex_);
  const auto period = std::chrono::milliseconds(std::max<std::int64_t>(options_.lease_ttl_ms / 3, 10));
  while (!heartbeat_stop_) {
    heartbeat_wake_.wait_for(lock, period, [this] { return heartbeat_stop_; });
    if (heartbeat_stop_) break;
    std::map<std::string, HeldLease> held = held_leases_;
    lock.unlock();
    for (const auto& [thread_id, lease] : held) {
      try {
        const auto sent_at = options_.clock->steady_now();
        auto c = pool_->acquire();
        Result r =
            c->exec(kRenewSql, Params().add(thread_id).add(lease.epoch).add(lease.token).add(options_.lease_ttl_ms));
        renewed(thread_id, lease, sent_at, r.affected() == 1);
      } catch (...) {
        // Renewal is retried next period; a write meanwhile is still fenced by the epoch.
      }
    }
    lock.lock();
  }
}

void PostgresStoreImpl::renewed(const std::string& thread_id, const HeldLease& lease,
                                std::chrono::steady_clock::time_point sent_at, bool kept) {
  std::lock_guard lock(lease_mutex_);
  auto held = held_leases_.find(thread_id);
  if (held == held_leases_.end() || held->second.token != lease.token) return;  // released meanwhile
  if (kept) {
    held->second.sent_at = sent_at;
    return;
  }
  // Taken over or broken: the thread stays fenced with the stale epoch (as throw_lease_lost).
  lost_leases_[thread_id] = held->second;
  held_leases_.erase(held);
}

boost::asio::awaitable<void> PostgresStoreImpl::confirm_may_act(const std::string& thread_id) {
  const auto margin = store::detail::act_margin(options_.lease_ttl_ms);
  HeldLease lease;
  bool lost = false;
  {
    std::lock_guard lock(lease_mutex_);
    auto held = held_leases_.find(thread_id);
    if (held == held_leases_.end()) {
      lost = lost_leases_.contains(thread_id);
      if (!lost) co_return;  // no lease taken for this thread: nothing to lose
    } else if (store::detail::lease_left(held->second.sent_at, options_.lease_ttl_ms, options_.clock->steady_now()) >=
               margin) {
      co_return;
    } else {
      lease = held->second;
    }
  }
  if (lost) throw_lease_lost(thread_id, "starting a side effect");
  // Close to expiry, or past it (the process was paused): renew now, fenced by the epoch.
  const auto sent_at = options_.clock->steady_now();
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec(
      kRenewSql, Params().add(thread_id).add(lease.epoch).add(lease.token).add(options_.lease_ttl_ms));
  renewed(thread_id, lease, sent_at, r.affected() == 1);
  if (r.affected() != 1) throw_lease_lost(thread_id, "starting a side effect");
  const auto left = store::detail::lease_left(sent_at, options_.lease_ttl_ms, options_.clock->steady_now());
  if (left < margin) store::detail::throw_lease_uncertain(thread_id, left, options_.lease_ttl_ms);
}

void PostgresStoreImpl::stop_heartbeat() noexcept {
  {
    std::lock_guard lock(lease_mutex_);
    heartbeat_stop_ = true;
  }
  heartbeat_wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

}  // namespace weft::store::postgres::detail
