// SPDX-License-Identifier: MIT
// The bench's 3-node graph on LangGraph.js: START -> a -> b -> c -> END, each node appends its
// name to `log` (the same graph as bench/server/server_bench.cpp's "chain").
import { Annotation, StateGraph, START, END } from "@langchain/langgraph";

const State = Annotation.Root({
  n: Annotation({ reducer: (_, b) => b, default: () => 0 }),
  log: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

export const graph = new StateGraph(State)
  .addNode("a", () => ({ log: ["a"] }))
  .addNode("b", () => ({ log: ["b"] }))
  .addNode("c", () => ({ log: ["c"] }))
  .addEdge(START, "a")
  .addEdge("a", "b")
  .addEdge("b", "c")
  .addEdge("c", END)
  .compile();

// Waits input ms (default 60 s): keeps streams open for the RSS figure (server_bench.cpp's "hold").
const Hold = Annotation.Root({ ms: Annotation({ reducer: (_, b) => b, default: () => 60000 }) });
export const hold = new StateGraph(Hold)
  .addNode("wait", async (s) => {
    await new Promise((r) => setTimeout(r, s.ms));
    return {};
  })
  .addEdge(START, "wait")
  .addEdge("wait", END)
  .compile();
