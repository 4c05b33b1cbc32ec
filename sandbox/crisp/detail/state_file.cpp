// SPDX-License-Identifier: MIT
#include "sandbox/crisp/detail/state_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weft::sandbox::crisp::detail {

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

FileVersion current_version(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return FileVersion{};
  FileVersion v;
  v.device = static_cast<std::uint64_t>(st.st_dev);
  v.inode = static_cast<std::uint64_t>(st.st_ino);
  v.size = static_cast<std::int64_t>(st.st_size);
  v.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return v;
}

StateFileLock::StateFileLock(const std::string& state_path) {
  const std::string lock_path = state_path + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("crisp sandbox: cannot open lock file '" + lock_path + "': " + errno_text());
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const std::string why = errno_text();
    ::close(fd_);
    throw std::runtime_error("crisp sandbox: cannot lock '" + lock_path + "': " + why);
  }
}

StateFileLock::~StateFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

void replace_file(const std::string& path, const std::string& text) {
  std::vector<char> name(path.begin(), path.end());
  static constexpr char kSuffix[] = ".tmp.XXXXXX";
  name.insert(name.end(), kSuffix, kSuffix + sizeof kSuffix);  // with the NUL
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw std::runtime_error("crisp sandbox: cannot create a temp file beside '" + path + "': " + errno_text());
  const std::string tmp(name.data());
  auto fail = [&](const std::string& what) {
    const std::string why = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("crisp sandbox: cannot " + what + " '" + tmp + "': " + why);
  };
  if (::fchmod(fd, 0644) != 0) fail("set the mode of");
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw std::runtime_error("crisp sandbox: cannot write '" + tmp + "': " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw std::runtime_error("crisp sandbox: cannot replace state file '" + path + "': " + why);
  }
}

}  // namespace weft::sandbox::crisp::detail
