// SPDX-License-Identifier: MIT
// How the inbox shows a question to people: DOM building (text only: what the graphs quote comes
// from visitors and models, so nothing is ever parsed as HTML), a small Markdown subset for draft
// articles, chat bubbles for conversations and replies, and the card of one waiting question.

/** An element with attributes and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** "3 min ago" beside the exact time, as a <time> element. */
export function since(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return h("span", {}, "unknown");
  const seconds = Math.max(0, Math.round((Date.now() - at.getTime()) / 1000));
  const ago = seconds < 60 ? `${seconds} s ago` : seconds < 3600 ? `${Math.round(seconds / 60)} min ago`
            : seconds < 86400 ? `${Math.round(seconds / 3600)} h ago` : `${Math.round(seconds / 86400)} days ago`;
  return h("time", { datetime: at.toISOString(), title: at.toLocaleString() }, `${ago} (${at.toLocaleString()})`);
}

/** A <dl> of [label, value] pairs; values may be elements. */
export function facts(pairs) {
  return h("dl", { class: "facts" },
           pairs.filter(([, value]) => value !== undefined && value !== null && value !== "")
             .map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))));
}

// **bold**, *emphasis*, `code` and [text](https://…) inside one line of Markdown.
function inline(text) {
  const out = [];
  const pattern = /(\*\*[^*]+\*\*|\*[^*\s][^*]*\*|`[^`]+`|\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const token = match[0];
    if (token.startsWith("**")) out.push(h("strong", {}, token.slice(2, -2)));
    else if (token.startsWith("`")) out.push(h("code", {}, token.slice(1, -1)));
    else if (token.startsWith("[")) {
      const [, label, url] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      out.push(/^https?:\/\//i.test(url) ? h("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, label)
                                         : `${label} (${url})`);
    } else out.push(h("em", {}, token.slice(1, -1)));
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Markdown as the helpdesk shows it: headings, paragraphs, lists, code blocks. */
export function markdown(source) {
  const root = h("div", { class: "markdown" });
  const lines = String(source ?? "").replace(/\r\n?/g, "\n").split("\n");
  let list = null;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) root.append(h("p", {}, inline(paragraph.join(" "))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m;
    if (line.startsWith("```")) {
      flush(); list = null;
      const code = [];
      while (++i < lines.length && !lines[i].startsWith("```")) code.push(lines[i]);
      root.append(h("pre", {}, h("code", {}, code.join("\n"))));
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      flush(); list = null;
      // Inside a card the article's headings sit below the page's h1-h3.
      root.append(h(`h${Math.min(6, m[1].length + 3)}`, {}, inline(m[2])));
    } else if ((m = /^\s*(\d+[.)]|[-*+])\s+(.*)$/.exec(line))) {
      flush();
      const kind = /\d/.test(m[1]) ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== kind) root.append((list = h(kind)));
      list.append(h("li", {}, inline(m[2])));
    } else if (line.trim() === "") {
      flush(); list = null;
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flush();
  return root;
}

const speaker = (from) => (from === "operator" ? "Operator" : from === "user" ? "Visitor" : from || "Unknown");

/** A conversation as chat bubbles: [{from, text|content}]. `draft` marks the last bubble as not sent. */
export function chat(lines, label, draftText) {
  const items = (Array.isArray(lines) ? lines : []).map((line) =>
    h("li", { class: `bubble ${line.from === "operator" ? "operator" : "user"}` },
      h("span", { class: "who" }, speaker(line.from)), String(line.text ?? line.content ?? "")));
  if (draftText !== undefined) {
    items.push(h("li", { class: "bubble operator draft" },
                 h("span", { class: "who" }, "Reply to send (not sent yet)"), String(draftText)));
  }
  return h("ol", { class: "chat", "aria-label": label }, items);
}

/** The session a question is about, from its subject or the thread's values. */
export function sessionOf(thread, subject) {
  return subject?.source_session_id ?? subject?.session_id ?? thread.values?.conversation?.session_id ??
         thread.values?.input?.session_id ?? (thread.thread_id.startsWith("crisp-") ? thread.thread_id.slice(6) : "");
}

/** Whether an edit of this question may change a title (kb_enrichment's article). */
export const hasTitle = (subject) => typeof subject?.title === "string";
/** The text an edit replaces: the article's content, the reply, or the greeting. */
export const editableText = (subject) => subject?.content ?? subject?.reply ?? subject?.greeting ?? subject?.text ?? "";

/** What the question proposes and what led to it, rendered for people. */
export function subjectView(thread, subject) {
  const proposal = [];
  const context = [];
  if (typeof subject?.content === "string") {
    proposal.push(h("p", { class: "subject-title" }, "Draft helpdesk article",
                    subject.locale ? ` (${subject.locale})` : ""),
                  h("article", { class: "article" }, h("p", { class: "article-title", role: "heading", "aria-level": "3" },
                                                      subject.title ?? "(untitled)"),
                    subject.description ? h("p", { class: "article-description" }, subject.description) : null,
                    markdown(subject.content)));
    const messages = thread.values?.conversation?.messages;
    if (messages) context.push(h("p", { class: "subject-title" }, "The conversation it was learned from"),
                               chat(messages, "Conversation the article was learned from"));
  } else if (typeof subject?.reply === "string") {
    context.push(h("p", { class: "subject-title" }, "Conversation"),
                 chat(subject.conversation_excerpt ?? [subject.visitor_message], "Conversation and the reply to send",
                      subject.reply));
    if (subject.why_asked?.length) proposal.push(h("p", { class: "subject-title" }, "Why a human is asked"),
                                                 h("ul", {}, subject.why_asked.map((r) => h("li", {}, String(r)))));
    if (subject.citations?.length) proposal.push(h("p", { class: "subject-title" }, "Articles cited"),
                                                 h("ul", {}, subject.citations.map((c) => h("li", {}, c.title ?? "",
                                                   c.url ? ` — ${c.url}` : ""))));
  } else if (typeof subject?.greeting === "string") {
    proposal.push(h("p", { class: "subject-title" }, "Greeting, as the visitor will see it"),
                  chat([], "Greeting to send", subject.greeting));
    context.push(h("p", { class: "subject-title" }, "Visitor"),
                 facts([["Name", subject.nickname], ["Company", subject.company], ["Email", subject.email],
                        ["Reading", subject.page_title]]));
  } else {
    proposal.push(h("p", { class: "subject-title" }, "Details"),
                  h("pre", { class: "json" }, JSON.stringify(subject ?? null, null, 2)));
  }
  return h("div", { class: "columns" }, h("div", {}, proposal), h("div", {}, context));
}
