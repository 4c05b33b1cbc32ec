// SPDX-License-Identifier: MIT
// The approval inbox (`weft serve` at /) in a real headless browser: Debian's chromium driven by
// the pinned `playwright-core` (no browser download). A `weft sandbox` plays Crisp; `weft serve`
// runs with an API key on loopback; a kb_enrichment run waits for review. The page, after its key
// prompt, lists it; a thread view draws the graph with the waiting node marked; the test edits the
// title and approves; the article is created and published once with that title (the sandbox's
// effect log and helpdesk API); the page updates without a reload (the item leaves the list, and a
// second run started by the test appears). Screenshots: <artifacts>/inbox.png and thread.png.
// Run by CTest as `node inbox_browser_test.mjs <weft> <artifacts dir>`. Fails, never skips.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWeft } from "./weft_process.mjs";

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  console.error("FAIL: playwright-core is not installed: run `npm ci` in tests/npm (scripts/test.sh does)\n" + e);
  process.exit(1);
}
const [weft, artifacts] = process.argv.slice(2);
if (!weft || !artifacts) {
  console.error("usage: node inbox_browser_test.mjs <path to weft> <artifacts dir>");
  process.exit(1);
}
const browserPath = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(browserPath)) {
  console.error(`FAIL: no chromium at ${browserPath} (apt-get install chromium, or set WEFT_CHROMIUM)`);
  process.exit(1);
}
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "weft-inbox-"));
const children = [];
let browser;
let step = "start";
const check = (name) => { step = name; console.log("inbox: " + name); };

const start = (args, env) => startWeft(weft, args, env, children);

