// SPDX-License-Identifier: MIT
// The approval inbox's behaviour. Every data call goes through the same runs API the SDKs use,
// with the API key (asked once, kept in sessionStorage) as x-api-key:
//   POST /threads/search {status: "interrupted"}     the waiting threads, with their questions
//   POST /threads/{id}/runs {command: {resume}}      approve / edit / reject
//   GET /threads/{id}, /threads/{id}/state, POST /threads/{id}/history, GET /assistants/{g}/graph
// Live updates: GET /inbox/changes is an SSE stream read with fetch() (EventSource cannot send the
// key header); each `changed` event redraws the current view without a reload.
import { drawGraph } from "/inbox/graph_svg.js";
import { editableText, facts, h, hasTitle, sessionOf, since, subjectView } from "/inbox/render.js";

const KEY_STORAGE = "weft.inbox.api_key";
const $ = (id) => document.getElementById(id);
const app = { key: sessionStorage.getItem(KEY_STORAGE) ?? "", signedIn: false, feed: null, refreshing: null, again: false };

class KeyRefused extends Error {
  constructor(key) {
    super("The server refused this API key.");
    this.key = key;  // a refusal of a key already replaced is stale and ignored
  }
}

// Node.append writes null as the text "null": skip what a condition left out.
const appendTo = (parent, ...children) => parent.append(...children.filter((c) => c !== null && c !== undefined && c !== false));

// The key as a header, or no header for a server without one.
const keyHeaders = (key) => (key ? { "x-api-key": key } : {});

async function api(method, path, body) {
  const key = app.key;
  const init = { method, headers: keyHeaders(key), cache: "no-store" };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new KeyRefused(key);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new Error(`${method} ${path}: ${data?.detail ?? response.status + " " + response.statusText}`);
  return data;
}

const announce = (text) => { $("announcer").textContent = ""; setTimeout(() => { $("announcer").textContent = text; }, 30); };

function setFeed(text, kind) {
  $("feed-status").textContent = text;
  $("feed-status").className = `feed-status ${kind}`;
}

function showError(error) {
  if (error instanceof KeyRefused) return error.key === app.key ? askKey(error.message) : undefined;
  $("load-error").textContent = String(error.message ?? error);
  $("load-error").hidden = false;
}

// ---- the key prompt ----

function askKey(problem = "") {
  app.signedIn = false;
  if (problem) sessionStorage.removeItem(KEY_STORAGE);
  app.feed?.abort();
  app.feed = null;
  for (const id of ["inbox-view", "thread-view"]) $(id).hidden = true;
  $("key-view").hidden = false;
  $("forget-key").hidden = true;
  $("key-error").textContent = problem;
  setFeed("Not connected", "down");
  $("key-input").focus();
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("key-input").value.trim();
  if (!key) { $("key-error").textContent = "Enter the API key."; return; }
  app.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  $("key-input").value = "";
  start();
});

$("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_STORAGE);
  app.key = "";
  askKey("");
});

// ---- answering a question ----

async function resume(thread, interrupts, answer, card, verb) {
  const buttons = [...card.querySelectorAll("button")];
  buttons.forEach((b) => { b.disabled = true; });
  const status = card.querySelector(".card-status");
  status.textContent = `${verb}…`;
  // One question: its answer; several (parallel nodes): {interrupt_id: answer} for the first.
  const value = interrupts.length === 1 ? answer : { [interrupts[0].id]: answer };
  try {
    await api("POST", `/threads/${encodeURIComponent(thread.thread_id)}/runs`,
              { assistant_id: thread.metadata.graph_id, command: { resume: value } });
    status.textContent = `${verb}: the thread continues.`;
    announce(`${verb}. Thread ${thread.thread_id} continues.`);
  } catch (error) {
    buttons.forEach((b) => { b.disabled = false; });
    status.textContent = "";
    if (error instanceof KeyRefused) return showError(error);
    status.textContent = `Not sent: ${error.message}`;
    announce(`Not sent: ${error.message}`);
  }
}

function editForm(thread, interrupts, subject, card, idPrefix) {
  const titled = hasTitle(subject);
  const titleInput = titled ? h("input", { id: `${idPrefix}-title`, type: "text", value: subject.title }) : null;
  const textInput = h("textarea", { id: `${idPrefix}-text`, rows: 12 });
  textInput.value = editableText(subject);
  const problem = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "edit-form", hidden: true, "aria-label": "Edit before approving" },
    titled ? [h("label", { for: `${idPrefix}-title` }, "Title"), titleInput] : null,
    h("label", { for: `${idPrefix}-text` }, typeof subject?.content === "string" ? "Content (Markdown)" : "Text"),
    textInput, problem,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "approve" }, "Save and approve"),
      h("button", { type: "button", class: "cancel-edit" }, "Cancel")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const answer = { action: "edit" };
    if (titled && titleInput.value.trim() !== subject.title) answer.title = titleInput.value.trim();
    if (textInput.value !== editableText(subject)) answer.text = textInput.value;
    if (titled && titleInput.value.trim() === "") { problem.textContent = "The title cannot be empty."; return; }
    if (!answer.title && !answer.text) { problem.textContent = "Nothing was changed: approve instead, or edit."; return; }
    problem.textContent = "";
    resume(thread, interrupts, answer, card, "Edited and approved");
  });
  return { form, first: titleInput ?? textInput };
}

