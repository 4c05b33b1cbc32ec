// SPDX-License-Identifier: MIT
// Drives `weft serve` (started here on a loopback port, fresh database) through LangGraph's
// official JS SDK, pinned in package.json. Run by CTest as
//   node sdk_test.mjs <path to weft>
// Fails (exit 1) when node, the SDK install (`npm ci` in this folder) or the server is missing;
// never skips. Each check prints one line; the first failure ends the test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

let Client;
try {
  ({ Client } = await import("@langchain/langgraph-sdk"));
} catch (e) {
  console.error("FAIL: @langchain/langgraph-sdk is not installed: run `npm ci` in tests/npm (scripts/test.sh does)\n" + e);
  process.exit(1);
}

const weft = process.argv[2];
if (!weft) {
  console.error("usage: node sdk_test.mjs <path to weft>");
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), "weft-sdk-"));
const apiKey = "sdk-test-key-" + process.pid;
const env = { ...process.env, WEFT_SDK_TEST_KEY: apiKey };
for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID", "WEFT_DB"])
  delete env[name];

const server = spawn(weft, ["serve", "--db", join(dir, "weft.db"), "--api-key-env", "WEFT_SDK_TEST_KEY", "--workers", "4"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let exited = null;
server.on("exit", (code, signal) => { exited = { code, signal }; });
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("weft serve printed no URL within 60 s")), 60_000);
  server.on("error", (e) => reject(new Error("cannot start " + weft + ": " + e.message)));
  server.on("exit", (code) => reject(new Error("weft serve exited with " + code + " before printing its URL")));
  createInterface({ input: server.stdout }).once("line", (line) => {
    clearTimeout(timer);
    try {
      resolve(JSON.parse(line).url);
    } catch (e) {
      reject(new Error("first line of weft serve is not JSON: " + line));
    }
  });
});

const client = new Client({ apiUrl: url, apiKey, callerOptions: { maxRetries: 0 } });
let step = "";
const check = (name) => { step = name; console.log("sdk: " + name); };

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function expectStatus(promise, status) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, `expected HTTP ${status}, got ${e.status}: ${e.message}`);
    return JSON.parse(e.text);
  }
  assert.fail(`expected HTTP ${status}, the call succeeded`);
}