async function waitFor(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  const base = { ...process.env };
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CRISP_API_IDENTIFIER", "CRISP_API_KEY", "CRISP_WEBSITE_ID",
                      "CRISP_API_URL", "CRISP_API_TIER", "WEFT_DB", "CRISP_HOOK_SECRET", "CRISP_HOOK_KEY"])
    delete base[name];
  check("a sandbox plays Crisp and weft serve starts with an API key on loopback");
  const sandbox = await start(["sandbox", "--port", "0", "--json", "--seed", "7"], base);
  const crispEnv = { ...base, CRISP_API_URL: sandbox.api_url, CRISP_API_IDENTIFIER: sandbox.identifier,
                     CRISP_API_KEY: sandbox.key, CRISP_WEBSITE_ID: sandbox.website_id, CRISP_API_TIER: sandbox.tier };
  const key = "inbox-test-key-" + process.pid;
  const server = await start(["serve", "--port", "0", "--db", join(dir, "inbox.db"), "--api-key-env", "WEFT_INBOX_TEST_KEY"],
                             { ...crispEnv, WEFT_INBOX_TEST_KEY: key });
  assert.equal(server.auth, "api-key");
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const effects = async () => (await (await fetch(sandbox.url + "/_sandbox/effects")).json()).effects;
  const api = async (method, path, body) => {
    const r = await fetch(server.url + path, { method, headers: { "x-api-key": key, "content-type": "application/json" },
                                               body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };

  check("the page loads without the key; its data and change feed do not");
  let r = await fetch(server.url + "/");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^text\/html/);
  assert.match(r.headers.get("content-security-policy"), /script-src 'self'/);
  assert.match(await r.text(), /Approval inbox/);
  assert.equal((await fetch(server.url + "/inbox/inbox.js")).status, 200);
  assert.equal((await fetch(server.url + "/inbox/nothing.js")).status, 401);  // not a page file: the key is asked
  assert.equal((await fetch(server.url + "/threads/search", { method: "POST", body: "{}" })).status, 401);
  assert.equal((await fetch(server.url + "/inbox/changes")).status, 401);
  assert.equal((await fetch(server.url + "/inbox/changes", { headers: { "x-api-key": "wrong" } })).status, 401);

  check("a kb_enrichment run waits for review");
  const first = await api("POST", "/threads/kb-first/runs/wait",
                          { assistant_id: "kb_enrichment", input: { locale: "en" }, if_not_exists: "create" });
  assert.ok(first.__interrupt__?.length === 1, "interrupted: " + JSON.stringify(first).slice(0, 300));
  const drafted = first.__interrupt__[0].value.subject;
  assert.ok(drafted.title && drafted.content, "a drafted article: " + JSON.stringify(drafted));
  const writesBefore = (await effects()).filter((e) => e.path.includes("/helpdesk/")).length;
  assert.equal(writesBefore, 0, "nothing written to the helpdesk before the review");

  check("the browser asks for the key, refuses a wrong one, then lists the waiting thread");
  browser = await chromium.launch({ executablePath: browserPath, headless: true });
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // The wrong key tried below makes chromium log its 401 answers; any other error counts.
  page.on("console", (m) => { if (m.type() === "error" && !/status of 401/.test(m.text())) pageErrors.push(m.text()); });
  await page.goto(server.url + "/");
  const keyInput = page.getByLabel("API key of this Weft server");
  await keyInput.waitFor();
  assert.equal(await keyInput.evaluate((el) => el === document.activeElement), true, "the key field has the focus");
  await keyInput.fill("not-the-key");
  await keyInput.press("Enter");
  await page.getByRole("alert").filter({ hasText: "refused" }).waitFor();
  await keyInput.fill(key);
  await page.getByRole("button", { name: "Open the inbox" }).click();
  await page.locator("#feed-status.live").waitFor();
  // A marker that a reload would erase: the updates below must come without one.
  await page.evaluate(() => { window.weftNoReload = true; });
  const firstCard = page.locator('#inbox-list article[data-thread="kb-first"]');
  await firstCard.waitFor();
  assert.equal(await firstCard.getByRole("heading", { name: "Publish this helpdesk article?" }).count(), 1);
  assert.equal(await firstCard.locator(".article-title[role=heading]").textContent(), drafted.title, "the draft's title as a heading");
  assert.ok(await firstCard.locator(".article li, .article p").count() > 0, "the Markdown content is formatted");
  assert.ok(await firstCard.locator(".chat .bubble").count() > 0, "the conversation it was learned from");
  assert.match(await firstCard.locator(".facts").innerText(), /session_[0-9a-f-]{36}/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("weft.inbox.api_key")), key);
  await page.screenshot({ path: join(artifacts, "inbox.png"), fullPage: true });

  check("the thread view draws the graph with the waiting node marked, and the history");
  await firstCard.getByRole("link", { name: "kb-first" }).click();
  await page.locator("#thread-graph svg g.node.current[data-node='review']").waitFor();
  assert.equal(await page.locator("#thread-graph svg g.node").count(), 9, "7 nodes plus start and end");
  assert.match(await page.locator("#thread-graph svg desc").textContent(), /waits at review/);
  assert.ok(await page.locator("#thread-history li").count() >= 4, "checkpoints listed");
  assert.equal(await page.locator("#thread-title").evaluate((el) => el === document.activeElement), true);
  await page.screenshot({ path: join(artifacts, "thread.png"), fullPage: true });
  await page.getByRole("link", { name: "Back to the inbox" }).click();
  await firstCard.waitFor();

  check("the reviewer edits the title with the keyboard and approves; the item leaves the list without a reload");
  const editedTitle = "Rotate your webhook secret (edited in the inbox " + process.pid + ")";
  await firstCard.getByRole("button", { name: "Edit…" }).click();
  const titleInput = firstCard.getByLabel("Title");
  assert.equal(await titleInput.evaluate((el) => el === document.activeElement), true, "the edit form takes the focus");
  await titleInput.fill(editedTitle);
  await firstCard.getByRole("button", { name: "Save and approve" }).press("Enter");
  await firstCard.waitFor({ state: "detached", timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.weftNoReload), true, "no reload happened");

  check("the article is created with the edited title and published once");
  const done = await waitFor("kb-first to finish", async () => {
    const t = await api("GET", "/threads/kb-first");
    return t.status === "idle" && t.values.article?.published ? t : null;
  });
  assert.equal(done.values.article.title, editedTitle);
  // Either helpdesk route: legacy (POST …/article {title, content}, POST …/publish) or tree (POST
  // …/tree/path/…, PUT …/tree/content/…, PATCH …/tree/metadata/… {title}, PATCH {state: published}).
  const helpdesk = (await effects()).filter((e) => e.path.includes("/helpdesk/"));
  const shown = JSON.stringify(helpdesk);
  const creates = helpdesk.filter((e) => e.method === "POST" && (e.path.endsWith("/article") || e.path.includes("/tree/path/")));
  assert.equal(creates.length, 1, "one article created: " + shown);
  assert.ok(helpdesk.some((e) => e.body?.title === editedTitle), "the edited title was written: " + shown);
  assert.ok(!helpdesk.some((e) => e.body?.title === drafted.title), "the drafted title was not: " + shown);
  const contentWrites = helpdesk.filter((e) => e.body?.content !== undefined);
  assert.ok(contentWrites.length === 1 && contentWrites[0].body.content === drafted.content,
            "the content was kept as drafted: " + shown);
  const publishes = helpdesk.filter((e) => e.path.endsWith("/publish") || e.body?.state?.published === true);
  assert.equal(publishes.length, 1, "published once: " + shown);
  // And the sandbox's helpdesk API reads it back with that title, published.
  const auth = { authorization: "Basic " + Buffer.from(`${sandbox.identifier}:${sandbox.key}`).toString("base64"),
                 "x-crisp-tier": sandbox.tier };
  const { article_id: articleId, tree_path: treePath } = done.values.article;
  const helpdeskUrl = `${sandbox.api_url.replace(/\/+$/, "")}/website/${sandbox.website_id}/helpdesk`;
  const readBack = articleId ? `${helpdeskUrl}/locale/en/article/${articleId}`
                             : `${helpdeskUrl}/tree/metadata/en/${treePath.startsWith("articles/") ? treePath : "articles/" + treePath}`;
  const got = await fetch(readBack, { headers: auth });
  const stored = await got.json();
  assert.equal(got.status, 200, readBack + ": " + JSON.stringify(stored));
  assert.equal(stored.data.title, editedTitle, "the sandbox's helpdesk holds the edited title: " + JSON.stringify(stored));
  assert.ok(stored.data.status === "published" || stored.data.state?.published === true || stored.data.published === true,
            "the sandbox's helpdesk has it published: " + JSON.stringify(stored));

  check("a second run started by the test appears without a reload");
  await api("POST", "/threads/kb-second/runs", { assistant_id: "kb_enrichment", input: { locale: "en" }, if_not_exists: "create" });
  await page.locator('#inbox-list article[data-thread="kb-second"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.weftNoReload), true, "no reload happened");
  assert.equal(await page.locator("#inbox-count").textContent(), "(1)");

  check("a server without a key serves loopback only, and its page opens without the prompt");
  const open = await start(["serve", "--port", "0", "--db", join(dir, "open.db")], crispEnv);
  assert.equal(open.auth, "none");
  assert.match(open.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const openPage = await browser.newPage();
  openPage.on("pageerror", (e) => pageErrors.push(String(e)));
  await openPage.goto(open.url + "/");
  await openPage.locator("#feed-status.live").waitFor();
  assert.equal(await openPage.locator("#key-view").isHidden(), true, "no key prompt");
  await openPage.getByText("Nothing is waiting for a decision.").waitFor();
  assert.deepEqual(pageErrors, [], "no script errors in the page");
  console.log("inbox: all checks passed");
} catch (e) {
  console.error(`FAIL at "${step}": ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
