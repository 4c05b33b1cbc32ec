// SPDX-License-Identifier: MIT
// Thread leases: one row per thread in `leases` naming the process advancing it. A background
// thread renews the leases this store holds; a lease whose owner died (same host) or whose expiry
// passed may be taken over; break_lease() removes one unconditionally.
#include "store/sqlite_store.hpp"

#include "store/detail/lease_clock.hpp"
#include "store/detail/store_impl.hpp"

namespace weft {
namespace store::detail {
namespace {

struct Holder {
  ProcessIdentity owner;
  std::string token;
  std::int64_t acquired_at_ms = 0, heartbeat_at_ms = 0, expires_at_ms = 0;
};

std::optional<Holder> read_holder(Db& db, const std::string& thread_id) {
  Use q(
      db.stmt("SELECT owner_pid, owner_host, owner_start, owner_token, acquired_at_ms, heartbeat_at_ms, expires_at_ms"
              " FROM leases WHERE thread_id = ?1"));
  q->bindNoCopy(1, thread_id);
  if (!q->executeStep()) return std::nullopt;
  Holder h;
  h.owner.pid = q->getColumn(0).getInt64();
  h.owner.host = q->getColumn(1).getString();
  h.owner.start = q->getColumn(2).getString();
  h.token = q->getColumn(3).getString();
  h.acquired_at_ms = q->getColumn(4).getInt64();
  h.heartbeat_at_ms = q->getColumn(5).getInt64();
  h.expires_at_ms = q->getColumn(6).getInt64();
  return h;
}

/// Whether the holder may be displaced: its process is gone (same host) or its lease expired.
bool displaceable(const Holder& h, std::int64_t now) {
  return liveness(h.owner) == Liveness::dead || now > h.expires_at_ms;
}

[[noreturn]] void throw_busy(const std::string& thread_id, const Holder& h, std::int64_t now) {
  const bool self = h.owner.pid == self_identity().pid && h.owner.host == self_identity().host;
  throw Error(error::thread_busy, "thread '" + thread_id + "' is being run by pid " + std::to_string(h.owner.pid) +
                                      (self ? " (this process)" : "") + " on host '" + h.owner.host + "' since " +
                                      format_utc(h.acquired_at_ms) + " (lease renewed " +
                                      std::to_string((now - h.heartbeat_at_ms) / 1000) + " s ago, expires in " +
                                      std::to_string((h.expires_at_ms - now + 999) / 1000) +
                                      " s); wait for that run to finish, or if that process is gone break the lease "
                                      "(SqliteStore::break_lease)");
}

}  // namespace

bool SqliteStoreImpl::lease_held_by_live_owner(const std::string& thread_id) {
  std::optional<Holder> h = read_holder(*db_, thread_id);
  return h && !displaceable(*h, now_ms());
}

void SqliteStoreImpl::check_not_leased_by_other(const std::string& thread_id) {
  std::optional<Holder> h = read_holder(*db_, thread_id);
  if (!h) return;
  {
    MutexLock lock(lease_mutex_);
    auto mine = held_leases_.find(thread_id);
    if (mine != held_leases_.end() && mine->second.token == h->token) return;
  }
  const std::int64_t now = now_ms();
  if (!displaceable(*h, now)) throw_busy(thread_id, *h, now);
}

void SqliteStoreImpl::throw_if_lease_lost(const std::string& thread_id) {
  if (!any_lost_.load(std::memory_order_acquire)) return;
  MutexLock lock(lease_mutex_);
  if (lost_leases_.contains(thread_id)) {
    throw Error(error::lease_lost, "thread '" + thread_id + "': this process's lease on it was broken or taken over (" +
                                       path_ + "); stop this run, another process may be advancing the thread");
  }
}

void SqliteStoreImpl::release_lease(const std::string& thread_id, const std::string& token) noexcept {
  {
    MutexLock lock(lease_mutex_);
    auto it = held_leases_.find(thread_id);
    if (it != held_leases_.end() && it->second.token == token) held_leases_.erase(it);
  }
  // What the run wrote lands before another process may take the thread: either queued behind
  // the run's asynchronous writes (same or a later transaction), or after a flush.
  try {
    if (deferring()) {
      {
        MutexLock lock(lease_mutex_);
        releasing_leases_[thread_id] = token;
      }
      push_deferred(LeaseReleaseRow{thread_id, token});
      return;
    }
  } catch (...) {
    // the writer failed: release directly below
  }
  try {
    flush();
  } catch (...) {
    // the write error stays recorded for flush(); the lease is released regardless
  }
  try {
    MutexLock lock(db_mutex_);
    WriteTxn txn(*db_);
    execute_row(LeaseReleaseRow{thread_id, token});
    txn.commit();
  } catch (...) {
    // an unreleased lease expires after lease_ttl_ms, or dies with this process
  }
}

void SqliteStoreImpl::stop_heartbeat() noexcept {
  {
    MutexLock lock(lease_mutex_);
    heartbeat_stop_ = true;
    heartbeat_wake_.notify_all();
  }
  if (heartbeat_.joinable()) heartbeat_.join();
}

void SqliteStoreImpl::renew_leases() {
  std::map<std::string, HeldLease> held;
  {
    MutexLock lock(lease_mutex_);
    held = held_leases_;
  }
  if (!held.empty()) renew(held);
}

void SqliteStoreImpl::renew(const std::map<std::string, HeldLease>& held) {
  // Before the transaction: the expiry written is at least this late (lease_clock.hpp).
  const auto sent_at = options_.clock->steady_now();
  std::vector<std::string> lost, kept;
  {
    MutexLock db_lock(db_mutex_);
    WriteTxn txn(*db_);
    const std::int64_t now = now_ms();
    for (const auto& [thread_id, lease] : held) {
      Use q(db_->stmt(
          "UPDATE leases SET heartbeat_at_ms = ?3, expires_at_ms = ?4 WHERE thread_id = ?1 AND owner_token = ?2"));
      q->bindNoCopy(1, thread_id);
      q->bindNoCopy(2, lease.token);
      q->bind(3, static_cast<std::int64_t>(now));
      q->bind(4, static_cast<std::int64_t>(now + options_.lease_ttl_ms));
      q->exec();
      (db_->changes() == 0 ? lost : kept).push_back(thread_id);
    }
    txn.commit();
  }
  MutexLock lock(lease_mutex_);
  for (const std::string& thread_id : kept) {
    auto it = held_leases_.find(thread_id);
    if (it != held_leases_.end() && it->second.token == held.at(thread_id).token) it->second.sent_at = sent_at;
  }
  for (const std::string& thread_id : lost) {
    auto it = held_leases_.find(thread_id);
    if (it == held_leases_.end() || it->second.token != held.at(thread_id).token) continue;  // released meanwhile
    held_leases_.erase(it);
    lost_leases_.insert(thread_id);
    any_lost_.store(true, std::memory_order_release);
  }
}

void SqliteStoreImpl::confirm_may_act(const std::string& thread_id) {
  const auto margin = act_margin(options_.lease_ttl_ms);
  for (bool renewed = false;; renewed = true) {
    throw_if_lease_lost(thread_id);
    std::map<std::string, HeldLease> held;
    {
      MutexLock lock(lease_mutex_);
      auto it = held_leases_.find(thread_id);
      if (it == held_leases_.end()) return;  // no lease taken for this thread: nothing to lose
      const auto left = lease_left(it->second.sent_at, options_.lease_ttl_ms, options_.clock->steady_now());
      if (left >= margin) return;
      if (renewed) throw_lease_uncertain(thread_id, left, options_.lease_ttl_ms);
      held.emplace(thread_id, it->second);
    }
    renew(held);  // close to expiry (or past it: paused): renew now, then look again
  }
}

void SqliteStoreImpl::mark_lease_broken(const std::string& thread_id) {
  MutexLock lock(lease_mutex_);
  if (held_leases_.erase(thread_id) > 0) {
    lost_leases_.insert(thread_id);
    any_lost_.store(true, std::memory_order_release);
  }
}

void SqliteStoreImpl::heartbeat_loop() {
  const auto period = std::chrono::milliseconds(std::max<std::int64_t>(options_.lease_ttl_ms / 3, 1));
  lease_mutex_.lock();
  while (!heartbeat_stop_) {
    // Real time: the heartbeat's period is not the store's clock (see SqliteOptions::clock).
    const auto due = std::chrono::steady_clock::now() + period;
    while (!heartbeat_stop_ && std::chrono::steady_clock::now() < due) {
      heartbeat_wake_.wait_for(lease_mutex_, due - std::chrono::steady_clock::now());
    }
    if (heartbeat_stop_) break;
    lease_mutex_.unlock();
    try {
      renew_leases();
    } catch (...) {
      // a busy database: try again next period (the lease has 3 periods of slack)
    }
    lease_mutex_.lock();
  }
  lease_mutex_.unlock();
}

/// The ThreadLease handed to the engine: releases on destruction; keeps the store state alive.
class LeaseHandle final : public ThreadLease {
 public:
  LeaseHandle(std::shared_ptr<SqliteStoreImpl> impl, std::string thread_id, std::string token)
      : impl_(std::move(impl)), thread_id_(std::move(thread_id)), token_(std::move(token)) {}
  ~LeaseHandle() override { impl_->release_lease(thread_id_, token_); }

 private:
  std::shared_ptr<SqliteStoreImpl> impl_;
  std::string thread_id_;
  std::string token_;
};

SqliteStoreImpl::HeldLease SqliteStoreImpl::take_lease_locked(const std::string& thread_id) {
  const ProcessIdentity me = self_identity();
  std::string token = random_token();
  const auto sent_at = options_.clock->steady_now();  // before the expiry below is computed
  const std::int64_t now = now_ms();
  if (std::optional<Holder> h = read_holder(*db_, thread_id); h && !displaceable(*h, now)) {
    // This store's own released lease whose deletion is still queued is free to take.
    MutexLock lease_lock(lease_mutex_);
    auto released = releasing_leases_.find(thread_id);
    if (released == releasing_leases_.end() || released->second != h->token) throw_busy(thread_id, *h, now);
  }
  Use q(db_->stmt(
      "INSERT OR REPLACE INTO leases (thread_id, owner_pid, owner_host, owner_start, owner_token, acquired_at_ms,"
      " heartbeat_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)"));
  q->bindNoCopy(1, thread_id);
  q->bind(2, static_cast<std::int64_t>(me.pid));
  q->bindNoCopy(3, me.host);
  q->bindNoCopy(4, me.start);
  q->bindNoCopy(5, token);
  q->bind(6, static_cast<std::int64_t>(now));
  q->bind(7, static_cast<std::int64_t>(now + options_.lease_ttl_ms));
  q->exec();
  return HeldLease{std::move(token), sent_at};
}

std::unique_ptr<ThreadLease> SqliteStoreImpl::hold_lease(const std::string& thread_id, HeldLease lease) {
  std::string token = lease.token;
  {
    MutexLock lock(lease_mutex_);
    releasing_leases_.erase(thread_id);
    held_leases_[thread_id] = std::move(lease);
    lost_leases_.erase(thread_id);
    if (!heartbeat_.joinable() && !heartbeat_stop_) heartbeat_ = std::thread([this] { heartbeat_loop(); });
  }
  return std::make_unique<LeaseHandle>(shared_from_this(), thread_id, std::move(token));
}

}  // namespace store::detail

using namespace store::detail;

std::unique_ptr<ThreadLease> SqliteStore::acquire_lease(const std::string& thread_id) {
  auto& impl = *impl_;
  impl.require_writable();
  SqliteStoreImpl::HeldLease taken;
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    taken = impl.take_lease_locked(thread_id);
    txn.commit();
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "thread '" + thread_id + "': taking its lease");
  }
  return impl.hold_lease(thread_id, std::move(taken));
}