try {
  check("assistants.search lists the built-in graphs");
  const assistants = await client.assistants.search({ limit: 20 });
  const names = assistants.map((a) => a.graph_id);
  for (const g of ["spam_triage", "kb_enrichment", "vip_outreach", "support_agent", "live_reply"]) assert.ok(names.includes(g), g);
  const spam = await client.assistants.get("spam_triage");
  assert.equal(spam.graph_id, "spam_triage");
  assert.equal((await client.assistants.get(spam.assistant_id)).graph_id, "spam_triage");
  const graph = await client.assistants.getGraph("spam_triage");
  assert.ok(graph.nodes.some((n) => n.id === "triage") && graph.edges.length > 0);
  const schemas = await client.assistants.getSchemas("kb_enrichment");
  assert.ok(schemas.input_schema.properties.locale);

  check("a wrong API key is refused with 401");
  const intruder = new Client({ apiUrl: url, apiKey: "wrong", callerOptions: { maxRetries: 0 } });
  const refused = await expectStatus(intruder.threads.search(), 401);
  assert.ok(refused.detail);

  check("threads.create, get, update, search");
  const thread = await client.threads.create({ metadata: { purpose: "sdk-test" } });
  assert.equal((await client.threads.get(thread.thread_id)).status, "idle");
  await client.threads.update(thread.thread_id, { metadata: { round: 1 } });
  const found = await client.threads.search({ metadata: { purpose: "sdk-test" } });
  assert.equal(found.length, 1);
  assert.equal(found[0].metadata.round, 1);
  const missing = await expectStatus(client.threads.get("no-such-thread"), 404);
  assert.match(missing.detail, /not found/);

  check("runs.stream spam_triage in updates and values modes");
  const chunks = await collect(client.runs.stream(thread.thread_id, "spam_triage", {
    input: { limit: 5 },
    streamMode: ["updates", "values"],
  }));
  assert.equal(chunks[0].event, "metadata");
  assert.ok(chunks.some((c) => c.event === "updates" && c.data.fetch !== undefined), "an update from fetch");
  const values = chunks.filter((c) => c.event === "values");
  assert.ok(values.length >= 2);
  assert.equal(typeof values.at(-1).data.summary, "string");
  assert.equal((await client.threads.get(thread.thread_id)).status, "idle");

  check("runs.wait kb_enrichment stops at its review interrupt");
  const kb = await client.threads.create();
  const paused = await client.runs.wait(kb.thread_id, "kb_enrichment", { input: {} });
  assert.ok(Array.isArray(paused.__interrupt__) && paused.__interrupt__.length === 1, JSON.stringify(paused).slice(0, 300));
  const state = await client.threads.getState(kb.thread_id);
  assert.deepEqual(state.next, ["review"]);
  assert.equal(state.tasks[0].name, "review");
  assert.ok(state.tasks[0].interrupts[0].value, "the interrupt carries the draft");
  assert.equal((await client.threads.get(kb.thread_id)).status, "interrupted");

  check("threads.copy of a thread waiting at review resumes like its source (one article created)");
  const kbCopy = await client.threads.copy(kb.thread_id);
  assert.notEqual(kbCopy.thread_id, kb.thread_id);
  assert.equal(kbCopy.status, "interrupted");
  const copyState = await client.threads.getState(kbCopy.thread_id);
  assert.deepEqual(copyState.next, ["review"]);
  assert.deepEqual(copyState.tasks[0].interrupts[0].value, state.tasks[0].interrupts[0].value);
  const copyDone = await client.runs.wait(kbCopy.thread_id, "kb_enrichment", { command: { resume: { action: "approve" } } });
  assert.equal(copyDone.__interrupt__, undefined, JSON.stringify(copyDone).slice(0, 300));
  assert.equal(copyDone.decision.action, "approve");
  assert.equal(copyDone.article.published, true);
  assert.equal(typeof copyDone.summary, "string");
  const copyHistory = await client.threads.getHistory(kbCopy.thread_id, { limit: 100 });
  const createSteps = copyHistory.filter((h) => h.next.length === 1 && h.next[0] === "create_article");
  assert.equal(createSteps.length, 1, "create_article ran once on the copy");
  assert.equal((await client.threads.get(kbCopy.thread_id)).status, "idle");
  assert.equal((await client.threads.get(kb.thread_id)).status, "interrupted", "the source still waits");

  check("a resume of a thread that is not waiting is refused with 400");
  await expectStatus(client.runs.wait(thread.thread_id, "spam_triage", { command: { resume: { action: "approve" } } }), 400);

  check("runs.wait with command resume approves the article");
  const approved = await client.runs.wait(kb.thread_id, "kb_enrichment", { command: { resume: { action: "approve" } } });
  assert.equal(typeof approved.summary, "string");
  assert.equal(approved.__interrupt__, undefined);

  check("threads.getHistory and a fork from an old checkpoint");
  const history = await client.threads.getHistory(kb.thread_id, { limit: 50 });
  assert.ok(history.length >= 5);
  const beforeReview = history.find((h) => h.next.length === 1 && h.next[0] === "review");
  assert.ok(beforeReview, "a checkpoint waiting at review");
  // Continuing from the old checkpoint re-runs review on a new branch: it asks again.
  const forked = await client.runs.wait(kb.thread_id, "kb_enrichment", {
    checkpointId: beforeReview.checkpoint.checkpoint_id,
  });
  assert.ok(Array.isArray(forked.__interrupt__) && forked.__interrupt__.length === 1, JSON.stringify(forked).slice(0, 300));
  const rejected = await client.runs.wait(kb.thread_id, "kb_enrichment", { command: { resume: { action: "reject" } } });
  assert.equal(typeof rejected.summary, "string");
  const afterFork = await client.threads.getHistory(kb.thread_id, { limit: 100 });
  assert.ok(afterFork.length > history.length, "the fork added checkpoints");

  check("runs.create, runs.cancel of a running run");
  const vip = await client.threads.create();
  const slow = await client.runs.create(vip.thread_id, "vip_outreach", { input: { min_seconds_on_pricing: 600 } });
  assert.ok(["pending", "running"].includes(slow.status));
  await new Promise((r) => setTimeout(r, 300));
  await client.runs.cancel(vip.thread_id, slow.run_id, true, "interrupt");
  assert.equal((await client.runs.get(vip.thread_id, slow.run_id)).status, "interrupted");
  const listed = await client.runs.list(vip.thread_id);
  assert.equal(listed.length, 1);

  check("a second run under multitask_strategy reject is refused with 409");
  const busy = await client.runs.create(vip.thread_id, "vip_outreach", { input: { min_seconds_on_pricing: 600 } });
  await expectStatus(client.runs.wait(vip.thread_id, "vip_outreach", { input: {}, multitaskStrategy: "reject" }), 409);
  await client.runs.cancel(vip.thread_id, busy.run_id, true);

  check("runs.joinStream with lastEventId continues after that event");
  const background = await client.runs.create(thread.thread_id, "spam_triage", {
    input: { limit: 3 },
    streamMode: ["updates", "values"],
  });
  const full = await collect(client.runs.joinStream(thread.thread_id, background.run_id));
  assert.ok(full.length >= 4);
  const rest = await collect(client.runs.joinStream(thread.thread_id, background.run_id, { lastEventId: full[1].id }));
  assert.equal(rest.length, full.length - 2);
  assert.deepEqual(rest.map((c) => c.data), full.slice(2).map((c) => c.data));
  const joined = await client.runs.join(thread.thread_id, background.run_id);
  assert.equal(typeof joined.summary, "string");

  check("stateless runs.wait");
  const stateless = await client.runs.wait(null, "spam_triage", { input: { limit: 2 } });
  assert.equal(typeof stateless.summary, "string");

  check("crons.createForThread, create, search, delete");
  const cron = await client.crons.createForThread(thread.thread_id, "spam_triage", {
    schedule: "*/10 * * * *",
    input: { limit: 5 },
  });
  assert.equal(cron.thread_id, thread.thread_id);
  assert.ok(cron.next_run_date);
  const statelessCron = await client.crons.create("spam_triage", { schedule: "0 9 * * 1-5" });
  assert.equal(statelessCron.thread_id, null);
  const crons = await client.crons.search({ assistantId: "spam_triage" });
  assert.equal(crons.length, 2);
  await client.crons.delete(cron.cron_id);
  await client.crons.delete(statelessCron.cron_id);
  assert.equal((await client.crons.search()).length, 0);
  await expectStatus(client.crons.createForThread(thread.thread_id, "spam_triage", { schedule: "every minute" }), 422);

  {  // a block of its own: its names do not clash with the thread steps above
    check("store.putItem, getItem, searchItems, listNamespaces, deleteItem");
    await client.store.putItem(["customers", "c-42"], "plan", { plan: "pro", seats: 5 });
    await client.store.putItem(["customers", "c-43"], "plan", { plan: "free" }, { ttl: 60 });
    const item = await client.store.getItem(["customers", "c-42"], "plan");
    assert.deepEqual(item.namespace, ["customers", "c-42"]);
    assert.equal(item.key, "plan");
    assert.deepEqual(item.value, { plan: "pro", seats: 5 });
    assert.ok(item.createdAt && item.updatedAt);
    assert.equal(await client.store.getItem(["customers", "c-99"], "plan"), null);
    const found = await client.store.searchItems(["customers"], { filter: { plan: "pro" } });
    assert.deepEqual(found.items.map((i) => i.namespace), [["customers", "c-42"]]);
    assert.equal((await client.store.searchItems(["customers"], { query: "FREE" })).items[0].key, "plan");
    const listed = await client.store.listNamespaces({ prefix: ["customers"] });
    assert.deepEqual(listed.namespaces, [["customers", "c-42"], ["customers", "c-43"]]);
    assert.deepEqual((await client.store.listNamespaces({ maxDepth: 1 })).namespaces, [["customers"]]);
    await client.store.deleteItem(["customers", "c-42"], "plan");
    assert.equal(await client.store.getItem(["customers", "c-42"], "plan"), null);
    await expectStatus(client.store.putItem(["customers"], "", { plan: "pro" }), 422);
  }

  check("threads.delete");
  await client.threads.delete(vip.thread_id);
  await expectStatus(client.threads.get(vip.thread_id), 404);

  check("SIGTERM stops the server with exit 0");
  server.kill("SIGTERM");
  for (let i = 0; i < 300 && exited === null; ++i) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(exited, { code: 0, signal: null });
  console.log("sdk: all checks passed");
} catch (e) {
  console.error(`FAIL at "${step}": ${e.stack ?? e}`);
  if (exited === null) server.kill("SIGKILL");
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
