// SPDX-License-Identifier: MIT
#include "server/mcp/detail/tool_set.hpp"

#include "engine/effect_journal.hpp"
#include "engine/error.hpp"
#include "nodes/crisp/client.hpp"
#include "nodes/crisp/register.hpp"
#include "nodes/crisp/tools.hpp"
#include "nodes/http/client.hpp"
#include "server/detail/api.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

namespace json = boost::json;
using boost::asio::awaitable;

namespace weft::mcp::detail {
namespace {

// MCP's tool annotations from the catalog entry. A create adds something new (not destructive);
// every other write changes or removes what exists (MCP: destructiveHint).
json::object annotations(const crisp::CatalogEntry& entry) {
  json::object a;
  a["readOnlyHint"] = !entry.side_effecting;
  a["destructiveHint"] = entry.side_effecting && !entry.name.starts_with("create_a_");
  a["idempotentHint"] = entry.effect == crisp::EffectKind::read || entry.effect == crisp::EffectKind::idempotent;
  a["openWorldHint"] = true;
  return a;
}

std::string violations_text(const std::vector<SchemaViolation>& violations) {
  std::string text;
  for (const auto& v : violations) {
    if (!text.empty()) text += "; ";
    text += v.to_string();
  }
  return text;
}

}  // namespace

std::string call_key(std::string_view tool, const json::value& arguments) {
  // The engine's request digest: canonical JSON (keys sorted), so any key order gives one key.
  return "mcp/" + std::string(tool) + "/" + request_digest(json::object{{"tool", tool}, {"arguments", arguments}});
}

ToolSet::ToolSet(McpEnvironment environment, const McpOptions& options) : environment_(std::move(environment)) {
  if (!environment_.crisp) throw std::invalid_argument("the MCP server needs the Crisp tools");
  if (!environment_.journal) throw std::invalid_argument("the MCP server needs an effect journal");
  const std::set<std::string, std::less<>> wanted(options.tools.begin(), options.tools.end());
  std::set<std::string, std::less<>> known;
  auto offered = [&](const std::string& name, bool writes) {
    known.insert(name);
    if (options.read_only && writes) return false;
    return wanted.empty() || wanted.contains(name);
  };

  const crisp::Catalog& catalog = environment_.crisp->catalog();
  for (Tool& tool : crisp::make_tools(environment_.crisp)) {
    const crisp::CatalogEntry* entry = catalog.find(tool.name());
    if (!offered(tool.name(), tool.side_effecting())) continue;
    Entry e;
    e.name = tool.name();
    e.descriptor["name"] = tool.name();
    e.descriptor["description"] = tool.description();
    e.descriptor["inputSchema"] = tool.parameters();
    e.descriptor["annotations"] = annotations(*entry);
    e.crisp = std::move(tool);
    entries_.push_back(std::move(e));
  }
  if (options.graphs && environment_.checkpointer) {
    for (const graphs::GraphDefinition& def : environment_.registry.definitions()) {
      const std::string name = "run_" + def.name;
      if (!offered(name, true)) continue;
      CompileOptions compile;
      compile.checkpointer = environment_.checkpointer;
      compile.effect_journal = environment_.journal;
      Entry e;
      e.name = name;
      e.graph = &def;
      e.compiled = std::make_shared<CompiledGraph>(def.build(environment_.services, std::move(compile)));
      e.descriptor["name"] = name;
      e.descriptor["description"] =
          "Runs Weft's built-in graph '" + def.name + "': " + def.description +
          " Returns its summary and thread id; a run waiting for a human is reported as waiting "
          "(continue it with `weft resume THREAD`).";
      json::object schema = def.input_schema;
      if (!schema.contains("type")) schema["type"] = "object";
      e.descriptor["inputSchema"] = std::move(schema);
      json::object a;
      a["readOnlyHint"] = false;
      a["destructiveHint"] = true;
      a["idempotentHint"] = false;
      a["openWorldHint"] = true;
      e.descriptor["annotations"] = std::move(a);
      entries_.push_back(std::move(e));
    }
  } else if (options.graphs) {
    for (const graphs::GraphDefinition& def : environment_.registry.definitions()) known.insert("run_" + def.name);
  }
  for (const std::string& name : options.tools) {
    if (!known.contains(name)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw std::invalid_argument("--tools: '" + name + "' is not a tool (known: " + list + ")");
    }
  }
}

json::object ToolSet::list() const {
  json::array tools;
  for (const Entry& e : entries_) tools.push_back(e.descriptor);
  json::object out;
  out["tools"] = std::move(tools);
  return out;
}

std::vector<std::string> ToolSet::names() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.name);
  return out;
}

