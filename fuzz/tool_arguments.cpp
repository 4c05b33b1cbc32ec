// SPDX-License-Identifier: MIT
// Tool-argument validation against the built-in Crisp catalog: what a model sends as a tool call
// goes through prepare_arguments (id kinds, defaults, the parameter schema with its patterns) and
// through the entry's JsonSchema alone. Input: the tool name, a newline, the arguments as JSON
// (an unknown name picks an entry by hash). Any failure other than weft::Error is a bug.

#include "nodes/crisp/catalog.hpp"
#include "nodes/crisp/detail/arguments.hpp"
#include "engine/error.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view name = input.substr(0, newline);
  const std::string_view args_text = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

  const weft::crisp::Catalog& catalog = weft::crisp::Catalog::builtin();
  const weft::crisp::CatalogEntry* entry = catalog.find(name);
  if (!entry) entry = &catalog.entries()[std::hash<std::string_view>{}(name) % catalog.entries().size()];

  boost::system::error_code ec;
  const boost::json::value args = boost::json::parse(args_text, ec);
  if (ec) return 0;
  (void)entry->schema.validate(args);
  (void)entry->schema.is_valid(args);
  try {
    (void)weft::crisp::detail::prepare_arguments(catalog, *entry, args, "8c842203-7ed8-4e29-a608-7cf78a7d2fcc");
  } catch (const weft::Error&) {
    // a refused call: the expected outcome for most inputs
  }
  return 0;
}
