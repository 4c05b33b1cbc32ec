// SPDX-License-Identifier: MIT
// weft serve: the LangGraph Server API (server/README.md) on the same embedded defaults as
// `weft run` (./weft.db, the in-process Crisp sandbox, the offline model) until SIGINT/SIGTERM.

#include "cli/detail/commands.hpp"
#include "cli/detail/mcp_setup.hpp"
#include "cli/exit_code.hpp"
#include "cli/runtime.hpp"
#include "graphs/registry.hpp"
#include "server/server.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <optional>
#include <sstream>
#include <iostream>

namespace json = boost::json;

namespace weft::cli::detail {
namespace {

std::size_t positive(const Invocation& inv, const char* name, std::size_t fallback, std::size_t max) {
  auto text = inv.args.get(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    long long n = std::stoll(*text, &used);
    if (used != text->size() || n < 0 || static_cast<unsigned long long>(n) > max) throw std::out_of_range(name);
    return static_cast<std::size_t>(n);
  } catch (const std::exception&) {
    throw UsageError("--" + std::string(name) + " '" + *text + "' is not a number from 0 to " + std::to_string(max));
  }
}

int serve(const Invocation& inv) {
  server::ServerOptions options;
  options.host = inv.args.get_or("host", "127.0.0.1");
  options.port = static_cast<std::uint16_t>(positive(inv, "port", 0, 65535));
  options.workers = positive(inv, "workers", 4, 1024);
  if (options.workers == 0) throw UsageError("--workers must be at least 1");
  if (auto name = inv.args.get("api-key-env")) {
    auto key = inv.env(*name);
    if (!key) throw UsageError("--api-key-env " + *name + ": the environment variable " + *name + " is not set");
    options.api_key = *key;
  }

  // Refused before anything is opened or started (the server checks it again).
  boost::system::error_code address_error;
  auto address = boost::asio::ip::make_address(options.host, address_error);
  if (address_error) throw UsageError("--host '" + options.host + "' is not an IP address");
  if (options.api_key.empty() && !address.is_loopback())
    throw UsageError("refusing to serve on " + options.host + " without an API key: set one with --api-key-env NAME");

  options.crisp_hooks.secret = inv.env("CRISP_HOOK_SECRET").value_or("");
  options.crisp_hooks.key = inv.env("CRISP_HOOK_KEY").value_or("");
  options.crisp_hooks.max_age = std::chrono::seconds(positive(inv, "hook-max-age", 300, 7 * 86400));
  if (auto file = inv.args.get("config")) {
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) throw UsageError("--config '" + *file + "': cannot read the file");
    options.crisp_hooks.routing = text.str();
    options.crisp_hooks.routing_file = *file;
    if (options.crisp_hooks.routing.find_first_not_of(" \t\r\n") == std::string::npos)
      throw UsageError("--config '" + *file + "': the file holds no rule (server/README.md, \"Routing Crisp events\")");
  }

  Runtime runtime(resolve_settings(inv.args, inv.env), inv.env);
  runtime.open_store();
  runtime.connect([&inv](const std::string& line) { inv.err << "weft: " << line << "\n" << std::flush; });

