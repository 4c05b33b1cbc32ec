// SPDX-License-Identifier: MIT
#pragma once
// Talking to a `weft serve` the tests started as a process (tests/cli/process.hpp): its port from
// its first stdout line, and one API call that must succeed.

#include "tests/cli/process.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace weft::test {

/// Environment variables a spawned weft must not inherit from the developer's shell (credentials,
/// model, database, crash point, hook secrets), so that tests run the offline defaults.
extern const std::vector<std::string> kServeCleanEnv;

/// The port of a `weft serve`'s first stdout line {"url": "http://127.0.0.1:PORT", ...}.
std::uint16_t serve_port(BackgroundProcess& server);

/// The port of an "http://host:PORT[/...]" URL.
std::uint16_t port_of_url(const std::string& url);

/// `method target` with `body` (JSON, none when null) on 127.0.0.1:`port`; REQUIREs a 2xx answer
/// and returns its JSON body (null when empty).
boost::json::value call_api(std::uint16_t port, const char* method, const std::string& target,
                            const boost::json::value& body = nullptr);

}  // namespace weft::test
