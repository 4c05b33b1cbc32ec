// SPDX-License-Identifier: MIT
// The peer of bench/queue's ten_steps measurement: LangGraph.js has no durable run queue, so W
// node processes split T threads between them (thread i goes to process i % W) and each runs its
// threads one after the other, a 10-step self-loop checkpointed by PostgresSaver into the same
// PostgreSQL server as weft's workers.
// usage: node bench-workers.mjs --url=postgresql://... --threads=1000 --steps=10 --workers=4
import { Annotation, StateGraph, START, END } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")).map(([k, ...v]) => [k, v.join("=")]),
);
const url = args.url;
const T = Number(args.threads ?? 1000);
const S = Number(args.steps ?? 10);
const W = Number(args.workers ?? 1);

const State = Annotation.Root({ counter: Annotation() });

async function worker(index) {
  const saver = PostgresSaver.fromConnString(url);
  const graph = new StateGraph(State)
    .addNode("step", (s) => ({ counter: s.counter + 1 }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (s) => (s.counter >= S ? END : "step"), ["step", END])
    .compile({ checkpointer: saver });
  for (let i = index; i < T; i += W) {
    const out = await graph.invoke({ counter: 0 }, { recursionLimit: S + 10, configurable: { thread_id: `t-${i}` } });
    if (out.counter !== S) throw new Error(`thread ${i}: counter ${out.counter}`);
  }
  await saver.end();
}

if (args.index !== undefined) {
  await worker(Number(args.index));
} else {
  const setup = PostgresSaver.fromConnString(url);
  await setup.setup();
  await setup.end();
  const t0 = performance.now();
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: W }, (_, k) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [self, ...process.argv.slice(2), `--index=${k}`], { stdio: "inherit" });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker ${k} exited ${code}`))));
      }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `langgraphjs threads=${T} steps=${S} workers=${W}  ${seconds.toFixed(2)} s  ${(T / seconds).toFixed(1)} runs/s`,
  );
}
