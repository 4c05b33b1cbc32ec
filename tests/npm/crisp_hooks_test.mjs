// SPDX-License-Identifier: MIT
// Crisp web hooks end to end with the official `crisp-api` client (pinned in package.json):
//   1. `weft sandbox --hook-url` plays Crisp: the official client creates a conversation and sends a
//      visitor message through the sandbox's REST API, and the sandbox POSTs a signed hook here;
//   2. the official client's own verifyHook() accepts that signature (the sandbox signs as Crisp);
//   3. the same bytes and headers, forwarded to `weft serve` /crisp/hooks, are accepted and start
//      a run on crisp-<session>; a bit-flipped body, a wrong secret and a stale timestamp are
//      refused with 401, and a redelivery is recognised as a duplicate.
// Run by CTest as `node crisp_hooks_test.mjs <path to weft>`. Fails, never skips.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

let Crisp;
try {
  ({ Crisp } = await import("crisp-api"));
} catch (e) {
  console.error("FAIL: crisp-api is not installed: run `npm ci` in tests/npm (scripts/test.sh does)\n" + e);
  process.exit(1);
}
const weft = process.argv[2];
if (!weft) {
  console.error("usage: node crisp_hooks_test.mjs <path to weft>");
  process.exit(1);
}

const secret = "hook-secret-" + process.pid;
const dir = mkdtempSync(join(tmpdir(), "weft-hooks-"));
const children = [];
let step = "start";
const check = (name) => { step = name; console.log("hooks: " + name); };

function firstJsonLine(child, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(what + " printed nothing within 60 s")), 60_000);
    child.on("exit", (code) => reject(new Error(what + " exited with " + code + " before printing its first line")));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      try { resolve(JSON.parse(line)); } catch { reject(new Error(what + ": first line is not JSON: " + line)); }
    });
  });
}

function start(args, env, what) {
  const child = spawn(weft, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return firstJsonLine(child, what);
}

// The hook receiver standing in for a Crisp integrator: keeps every delivery's raw bytes.
const received = [];
let notify = () => {};
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ raw: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    notify();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

async function waitFor(predicate, what) {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => { notify = r; setTimeout(r, 50); });
  }
}

async function post(url, body, headers) {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, json: await res.json().catch(() => null) };
}

try {
  const base = { ...process.env };
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISP_API_URL", "CRISP_API_IDENTIFIER", "CRISP_API_KEY",
                      "CRISP_WEBSITE_ID", "CRISP_HOOK_KEY", "WEFT_DB"])
    delete base[name];

  check("weft sandbox delivers hooks to a receiver, signed with CRISP_HOOK_SECRET");
  const sandbox = await start(["sandbox", "--json", "--hook-url", receiverUrl],
                              { ...base, CRISP_HOOK_SECRET: secret }, "weft sandbox");

  check("the official crisp-api client writes a visitor message through the sandbox");
  const crisp = new Crisp();
  crisp.setRestHost(sandbox.url);
  crisp.authenticateTier(sandbox.tier, sandbox.identifier, sandbox.key);
  const { session_id: session } = await crisp.website.createNewConversation(sandbox.website_id);
  const sent = await crisp.website.sendMessageInConversation(sandbox.website_id, session, {
    type: "text", from: "user", origin: "chat", content: "Hello, where is my invoice?" });
  await waitFor(() => received.some((h) => JSON.parse(h.raw).event === "message:send"), "the message:send hook");
  const hook = received.find((h) => JSON.parse(h.raw).event === "message:send");
  const body = JSON.parse(hook.raw);
  assert.equal(body.website_id, sandbox.website_id);
  assert.equal(body.data.session_id, session);
  assert.equal(body.data.from, "user");
  assert.equal(body.data.fingerprint, sent.fingerprint);

  check("crisp-api's verifyHook accepts the sandbox's signature, and refuses it for another secret");
  const listener = new Crisp();
  listener.setRtmMode(Crisp.RTM_MODES.WebHooks);
  await listener.on("message:send", () => {});
  const stamp = Number(hook.headers["x-crisp-request-timestamp"]);
  const signature = hook.headers["x-crisp-signature"];
  assert.equal(listener.verifyHook(secret, body, stamp, signature), true);
  assert.equal(listener.verifyHook(secret + "x", body, stamp, signature), false);

  check("weft serve accepts the same bytes and headers and starts a run on crisp-<session>");
  const serve = await start(["serve", "--db", join(dir, "weft.db"), "--crisp", sandbox.api_url],
                            { ...base, CRISP_HOOK_SECRET: secret, CRISP_API_IDENTIFIER: sandbox.identifier,
                              CRISP_API_KEY: sandbox.key, CRISP_WEBSITE_ID: sandbox.website_id }, "weft serve");
  const hooks = serve.url + "/crisp/hooks";
  const headers = { "x-crisp-request-timestamp": String(stamp), "x-crisp-signature": signature };
  const accepted = await post(hooks, hook.raw, headers);
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
  assert.equal(accepted.json.status, "accepted", JSON.stringify(accepted.json));
  assert.equal(accepted.json.thread_id, "crisp-" + session);

  check("a redelivery is a duplicate; altered, wrongly keyed or stale events are 401");
  assert.equal((await post(hooks, hook.raw, headers)).json.status, "duplicate");
  const flipped = hook.raw.replace("invoice", "invoicf");
  assert.equal((await post(hooks, flipped, headers)).status, 401);
  const wrong = createHmac("sha256", "not-" + secret).update(`[${stamp};${hook.raw}]`).digest("hex");
  assert.equal((await post(hooks, hook.raw, { ...headers, "x-crisp-signature": wrong })).status, 401);
  const old = String(Date.now() - 3_600_000);
  const stale = createHmac("sha256", secret).update(`[${old};${hook.raw}]`).digest("hex");
  assert.equal((await post(hooks, hook.raw, { "x-crisp-request-timestamp": old, "x-crisp-signature": stale })).status, 401);
  assert.equal((await post(hooks, hook.raw, {})).status, 401);
  console.log("hooks: all checks passed");
} catch (e) {
  console.error(`FAIL at "${step}": ${e.stack || e}`);
  process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  receiver.close();
  await new Promise((r) => setTimeout(r, 200));
  rmSync(dir, { recursive: true, force: true });
}
