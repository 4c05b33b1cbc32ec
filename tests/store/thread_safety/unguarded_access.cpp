// SPDX-License-Identifier: MIT
// Must NOT compile under Clang's -Wthread-safety: writes data guarded by a store Mutex without
// holding it. The test "the thread-safety analysis rejects ..." (tests/store/CMakeLists.txt)
// checks that Clang refuses it, proving the annotations of store/detail/mutex.hpp are live (a
// macro defined away, or a Mutex that is no capability, would let this file compile).
#include "store/detail/mutex.hpp"

namespace {

struct Counter {
  weft::store::detail::Mutex mutex;
  int value GUARDED_BY(mutex) = 0;

  void locked_increment() {
    weft::store::detail::MutexLock lock(mutex);
    ++value;  // fine: the lock is held
  }
  void unlocked_increment() { ++value; }  // the error the test expects
};

}  // namespace

int main() {
  Counter counter;
  counter.locked_increment();
  counter.unlocked_increment();
}
