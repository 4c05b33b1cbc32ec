// SPDX-License-Identifier: MIT
// Drives a LangGraph API server (weft_bench_server or peer/serve.mjs) with the same client:
//   wait:   C clients, each a keep-alive connection, POST /runs/wait on "chain" for S seconds
//           (after 1 s of warm-up); every answer must be {log: [a, b, c], ...}. -> runs/s
//   first:  N sequential POST /runs/stream on "chain"; time from sending the request to the first
//           SSE event's bytes, then read to the end. -> median, p99 (ms)
//   rss:    1,000 threads each run once (/threads/{id}/runs/wait), then 200 streams of "hold"
//           left open; the server's VmRSS (pid given) before and after.
// usage: node drive.mjs URL PID [--clients 50] [--seconds 10] [--first 300]
// Prints one line RESULT {json}.
import http from "node:http";
import { readFileSync } from "node:fs";

const [url, pid] = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const clients = arg("clients", 50);
const seconds = arg("seconds", 10);
const firstN = arg("first", 300);
const { hostname, port } = new URL(url);

function request(agent, method, path, body, onFirstByte) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { agent, hostname, port, method, path, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {} },
      (res) => {
        const chunks = [];
        let first = true;
        res.on("data", (c) => {
          if (first && onFirstByte) onFirstByte();
          first = false;
          chunks.push(c);
        });
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

function rss() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function waitThroughput() {
  let done = 0;
  let bad = 0;
  let counting = false;
  const end = Date.now() + 1000 + seconds * 1000;
  setTimeout(() => (counting = true), 1000);
  const one = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (Date.now() < end) {
      const r = await request(agent, "POST", "/runs/wait", { assistant_id: "chain", input: { n: 1 } });
      const ok = r.status === 200 && JSON.stringify(JSON.parse(r.body).log) === '["a","b","c"]';
      if (!ok) bad++;
      if (counting && ok) done++;
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: clients }, one));
  return { runs_per_s: done / seconds, bad };
}

async function firstEvent() {
  const agent = new http.Agent({ keepAlive: false });
  const times = [];
  let bad = 0;
  for (let i = 0; i < firstN; i++) {
    const t0 = process.hrtime.bigint();
    let t1 = 0n;
    const r = await request(agent, "POST", "/runs/stream", { assistant_id: "chain", input: { n: 1 }, stream_mode: ["values"] }, () => {
      t1 = process.hrtime.bigint();
    });
    if (r.status !== 200 || !r.body.includes("event: metadata") || !r.body.includes('"log":["a","b","c"]')) bad++;
    times.push(Number(t1 - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { first_event_ms_median: at(0.5), first_event_ms_p99: at(0.99), bad };
}

async function memory() {
  const before = rss();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const ids = Array.from({ length: 1000 }, (_, i) => `idle-${i}-${Date.now()}`);
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(ids.slice(i, i + 8).map(async (id) => {
      await request(agent, "POST", "/threads", { thread_id: id, metadata: {} });
      await request(agent, "POST", `/threads/${id}/runs/wait`, { assistant_id: "chain", input: { n: 1 } });
    }));
  }
  const idle = rss();
  const streams = [];
  const open = [];
  for (let i = 0; i < 200; i++) {
    streams.push(new Promise((resolve) => {
      const req = http.request({ hostname, port, method: "POST", path: "/runs/stream", headers: { "content-type": "application/json" } }, (res) => {
        // Open once the server answered with the stream's headers (a server may send the first
        // event only when a worker starts the run).
        open.push(req);
        resolve();
        res.on("data", () => {});
        res.on("error", () => {});
      });
      req.on("error", () => resolve());
      req.end(JSON.stringify({ assistant_id: "hold", input: { ms: 60000 }, stream_mode: ["values"] }));
    }));
  }
  await Promise.all(streams);
  await new Promise((r) => setTimeout(r, 1000));
  const streaming = rss();
  for (const req of open) req.destroy();
  agent.destroy();
  return { rss_mib_start: before, rss_mib_1000_idle_threads: idle, rss_mib_plus_200_streams: streaming };
}

const result = { url, ...(await waitThroughput()) };
console.error("wait done", JSON.stringify(result));
Object.assign(result, await firstEvent());
console.error("first event done", JSON.stringify(result));
Object.assign(result, await memory());
console.log("RESULT " + JSON.stringify(result));
process.exit(0);
