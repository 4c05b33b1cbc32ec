// SPDX-License-Identifier: MIT
// Starts LangGraph.js's own server (@langchain/langgraph-api, in-memory) on the bench graph, as
// `langgraphjs dev` does (same startServer entry, its default 10 jobs per worker), without the
// file watcher. usage: node serve.mjs [port]
import { startServer } from "@langchain/langgraph-api/server";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const port = Number(process.argv[2] ?? 2024);
const cwd = dirname(fileURLToPath(import.meta.url));
await startServer({ port, nWorkers: 10, host: "127.0.0.1", cwd, graphs: { chain: "./graph.mjs:graph", hold: "./graph.mjs:hold" } });
console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