json::object ToolSet::rate_limit_state() const {
  // The IETF RateLimit fields (limit, remaining, reset in delta seconds from now), as the
  // upstream's latest answer gave them; null where it said nothing.
  json::object state;
  state["limit"] = nullptr;
  state["remaining"] = nullptr;
  state["reset"] = nullptr;
  const http::Client& client = environment_.crisp->client().http();
  if (auto last = client.last_rate_limit()) {
    if (last->limit) state["limit"] = *last->limit;
    if (last->remaining) state["remaining"] = *last->remaining;
    if (last->reset) {
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last->at);
      const std::int64_t left_ms = std::max<std::int64_t>(0, (*last->reset - elapsed).count());
      state["reset"] = (left_ms + 999) / 1000;
    }
  }
  return state;
}

json::object ToolSet::tool_result(json::value result, bool is_error) const {
  json::object structured;
  structured["result"] = std::move(result);
  structured["rate_limit"] = rate_limit_state();
  json::object text;
  text["type"] = "text";
  text["text"] = json::serialize(structured);
  json::object out;
  out["content"] = json::array{std::move(text)};
  out["structuredContent"] = std::move(structured);
  out["isError"] = is_error;
  return out;
}

awaitable<json::object> ToolSet::call(std::string name, json::value arguments) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
  if (it == entries_.end()) throw RpcError(rpc_error::invalid_params, "unknown tool '" + name + "' (see tools/list)");
  if (arguments.is_null()) arguments = json::object();
  if (it->crisp) {
    awaitable<json::object> pending = call_crisp(*it, std::move(arguments));
    json::object result = co_await std::move(pending);
    co_return result;
  }
  awaitable<json::object> pending = call_graph(*it, std::move(arguments));
  json::object result = co_await std::move(pending);
  co_return result;
}

awaitable<json::object> ToolSet::call_crisp(const Entry& entry, json::value arguments) {
  // The graphs' path: the tool's JSON Schema (no website_id argument exists, so naming another
  // website is refused here), then CrispTools::call: ids of their kind, the route on the bound
  // website, the HTTP client's token bucket and 429 waits, and for writes the effect journal
  // and a fingerprint derived from the journal key.
  const auto violations = entry.crisp->check_arguments(arguments);
  if (!violations.empty()) {
    json::object error;
    error["error"] = "invalid_arguments";
    error["message"] = "invalid arguments for " + entry.name + ": " + violations_text(violations) +
                       ". Nothing was sent; fix the arguments (see the tool's inputSchema) and call again.";
    co_return tool_result(std::move(error), true);
  }
  crisp::EffectScope scope;
  if (entry.crisp->side_effecting()) {
    const std::string thread = "mcp:" + environment_.crisp->client().website_id();
    scope = crisp::journal_scope(*environment_.journal, thread, call_key(entry.name, arguments));
  }
  json::value result;
  std::optional<std::string> failure;
  std::string code;
  try {
    awaitable<json::value> pending = environment_.crisp->call(entry.name, std::move(arguments), std::move(scope));
    result = co_await std::move(pending);
  } catch (const Error& e) {
    failure = e.what();
    code = e.code().message();
  } catch (const std::exception& e) {
    failure = e.what();
    code = "failed";
  }
  if (failure) {
    json::object error;
    error["error"] = code;
    error["message"] = environment_.crisp->client().http().redact(*failure);
    co_return tool_result(std::move(error), true);
  }
  co_return tool_result(std::move(result), false);
}

awaitable<json::object> ToolSet::call_graph(const Entry& entry, json::value arguments) {
  json::object input;
  try {
    input = entry.graph->make_input(arguments);
  } catch (const std::exception& e) {
    json::object error;
    error["error"] = "invalid_arguments";
    error["message"] = std::string(e.what()) + ". Nothing was run.";
    co_return tool_result(std::move(error), true);
  }
  RunConfig config;
  config.thread_id = "mcp-" + server::detail::random_uuid();
  awaitable<RunResult> pending = entry.compiled->run(json::value(std::move(input)), config);
  RunResult run = co_await std::move(pending);
  json::object out;
  out["thread_id"] = config.thread_id;
  out["graph"] = entry.graph->name;
  const json::value* summary = run.values.if_contains("summary");
  out["summary"] = summary ? *summary : json::value(nullptr);
  bool is_error = false;
  switch (run.status) {
    case RunStatus::done: out["status"] = "done"; break;
    case RunStatus::interrupted: {
      out["status"] = "waiting";
      json::array questions;
      for (const auto& i : run.interrupts) questions.push_back(i.value);
      out["waiting_for"] = std::move(questions);
      out["message"] = "the run waits for a human: answer with `weft resume " + config.thread_id + " --resume JSON`";
      break;
    }
    case RunStatus::failed:
      out["status"] = "failed";
      out["message"] = run.error ? run.error->message : std::string("the run failed");
      is_error = true;
      break;
  }
  co_return tool_result(std::move(out), is_error);
}

}  // namespace weft::mcp::detail