/** The card of a thread's waiting question: facts, the rendered proposal, approve / edit / reject. */
function questionCard(thread, { linkToThread }) {
  const interrupts = Object.values(thread.interrupts ?? {}).flat();
  const question = interrupts[0]?.value ?? {};
  const subject = question.subject;
  const graph = thread.metadata?.graph_id ?? "unknown graph";
  const idPrefix = `${linkToThread ? "inbox" : "thread"}-${thread.thread_id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const choices = Array.isArray(question.choices) ? question.choices : ["approve", "edit", "reject"];
  const decline = choices.find((c) => c === "reject" || c === "skip") ?? "reject";
  const card = h("article", { class: "card", "aria-labelledby": `${idPrefix}-h`, "data-thread": thread.thread_id });
  const session = sessionOf(thread, subject);
  appendTo(card, 
    h("header", {},
      h("h2", { id: `${idPrefix}-h` }, typeof question.question === "string" ? question.question : "A decision is needed"),
      h("span", { class: "tag" }, graph)),
    facts([["Conversation", session ? h("code", {}, session) : ""], ["Waiting since", since(thread.updated_at)],
           ["Thread", linkToThread ? h("a", { href: `#/thread/${encodeURIComponent(thread.thread_id)}` }, thread.thread_id)
                                   : h("code", {}, thread.thread_id)],
           ["Node", interrupts[0]?.node]]),
    question.previous_answer_problem ? h("p", { class: "problem" }, `The last answer was not understood: ${question.previous_answer_problem}`) : null,
    subjectView(thread, subject));
  const { form, first } = editForm(thread, interrupts, subject, card, idPrefix);
  const editButton = h("button", { type: "button", "aria-expanded": "false", "aria-controls": `${idPrefix}-form` }, "Edit…");
  form.id = `${idPrefix}-form`;
  editButton.addEventListener("click", () => {
    form.hidden = !form.hidden;
    editButton.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) first.focus();
  });
  form.querySelector(".cancel-edit").addEventListener("click", () => {
    form.hidden = true;
    editButton.setAttribute("aria-expanded", "false");
    editButton.focus();
  });
  appendTo(card, 
    h("div", { class: "actions", role: "group", "aria-label": "Decision" },
      h("button", { type: "button", class: "approve", onclick: () => resume(thread, interrupts, { action: "approve" }, card, "Approved") }, "Approve"),
      choices.includes("edit") ? editButton : null,
      h("button", { type: "button", class: "reject", onclick: () => resume(thread, interrupts, { action: decline }, card, decline === "skip" ? "Skipped" : "Rejected") },
        decline === "skip" ? "Skip" : "Reject"),
      h("span", { class: "card-status", role: "status" })),
    form);
  return card;
}

// A new checkpoint (e.g. the question asked again after an answer it did not understand) redraws the card.
const cardKey = (thread) => `${thread.thread_id}|${thread.updated_at}|${Object.values(thread.interrupts ?? {}).flat().map((i) => i.id).join(",")}`;

// ---- the inbox ----

async function showInbox() {
  const threads = await api("POST", "/threads/search",
                            { status: "interrupted", limit: 200, sort_by: "updated_at", sort_order: "asc" });
  const list = $("inbox-list");
  const keep = new Map([...list.children].map((li) => [li.dataset.key, li]));
  const wanted = threads.filter((t) => Object.values(t.interrupts ?? {}).flat().length > 0);
  const focusWasIn = [...keep.values()].find((li) => li.contains(document.activeElement));
  // Keep the cards that still wait (a half-written edit survives a redraw), add new ones in order.
  const items = wanted.map((t) => keep.get(cardKey(t)) ??
                                  h("li", { "data-key": cardKey(t) }, questionCard(t, { linkToThread: true })));
  list.replaceChildren(...items);
  const gone = keep.size - items.filter((li) => keep.has(li.dataset.key)).length;
  if (focusWasIn && !list.contains(focusWasIn)) $("inbox-title").focus();
  $("inbox-count").textContent = `(${wanted.length})`;
  $("inbox-empty").hidden = wanted.length > 0;
  if (gone > 0) announce(`${gone} question${gone > 1 ? "s" : ""} answered. ${wanted.length} waiting.`);
}

// ---- the thread view ----

