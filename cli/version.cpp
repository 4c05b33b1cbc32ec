// SPDX-License-Identifier: MIT
#include "cli/version.hpp"

#ifndef WEFT_VERSION
#error "WEFT_VERSION is set by cli/CMakeLists.txt from project(VERSION)"
#endif

namespace weft::cli {

std::string_view weft_version() noexcept { return WEFT_VERSION; }

}  // namespace weft::cli
