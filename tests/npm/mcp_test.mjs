// SPDX-License-Identifier: MIT
// Drives `weft mcp` (stdio) and `weft serve`'s /mcp (Streamable HTTP) with the official MCP
// TypeScript SDK, pinned in package.json, against a `weft sandbox` started here (its effect log
// and fault switches are the test's eyes and hands). Run by CTest as
//   node mcp_test.mjs <path to weft>
// Fails (exit 1) when node, the SDK install (`npm ci` in this folder), the sandbox or a server is
// missing; never skips. Each check prints one line; the first failure ends the test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request as httpRequest } from "node:http";
import { createInterface } from "node:readline";
import { startWeft } from "./weft_process.mjs";

let Client, StdioClientTransport, StreamableHTTPClientTransport, EmptyResultSchema;
try {
  ({ Client } = await import("@modelcontextprotocol/sdk/client/index.js"));
  ({ StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js"));
  ({ StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js"));
  ({ EmptyResultSchema } = await import("@modelcontextprotocol/sdk/types.js"));
} catch (e) {
  console.error("FAIL: @modelcontextprotocol/sdk is not installed: run `npm ci` in tests/npm (scripts/test.sh does)\n" + e);
  process.exit(1);
}

const weft = process.argv[2];
if (!weft) {
  console.error("usage: node mcp_test.mjs <path to weft>");
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), "weft-mcp-"));
const children = [];
let step = "";
const check = (name) => { step = name; console.log("mcp: " + name); };

// The 12 tools the Crisp article names (shared reference §4.4).
const ARTICLE_TOOLS = [
  "list_all_crisp_conversations", "create_a_crisp_conversation", "list_all_crisp_messages", "create_a_crisp_message",
  "crisp_conversations_update_inbox", "update_a_crisp_conversation_block_by_id", "create_a_crisp_report",
  "list_all_crisp_spam_conversations", "list_all_crisp_visitors_lists", "create_a_crisp_helpdesk_article",
  "crisp_helpdesk_articles_publish", "crisp_campaigns_pause",
];

const start = (args, env) => startWeft(weft, args, env, children);

const base = { ...process.env };
for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID",
                    "CRISP_API_URL", "CRISP_API_TIER", "WEFT_DB"])
  delete base[name];

const sandbox = await start(["sandbox", "--port", "0", "--json", "--seed", "7"], base);
const crispEnv = {
  ...base,
  CRISP_API_URL: sandbox.api_url,
  CRISP_API_IDENTIFIER: sandbox.identifier,
  CRISP_API_KEY: sandbox.key,
  CRISP_WEBSITE_ID: sandbox.website_id,
  CRISP_API_TIER: sandbox.tier,
};
const info = await (await fetch(sandbox.url + "/_sandbox/info")).json();
const otherWebsite = info.other_website_id ?? info.websites?.find?.((w) => w !== sandbox.website_id);

async function effects() {
  return (await (await fetch(sandbox.url + "/_sandbox/effects")).json()).effects;
}
async function faults(body) {
  const r = await fetch(sandbox.url + "/_sandbox/faults", { method: "POST", body: JSON.stringify(body),
                                                            headers: { "content-type": "application/json" } });
  assert.ok(r.ok, "POST /_sandbox/faults: " + r.status);
}

function stdioClient(extra = []) {
  const transport = new StdioClientTransport({
    command: weft,
    args: ["mcp", "--db", join(dir, "stdio.db"), ...extra],
    env: crispEnv,
    stderr: "inherit",
  });
  return { transport, client: new Client({ name: "weft-mcp-test", version: "1.0.0" }) };
}

async function httpServer(name, extra = []) {
  const key = "mcp-test-key-" + process.pid;
  const line = await start(["serve", "--db", join(dir, name + ".db"), "--api-key-env", "WEFT_MCP_TEST_KEY", ...extra],
                           { ...crispEnv, WEFT_MCP_TEST_KEY: key });
  return { url: line.url, key };
}

function httpClient(server) {
  const transport = new StreamableHTTPClientTransport(new URL(server.url + "/mcp"), {
    requestInit: { headers: { "x-api-key": server.key } },
  });
  return { transport, client: new Client({ name: "weft-mcp-test", version: "1.0.0" }) };
}

