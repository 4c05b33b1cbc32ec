// SPDX-License-Identifier: MIT
#include "cli/detail/mcp_setup.hpp"

#include "cli/version.hpp"
#include "graphs/registry.hpp"
#include "nodes/crisp/client.hpp"
#include "nodes/crisp/register.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"
#include "store/sqlite_store.hpp"

#include <stdexcept>

namespace weft::cli::detail {

std::vector<OptionSpec> mcp_options(const std::string& prefix) {
  return {
      {prefix + "read-only", "", "offer only the tools that change nothing (no writes, no graphs)"},
      {prefix + "tools", "A,B,C", "offer only these tools (catalog names, run_<graph>)"},
      {prefix + "website", "ID", "the Crisp website the tools act on (default: CRISP_WEBSITE_ID, or the sandbox's)"},
      {prefix + "graphs", "", "also offer the built-in graphs as tools (run_spam_triage, ...)"}};
}

std::shared_ptr<mcp::McpServer> make_mcp_server(Runtime& runtime, const ParsedArgs& args, const std::string& prefix,
                                                const graphs::GraphRegistry& graphs) {
  mcp::McpOptions options;
  options.read_only = args.has(prefix + "read-only");
  options.graphs = args.has(prefix + "graphs");
  options.version = std::string(weft_version());
  if (auto list = args.get(prefix + "tools")) {
    std::size_t start = 0;
    while (start <= list->size()) {
      std::size_t comma = list->find(',', start);
      if (comma == std::string::npos) comma = list->size();
      std::string name = list->substr(start, comma - start);
      if (!name.empty()) options.tools.push_back(std::move(name));
      start = comma + 1;
    }
    if (options.tools.empty()) throw UsageError("--" + prefix + "tools needs at least one tool name");
  }

  // The Crisp client of the runtime (its HTTP client: token bucket, retries, redaction), bound to
  // --website when given: the tools have no website argument, so that is the only website they reach.
  std::shared_ptr<crisp::CrispClient> client = runtime.crisp_client();
  if (auto website = args.get(prefix + "website")) {
    crisp::CrispConfig config = client->config();
    config.website_id = *website;
    client = std::make_shared<crisp::CrispClient>(std::make_shared<http::Client>(client->http()), std::move(config));
  }
  auto tools = std::make_shared<crisp::CrispTools>(client);

  mcp::McpEnvironment environment;
  environment.crisp = tools;
  environment.journal = runtime.journal();
  environment.checkpointer = runtime.checkpointer();
  if (options.graphs) {
    environment.registry = graphs;
    environment.services = runtime.services();
    environment.services.crisp_tools = ToolRegistry();
    crisp::register_tools(environment.services.crisp_tools, tools);
  }
  try {
    return std::make_shared<mcp::McpServer>(std::move(environment), std::move(options));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace weft::cli::detail
