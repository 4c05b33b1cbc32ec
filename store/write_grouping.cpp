// Grouping of sync task writes into their step's checkpoint transaction
// (SqliteOptions::sync_writes_grace_ms): rows wait in lingering_ until the step's checkpoint takes
// them (sqlite_store.cpp, SqliteStoreImpl::write) or the grace period passes and the lingerer
// thread hands them to the async writer.
#include "store/detail/store_impl.hpp"

namespace weft::store::detail {

void SqliteStoreImpl::linger(WritesRow row) {
  std::lock_guard lock(linger_mutex_);
  // No wake-up per call: the lingerer polls every grace period, so a step costs no context switch.
  if (lingering_.empty()) {
    linger_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.sync_writes_grace_ms);
  }
  lingering_.push_back(std::move(row));
  if (!lingerer_.joinable()) lingerer_ = std::thread([this] { lingerer_loop(); });
}

void SqliteStoreImpl::hand_lingering_to_writer() {
  std::lock_guard lock(linger_mutex_);
  for (WritesRow& row : lingering_) writer_.push(std::move(row));
  lingering_.clear();
}

void SqliteStoreImpl::lingerer_loop() {
  const auto period = std::chrono::milliseconds(options_.sync_writes_grace_ms);
  std::unique_lock lock(linger_mutex_);
  while (!linger_stop_) {
    linger_wake_.wait_for(lock, period, [&] { return linger_stop_; });
    if (linger_stop_) return;
    if (lingering_.empty() || std::chrono::steady_clock::now() < linger_deadline_) continue;
    try {
      for (WritesRow& row : lingering_) writer_.push(std::move(row));
    } catch (...) {
      // the writer failed earlier: that error is reported by the next call
    }
    lingering_.clear();
  }
}

void SqliteStoreImpl::stop_lingerer() noexcept {
  try {
    hand_lingering_to_writer();
  } catch (...) {
  }
  {
    std::lock_guard lock(linger_mutex_);
    linger_stop_ = true;
    linger_wake_.notify_all();
  }
  if (lingerer_.joinable()) lingerer_.join();
}

void SqliteStoreImpl::require_writable() const {
  if (options_.read_only) {
    throw Error(error::open_failed, "'" + path_ + "' was opened read-only; open it without read_only to write");
  }
}

}  // namespace weft::store::detail