async function suite(label, { transport, client }) {
  check(`${label}: initialize negotiates a protocol version and offers tools`);
  await client.connect(transport);
  assert.ok(client.getServerCapabilities()?.tools, "tools capability");
  assert.equal(client.getServerVersion()?.name, "weft");

  check(`${label}: tools/list has all 12 tools the Crisp article names, with schemas and annotations`);
  const { tools } = await client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  for (const name of ARTICLE_TOOLS) {
    const tool = byName.get(name);
    assert.ok(tool, "missing " + name);
    assert.equal(tool.inputSchema.type, "object", name);
    assert.ok(tool.description.length > 10, name);
    assert.equal(typeof tool.annotations?.readOnlyHint, "boolean", name);
  }
  assert.equal(byName.get("list_all_crisp_conversations").annotations.readOnlyHint, true);
  assert.equal(byName.get("create_a_crisp_message").annotations.readOnlyHint, false);
  assert.ok(byName.get("create_a_crisp_message").inputSchema.required.includes("session_id"));
  assert.ok(byName.get("crisp_analytics_generate"), "the analytics tool");

  check(`${label}: a read tool returns the sandbox's data and the IETF rate-limit state`);
  const list = await client.callTool({ name: "list_all_crisp_conversations", arguments: { page_number: 1 } });
  assert.equal(list.isError, false, JSON.stringify(list));
  const conversations = list.structuredContent.result;
  assert.ok(Array.isArray(conversations) && conversations.length > 0, "conversations");
  const rl = list.structuredContent.rate_limit;
  for (const field of ["limit", "remaining", "reset"]) assert.equal(typeof rl[field], "number", "rate_limit." + field);
  assert.ok(rl.remaining <= rl.limit && rl.reset >= 0, JSON.stringify(rl));
  const session = conversations[0].session_id;

  check(`${label}: a message sent and the identical call retried is one message in the sandbox`);
  const text = `weft mcp ${label} exactly-once ${process.pid}`;
  const args = { session_id: session, type: "text", from: "operator", origin: "chat", content: text };
  const first = await client.callTool({ name: "create_a_crisp_message", arguments: args });
  assert.equal(first.isError, false, JSON.stringify(first));
  const retried = await client.callTool({ name: "create_a_crisp_message",
                                          arguments: { content: text, origin: "chat", from: "operator", type: "text", session_id: session } });
  assert.equal(retried.isError, false, JSON.stringify(retried));
  assert.deepEqual(retried.structuredContent.result, first.structuredContent.result);
  const sent = (await effects()).filter((e) => e.body?.content === text);
  assert.equal(sent.length, 1, "effects with the text: " + JSON.stringify(sent));

  check(`${label}: bad arguments are an isError result and nothing is sent`);
  const before = (await effects()).length;
  const bad = await client.callTool({ name: "create_a_crisp_message",
                                      arguments: { session_id: session, type: "text", from: "operator", content: 42 } });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /content/);
  const badId = await client.callTool({ name: "create_a_crisp_message",
                                        arguments: { ...args, session_id: "not-a-session" } });
  assert.equal(badId.isError, true);
  assert.match(badId.content[0].text, /session_id/);
  assert.equal((await effects()).length, before, "nothing sent");

  check(`${label}: a call naming another website is refused`);
  const other = await client.callTool({ name: "list_all_crisp_conversations",
                                        arguments: { page_number: 1, website_id: otherWebsite ?? "8c842203-7ed8-4e29-a608-7cf78a7d2fcc" } });
  assert.equal(other.isError, true);
  assert.match(other.content[0].text, /website_id/);
  const otherSend = await client.callTool({ name: "create_a_crisp_message", arguments: { ...args, website_id: otherWebsite ?? "x" } });
  assert.equal(otherSend.isError, true);
  assert.equal((await effects()).length, before, "nothing sent to another website");

  check(`${label}: during a sandbox 429 storm a read waits and succeeds`);
  await faults({ storm_429: 3, storm_retry_after: 1 });
  const stormy = await client.callTool({ name: "list_all_crisp_visitors_lists", arguments: { page_number: 1 } });
  await faults({});
  assert.equal(stormy.isError, false, JSON.stringify(stormy));

  check(`${label}: an unknown method is a JSON-RPC error and the server keeps serving`);
  await assert.rejects(client.request({ method: "weft/unknown" }, EmptyResultSchema), (e) => e.code === -32601);
  await client.ping();
  await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), (e) => e.code === -32602);
  await client.ping();
  await client.close();
}

async function readOnlySuite(label, { transport, client }) {
  check(`${label}: --read-only hides every write tool`);
  await client.connect(transport);
  const { tools } = await client.listTools();
  assert.ok(tools.length > 10);
  for (const t of tools) assert.equal(t.annotations.readOnlyHint, true, t.name);
  for (const w of ["create_a_crisp_message", "create_a_crisp_report", "crisp_campaigns_pause"])
    assert.ok(!tools.some((t) => t.name === w), w);
  await assert.rejects(client.callTool({ name: "create_a_crisp_message", arguments: {} }), (e) => e.code === -32602);
  await client.close();
}

