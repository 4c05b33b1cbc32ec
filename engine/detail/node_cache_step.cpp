// SPDX-License-Identifier: MIT
#include "engine/detail/node_cache_step.hpp"

#include "engine/detail/hash.hpp"
#include "engine/effect_journal.hpp"
#include "engine/node_cache.hpp"

#include <boost/json/serialize.hpp>

namespace weft::detail {
namespace {

std::string cache_node(const RunShared& run, const TaskRun& task) { return run.def->name + "/" + task.state->node; }

void report_cache_error(RunShared& run, const TaskRun& task, const std::exception& e) {
  run.emit(StreamMode::debug, task.state->node, task.state->step,
           boost::json::object{{"type", "cache_error"}, {"payload", boost::json::object{{"message", e.what()}}}});
}

}  // namespace

NodeCache* cache_of(const RunShared& run, const TaskRun& task) {
  return run.def->nodes[task.node_index].options.cache ? run.def->options.cache.get() : nullptr;
}

std::optional<boost::json::object> cached_result(RunShared& run, TaskRun& task, const StateView& input) {
  NodeCache* cache = cache_of(run, task);
  if (!cache) return std::nullopt;
  const CachePolicy& policy = *run.def->nodes[task.node_index].options.cache;
  // The request the entry answers: the whole input, or what a custom key says identifies it.
  if (policy.key) {
    const std::string key_text = policy.key(input);
    task.cache_key = IdHasher().add(key_text).hex();
    task.cache_request = request_digest(boost::json::value(key_text));
  } else {
    const boost::json::value whole = input.to_object();
    task.cache_key = IdHasher().add(boost::json::serialize(whole)).hex();
    task.cache_request = request_digest(whole);
  }
  std::optional<boost::json::object> recorded;
  try {
    recorded = cache->lookup(cache_node(run, task), task.cache_key, run.clock->now_ms());
  } catch (const std::exception& e) {
    // An unreadable cache costs a call, not the task: the node runs (and records afresh).
    report_cache_error(run, task, e);
    return std::nullopt;
  }
  if (!recorded) return std::nullopt;
  // Replay is bound to the request: an entry recorded for another input (a key collision) is not
  // replayed; the node runs and its result replaces the entry. Entries without a digest predate it.
  if (const auto* digest = recorded->if_contains("request_digest");
      digest && digest->is_string() && digest->get_string() != task.cache_request) {
    run.emit(StreamMode::debug, task.state->node, task.state->step,
             boost::json::object{{"type", "cache_conflict"},
                                 {"payload", boost::json::object{{"key", task.cache_key},
                                                                 {"recorded_digest", digest->get_string()},
                                                                 {"request_digest", task.cache_request}}}});
    return std::nullopt;
  }
  return recorded;
}

void record_in_cache(RunShared& run, const TaskRun& task, const boost::json::object& result) {
  NodeCache* cache = cache_of(run, task);
  const CachePolicy& policy = *run.def->nodes[task.node_index].options.cache;
  // A cache that fails to record costs the next run a call, nothing more: the failure is
  // reported on the debug stream, not as the task's.
  try {
    const std::int64_t expires = policy.ttl ? run.clock->now_ms() + policy.ttl->count() : 0;
    cache->record(cache_node(run, task), task.cache_key, result, expires);
  } catch (const std::exception& e) {
    report_cache_error(run, task, e);
  }
}

}  // namespace weft::detail
