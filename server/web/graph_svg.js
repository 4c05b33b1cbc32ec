// SPDX-License-Identifier: MIT
// Draws a graph from `GET /assistants/{id}/graph` ({nodes: [{id}], edges: [{source, target,
// conditional}]}) as SVG: nodes in layers by their longest path from __start__, top to bottom,
// conditional edges dashed, edges that go back up drawn as arcs on the side, the nodes the thread
// visited shaded and the one it waits at (or runs next) outlined.

const NS = "http://www.w3.org/2000/svg";
const ROW = 72;
const GAP = 28;
const BOX_H = 34;

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

// Layer of each node: longest path from __start__ over the edges that are not back edges (those
// closing a cycle, found by a depth-first walk), so a loop does not stretch the drawing forever.
function layers(nodes, edges) {
  const out = new Map(nodes.map((n) => [n, []]));
  for (const e of edges) if (out.has(e.source) && out.has(e.target)) out.get(e.source).push(e.target);
  const back = new Set();
  const state = new Map();
  const walk = (n) => {
    state.set(n, "open");
    for (const t of out.get(n)) {
      if (state.get(t) === "open") back.add(`${n}\u0000${t}`);
      else if (!state.has(t)) walk(t);
    }
    state.set(n, "done");
  };
  if (out.has("__start__")) walk("__start__");
  for (const n of nodes) if (!state.has(n)) walk(n);
  const depth = new Map(nodes.map((n) => [n, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let moved = false;
    for (const e of edges) {
      if (back.has(`${e.source}\u0000${e.target}`) || !depth.has(e.source) || !depth.has(e.target)) continue;
      if (depth.get(e.target) < depth.get(e.source) + 1) { depth.set(e.target, depth.get(e.source) + 1); moved = true; }
    }
    if (!moved) break;
  }
  return depth;
}

const label = (id) => (id === "__start__" ? "start" : id === "__end__" ? "end" : id);

/**
 * The graph as an <svg role="img"> with a title and a description that says where the thread is.
 * `current`: node ids the thread waits at or runs next; `visited`: node ids it has run.
 */
export function drawGraph(graph, graphName, current = [], visited = []) {
  const ids = (graph.nodes ?? []).map((n) => n.id);
  const edges = graph.edges ?? [];
  const depth = layers(ids, edges);
  const rows = [];
  for (const id of ids) (rows[depth.get(id)] ??= []).push(id);
  const width = (id) => Math.max(70, label(id).length * 8 + 28);
  const rowWidth = (row) => row.reduce((sum, id) => sum + width(id), 0) + GAP * (row.length - 1);
  const total = Math.max(240, ...rows.filter(Boolean).map(rowWidth)) + 120;
  const place = new Map();
  rows.forEach((row, r) => {
    if (!row) return;
    let x = (total - rowWidth(row)) / 2;
    for (const id of row) { place.set(id, { x, y: 16 + r * ROW, w: width(id) }); x += width(id) + GAP; }
  });
  const height = 16 + rows.length * ROW;
  const where = current.length ? `It waits at ${current.map(label).join(", ")}.` : "It is not waiting at any node.";
  const root = svg("svg", { viewBox: `0 0 ${total} ${height}`, width: total, height, role: "img",
                            "aria-labelledby": "graph-svg-title graph-svg-desc" });
  root.append(svg("title", { id: "graph-svg-title" }, `Graph ${graphName}`),
              svg("desc", { id: "graph-svg-desc" },
                  `Nodes: ${ids.map(label).join(", ")}. ${where} Dashed edges are conditional.`));
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
                                 orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
  defs.append(marker);
  root.append(defs);
  for (const e of edges) {
    const a = place.get(e.source);
    const b = place.get(e.target);
    if (!a || !b) continue;
    let d;
    if (b.y - a.y > ROW) {
      // Past the layers between: an arc out to the left, so it does not run behind their boxes.
      const x1 = a.x, y1 = a.y + BOX_H / 2, x2 = b.x, y2 = b.y + BOX_H / 2;
      const out = Math.min(x1, x2) - 30 - 6 * Math.round((b.y - a.y) / ROW);
      d = `M${x1},${y1} C${out},${y1} ${out},${y2} ${x2},${y2}`;
    } else if (b.y > a.y) {
      const x1 = a.x + a.w / 2, y1 = a.y + BOX_H, x2 = b.x + b.w / 2, y2 = b.y;
      d = `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
    } else {
      // Up or sideways (a loop): an arc out to the right of both boxes.
      const x1 = a.x + a.w, y1 = a.y + BOX_H / 2, x2 = b.x + b.w, y2 = b.y + BOX_H / 2;
      const out = Math.max(x1, x2) + 40;
      d = `M${x1},${y1} C${out},${y1} ${out},${y2} ${x2},${y2}`;
    }
    root.append(svg("path", { d, class: `edge${e.conditional ? " conditional" : ""}`, "marker-end": "url(#arrow)" }));
  }
  for (const id of ids) {
    const p = place.get(id);
    const classes = ["node"];
    if (id === "__start__" || id === "__end__") classes.push("terminal");
    if (visited.includes(id)) classes.push("visited");
    if (current.includes(id)) classes.push("current");
    const group = svg("g", { class: classes.join(" "), "data-node": id });
    group.append(svg("rect", { x: p.x, y: p.y, width: p.w, height: BOX_H, rx: id.startsWith("__") ? 17 : 6 }),
                 svg("text", { x: p.x + p.w / 2, y: p.y + BOX_H / 2 },
                     current.includes(id) ? `▶ ${label(id)}` : label(id)));
    root.append(group);
  }
  return root;
}
