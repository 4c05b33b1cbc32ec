// SPDX-License-Identifier: MIT
// MCP round trips over stdio with the official client (tests/npm's pinned SDK): tools/list and a
// read tools/call median latency, then N sequential read calls against a `weft sandbox` with its
// default limits: calls/s and the 429s the sandbox answered. By hand (bench/README.md, "mcp"):
//   (cd tests/npm && npm ci) && node bench/mcp/mcp_bench.mjs build/gcc/cli/weft [calls] [-- extra weft mcp args]
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const sdk = createRequire(join(here, "../../tests/npm/package.json"));
const { Client } = await import(sdk.resolve("@modelcontextprotocol/sdk/client/index.js"));
const { StdioClientTransport } = await import(sdk.resolve("@modelcontextprotocol/sdk/client/stdio.js"));

const weft = process.argv[2];
const calls = Number(process.argv[3] ?? 1000);
const dash = process.argv.indexOf("--");
const extra = dash > 0 ? process.argv.slice(dash + 1) : [];
const dir = mkdtempSync(join(tmpdir(), "weft-mcp-bench-"));

const sandboxProc = spawn(weft, ["sandbox", "--port", "0", "--json"], { stdio: ["ignore", "pipe", "inherit"] });
const sandbox = await new Promise((resolve) =>
  createInterface({ input: sandboxProc.stdout }).once("line", (l) => resolve(JSON.parse(l))));
const env = { ...process.env, CRISP_API_URL: sandbox.api_url, CRISP_API_IDENTIFIER: sandbox.identifier,
              CRISP_API_KEY: sandbox.key, CRISP_WEBSITE_ID: sandbox.website_id, CRISP_API_TIER: sandbox.tier };
const limits = await (await fetch(sandbox.url + "/_sandbox/limits")).json();

const transport = new StdioClientTransport({ command: weft, args: ["mcp", "--db", join(dir, "bench.db"), ...extra], env,
                                             stderr: "ignore" });
const client = new Client({ name: "weft-mcp-bench", version: "1.0.0" });
await client.connect(transport);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p99 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.99)]; };
async function time(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) { const t = process.hrtime.bigint(); await fn(); out.push(Number(process.hrtime.bigint() - t) / 1e6); }
  return out;
}

const read = { name: "get_single_crisp_visitors_count", arguments: {} };
const list = await time(200, () => client.listTools());
// Spaced below the sandbox's rate so the latency is the round trip, not the pacing.
const single = await time(100, async () => { await client.callTool(read); await new Promise((r) => setTimeout(r, 120)); });
const singleRtt = single.map((ms) => ms - 120);

const before = await (await fetch(sandbox.url + "/_sandbox/requests")).json();
const t0 = process.hrtime.bigint();
let errors = 0;
for (let i = 0; i < calls; i++) if ((await client.callTool(read)).isError) errors++;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const after = await (await fetch(sandbox.url + "/_sandbox/requests")).json();
const s429 = (after.by_status["429"] ?? 0) - (before.by_status["429"] ?? 0);

console.log(JSON.stringify({
  weft_mcp_args: extra, sandbox_limits: limits,
  tools_list_ms: { median: median(list), p99: p99(list) },
  read_call_ms: { median: median(singleRtt), p99: p99(singleRtt) },
  sequential: { calls, seconds: +seconds.toFixed(2), calls_per_s: +(calls / seconds).toFixed(1), errors, sandbox_429s: s429 },
}, null, 1));
await client.close();
sandboxProc.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });
