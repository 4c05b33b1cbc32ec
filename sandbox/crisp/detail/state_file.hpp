// SPDX-License-Identifier: MIT
#pragma once
// The state file shared by every sandbox process that names it (`weft run` processes started side by
// side in one directory each run their own in-process sandbox on `<db>.sandbox.json`). The file is
// the world's one durable copy; a process's in-memory copy is a cache of it:
//   - a write takes an exclusive flock on "<path>.lock" (a file that is never replaced), reloads
//     the document when another process replaced it since this process last read or wrote it,
//     applies the change and replaces the file (unique temp file + rename) before releasing;
//   - a read reloads first when the file changed, so it sees the other processes' writes;
//   - nothing is ever saved from a stale copy (stop() saves only a change the file has not seen).
// So concurrent writers serialise and none loses another's change. See sandbox/README.md.

#include <cstdint>
#include <string>

namespace weft::sandbox::crisp::detail {

// Identity of one version of the file: rename() gives every save a new inode, and the size and
// modification time tell a rewritten inode apart.
struct FileVersion {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileVersion&) const = default;
};

// The version at `path` now; size -1 when the file does not exist.
FileVersion current_version(const std::string& path);

// Holds an exclusive flock on "<state path>.lock" for its lifetime (blocks until granted).
// Throws std::runtime_error when the lock file cannot be opened. Not copyable.
class StateFileLock {
 public:
  explicit StateFileLock(const std::string& state_path);
  ~StateFileLock();
  StateFileLock(const StateFileLock&) = delete;
  StateFileLock& operator=(const StateFileLock&) = delete;

 private:
  int fd_ = -1;
};

// Writes `text` to `path` atomically: a unique temp file beside it (mkstemp, so two processes
// never share one), then rename over `path`. Throws std::runtime_error naming the file.
void replace_file(const std::string& path, const std::string& text);

}  // namespace weft::sandbox::crisp::detail
