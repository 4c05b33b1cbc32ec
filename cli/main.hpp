// SPDX-License-Identifier: MIT
#pragma once
// weft::cli::main: the whole `weft` command line as a function, so a user builds their own
// weft-style program with their own graphs registered beside the built-in ones. `run`, `resume`,
// `history`, `state`, `fork`, `graphs`, `graph` and `serve` then know those graphs by name, and
// every thread of them.
//
// ```cpp
//   #include <weft/cli/main.hpp>
//   #include <weft/engine/state_graph.hpp>
//
//   weft::graphs::GraphDefinition hello;
//   hello.name = "hello";
//   hello.description = "says hello";
//   hello.input_schema = {{"type", "object"}};
//   hello.build = [](const weft::graphs::GraphServices&, weft::CompileOptions options) {
//     weft::StateGraph g({{"input", weft::Channel::last_value()}, {"summary", weft::Channel::last_value()}},
//                        "hello");
//     g.add_node("greet", [](weft::StateView, weft::NodeContext) {
//       return boost::json::object{{"summary", "hello"}};
//     });
//     g.add_edge(weft::START, "greet");
//     return g.compile(std::move(options));
//   };
//   // in the program's own main(argc, argv):
//   //   return weft::cli::main(argc, argv, {hello});
// ```
// A complete program: examples/my_weft/.

#include "graphs/registry.hpp"

#include <vector>

namespace weft::cli {

/// Runs the `weft` command line on `argv` (argv[0] is the program's name, shown nowhere; the
/// commands and their options are those of `weft`, cli/README.md) with the built-in graphs plus
/// `extra`, and returns the exit code (0 done, 1 failed, 2 usage, 3 waiting for a human, 4 done
/// with failures). Never throws: every failure is one line on stderr and an exit code; a name in
/// `extra` that is empty, taken by a built-in graph or given twice, or a definition without a
/// build function, is reported that way (exit 1) before any command runs. Results go to
/// std::cout, progress and errors to std::cerr; SIGPIPE is ignored (a closed pipe stops a run at
/// a safe point instead of killing the process). Call it once, from the program's main thread.
int main(int argc, char** argv, std::vector<graphs::GraphDefinition> extra = {});

}  // namespace weft::cli
