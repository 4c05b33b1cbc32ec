// SPDX-License-Identifier: MIT
// The approval inbox's change feed (GET /inbox/changes) under load: `weft serve` with THREADS
// threads in its database and FEEDS open feeds (pages). Measures
//   - the live-update latency: from creating a thread (POST /threads answered) to the `changed`
//     event arriving on every open feed, SAMPLES times: median and p99;
//   - what the open feeds cost while nothing changes: weft serve's CPU over 10 s (utime + stime
//     from /proc/PID/stat), as % of one core.
// Usage: node bench/inbox/feed_bench.mjs <weft> [--threads 1000] [--feeds 10] [--samples 50]
// Plain Node (no npm package); the server runs without a key on loopback, offline, on a temp db.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const [weft, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const i = rest.indexOf("--" + name);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const threads = option("threads", 1000);
const feeds = option("feeds", 10);
const samples = option("samples", 50);
if (!weft) {
  console.error("usage: node feed_bench.mjs <weft> [--threads N] [--feeds N] [--samples N]");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "weft-inbox-bench-"));
const env = { ...process.env };
for (const name of ["OPENAI_API_KEY", "CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "CRISP_API_URL"])
  delete env[name];
const child = spawn(weft, ["serve", "--port", "0", "--db", join(dir, "bench.db")], { env, stdio: ["ignore", "pipe", "inherit"] });
const { url } = await new Promise((resolve, reject) => {
  child.once("exit", (code) => reject(new Error("weft serve exited with " + code)));
  createInterface({ input: child.stdout }).once("line", (line) => resolve(JSON.parse(line)));
});

const post = async (path, body) => {
  const r = await fetch(url + path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
// A failure must not leave the server behind.
process.on("uncaughtException", (e) => { console.error(e); child.kill("SIGTERM"); process.exit(1); });
process.on("unhandledRejection", (e) => { console.error(e); child.kill("SIGTERM"); process.exit(1); });
// 10 at a time: the server allows 64 connections per client address.
for (let i = 0; i < threads; i += 10)
  await Promise.all(Array.from({ length: Math.min(10, threads - i) }, (_, k) => post("/threads", { thread_id: `bench-${i + k}` })));

// Each feed counts its `changed` events and wakes whoever waits for the next count.
const followers = [];
for (let i = 0; i < feeds; i++) {
  const follower = { count: 0, waiters: [] };
  followers.push(follower);
  const response = await fetch(url + "/inbox/changes");
  (async () => {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      follower.count += (value.match(/^event: changed$/gm) ?? []).length;
      follower.waiters = follower.waiters.filter((w) => (follower.count >= w.target ? (w.resolve(), false) : true));
    }
  })();
}
const next = (f, target) => (f.count >= target ? Promise.resolve() : new Promise((resolve) => f.waiters.push({ target, resolve })));
await Promise.all(followers.map((f) => next(f, 1)));
console.error(`feed_bench: ${threads} threads created, ${feeds} feeds open`);

const cpuTicks = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);  // utime + stime, in clock ticks (100 Hz)
};
const ticks0 = cpuTicks();
await new Promise((r) => setTimeout(r, 10_000));
const idleCpu = (cpuTicks() - ticks0) / 10 / 100 * 100;

const latencies = [];
for (let s = 0; s < samples; s++) {
  const targets = followers.map((f) => f.count + 1);
  await post("/threads", { thread_id: `sample-${s}` });
  const created = performance.now();
  await Promise.all(followers.map((f, i) => next(f, targets[i])));
  latencies.push(performance.now() - created);
  // Settle, then a random phase against the feed's poll period, so samples do not lock onto it.
  await new Promise((r) => setTimeout(r, 300 + Math.random() * 250));
}
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({ threads, feeds, samples, latency_ms: { median: +at(0.5).toFixed(1), p99: +at(0.99).toFixed(1) },
                              idle_cpu_percent_of_one_core: +idleCpu.toFixed(1) }));
process.removeAllListeners("unhandledRejection");
const exited = new Promise((resolve) => child.once("exit", resolve));
child.kill("SIGTERM");
await exited;
rmSync(dir, { recursive: true, force: true });
process.exit(0);
