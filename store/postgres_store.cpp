// SPDX-License-Identifier: MIT
// PostgresStore: opening, and the public interface over the operations of postgres/ (each written
// once as a coroutine: the synchronous form runs it to completion, the awaitable form awaits it
// on the run's executor).
#include "store/postgres_store.hpp"

#include "store/postgres/detail/schema.hpp"
#include "store/postgres/detail/store_impl.hpp"

namespace weft {

using store::postgres::detail::blocking;

bool is_postgres_url(std::string_view db) noexcept {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string redact_database_url(std::string_view url) { return store::postgres::detail::redact_url(url); }

namespace store::postgres::detail {
namespace {

PostgresOptions with_clock(PostgresOptions options) {
  if (!options.clock) options.clock = system_clock();
  return options;
}

}  // namespace

PostgresStoreImpl::PostgresStoreImpl(const std::string& url, PostgresOptions options)
    : redacted_url_(redact_url(url)),
      options_(with_clock(options)),
      pool_(Pool::create(url, options.pool_size, options.acquire_timeout, options.connect_timeout_s)) {
  auto c = pool_->acquire();  // connects now: a bad URL, password or server fails the open
  ensure_component(*c, store_schema(), options_.read_only);
}

PostgresStoreImpl::~PostgresStoreImpl() { stop_heartbeat(); }

void PostgresStoreImpl::require_writable() const {
  if (options_.read_only) {
    throw Error(error::open_failed, "the Weft database at " + redacted_url_ + " was opened read-only; cannot write");
  }
}

}  // namespace store::postgres::detail

PostgresStore::PostgresStore(const std::string& url, PostgresOptions options)
    : impl_(std::make_shared<store::postgres::detail::PostgresStoreImpl>(url, options)) {}

PostgresStore::~PostgresStore() {
  std::map<std::string, store::postgres::detail::PostgresStoreImpl::HeldLease> held;
  {
    std::lock_guard lock(impl_->lease_mutex_);
    held = impl_->held_leases_;
  }
  for (const auto& [thread_id, lease] : held) impl_->release_lease(thread_id, lease.token);
  impl_->stop_heartbeat();
}

const std::string& PostgresStore::url() const noexcept { return impl_->redacted_url_; }

void PostgresStore::put_writes(const TaskWrites& writes, Durability) { blocking(impl_->put_writes(writes)); }

void PostgresStore::put_checkpoint(const CheckpointRecord& record, const boost::json::object& values, Durability) {
  blocking(impl_->put_checkpoint(record, values));
}

std::optional<CheckpointTuple> PostgresStore::get(const std::string& thread_id, const std::string& ns,
                                                  const std::string& checkpoint_id) {
  return blocking(impl_->get(thread_id, ns, checkpoint_id));
}

std::vector<CheckpointTuple> PostgresStore::list(const std::string& thread_id, const std::string& ns,
                                                 const ListOptions& options) {
  return blocking(impl_->list(thread_id, ns, options));
}

void PostgresStore::set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                                      const boost::json::object& metadata) {
  blocking(impl_->set_thread_status(thread_id, status, graph, metadata));
}

std::optional<ThreadInfo> PostgresStore::thread(const std::string& thread_id) {
  std::vector<ThreadInfo> found = blocking(impl_->threads(&thread_id));
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<ThreadInfo> PostgresStore::threads() { return blocking(impl_->threads(nullptr)); }

void PostgresStore::delete_thread(const std::string& thread_id) { blocking(impl_->delete_thread(thread_id)); }

std::unique_ptr<ThreadLease> PostgresStore::acquire_lease(const std::string& thread_id) {
  return blocking(impl_->acquire_lease(thread_id));
}

Checkpointer::RunStart PostgresStore::start_run(const std::string& thread_id, const std::string& checkpoint_id) {
  return blocking(async_start_run(thread_id, checkpoint_id));
}

void PostgresStore::flush() {}

boost::asio::awaitable<void> PostgresStore::async_put_writes(TaskWrites writes, Durability) {
  co_await impl_->put_writes(writes);
}

boost::asio::awaitable<void> PostgresStore::async_put_checkpoint(CheckpointRecord record,
                                                                 const boost::json::object* values, Durability) {
  co_await impl_->put_checkpoint(record, *values);
}

boost::asio::awaitable<std::optional<CheckpointTuple>> PostgresStore::async_get(std::string thread_id, std::string ns,
                                                                                std::string checkpoint_id) {
  co_return co_await impl_->get(thread_id, ns, checkpoint_id);
}

boost::asio::awaitable<std::vector<CheckpointTuple>> PostgresStore::async_list(std::string thread_id, std::string ns,
                                                                               ListOptions options) {
  co_return co_await impl_->list(thread_id, ns, options);
}

boost::asio::awaitable<void> PostgresStore::async_set_thread_status(std::string thread_id, ThreadStatus status,
                                                                    std::string graph, boost::json::object metadata) {
  co_await impl_->set_thread_status(thread_id, status, graph, metadata);
}

boost::asio::awaitable<Checkpointer::RunStart> PostgresStore::async_start_run(std::string thread_id,
                                                                              std::string checkpoint_id) {
  RunStart start;
  start.lease = co_await impl_->acquire_lease(thread_id);
  start.checkpoint = co_await impl_->get(thread_id, "", checkpoint_id);  // a throw releases the lease
  co_return start;
}

boost::asio::awaitable<void> PostgresStore::async_flush() { co_return; }

EffectEntry PostgresStore::find(const std::string& thread_id, const std::string& key) {
  return blocking(impl_->find(thread_id, key));
}

void PostgresStore::begin(const std::string& thread_id, const std::string& key) {
  blocking(impl_->begin(thread_id, key, {}));
}

void PostgresStore::begin_request(const std::string& thread_id, const std::string& key,
                                  const std::string& request_digest) {
  blocking(impl_->begin(thread_id, key, request_digest));
}

void PostgresStore::finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) {
  blocking(impl_->finish(thread_id, key, result));
}

void PostgresStore::abandon(const std::string& thread_id, const std::string& key) {
  blocking(impl_->abandon(thread_id, key));
}

void PostgresStore::confirm_may_act(const std::string& thread_id) { blocking(impl_->confirm_may_act(thread_id)); }

boost::asio::awaitable<void> PostgresStore::async_confirm_may_act(std::string thread_id) {
  co_await impl_->confirm_may_act(thread_id);
}

boost::asio::awaitable<EffectEntry> PostgresStore::async_find(std::string thread_id, std::string key) {
  co_return co_await impl_->find(thread_id, key);
}

boost::asio::awaitable<void> PostgresStore::async_begin_request(std::string thread_id, std::string key,
                                                                std::string request_digest) {
  co_await impl_->begin(thread_id, key, request_digest);
}

boost::asio::awaitable<void> PostgresStore::async_finish(std::string thread_id, std::string key,
                                                         boost::json::value result) {
  co_await impl_->finish(thread_id, key, result);
}

boost::asio::awaitable<void> PostgresStore::async_abandon(std::string thread_id, std::string key) {
  co_await impl_->abandon(thread_id, key);
}

std::optional<boost::json::object> PostgresStore::lookup(const std::string& node, const std::string& key,
                                                         std::int64_t now_ms) {
  return blocking(impl_->lookup(node, key, now_ms));
}

void PostgresStore::record(const std::string& node, const std::string& key, const boost::json::object& value,
                           std::int64_t expires_at_ms) {
  blocking(impl_->record(node, key, value, expires_at_ms));
}

void PostgresStore::clear(const std::string& node) { blocking(impl_->clear(node)); }

std::optional<LeaseInfo> PostgresStore::lease(const std::string& thread_id) {
  return blocking(impl_->lease(thread_id));
}

bool PostgresStore::has_live_run(const std::string& thread_id) { return blocking(impl_->has_live_run(thread_id)); }

bool PostgresStore::break_lease(const std::string& thread_id) { return blocking(impl_->break_lease(thread_id)); }

}  // namespace weft
