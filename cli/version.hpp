// SPDX-License-Identifier: MIT
#pragma once
// The version of `weft`: CMake's project(VERSION), compiled into version.cpp alone (so a version
// bump rebuilds one file). `weft --version` prints it; every --json object carries it as "version".

#include <string_view>

namespace weft::cli {

/// "0.1.0". Thread-safe.
std::string_view weft_version() noexcept;

}  // namespace weft::cli
