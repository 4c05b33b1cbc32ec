#pragma once
// The effect journal: side effects (an HTTP POST, a chat message) run at most once per
// (thread, key). The engine's NodeContext::effect(key, fn) drives it; stores persist it.
//
// Protocol, per (thread, key):
//   find() == absent  -> begin() (durable before returning), run the effect, then finish(result)
//                        or, if the effect threw, abandon() so a retry may run it again;
//   find() == done    -> the recorded result is returned, the effect is not called;
//   find() == started -> the process died between begin() and finish(): the effect is *in doubt*
//                        (it may or may not have happened); the caller must reconcile. When the
//                        reconciliation finds it did not happen, begin() is called again on the
//                        started entry (stores accept that) and the effect runs once.
// Keys are derived from the deterministic task id, so a task re-run after a crash finds its own
// entries; a fork runs new tasks with new ids and so new effects.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>

namespace weft {

enum class EffectState { absent, started, done };

struct EffectEntry {
  EffectState state = EffectState::absent;
  boost::json::value result;        ///< the recorded result when done
  std::int64_t started_at_ms = 0;   ///< when begin() ran (started and done)
  std::int64_t finished_at_ms = 0;  ///< when finish() ran (done)
};

/// Thread safety: implementations are safe to call from several threads.
class EffectJournal {
 public:
  virtual ~EffectJournal() = default;
  virtual EffectEntry find(const std::string& thread_id, const std::string& key) = 0;
  virtual void begin(const std::string& thread_id, const std::string& key) = 0;
  virtual void finish(const std::string& thread_id, const std::string& key,
                      const boost::json::value& result) = 0;
  virtual void abandon(const std::string& thread_id, const std::string& key) = 0;
};

}  // namespace weft
