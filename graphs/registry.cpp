// SPDX-License-Identifier: MIT
#include "graphs/registry.hpp"

#include "graphs/error.hpp"
#include "graphs/kb_enrichment.hpp"
#include "graphs/live_reply.hpp"
#include "graphs/spam_triage.hpp"
#include "graphs/support_agent.hpp"
#include "graphs/vip_outreach.hpp"

namespace json = boost::json;

namespace weft::graphs {

json::object GraphDefinition::make_input(const json::value& input) const {
  json::value given = input.is_null() ? json::value(json::object()) : input;
  JsonSchema schema = JsonSchema::compile(input_schema);
  auto violations = schema.validate(given);
  if (!violations.empty()) {
    throw Error(error::invalid_input, "input of graph '" + name + "' is invalid: " + to_string(violations) +
                                          "; see 'weft graphs' for its input schema");
  }
  json::object filled = given.as_object();
  if (auto* props = input_schema.if_contains("properties"); props && props->is_object()) {
    for (const auto& [key, property] : props->as_object()) {
      if (filled.contains(key) || !property.is_object()) continue;
      if (auto* d = property.as_object().if_contains("default")) filled[key] = *d;
    }
  }
  json::object run_input;
  run_input["input"] = std::move(filled);
  return run_input;
}

GraphRegistry& GraphRegistry::add(GraphDefinition definition) {
  if (definition.name.empty() || !definition.build) {
    throw Error(error::unknown_graph, "a graph definition needs a name and a build function");
  }
  if (find(definition.name)) {
    throw Error(error::unknown_graph, "graph '" + definition.name + "' is already registered");
  }
  definitions_.push_back(std::move(definition));
  return *this;
}

const GraphDefinition* GraphRegistry::find(std::string_view name) const& noexcept {
  for (const auto& d : definitions_) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

GraphDefinition GraphRegistry::get(std::string_view name) const { return at(name); }

const GraphDefinition& GraphRegistry::at(std::string_view name) const& {
  if (const auto* d = find(name)) return *d;
  std::string names;
  for (const auto& d : definitions_) names += (names.empty() ? "" : ", ") + d.name;
  throw Error(error::unknown_graph, "no graph named '" + std::string(name) + "'; the graphs are: " + names);
}

GraphRegistry builtin_graphs() {
  GraphRegistry registry;
  registry.add(spam_triage_definition());
  registry.add(vip_outreach_definition());
  registry.add(kb_enrichment_definition());
  registry.add(support_agent_definition());
  registry.add(live_reply_definition());
  return registry;
}

}  // namespace weft::graphs
