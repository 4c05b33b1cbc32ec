// SPDX-License-Identifier: MIT
// weft version, weft completion: commands about weft itself.

#include "cli/completion.hpp"
#include "cli/detail/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/version.hpp"
#include "graphs/registry.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

int version(const Invocation& inv) {
  if (inv.args.has("json")) {
    json::object o;
    o["version"] = weft_version();
    inv.out << json::serialize(o) << "\n";
  } else {
    inv.out << "weft " << weft_version() << "\n";
  }
  return kExitDone;
}

int completion(const Invocation& inv) {
  std::vector<CommandSpec> specs;
  for (const auto& c : all_commands()) specs.push_back(c.spec);
  std::vector<std::string> graph_names;
  const graphs::GraphRegistry& registry = inv.graphs;
  for (const auto& d : registry.definitions()) graph_names.push_back(d.name);
  inv.out << completion_script(inv.args.positional(0), specs, graph_names);
  return kExitDone;
}

}  // namespace

Command version_command() {
  return {{"version", "Print weft's version (also 'weft --version').", {}, {json_option()}, ""}, version};
}

Command completion_command() {
  return {{"completion",
           "Print a shell completion script for bash or zsh.",
           {{"SHELL", "bash or zsh", true}},
           {},
           "bash: source <(weft completion bash)    (or save it in ~/.local/share/bash-completion/completions/weft)\n"
           "zsh:  source <(weft completion zsh)"},
          completion};
}

}  // namespace weft::cli::detail
