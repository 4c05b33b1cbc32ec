// SPDX-License-Identifier: MIT
// my_weft: your own `weft`. The whole command line (run, resume, threads, history, state, fork,
// graphs, graph, serve, ...) with one graph of your own registered beside the built-in ones, so
// its threads are inspected, answered and forked like theirs:
//
//   my_weft run greeting --thread g1        # stops at the question: exit 3
//   my_weft state g1                        # the pending question
//   my_weft resume g1 --resume '"Ada"'      # answers it: exit 0, "Hello, Ada!"
//   my_weft history g1                      # its checkpoints

#include <weft/cli/main.hpp>
#include <weft/engine/state_graph.hpp>

#include <boost/json.hpp>

#include <string>

namespace {

// A graph is registered as a definition: a name, a line of description, the JSON Schema of its
// run input (the CLI validates --input against it and fills in the defaults), and how to build it.
weft::graphs::GraphDefinition greeting_graph() {
  weft::graphs::GraphDefinition definition;
  definition.name = "greeting";
  definition.description = "asks a human for a name, then greets them";
  definition.input_schema = boost::json::parse(R"({
    "type": "object",
    "properties": {"salutation": {"type": "string", "default": "Hello"}},
    "additionalProperties": false
  })")
                                .as_object();
  // The services (model, Crisp tools) are there for graphs that need them; this one does not.
  definition.build = [](const weft::graphs::GraphServices&, weft::CompileOptions options) {
    weft::StateGraph g({{"input", weft::Channel::last_value()},
                        {"name", weft::Channel::last_value()},
                        {"summary", weft::Channel::last_value()}},
                       "greeting");
    g.add_node("ask_name", [](weft::StateView, weft::NodeContext ctx) {
      boost::json::value name = ctx.interrupt(boost::json::object{{"question", "What is your name?"}});
      return boost::json::object{{"name", name.is_string() ? name : boost::json::value("stranger")}};
    });
    g.add_node("greet", [](weft::StateView state, weft::NodeContext) {
      std::string salutation = "Hello";
      if (const auto* input = state.find("input"); input && input->is_object()) {
        if (const auto* s = input->as_object().if_contains("salutation"); s && s->is_string())
          salutation = std::string(s->as_string());
      }
      return boost::json::object{{"summary", salutation + ", " + std::string(state.get_string("name")) + "!"}};
    });
    g.add_edge(weft::START, "ask_name");
    g.add_edge("ask_name", "greet");
    g.add_edge("greet", weft::END);
    return g.compile(std::move(options));
  };
  return definition;
}

}  // namespace

int main(int argc, char** argv) { return weft::cli::main(argc, argv, {greeting_graph()}); }