async function graphsSuite({ transport, client }) {
  check("stdio --graphs: run_spam_triage returns its summary and thread id; run_kb_enrichment is reported waiting");
  await client.connect(transport);
  const { tools } = await client.listTools();
  for (const g of ["run_spam_triage", "run_vip_outreach", "run_kb_enrichment", "run_support_agent"])
    assert.ok(tools.some((t) => t.name === g), g);
  const triage = await client.callTool({ name: "run_spam_triage", arguments: { limit: 3 } }, undefined, { timeout: 240_000 });
  assert.equal(triage.isError, false, JSON.stringify(triage));
  assert.equal(triage.structuredContent.result.status, "done");
  assert.match(triage.structuredContent.result.thread_id, /^mcp-/);
  assert.equal(typeof triage.structuredContent.result.summary, "string");
  const kb = await client.callTool({ name: "run_kb_enrichment", arguments: {} }, undefined, { timeout: 240_000 });
  assert.equal(kb.structuredContent.result.status, "waiting", JSON.stringify(kb));
  assert.match(kb.structuredContent.result.message, /weft resume/);
  const bad = await client.callTool({ name: "run_spam_triage", arguments: { limit: "many" } });
  assert.equal(bad.isError, true);
  await client.close();
}

// The raw protocol edge cases over stdio: each answered with a JSON-RPC error, the server keeps serving.
async function rawStdio() {
  check("stdio raw: malformed JSON, a call before initialize, a 10 MB line, an unknown method: errors, then it serves");
  const child = spawn(weft, ["mcp", "--db", join(dir, "raw.db")], { env: crispEnv, stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const answers = [];
  const waiters = [];
  lines.on("line", (l) => { answers.push(JSON.parse(l)); waiters.shift()?.(); });
  const next = () => new Promise((resolve) => {
    if (answers.length) resolve(answers.shift());
    else waiters.push(() => resolve(answers.shift()));
  });
  const send = (text) => child.stdin.write(text + "\n");
  send("{not json");
  assert.equal((await next()).error.code, -32700);
  send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
  const early = await next();
  assert.equal(early.id, 1);
  assert.equal(early.error.code, -32600);
  send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping", params: { pad: "x".repeat(10 * 1024 * 1024) } }));
  const big = await next();
  assert.equal(big.error.code, -32600);
  assert.match(big.error.message, /exceeds/);
  send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "initialize",
                        params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }));
  const init = await next();
  assert.equal(init.result.protocolVersion, "2025-03-26");
  send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  send(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "no/such" }));
  assert.equal((await next()).error.code, -32601);
  send(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" }));
  assert.deepEqual(await next(), { jsonrpc: "2.0", id: 5, result: {} });
  child.stdin.end();
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, "weft mcp exits 0 when stdin closes");
}

async function rawHttp(server) {
  check("http raw: malformed JSON, no session, a 10 MB body, GET: JSON-RPC errors, then it serves");
  const headers = { "x-api-key": server.key, "content-type": "application/json", accept: "application/json, text/event-stream" };
  const post = (body, extra = {}) => fetch(server.url + "/mcp", { method: "POST", headers: { ...headers, ...extra }, body });
  let r = await post("{not json");
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.code, -32700);
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.code, -32600);
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), { "mcp-session-id": "nope" });
  assert.equal(r.status, 404);
  // The server answers 413 before the body has arrived and closes: read the answer with node:http,
  // which (unlike fetch) keeps a response that comes while the upload is still being written.
  const big = await new Promise((resolve, reject) => {
    const req = httpRequest(server.url + "/mcp", { method: "POST", headers }, (res) => {
      let data = "";
      res.on("data", (d) => { data += d; });
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", (e) => setTimeout(() => reject(e), 2000));  // an answer that came first wins
    req.end("x".repeat(10 * 1024 * 1024));
  });
  assert.equal(big.status, 413);
  assert.equal(JSON.parse(big.body).error.code, -32600);
  r = await fetch(server.url + "/mcp", { headers });
  assert.equal(r.status, 405);
  r = await fetch(server.url + "/mcp", { method: "POST", headers: { ...headers, "x-api-key": "wrong" }, body: "{}" });
  assert.equal(r.status, 401, "behind the API key");
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "initialize",
                                  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } }),
                 { accept: "text/event-stream" });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/event-stream/);
  const sessionId = r.headers.get("mcp-session-id");
  assert.ok(sessionId);
  assert.match(await r.text(), /"protocolVersion":"2025-06-18"/);
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "ping" }), { "mcp-session-id": sessionId });
  assert.deepEqual(await r.json(), { jsonrpc: "2.0", id: 8, result: {} });
  r = await fetch(server.url + "/mcp", { method: "DELETE", headers: { ...headers, "mcp-session-id": sessionId } });
  assert.equal(r.status, 204);
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping" }), { "mcp-session-id": sessionId });
  assert.equal(r.status, 404, "an ended session");
}

let failed = false;
try {
  await suite("stdio", stdioClient());
  await readOnlySuite("stdio", stdioClient(["--read-only"]));
  await rawStdio();
  await graphsSuite(stdioClient(["--graphs"]));
  const server = await httpServer("http");
  await suite("http", httpClient(server));
  await rawHttp(server);
  const readOnly = await httpServer("http-ro", ["--mcp-read-only"]);
  await readOnlySuite("http", httpClient(readOnly));
  console.log("mcp: all checks passed");
} catch (e) {
  failed = true;
  console.error(`FAIL at "${step}": ${e.stack ?? e}`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
