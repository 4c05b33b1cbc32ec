// SPDX-License-Identifier: MIT
#include "cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>

namespace weft::cli {

TerminalMode detect_terminal(int fd, const EnvLookup& env) {
  TerminalMode mode;
  const auto term = env("TERM");
  mode.live = ::isatty(fd) == 1 && !(term && *term == "dumb");
  mode.color = mode.live && !env("NO_COLOR");
  winsize size{};
  if (mode.live && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    mode.width = size.ws_col;
  } else if (auto columns = env("COLUMNS")) {
    int value = 0;
    auto [end, ec] = std::from_chars(columns->data(), columns->data() + columns->size(), value);
    if (ec == std::errc() && end == columns->data() + columns->size() && value >= 20 && value <= 1000)
      mode.width = value;
  }
  return mode;
}

}  // namespace weft::cli