Checkpointer::RunStart SqliteStore::start_run(const std::string& thread_id, const std::string& checkpoint_id) {
  auto& impl = *impl_;
  impl.require_writable();
  impl.flush_checkpoints();
  RunStart start;
  SqliteStoreImpl::HeldLease taken;
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    // Load first: the lease row changes the file, and an unchanged file lets the load reuse the
    // checkpoint a get_state just decoded. Same transaction, so nothing can come in between.
    start.checkpoint = impl.load_locked(thread_id, "", checkpoint_id, /*may_keep=*/false);
    taken = impl.take_lease_locked(thread_id);
    txn.commit();
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(),
                 "thread '" + thread_id + "': taking its lease and loading checkpoint '" +
                     (checkpoint_id.empty() ? std::string("latest") : checkpoint_id) + "'");
  }
  start.lease = impl.hold_lease(thread_id, std::move(taken));
  return start;
}

std::optional<LeaseInfo> SqliteStore::lease(const std::string& thread_id) {
  auto& impl = *impl_;
  try {
    DbLock lock(impl);
    std::optional<Holder> h = read_holder(impl.db(), thread_id);
    if (!h) return std::nullopt;
    return LeaseInfo{thread_id, h->owner.pid, h->owner.host, h->acquired_at_ms, h->heartbeat_at_ms, h->expires_at_ms};
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "thread '" + thread_id + "': reading its lease");
  }
}

bool SqliteStore::has_live_run(const std::string& thread_id) {
  auto& impl = *impl_;
  try {
    DbLock lock(impl);
    return impl.lease_held_by_live_owner(thread_id);
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "thread '" + thread_id + "': reading its lease");
  }
}

void SqliteStore::confirm_may_act(const std::string& thread_id) {
  auto& impl = *impl_;
  try {
    impl.confirm_may_act(thread_id);
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "thread '" + thread_id + "': renewing its lease before a side effect");
  }
}

void SqliteStore::renew_leases() {
  auto& impl = *impl_;
  impl.require_writable();
  try {
    impl.renew_leases();
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "renewing the leases this store holds");
  }
}

bool SqliteStore::break_lease(const std::string& thread_id) {
  auto& impl = *impl_;
  impl.require_writable();
  bool removed = false;
  try {
    DbLock lock(impl);
    WriteTxn txn(impl.db());
    Use q(impl.db().stmt("DELETE FROM leases WHERE thread_id = ?1"));
    q->bindNoCopy(1, thread_id);
    q->exec();
    removed = impl.db().changes() > 0;
    txn.commit();
  } catch (const SQLite::Exception& e) {
    throw_sqlite(e, impl.path(), "thread '" + thread_id + "': breaking its lease");
  }
  impl.mark_lease_broken(thread_id);
  return removed;
}

}  // namespace weft
