// SPDX-License-Identifier: MIT
// The peer side of bench/postgres: LangGraph.js with PostgresSaver (@langchain/langgraph-checkpoint-postgres)
// on the same throwaway server and the same workloads as `weft_bench_store_graph --saver=postgres`
// (bench/store/bench_store_graph.cpp, from /work/shared/peers/langgraphjs):
//   linear   one node loops on itself N times, durability "sync"
//   growing  each step appends one ~200-byte message (same message as Weft's), durability "sync"
// Each workload runs in a fresh database. Prints one `RESULT {json}` line per workload.
// usage: node bench-postgres.mjs --url=postgresql://... [--n=1000] [--warmup=100] [--bench=linear|growing]
import { Annotation, StateGraph, START, END } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const ADMIN = args.url;
if (!ADMIN) throw new Error("--url=postgresql://... is required");
const N = Number(args.n ?? 1000);
const WARMUP = Number(args.warmup ?? 100);
const now = () => Number(process.hrtime.bigint()) / 1000; // microseconds
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function freshDatabase(name) {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return ADMIN.slice(0, ADMIN.lastIndexOf("/") + 1) + name;
}

async function tableBytes(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query("VACUUM");
  const r = await c.query(
    "SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" +
      " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'checkpoint%'");
  await c.end();
  return Number(r.rows[0].bytes);
}

function message(i) {
  let body = `step ${i}: `;
  for (let k = 0; k < 6; ++k) body += "lorem ipsum dolor sit amet ";
  body = body.slice(0, 150);
  return { id: `msg-${String(i).padStart(6, "0")}`, role: i % 2 ? "assistant" : "tool", content: body };
}

function linearGraph(n, saver, stamps) {
  const State = Annotation.Root({ counter: Annotation(), log: Annotation() });
  return new StateGraph(State)
    .addNode("step", (s) => {
      stamps?.push(now());
      return { counter: s.counter + 1, log: `step ${s.counter + 1} of ${n}` };
    })
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.counter >= n ? END : "step"), ["step", END])
    .compile({ checkpointer: saver });
}

function growingGraph(n, saver, stamps) {
  const State = Annotation.Root({
    counter: Annotation(),
    messages: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  return new StateGraph(State)
    .addNode("agent", (s) => {
      stamps?.push(now());
      const i = s.counter + 1;
      return { counter: i, messages: [message(i)] };
    })
    .addEdge(START, "agent")
    .addConditionalEdges("agent", (s) => (s.counter >= n ? END : "agent"), ["agent", END])
    .compile({ checkpointer: saver });
}

async function run(bench) {
  const url = await freshDatabase(`peer_${bench}_${process.pid}`);
  const saver = PostgresSaver.fromConnString(url);
  await saver.setup();
  const build = bench === "linear" ? linearGraph : growingGraph;
  const input = bench === "linear" ? { counter: 0, log: "" } : { counter: 0, messages: [] };
  if (WARMUP > 0) {
    await build(WARMUP, saver).invoke(input, {
      recursionLimit: WARMUP + 10, durability: "sync", configurable: { thread_id: "warmup" } });
    await saver.deleteThread("warmup");
  }
  const stamps = [];
  const t0 = now();
  const out = await build(N, saver, stamps).invoke(input, {
    recursionLimit: N + 10, durability: "sync", configurable: { thread_id: `${bench}-1` } });
  const t1 = now();
  if (out.counter !== N) throw new Error(`bad final counter ${out.counter}`);
  stamps.push(t1);
  const per = stamps.slice(1).map((t, i) => t - stamps[i]);
  const w = Math.min(100, per.length);
  const first = median(per.slice(0, w)), last = median(per.slice(per.length - w));
  await saver.end();
  const result = {
    bench, impl: "langgraphjs", saver: "PostgresSaver", durability: "sync", n: N,
    wall_ms: (t1 - t0) / 1000, steps_per_sec: N / ((t1 - t0) / 1e6), us_per_step: (t1 - t0) / N,
    us_per_step_first_window_median: first, us_per_step_last_window_median: last, growth_ratio_median: last / first,
    db_bytes: await tableBytes(url),
  };
  console.log("RESULT " + JSON.stringify(result));
}

for (const bench of args.bench ? [args.bench] : ["linear", "growing"]) await run(bench);