async function showThread(threadId) {
  const path = `/threads/${encodeURIComponent(threadId)}`;
  const thread = await api("GET", path);
  const stateNow = await api("GET", `${path}/state`);
  const history = await api("POST", `${path}/history`, { limit: 100 });
  const graphId = thread.metadata?.graph_id;
  const graph = graphId ? await api("GET", `/assistants/${encodeURIComponent(graphId)}/graph`) : { nodes: [], edges: [] };
  $("thread-title").textContent = `Thread ${thread.thread_id}`;
  const current = stateNow.next ?? [];
  const visited = new Set(["__start__"]);
  history.slice(1).forEach((s) => (s.next ?? []).forEach((n) => visited.add(n)));
  if (history.length && (stateNow.next ?? []).length === 0 && thread.status !== "error") visited.add("__end__");
  $("thread-facts").replaceWith(Object.assign(facts([
    ["Graph", graphId ?? "none yet"], ["Status", thread.status], ["Conversation", sessionOf(thread, null) || ""],
    ["Updated", since(thread.updated_at)], ["Created", since(thread.created_at)]]), { id: "thread-facts" }));
  const questionBox = $("thread-question");
  const hasQuestion = thread.status === "interrupted" && Object.values(thread.interrupts ?? {}).flat().length > 0;
  const key = hasQuestion ? cardKey(thread) : "";
  if (questionBox.dataset.key !== key || !questionBox.firstChild) {
    questionBox.dataset.key = key;
    questionBox.replaceChildren(hasQuestion ? questionCard(thread, { linkToThread: false }) : h("p", { class: "hint" },
      thread.status === "busy" ? "Running now." : "Nothing is waiting for a human on this thread."));
  }
  $("thread-graph").replaceChildren(drawGraph(graph, graphId ?? "", current, [...visited]),
    h("p", { class: "hint" }, current.length ? `Outlined: where the thread ${thread.status === "interrupted" ? "waits" : "goes next"} (${current.join(", ")}).`
                                             : "The thread is not at any node."));
  $("thread-history").replaceChildren(...history.map((s) => h("li", {},
    h("span", { class: "step" }, `Step ${s.metadata?.step ?? "?"}`),
    `${s.metadata?.source ?? ""} · next: ${(s.next ?? []).join(", ") || "—"} · `, since(s.created_at),
    s.interrupts?.length ? h("p", {}, `Asked: ${s.interrupts.map((i) => i.value?.question ?? "a question").join("; ")}`) : null,
    h("details", {}, h("summary", {}, "Values"), h("pre", { class: "json" }, JSON.stringify(s.values, null, 2))))));
}

// ---- navigation, redraws and the change feed ----

function route() {
  const match = /^#\/thread\/(.+)$/.exec(location.hash);
  return match ? { view: "thread", id: decodeURIComponent(match[1]) } : { view: "inbox" };
}

async function redraw(moveFocus = false) {
  if (app.refreshing) { app.again = true; return app.refreshing; }
  const where = route();
  $("inbox-view").hidden = where.view !== "inbox";
  $("thread-view").hidden = where.view !== "thread";
  if (where.view !== "thread") {
    // A thread view left behind would keep a second copy of a card (and its ids) in the page.
    $("thread-question").replaceChildren();
    delete $("thread-question").dataset.key;
  }
  app.refreshing = (where.view === "thread" ? showThread(where.id) : showInbox())
    .then(() => { $("load-error").hidden = true; if (moveFocus) $(where.view === "thread" ? "thread-title" : "inbox-title").focus(); })
    .catch(showError)
    .finally(() => { app.refreshing = null; if (app.again) { app.again = false; redraw(); } });
  return app.refreshing;
}

async function follow() {
  const controller = new AbortController();
  app.feed = controller;
  let wait = 500;
  while (app.feed === controller) {
    try {
      const response = await fetch("/inbox/changes", { headers: keyHeaders(app.key), signal: controller.signal, cache: "no-store" });
      if (response.status === 401) return app.feed === controller ? askKey("The server refused this API key.") : undefined;
      if (!response.ok || !response.body) throw new Error(`change feed: ${response.status}`);
      setFeed("Live", "live");
      wait = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: changed$/m.test(frame)) redraw();
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    setFeed("Reconnecting…", "down");
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 10_000);
  }
}

function start() {
  app.signedIn = true;
  $("key-view").hidden = true;
  $("forget-key").hidden = !app.key;
  setFeed("Connecting…", "");
  redraw(true);
  follow();
}

window.addEventListener("hashchange", () => { if (app.signedIn) redraw(true); });
if (app.key) {
  start();
} else {
  // A server started without --api-key-env answers without a key (it serves loopback only): no prompt.
  fetch("/threads/count", { method: "POST", cache: "no-store" })
    .then((response) => (response.ok ? start() : askKey()))
    .catch(() => askKey("The server does not answer."));
}
