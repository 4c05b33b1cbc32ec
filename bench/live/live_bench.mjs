// SPDX-License-Identifier: MIT
// The live loop's latency under a steady load (#15, "How well"): a scripted visitor writes
// `rate` messages per second for `seconds` (round robin over `conversations` conversations)
// through a `weft sandbox`'s Crisp API; the sandbox delivers each as a signed message:send web
// hook to `weft serve`, which runs live_reply (helpdesk search, classification, draft, send) and
// answers through the same Crisp API. Latency = the sandbox's time of the reply's write minus the
// sandbox's time of the visitor message's write (both from the sandbox's effect log, one clock).
//
// The model: live_reply never sends the offline model's draft without a human, so the model here
// is `weft fake-llm` (loopback, scripted, zero think time) and the routing rule sets auto_send: the
// numbers are Weft's own pipeline (hooks, queue, runs, Crisp calls), not a model's.
// The sandbox's rate limit and daily quota are lifted (POST /_sandbox/limits) and serve runs with
// --crisp-rate 0: at 20 messages/s live_reply makes about 200 Crisp requests/s, ten times what one
// real Crisp token may send; what is measured is the loop, not the pacing (bench/mcp measures that).
//
//   node bench/live/live_bench.mjs build/gcc/cli/weft [rate 20] [seconds 30] [conversations 100]
// Prints one JSON line: sent, replied, lost, latency p50 / p90 / p99 / max (ms).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const weft = process.argv[2];
const rate = Number(process.argv[3] ?? 20);
const seconds = Number(process.argv[4] ?? 30);
const conversations = Number(process.argv[5] ?? 100);
const dir = mkdtempSync(join(tmpdir(), "weft-live-bench-"));
const secret = "live-bench-secret";
const children = [];
const step = (what) => process.stderr.write(`live_bench: ${what}\n`);
process.on("exit", () => { for (const child of children) child.kill("SIGTERM"); });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(1));

function start(args, env = {}) {
  const child = spawn(weft, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  children.push(child);
  const first = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (l) => resolve(JSON.parse(l)));
    child.once("exit", (code) => reject(new Error(`weft ${args[0]} exited with ${code} before it started`)));
  });
  return first;
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

// The reply draft when the request quotes help-center articles, else the classification.
const script = [
  { match: { contains: "help-center articles" }, uses: -1,
    content: JSON.stringify({ reply: "Check that the website id in the snippet matches your workspace.",
                              confidence: 0.9, cited: [1] }) },
  { uses: -1, content: JSON.stringify({ category: "question", reason: "asks how to fix the widget" }) },
];
writeFileSync(join(dir, "script.json"), JSON.stringify(script));
writeFileSync(join(dir, "hooks.conf"),
              'on message:send from=user run live_reply thread crisp-{session_id} input {"auto_send": true, "min_confidence": 0.5}\n');

const servePort = await freePort();
const llm = await start(["fake-llm", "--script", join(dir, "script.json"), "--port", "0", "--json"]);
const sandbox = await start(["sandbox", "--port", "0", "--json", "--hook-url", `http://127.0.0.1:${servePort}/crisp/hooks`],
                            { CRISP_HOOK_SECRET: secret });
await fetch(sandbox.url + "/_sandbox/limits", {
  method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ rate_per_second: 0, burst: 0, quota_plugin: 0, quota_website: 0, quota_user: 0 }) });
const crispEnv = { CRISP_API_IDENTIFIER: sandbox.identifier, CRISP_API_KEY: sandbox.key,
                   CRISP_WEBSITE_ID: sandbox.website_id, CRISP_HOOK_SECRET: secret,
                   OPENAI_BASE_URL: llm.base_url, OPENAI_API_KEY: "bench" };
await start(["serve", "--port", String(servePort), "--db", join(dir, "weft.db"), "--crisp", sandbox.api_url,
             "--config", join(dir, "hooks.conf"), "--crisp-rate", "0", "--model", "openai:" + llm.model], crispEnv);

const auth = { Authorization: "Basic " + Buffer.from(`${sandbox.identifier}:${sandbox.key}`).toString("base64"),
               "X-Crisp-Tier": sandbox.tier, "Content-Type": "application/json" };
const site = `${sandbox.api_url.replace(/\/$/, "")}/website/${sandbox.website_id}`;
async function crisp(method, path, body) {
  const answer = await fetch(site + path, { method, headers: auth, body: JSON.stringify(body) });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()).data;
}

step("started fake-llm, sandbox and serve");
const sessions = [];
for (let i = 0; i < conversations; i++) sessions.push((await crisp("POST", "/conversation", {})).session_id);

step(`${conversations} conversations created`);
// The scripted visitor: message i at t0 + i / rate, whatever the earlier ones are doing.
const sent = [];
const t0 = performance.now();
const total = Math.round(rate * seconds);
const writes = [];
for (let i = 0; i < total; i++) {
  const due = t0 + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const session = sessions[i % conversations];
  writes.push(crisp("POST", `/conversation/${session}/message`,
                    { type: "text", from: "user", origin: "chat",
                      content: `Hi! The chat widget is not loading on our website (#${i}). What should I check?` })
    .then(() => sent.push(session)));
}
await Promise.all(writes);
step(`${total} visitor messages written`);
const lateBy = performance.now() - (t0 + (total * 1000) / rate);

// Every visitor message of a conversation is answered in order (one run at a time per thread).
async function effects() { return (await (await fetch(sandbox.url + "/_sandbox/effects")).json()).effects; }
const deadline = performance.now() + 120_000;
let log = [];
for (;;) {
  log = await effects();
  const replies = log.filter((e) => e.method === "POST" && e.body?.from === "operator" && e.status < 300).length;
  if (replies >= total || performance.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 250));
}
const pending = new Map();  // session -> visitor message times, oldest first
const latencies = [];
for (const e of log) {
  if (e.method !== "POST" || !e.path.endsWith("/message") || e.status >= 300 || e.replayed) continue;
  const queue = pending.get(e.session_id) ?? [];
  if (e.body?.from === "user") queue.push(e.time);
  else if (e.body?.from === "operator" && queue.length > 0) latencies.push(e.time - queue.shift());
  pending.set(e.session_id, queue);
}
const sorted = [...latencies].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
const hooks = await (await fetch(sandbox.url + "/_sandbox/hooks")).json();
console.log(JSON.stringify({
  rate_per_s: rate, seconds, conversations, sent: sent.length, replied: latencies.length,
  lost: total - latencies.length, visitor_late_ms: Math.round(Math.max(0, lateBy)),
  hooks: { delivered: hooks.delivered, failed: hooks.failed },
  latency_ms: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] },
}));
for (const child of children.reverse()) child.kill("SIGTERM");
await new Promise((r) => setTimeout(r, 500));
rmSync(dir, { recursive: true, force: true });
