// SPDX-License-Identifier: MIT
#pragma once
// Generates the sandbox's initial world from a seed: the same seed gives byte-identical data on
// every platform (Prng, fixed anchor time), so tests can rely on it.

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

namespace weft::sandbox::crisp::detail {

// Seeded timestamps end at this instant (2026-11-20T09:00:00Z) so they never depend on the clock.
inline constexpr std::int64_t kSeedAnchorMs = 1'795'165'200'000;

// The state document (store.hpp) of a fresh world: a main website (the token's) and an other
// website (not subscribed), each with conversations, messages, inboxes, operators, visitors,
// people, spam, helpdesk (both families in one store) and campaigns.
boost::json::object generate_world(std::uint64_t seed, const std::string& helpdesk_mode);

// Builds a helpdesk entry's public URL and slug helpers, shared with the helpdesk routes.
std::string slugify(std::string_view title);

}  // namespace weft::sandbox::crisp::detail
