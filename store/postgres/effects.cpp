// SPDX-License-Identifier: MIT
// PostgresStore's effect journal (fenced like checkpoints: a holder that lost its lease cannot
// mark or record an effect) and node cache.
#include "store/detail/codec.hpp"
#include "store/postgres/detail/store_impl.hpp"

#include <boost/json/serialize.hpp>

namespace weft::store::postgres::detail {
boost::asio::awaitable<EffectEntry> PostgresStoreImpl::find(const std::string& thread_id, const std::string& key) {
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec_prepared(
      "SELECT state, result, started_at_ms, finished_at_ms, request_digest FROM weft_effects"
      " WHERE thread_id = $1 AND key = $2",
      Params().add(thread_id).add(key));
  EffectEntry entry;
  if (r.rows() == 0) co_return entry;
  const std::string_view state = r.text(0, 0);
  if (state == "done") {
    entry.state = EffectState::done;
  } else if (state == "started") {
    entry.state = EffectState::started;
  } else {
    store::detail::throw_bad_record({redacted_url_, "weft_effects", thread_id, key, "state"},
                                    "unknown effect state '" + std::string(state) + "'");
  }
  if (entry.state == EffectState::done && !r.is_null(0, 1)) {
    entry.result = store::detail::parse_json(r.text(0, 1), {redacted_url_, "weft_effects", thread_id, key, "result"});
  }
  entry.started_at_ms = r.int64(0, 2);
  entry.finished_at_ms = r.is_null(0, 3) ? 0 : r.int64(0, 3);
  entry.request_digest = std::string(r.text(0, 4));
  co_return entry;
}

boost::asio::awaitable<void> PostgresStoreImpl::begin(const std::string& thread_id, const std::string& key,
                                                      const std::string& request_digest) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  // A started entry may be begun again (its caller reconciled it: it did not happen); a done one not.
  Result r = co_await c->async_exec_prepared(
      WEFT_PG_FENCE
      ", e AS (INSERT INTO weft_effects (thread_id, key, state, result, started_at_ms, finished_at_ms, request_digest)"
      "   SELECT $1, $4, 'started', NULL, " WEFT_PG_NOW_MS
      ", NULL, $5 WHERE EXISTS (SELECT 1 FROM allowed)"
      "   ON CONFLICT (thread_id, key) DO UPDATE SET started_at_ms = excluded.started_at_ms,"
      "     request_digest = excluded.request_digest WHERE weft_effects.state = 'started' RETURNING 1)"
      " SELECT (SELECT count(*) FROM allowed), (SELECT count(*) FROM e)",
      fenced_params(thread_id).add(key).add(request_digest));
  if (r.int64(0, 0) == 0) throw_lease_lost(thread_id, "starting effect '" + key + "'");
  if (r.int64(0, 1) == 0) {
    throw Error(error::effect_conflict,
                "thread '" + thread_id + "': effect '" + key +
                    "' is already done in the journal; use its recorded result (find()) instead of running it again");
  }
}

boost::asio::awaitable<void> PostgresStoreImpl::finish(const std::string& thread_id, const std::string& key,
                                                       const boost::json::value& result) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec_prepared(
      WEFT_PG_FENCE
      ", e AS (INSERT INTO weft_effects (thread_id, key, state, result, started_at_ms, finished_at_ms)"
      "   SELECT $1, $4, 'done', $5, " WEFT_PG_NOW_MS ", " WEFT_PG_NOW_MS
      " WHERE EXISTS (SELECT 1 FROM allowed)"
      "   ON CONFLICT (thread_id, key) DO UPDATE SET state = 'done', result = excluded.result,"
      "     finished_at_ms = excluded.finished_at_ms RETURNING 1)"
      " SELECT count(*) FROM allowed",
      fenced_params(thread_id).add(key).add(boost::json::serialize(result)));
  if (r.int64(0, 0) == 0) throw_lease_lost(thread_id, "recording the result of effect '" + key + "'");
}

boost::asio::awaitable<void> PostgresStoreImpl::abandon(const std::string& thread_id, const std::string& key) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec_prepared(
      WEFT_PG_FENCE
      ", e AS (DELETE FROM weft_effects WHERE thread_id = $1 AND key = $4 AND EXISTS (SELECT 1 FROM allowed))"
      " SELECT count(*) FROM allowed",
      fenced_params(thread_id).add(key));
  if (r.int64(0, 0) == 0) throw_lease_lost(thread_id, "abandoning effect '" + key + "'");
}

boost::asio::awaitable<std::optional<boost::json::object>> PostgresStoreImpl::lookup(const std::string& node,
                                                                                     const std::string& key,
                                                                                     std::int64_t now_ms) {
  auto c = co_await pool_->async_acquire();
  Result r = co_await c->async_exec("SELECT value, expires_at_ms FROM weft_node_cache WHERE node = $1 AND key = $2",
                                    Params().add(node).add(key));
  if (r.rows() == 0) co_return std::nullopt;
  const std::int64_t expires = r.int64(0, 1);
  if (expires != 0 && expires <= now_ms) {
    if (!options_.read_only) {
      co_await c->async_exec("DELETE FROM weft_node_cache WHERE node = $1 AND key = $2 AND expires_at_ms = $3::bigint",
                             Params().add(node).add(key).add(expires));
    }
    co_return std::nullopt;
  }
  co_return store::detail::parse_object(r.text(0, 0), {redacted_url_, "weft_node_cache", node, key, "value"});
}

boost::asio::awaitable<void> PostgresStoreImpl::record(const std::string& node, const std::string& key,
                                                       const boost::json::object& value, std::int64_t expires_at_ms) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  co_await c->async_exec(
      "INSERT INTO weft_node_cache (node, key, value, expires_at_ms, created_at_ms)"
      " VALUES ($1, $2, $3, $4::bigint, " WEFT_PG_NOW_MS
      ") ON CONFLICT (node, key) DO UPDATE SET"
      " value = excluded.value, expires_at_ms = excluded.expires_at_ms, created_at_ms = excluded.created_at_ms",
      Params().add(node).add(key).add(boost::json::serialize(value)).add(expires_at_ms));
}

boost::asio::awaitable<void> PostgresStoreImpl::clear(const std::string& node) {
  require_writable();
  auto c = co_await pool_->async_acquire();
  if (node.empty()) {
    co_await c->async_exec("DELETE FROM weft_node_cache", {});
  } else {
    co_await c->async_exec("DELETE FROM weft_node_cache WHERE node = $1", Params().add(node));
  }
}

}  // namespace weft::store::postgres::detail
