// SPDX-License-Identifier: MIT
#include "graphs/detail/definition.hpp"

#include <boost/json/parse.hpp>

#include <utility>

namespace weft::graphs::detail {

GraphDefinition make_definition(std::string name, std::string description, std::string_view input_schema,
                                decltype(GraphDefinition::build) build) {
  GraphDefinition d;
  d.name = std::move(name);
  d.description = std::move(description);
  d.input_schema = boost::json::parse(input_schema).as_object();
  d.build = std::move(build);
  return d;
}

}  // namespace weft::graphs::detail
