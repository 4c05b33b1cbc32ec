// SPDX-License-Identifier: MIT
// The registry's API makes the dangling reference of the old examples/run_builtin_graph.cpp
// (`const auto& def = builtin_graphs().at("x");`, a reference into a destroyed temporary) a
// compile error, while keeping the safe forms.

#include "graphs/registry.hpp"

#include <doctest/doctest.h>

#include <string_view>
#include <utility>

namespace {

template <class Registry>
concept LooksUpByReference = requires(Registry&& r) {
  std::forward<Registry>(r).at(std::string_view("x"));
};
template <class Registry>
concept FindsByPointer = requires(Registry&& r) {
  std::forward<Registry>(r).find(std::string_view("x"));
};
template <class Registry>
concept ListsByReference = requires(Registry&& r) {
  std::forward<Registry>(r).definitions();
};

// On a temporary registry the lookups that return references into it do not exist...
static_assert(!LooksUpByReference<weft::graphs::GraphRegistry>);
static_assert(!FindsByPointer<weft::graphs::GraphRegistry>);
static_assert(!ListsByReference<weft::graphs::GraphRegistry>);
// ...and on a registry kept in a variable they do.
static_assert(LooksUpByReference<weft::graphs::GraphRegistry&>);
static_assert(LooksUpByReference<const weft::graphs::GraphRegistry&>);

}  // namespace

TEST_CASE("a definition copied out of a temporary registry outlives it and still builds") {
  const weft::graphs::GraphDefinition triage = weft::graphs::builtin_graphs().get("spam_triage");
  CHECK(triage.name == "spam_triage");
  CHECK(static_cast<bool>(triage.build));
  const auto input = triage.make_input(boost::json::object{{"limit", 3}});
  CHECK(input.at("input").at("limit") == 3);
  const weft::graphs::GraphRegistry registry = weft::graphs::builtin_graphs();
  CHECK(registry.at("support_agent").name == "support_agent");
  CHECK(registry.find("nope") == nullptr);
}
