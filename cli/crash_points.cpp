// SPDX-License-Identifier: MIT
#include "cli/crash_points.hpp"

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <unistd.h>

namespace weft::cli {

namespace {

[[noreturn]] void die() {
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached
}

class CrashingCheckpointer final : public Checkpointer {
 public:
  CrashingCheckpointer(std::shared_ptr<Checkpointer> inner, CrashPoint point)
      : inner_(std::move(inner)), point_(point) {}

  void put_writes(const TaskWrites& writes, Durability durability) override {
    inner_->put_writes(writes, durability);
    if (point_.kind == CrashPoint::Kind::writes && ++seen_ == point_.count) die();
  }
  void put_checkpoint(const CheckpointRecord& record, const boost::json::object& values,
                      Durability durability) override {
    inner_->put_checkpoint(record, values, durability);
    if (point_.kind == CrashPoint::Kind::checkpoint && ++seen_ == point_.count) die();
  }
  std::optional<CheckpointTuple> get(const std::string& thread_id, const std::string& ns,
                                     const std::string& checkpoint_id) override {
    return inner_->get(thread_id, ns, checkpoint_id);
  }
  std::vector<CheckpointTuple> list(const std::string& thread_id, const std::string& ns,
                                    const ListOptions& options) override {
    return inner_->list(thread_id, ns, options);
  }
  void set_thread_status(const std::string& thread_id, ThreadStatus status, const std::string& graph,
                         const boost::json::object& metadata) override {
    inner_->set_thread_status(thread_id, status, graph, metadata);
  }
  std::optional<ThreadInfo> thread(const std::string& thread_id) override { return inner_->thread(thread_id); }
  std::vector<ThreadInfo> threads() override { return inner_->threads(); }
  void delete_thread(const std::string& thread_id) override { inner_->delete_thread(thread_id); }
  std::unique_ptr<ThreadLease> acquire_lease(const std::string& thread_id) override {
    return inner_->acquire_lease(thread_id);
  }
  void flush() override { inner_->flush(); }

 private:
  std::shared_ptr<Checkpointer> inner_;
  CrashPoint point_;
  std::atomic<int> seen_{0};
};

class CrashingJournal final : public EffectJournal {
 public:
  CrashingJournal(std::shared_ptr<EffectJournal> inner, CrashPoint point) : inner_(std::move(inner)), point_(point) {}

  EffectEntry find(const std::string& thread_id, const std::string& key) override {
    return inner_->find(thread_id, key);
  }
  void begin(const std::string& thread_id, const std::string& key) override { begin_request(thread_id, key, {}); }
  void begin_request(const std::string& thread_id, const std::string& key, const std::string& digest) override {
    inner_->begin_request(thread_id, key, digest);
    if (reached(CrashPoint::Kind::effect_begin, key)) die();
    if (reached(CrashPoint::Kind::effect_pause, key)) ::raise(SIGSTOP);
  }
  void finish(const std::string& thread_id, const std::string& key, const boost::json::value& result) override {
    if (reached(CrashPoint::Kind::effect_finish, key)) die();
    inner_->finish(thread_id, key, result);
  }
  void abandon(const std::string& thread_id, const std::string& key) override { inner_->abandon(thread_id, key); }
  // Forwarded: without it this wrapper would let a worker act on a lease it lost.
  void confirm_may_act(const std::string& thread_id) override { inner_->confirm_may_act(thread_id); }

 private:
  // Whether this effect of `kind` is the point's Nth (counting only the keys it selects).
  bool reached(CrashPoint::Kind kind, const std::string& key) {
    if (point_.kind != kind) return false;
    if (!point_.key_segment.empty() && key.find(":" + point_.key_segment + ":") == std::string::npos) return false;
    return ++seen_ == point_.count;
  }

  std::shared_ptr<EffectJournal> inner_;
  CrashPoint point_;
  std::atomic<int> seen_{0};
};

}  // namespace

std::optional<CrashPoint> parse_crash_point(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto colon = text.find(':');
  std::string kind = text.substr(0, colon);
  CrashPoint p;
  if (kind == "checkpoint") {
    p.kind = CrashPoint::Kind::checkpoint;
  } else if (kind == "writes") {
    p.kind = CrashPoint::Kind::writes;
  } else if (kind == "effect-begin") {
    p.kind = CrashPoint::Kind::effect_begin;
  } else if (kind == "effect-finish") {
    p.kind = CrashPoint::Kind::effect_finish;
  } else if (kind == "effect-pause") {
    p.kind = CrashPoint::Kind::effect_pause;
  } else {
    throw std::invalid_argument("WEFT_CRASH_AT '" + text +
                                "' is not checkpoint:N, writes:N, effect-begin:N, effect-finish:N or effect-pause:N");
  }
  if (colon != std::string::npos) {
    const auto second = text.find(':', colon + 1);
    const std::string number =
        text.substr(colon + 1, second == std::string::npos ? std::string::npos : second - colon - 1);
    std::size_t used = 0;
    try {
      p.count = std::stoi(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != number.size() || p.count < 1)
      throw std::invalid_argument("WEFT_CRASH_AT '" + text + "': N must be a positive integer");
    if (second != std::string::npos) {
      p.key_segment = text.substr(second + 1);
      const bool effect = p.kind != CrashPoint::Kind::checkpoint && p.kind != CrashPoint::Kind::writes;
      if (!effect || p.key_segment.empty() || p.key_segment.find(':') != std::string::npos)
        throw std::invalid_argument("WEFT_CRASH_AT '" + text +
                                    "': only an effect point takes a key segment after N, one word without ':'");
    }
  }
  return p;
}

std::shared_ptr<Checkpointer> crashing_checkpointer(std::shared_ptr<Checkpointer> inner, CrashPoint point) {
  return std::make_shared<CrashingCheckpointer>(std::move(inner), point);
}

std::shared_ptr<EffectJournal> crashing_journal(std::shared_ptr<EffectJournal> inner, CrashPoint point) {
  return std::make_shared<CrashingJournal>(std::move(inner), point);
}

}  // namespace weft::cli