  server::ServerEnvironment environment;
  environment.registry = inv.graphs;
  environment.services = runtime.services();
  environment.checkpointer = runtime.checkpointer();
  environment.store = runtime.memory_store();
  environment.journal = runtime.journal();
  // The catalog (assistants, crons) is a SQLite file: beside a PostgreSQL --db, ./weft.catalog.db.
  environment.catalog_path = Database::is_url(runtime.settings().db_path)
                                 ? runtime.settings().local_file_base() + ".catalog.db"
                                 : runtime.settings().db_path;
  options.crisp_hooks.website_ids = {runtime.website_id()};
  environment.mcp = make_mcp_server(runtime, inv.args, "mcp-", inv.graphs);  // /mcp (Streamable HTTP)
  environment.durability = runtime.settings().durability == "async"  ? Durability::async
                           : runtime.settings().durability == "exit" ? Durability::exit
                                                                     : Durability::sync;
  std::optional<server::Server> constructed;
  try {
    constructed.emplace(runtime.io(), std::move(environment), options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  server::Server& server = *constructed;
  server.start();

  json::object line;
  line["url"] = server.url();
  line["auth"] = options.api_key.empty() ? "none" : "api-key";
  line["db"] = Database::display_name(runtime.settings().db_path);
  line["crisp"] = runtime.crisp_description();
  line["model"] = runtime.services().model->describe();
  const auto& hooks = options.crisp_hooks;
  line["crisp_hooks"] = hooks.secret.empty() && hooks.key.empty() ? "off"
                        : hooks.key.empty()                       ? "signed"
                        : hooks.secret.empty()                    ? "key"
                                                                  : "signed+key";
  // Signals are caught from before the start line: a supervisor may send SIGTERM as soon as it
  // reads the line, and that must be a clean stop, not the default action.
  boost::asio::signal_set signals(runtime.io(), SIGINT, SIGTERM);
  int received = 0;
  inv.out << json::serialize(line) << std::endl;
  if (options.api_key.empty()) {
    inv.err << "weft: no API key (--api-key-env NAME): serving on loopback only, to this machine's users\n";
  }
  if (hooks.secret.empty() && hooks.key.empty()) {
    inv.err << "weft: Crisp hooks (POST /crisp/hooks) refuse every event: set CRISP_HOOK_SECRET (plugin hooks) or "
               "CRISP_HOOK_KEY (website hooks) to accept them\n";
  }
  inv.err << "weft: serving the LangGraph API on " << server.url() << " (Ctrl-C stops it)\n" << std::flush;

  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    received = signal;
    inv.err << "weft: stopping (signal " << signal << "): runs stop at their next step and resume on restart\n"
            << std::flush;
    server.stop([&runtime] { runtime.io().stop(); });
  });
  runtime.io().run();
  // The closed connections' coroutines end on their aborted operations before the server goes.
  runtime.io().restart();
  runtime.io().poll();
  runtime.store().flush();
  inv.err << "weft: stopped\n";
  return kExitDone;
}

}  // namespace

Command serve_command() {
  std::vector<OptionSpec> mcp = mcp_options("mcp-");
  Command command{
      {"serve",
       "Serve the graphs over the LangGraph Server API (threads, runs, SSE) until Ctrl-C.",
       {},
       {{"port", "N", "port (default 0 = a free port; the first stdout line is {\"url\": ...})"},
        {"host", "ADDR", "address to bind (default 127.0.0.1; another needs --api-key-env)"},
        db_option(),
        {"workers", "N", "runs executing at once (default 4); more wait as pending"},
        {"crisp-rate", "N", "Crisp requests per second (default 10, then the server's advertised pace; 0 = no limit)"},
        {"api-key-env", "NAME", "require the key in $NAME (x-api-key or Authorization: Bearer)"},
        {"model", "offline|scripted:FILE|openai:NAME", "the model (default as for 'weft run')"},
        {"crisp", "sandbox|URL", "Crisp (default as for 'weft run')"},
        {"durability", "sync|async|exit", "when checkpoints become durable (default sync)"},
        {"seed", "N", "seed of a new sandbox's data (default 42)"},
        {"config", "FILE", "Crisp hook routing rules (default: visitor messages -> live_reply)"},
        {"hook-max-age", "SECONDS", "refuse signed Crisp hooks older than this (default 300)"}},
       "The first line on stdout is {url, auth, db, crisp, model, crisp_hooks}. Crisp hooks: POST /crisp/hooks\n"
       "with CRISP_HOOK_SECRET and/or CRISP_HOOK_KEY set. Routes: server/README.md.\n"
       "Example: weft serve --port 8123, then from JS: new Client({apiUrl: 'http://127.0.0.1:8123'})"},
      serve};
  command.spec.options.insert(command.spec.options.end(), mcp.begin(), mcp.end());
  return command;
}

}  // namespace weft::cli::detail
