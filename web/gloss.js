// Gloss's hand-written JavaScript: only what the DOM Selection API
// demands. Offsets leave here as UTF-16 counts within one paragraph; the
// Go side (shared/selection → shared/textpos) converts them to code points.
"use strict";

function glossPara(node) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return el ? el.closest("p.para[data-p]") : null;
}

// utf16Offset is the length of the paragraph's text before (node, offset).
function glossOffset(para, node, offset) {
  const r = document.createRange();
  r.selectNodeContents(para);
  r.setEnd(node, offset);
  return r.toString().length;
}

// glossSelection returns [startPara, startUTF16, endPara, endUTF16] for
// the current selection inside the document, or null. A boundary outside
// every paragraph (a triple-click ends at the next block) is moved to the
// nearest paragraph edge.
function glossSelection(root) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  const doc = root || document.getElementById("doc");
  if (!doc || !doc.contains(r.commonAncestorContainer)) return null;
  const paras = doc.querySelectorAll("p.para[data-p]");
  if (paras.length === 0) return null;
  const edge = (node, offset, isStart) => {
    const p = glossPara(node);
    if (p) return [+p.dataset.p, glossOffset(p, node, offset)];
    // Find the first paragraph after the boundary (for a start) or the
    // last one before it (for an end).
    const probe = document.createRange();
    probe.setStart(node, offset);
    if (isStart) {
      for (const q of paras) {
        if (probe.comparePoint(q, 0) >= 0) return [+q.dataset.p, 0];
      }
      return null;
    }
    for (let i = paras.length - 1; i >= 0; i--) {
      const q = paras[i];
      if (probe.comparePoint(q, q.childNodes.length) <= 0) return [+q.dataset.p, q.textContent.length];
    }
    return null;
  };
  const a = edge(r.startContainer, r.startOffset, true);
  const b = edge(r.endContainer, r.endOffset, false);
  if (!a || !b) return null;
  return [a[0], a[1], b[0], b[1]];
}

// glossSelSeen: has the page had any selection (or caret) yet? Reading
// the Selection API makes Chromium lay out the whole document first: at
// start-up, before anyone selected anything, that is a wasted synchronous
// layout of a 5,000-span article just before the desk moves it.
let glossSelSeen = false;

// glossSelectionIfAny is glossSelection without that cost when nothing
// was ever selected.
function glossSelectionIfAny(root) {
  return glossSelSeen ? glossSelection(root) : null;
}

function glossHasSelection() {
  const sel = window.getSelection();
  return !!sel && !sel.isCollapsed && sel.toString().length > 0;
}

function glossClearSelection() {
  gloss.savedSel = null;
  const sel = window.getSelection();
  if (sel) sel.removeAllRanges();
}

// A paragraph is re-rendered (its HTML replaced) whenever a highlight in
// it changes — someone else's edit arriving, an ack. That would silently
// drop the user's half-made selection, so the selection is remembered as
// (paragraph, UTF-16 offset) positions and put back after such a change.
document.addEventListener("selectionchange", () => {
  glossSelSeen = true;
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0) return;
  if (sel.isCollapsed) {
    // Collapsed by the user (a click) — or by a re-render, which the
    // mutation observer below has already repaired; either way the
    // remembered selection is now stale only if the DOM did not change.
    if (!gloss.restoring) gloss.savedSel = null;
    return;
  }
  const pos = glossSelection();
  if (pos) gloss.savedSel = pos;
});

// glossNoteSelection remembers the live selection now, just before Go
// replaces paragraphs: selectionchange is delivered later, as a task, so
// a selection made just before an ack or someone's edit re-renders its
// paragraph would otherwise be lost with the old text nodes.
function glossNoteSelection() {
  glossWatchDoc();
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
  const pos = glossSelection();
  if (pos) gloss.savedSel = pos;
}

function glossWatchDoc() {
  const doc = document.getElementById("doc");
  if (!doc || doc.glossWatched) return;
  doc.glossWatched = true;
  new MutationObserver(() => {
    const saved = gloss.savedSel;
    if (!saved) return;
    const sel = window.getSelection();
    if (sel.rangeCount && !sel.isCollapsed && doc.contains(sel.anchorNode) && doc.contains(sel.focusNode)) return;
    const r = glossRange(doc, saved[0], saved[1], saved[2], saved[3]);
    if (!r) return;
    gloss.restoring = true;
    sel.removeAllRanges();
    sel.addRange(r);
    setTimeout(() => { gloss.restoring = false; }, 0);
  }).observe(doc, { childList: true, subtree: true });
}

function glossScrollTo(id) {
  const el = document.querySelector('[data-a~="' + CSS.escape(id) + '"]');
  if (el) el.scrollIntoView({ block: "center", behavior: "smooth" });
}

// Clicking a toolbar button must not clear the text selection it acts on.
document.addEventListener("mousedown", (e) => {
  if (e.target.closest && e.target.closest(".keep-sel button")) e.preventDefault();
});

// --- Overlays drawn over the document: relation arcs and other
// analysts' selections. Go hands over the data; drawing waits for the
// next animation frame, after go-app has applied its DOM changes.
const gloss = { rels: [], presence: [], frame: 0, hover: null };

function glossSetOverlays(relsJSON, presenceJSON) {
  glossWatchDoc();
  gloss.rels = JSON.parse(relsJSON);
  gloss.presence = JSON.parse(presenceJSON);
  if (!gloss.frame) gloss.frame = requestAnimationFrame(glossDraw);
}

function glossLayer(doc, cls) {
  let svg = doc.querySelector(":scope > svg." + cls);
  if (!svg) {
    svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", cls);
    svg.setAttribute("aria-hidden", "true");
    doc.appendChild(svg);
  }
  return svg;
}

function glossFirstRect(doc, id) {
  const el = doc.querySelector('[data-a~="' + CSS.escape(id) + '"]');
  if (!el) return null;
  const r = el.getClientRects()[0];
  if (!r) return null;
  const d = doc.getBoundingClientRect();
  return { x: r.left - d.left + doc.scrollLeft, y: r.top - d.top + doc.scrollTop, w: r.width, h: r.height };
}

function glossSVG(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text) e.textContent = text;
  return e;
}

function glossDraw() {
  gloss.frame = 0;
  const doc = document.getElementById("doc");
  if (!doc) return;
  // Nothing to draw and nothing drawn: do not touch layout (reading
  // sizes forces the browser to lay out the whole document now).
  if (gloss.rels.length === 0 && gloss.presence.length === 0 && !gloss.drawn) return;
  gloss.drawn = gloss.rels.length > 0 || gloss.presence.length > 0;
  const svg = glossLayer(doc, "arcs");
  svg.setAttribute("width", doc.scrollWidth);
  svg.setAttribute("height", doc.scrollHeight);
  if (!svg.querySelector("defs")) {
    const defs = glossSVG("defs", {});
    const marker = glossSVG("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
    marker.appendChild(glossSVG("path", { d: "M0,0 L10,5 L0,10 z", fill: "#444" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
  }
  // Arcs are updated in place, keyed by relation id, never rebuilt: a
  // click is a press and a release on the same element, and replacing the
  // element between the two (a redraw after the pointer moved onto it)
  // would swallow the click.
  const old = new Map();
  for (const g of svg.querySelectorAll(":scope > g.arc")) old.set(g.dataset.rel, g);
  for (const r of gloss.rels) {
    const a = glossFirstRect(doc, r.from), b = glossFirstRect(doc, r.to);
    if (!a || !b) continue;
    const x1 = a.x + Math.min(a.w / 2, 20), y1 = a.y, x2 = b.x + Math.min(b.w / 2, 20), y2 = b.y;
    const lift = Math.max(18, Math.min(70, Math.abs(x2 - x1) / 4 + Math.abs(y2 - y1) / 6));
    const top = Math.min(y1, y2) - lift;
    let g = old.get(r.id);
    old.delete(r.id);
    if (!g) {
      g = glossSVG("g", { class: "arc", "data-rel": r.id });
      // A wide invisible stroke under the arc makes it easy to click
      // (selects the relation; Delete or the list's button deletes it).
      g.appendChild(glossSVG("path", { fill: "none", stroke: "transparent", "stroke-width": 12, class: "arc-hit" }));
      g.appendChild(glossSVG("path", { fill: "none", class: "arc-line", "marker-end": "url(#arrow)" }));
      g.appendChild(glossSVG("text", { "text-anchor": "middle", class: "arc-label" }));
      svg.appendChild(g);
    }
    g.dataset.from = r.from;
    g.dataset.to = r.to;
    const d = `M${x1},${y1} C${x1},${top} ${x2},${top} ${x2},${y2}`;
    const [hit, line, label] = g.children;
    hit.setAttribute("d", d);
    line.setAttribute("d", d);
    line.setAttribute("stroke", r.color || "#444");
    line.setAttribute("stroke-dasharray", r.faded ? "4 3" : "");
    label.setAttribute("x", (x1 + x2) / 2);
    label.setAttribute("y", top + lift * 0.25);
    if (label.textContent !== r.type) label.textContent = r.type;
  }
  for (const g of old.values()) g.remove();
  glossHot();
  const ps = glossLayer(doc, "presence");
  ps.setAttribute("width", doc.scrollWidth);
  ps.setAttribute("height", doc.scrollHeight);
  ps.replaceChildren();
  const d = doc.getBoundingClientRect();
  for (const p of gloss.presence) {
    const range = glossRange(doc, p.p1, p.u1, p.p2, p.u2);
    if (!range) continue;
    let first = true;
    for (const r of range.getClientRects()) {
      ps.appendChild(glossSVG("rect", { x: r.left - d.left + doc.scrollLeft, y: r.top - d.top + doc.scrollTop, width: r.width, height: r.height, fill: p.color, "fill-opacity": "0.18", stroke: p.color, "stroke-width": "1" }));
      if (first) {
        ps.appendChild(glossSVG("text", { x: r.left - d.left + doc.scrollLeft, y: r.top - d.top + doc.scrollTop - 3, class: "who-label", fill: p.color }, p.user));
        first = false;
      }
    }
  }
}

// glossRange builds a DOM Range from paragraph/UTF-16 positions.
function glossRange(doc, p1, u1, p2, u2) {
  const at = (p, u) => {
    const para = doc.querySelector('p.para[data-p="' + p + '"]');
    if (!para) return null;
    const w = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
    let n = 0;
    while (w.nextNode()) {
      const len = w.currentNode.data.length;
      if (u <= n + len) return [w.currentNode, u - n];
      n += len;
    }
    return null;
  };
  const a = at(p1, u1), b = at(p2, u2);
  if (!a || !b) return null;
  const r = document.createRange();
  r.setStart(a[0], a[1]);
  r.setEnd(b[0], b[1]);
  return r;
}

// Hovering a highlight or an arc lights up the spans it is linked to.
// Only classes change: no redraw, so the element under the pointer stays.
document.addEventListener("mouseover", (e) => {
  const seg = e.target.closest && e.target.closest("#doc .seg");
  const ids = seg ? seg.dataset.a.split(" ") : [];
  const hit = gloss.rels.find((r) => ids.includes(r.from) || ids.includes(r.to));
  const next = hit ? (ids.includes(hit.from) ? hit.from : hit.to) : null;
  if (next === gloss.hover) return;
  gloss.hover = next;
  document.querySelectorAll("#doc .seg.linked").forEach((s) => s.classList.remove("linked"));
  if (next) {
    for (const r of gloss.rels) {
      if (r.from === next || r.to === next) {
        for (const id of [r.from, r.to]) document.querySelectorAll('#doc [data-a~="' + CSS.escape(id) + '"]').forEach((s) => s.classList.add("linked"));
      }
    }
  }
  glossHot();
});

// glossHot marks the arcs touching the hovered span.
function glossHot() {
  const h = gloss.hover;
  document.querySelectorAll("#doc svg.arcs g.arc").forEach((g) => {
    g.classList.toggle("hot", !!h && (g.dataset.from === h || g.dataset.to === h || g.dataset.rel === h));
  });
}
window.addEventListener("resize", () => { if (!gloss.frame) gloss.frame = requestAnimationFrame(glossDraw); });

// glossFind selects the next occurrence of query in the document text
// after the current selection (wrapping), so it can be tagged at once.
function glossFind(query) {
  if (!query) return false;
  const doc = document.getElementById("doc");
  if (!doc) return false;
  const nodes = [];
  let all = "";
  const w = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    if (!w.currentNode.parentElement.closest("p.para")) continue;
    nodes.push([w.currentNode, all.length]);
    all += w.currentNode.data;
  }
  const hay = all.toLocaleLowerCase(), needle = query.toLocaleLowerCase();
  let from = 0;
  const sel = window.getSelection();
  if (sel.rangeCount && doc.contains(sel.anchorNode)) {
    for (const [n, off] of nodes) if (n === sel.focusNode) { from = off + sel.focusOffset; break; }
  }
  let at = hay.indexOf(needle, from);
  if (at < 0) at = hay.indexOf(needle);
  if (at < 0) return false;
  const locate = (pos, end) => { for (const [n, off] of nodes) { if (pos < off + n.data.length || (end && pos === off + n.data.length)) return [n, pos - off]; } };
  const [sn, so] = locate(at, false), [en, eo] = locate(at + needle.length, true);
  const r = document.createRange();
  r.setStart(sn, so);
  r.setEnd(en, eo);
  sel.removeAllRanges();
  sel.addRange(r);
  sn.parentElement.scrollIntoView({ block: "center" });
  return true;
}

function glossFocus(id) {
  const el = document.getElementById(id);
  if (el) { el.focus(); if (el.select) el.select(); }
}

// glossFocusWhenClosed focuses element id once the dialog (.overlay) has
// left the page: a closed dialog gives the focus back to its opener.
function glossFocusWhenClosed(id, tries) {
  tries = tries || 0;
  if (document.querySelector(".overlay") && tries < 60) {
    requestAnimationFrame(() => glossFocusWhenClosed(id, tries + 1));
    return;
  }
  const el = document.getElementById(id);
  if (el) el.focus();
}

// glossMarkReady records when the document view first rendered, for the
// render benchmark (performance.now() is ms since navigation start).
function glossMarkReady() {
  requestAnimationFrame(() => { window.glossReadyAt = performance.now(); });
}

// glossTyping reports whether el takes text, so that keys typed there are
// text, not shortcuts. A checkbox or a button does not.
function glossTyping(el) {
  if (!el || !el.tagName) return false;
  const t = el.tagName.toLowerCase();
  if (t === "textarea" || t === "select" || el.isContentEditable) return true;
  if (t !== "input") return false;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes((el.type || "").toLowerCase());
}

// glossOnControl reports whether el is (inside) a focusable control.
function glossOnControl(el) {
  return !!(el && el.closest && el.closest("input, textarea, select, button, a[href], summary, [tabindex]:not(#doc)"));
}

// glossTabSteps reports whether Tab (with Shift: back) steps to another
// annotation rather than moving the focus (see publishTabStops in Go):
// from the text, Tab walks the annotations (wrapping around); Esc
// clears the selection, and then Shift+Tab leaves the text, as does Tab
// when there is no annotation to go to. No keyboard trap.
function glossTabSteps(e) {
  if (glossOnControl(e.target)) return false;
  const doc = document.getElementById("doc");
  const d = doc ? doc.dataset : {};
  if (d.anns !== "1") return false;
  return !!d.sel || !e.shiftKey;
}

// glossTrapFocus keeps Tab inside an open modal dialog
// ([role=dialog][aria-modal=true]): from its last control to its first
// and back, and into it from outside. It reports whether it acted.
function glossTrapFocus(e) {
  if (e.key !== "Tab") return false;
  const dlg = document.querySelector('[role="dialog"][aria-modal="true"]');
  if (!dlg) return false;
  const els = [...dlg.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])')]
    .filter((x) => x.offsetParent !== null || x === document.activeElement);
  if (els.length === 0) return false;
  const first = els[0], last = els[els.length - 1], at = document.activeElement;
  if (!dlg.contains(at)) { e.preventDefault(); first.focus(); return true; }
  if (e.shiftKey && at === first) { e.preventDefault(); last.focus(); return true; }
  if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); return true; }
  return true; // inside: the browser moves it
}

// go-app runs Go event handlers asynchronously, too late to cancel a
// key's default action, so the desk's keys are cancelled here: Tab must
// not move focus, / must not be typed into the search box it focuses,
// Backspace and arrows must not scroll or navigate while a span is selected.
document.addEventListener("keydown", (e) => {
  if (!document.getElementById("doc")) return;
  if (glossTrapFocus(e)) return;
  if (document.querySelector(".overlay")) return; // a dialog has the keys
  if (glossTyping(e.target)) return;
  const k = e.key;
  // Tab on a control (a button, a checkbox, a link) moves the focus as
  // everywhere; from the text it may step through the annotations
  // (glossTabSteps). The desk's Go handler steps only when the default
  // was prevented here.
  if (k === "Tab" && !e.ctrlKey && !e.altKey && !e.metaKey && !glossTabSteps(e)) return;
  const ctrl = e.ctrlKey || e.metaKey;
  const spanSelected = !!document.querySelector("#doc .seg.sel, #rels li.sel");
  if ((ctrl && (k === "z" || k === "Z" || k === "y")) || (!ctrl && !e.altKey && (k === "Tab" || k === "/" || k === "?" ||
      (spanSelected && (k === "Backspace" || k === "Delete" || k.startsWith("Arrow")))))) {
    e.preventDefault();
  }
}, true);

// Preconnect: on a document page, open the live socket and say hello
// while the wasm is still downloading and starting, so the snapshot is
// already here when the Go session (app/live) takes the socket over.
// The hello is what app/live would send on a first connection; keep
// "proto" equal to protocol.Version (a Go test checks). Label keys
// pressed until the desk is live are sent on it as ops (glossTagEarly):
// pre.ops holds them, each with whether it was sent, for the session to
// take over (app/live/early.go; it sets pre.taken when it has the socket
// and pre.done when the desk is live).
(function glossPreconnect() {
  const m = location.pathname.match(/^\/doc\/(\d+)$/);
  if (!m || !window.WebSocket) return;
  const pre = { doc: +m[1], queue: [], closed: null, ops: [] };
  const ws = new WebSocket((location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/ws");
  pre.ws = ws;
  // (Holding the hello back until the paragraphs were painted, so that
  // its answer, the snapshot, is not received before them, was tried:
  // the server then joined the document only when the first key came,
  // and that tag was committed 300–1,100 ms after its key instead of at
  // once.)
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: "hello", proto: 1, doc: pre.doc, compact: true }));
    pre.hello = true;
    glossSendEarly(pre);
  };
  ws.onmessage = (e) => pre.queue.push(e.data);
  ws.onclose = (e) => { pre.closed = { code: e.code, reason: e.reason }; };
  window.glossPre = pre;
})();

// glossSendEarly sends the early ops not sent yet; an op may follow the
// hello at once (the server joins the document before it reads on). If
// the session took the socket over before it opened, the hello is the
// session's, and so is sending the ops (at its welcome).
function glossSendEarly(pre) {
  if (pre.ws.readyState !== 1 || !pre.hello) return;
  for (const o of pre.ops) {
    if (o.sent) continue;
    pre.ws.send(JSON.stringify({ type: "op", op: o.op }));
    o.sent = true;
  }
}

// glossNewID is an op or annotation id as app/live.NewID makes them:
// 9 random bytes in hex.
function glossNewID() {
  return Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// glossTagEarly commits a label key pressed on a selection of the
// pre-rendered document before the desk is live, through the preconnect
// socket: an add op placed by the selection's paragraph/UTF-16 positions
// ("at16": the server converts them as the desk would, PROTOCOL.md), the
// label from the pre-render's data-keys, the layer left to the server
// (the user's). The tag shows at once as a CSS highlight over the
// selection, which leaves the DOM as it is for the desk to adopt. It
// reports false when the key is not a label's, the socket closed before
// the session took it over, or the desk is live: the desk replays the
// key then (glossEarlyKeys).
function glossTagEarly(root, key, sel) {
  const pre = window.glossPre;
  if (!pre || pre.done || pre.closed) return false;
  let keys;
  try { keys = JSON.parse(root.dataset.keys || "{}"); } catch (err) { return false; }
  const label = keys[key.toLowerCase()];
  if (typeof label !== "string") return false;
  const range = glossRange(document.getElementById("doc"), sel[0], sel[1], sel[2], sel[3]);
  pre.ops.push({ op: { id: glossNewID(), kind: "add", at16: sel, ann: { id: glossNewID(), label: label } }, sent: false });
  glossSendEarly(pre); // or on open
  if (range && window.CSS && CSS.highlights && window.Highlight) {
    let h = CSS.highlights.get("gloss-early");
    if (!h) { h = new Highlight(); CSS.highlights.set("gloss-early", h); }
    h.add(range);
  }
  glossClearSelection();
  return true;
}

// glossEarlyDone removes the early tags' highlight: the desk draws them.
function glossEarlyDone() {
  if (window.CSS && CSS.highlights) CSS.highlights.delete("gloss-early");
}

// The login form posts to the server, which answers a wrong password
// with the login page again: the user name typed is kept for that page
// (this tab only), so only the password has to be typed again.
document.addEventListener("submit", (e) => {
  const f = e.target;
  if (f && f.getAttribute && f.getAttribute("action") === "/api/login" && f.elements.name) {
    try { sessionStorage.setItem("gloss-login-name", f.elements.name.value); } catch (err) { /* storage off */ }
  }
}, true);

// glossLoginName is the user name of the failed login this page answers
// (?error=…), or "".
function glossLoginName() {
  if (!/[?&]error=/.test(location.search)) return "";
  try { return sessionStorage.getItem("gloss-login-name") || ""; } catch (err) { return ""; }
}

// The server's pre-renders (the document's paragraphs, the story's
// table: app/view fillLater) come as script data blocks, set here into
// their element with one innerHTML as soon as the parser is done, before
// the deferred scripts (go-app's loader) run: parsed several times faster
// than by the document's parser, styled and laid out once. .parsed on
// the desk says its paragraphs are there.
(function glossFill() {
  const fill = () => {
    for (const src of document.querySelectorAll('script[type="text/html"][data-fill]')) {
      const el = document.getElementById(src.dataset.fill);
      if (el) el.innerHTML = src.textContent;
      src.remove();
    }
    const pre = document.querySelector("#gloss-pre.desk");
    // (A desk whose paragraphs are fetched is marked when they are set:
    // glossFetchParas.)
    if (pre && !pre.querySelector("#paras[data-src]")) pre.classList.add("parsed");
  };
  if (document.readyState !== "loading") fill();
  else document.addEventListener("readystatechange", fill, { once: true });
})();

// The server's story table comes as a skeleton (its rows, their headers
// and summaries: glossFill above sets it) and one data block per
// article's column (app/view RenderStory, storyview.Split). The first
// frame shows only what the window shows: the columns that fit its width
// (put in before DOMContentLoaded) and the rows that fit its height (the
// others are taken out of the table until that frame is out; a row is
// often taller than half the window: most of its height is the dispute's
// text, whose layout was most of the frame's). The other columns and the
// rows go in right after that frame. Each column's block is a <table> of
// one row per row of the table: its cells go before that row's last cell
// (the summary).
(function glossStoryColumns() {
  // rows: the table's rows (the header row first), in the table or not.
  const put = (rows, blocks) => {
    if (blocks.length === 0) return;
    // Parsed in a detached element of this document: no style or layout
    // until the cells are in the table, and no adoption.
    const box = document.createElement("div");
    box.innerHTML = blocks.map((b) => b.textContent).join("");
    for (const b of blocks) b.remove();
    const parts = Array.from(box.children, (t) => t.rows);
    for (let i = 0; i < rows.length; i++) {
      const cells = [];
      for (const p of parts) if (p[i]) cells.push(...p[i].cells);
      rows[i].lastElementChild.before(...cells);
    }
  };
  const fill = () => {
    const blocks = Array.from(document.querySelectorAll('script[type="text/html"][data-column]'));
    if (blocks.length === 0) return;
    const wrap = document.getElementById(blocks[0].dataset.column);
    const table = wrap && wrap.querySelector("table");
    if (!table || !table.tBodies[0]) return;
    const rows = Array.from(table.rows);
    // As wide as gloss.css makes them: the quantity column 9em, an
    // article's 11em (the window's width covered, rounding up).
    const em = parseFloat(getComputedStyle(table).fontSize) || 16;
    let n = 0;
    for (let w = 9 * em; n < blocks.length && w < window.innerWidth; n++) w += 11 * em;
    put(rows, blocks.slice(0, n));
    // The body's rows but the first wait out of the table (not laid
    // out) until it shows; then as many go back as fill the window.
    const body = table.tBodies[0];
    const later = Array.from(body.rows).slice(1);
    for (const r of later) r.remove();
    const rest = () => {
      if (!table.isConnected) return;
      put(rows, blocks.slice(n));
      body.append(...later);
    };
    // The table shows at DOMContentLoaded (.parsed): the rows that fit
    // go back then, each laid out as it goes in (what the frame would do
    // anyway), and the rest once that frame is out. A tab opened in the
    // background paints nothing (and runs no frame callback) until shown:
    // all at once, then.
    const after = () => {
      if (document.visibilityState === "hidden") {
        rest();
        return;
      }
      const pre = document.querySelector("#gloss-pre.storypage");
      if (pre) pre.classList.add("parsed");
      while (later.length > 0 && body.getBoundingClientRect().bottom < window.innerHeight) body.append(later.shift());
      requestAnimationFrame(() => setTimeout(rest, 0));
    };
    if (document.readyState === "loading" || document.readyState === "interactive") {
      document.addEventListener("DOMContentLoaded", after, { once: true });
    } else after();
  };
  if (document.readyState !== "loading") fill();
  else document.addEventListener("readystatechange", fill, { once: true });
})();

// The document page carries a short article's paragraphs; a long one's
// (server: api handleDocParas) are all fetched at once — the page's head
// preloads them, this fetch takes that response — and set into the
// pre-rendered #paras with one innerHTML as soon as both they and the
// page are there, as the plain-DOM way would: the page stays small, so
// Chromium does not decode, preload-scan and tokenize the 800 KB of a
// 5,000-span article as part of it, nor style, lay out and paint it
// twice (a first screen in the page, then the rest). The fetch may also
// answer the paragraphs after those the page holds (data-from; from=K),
// or, if the document moved on since the page was drawn, all of them
// (X-Gloss-From 0), which replace the page's. The seq they were drawn at
// becomes the pre-render's data-seq, which the desk checks before it
// adopts them. If the desk is live first (it renders the document itself
// then) or the fetch fails, nothing is set (the desk does not adopt a
// pre-render that lacks paragraphs).
// go-app's loader (which starts the wasm), wasm_exec.js and the wasm's
// preload are held back by the server until then (pages.holdLoader) and
// let go after the paragraphs' first frame, so that neither the
// preload's body nor the wasm's instantiation and Go's start-up take the
// main thread between the paragraphs and their paint. (Holding the loader
// further, until the page had been quiet for 200 ms, was measured: no
// difference in when the first tag was committed, 734 vs 722 ms, 18 loads
// each, loaded machine.)
(function glossFetchParas() {
  const link = document.querySelector('link[rel="preload"][data-gloss-fetch]');
  const parsed = new Promise((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("readystatechange", resolve, { once: true });
  });
  // The wasm's preload, held by the server with the loader (its 10 MB
  // body is handled on the main thread): a preload again once the
  // paragraphs are painted.
  const fetchWasm = () => {
    for (const h of document.querySelectorAll('link[rel="x-gloss-after-fill"]')) {
      const l = document.createElement("link");
      l.rel = "preload";
      l.as = h.getAttribute("as") || "fetch";
      if (h.hasAttribute("crossorigin")) l.crossOrigin = h.getAttribute("crossorigin");
      l.href = h.getAttribute("href");
      h.remove();
      document.head.appendChild(l);
    }
  };
  const loadHeld = () => {
    fetchWasm();
    for (const h of document.querySelectorAll('script[type="text/x-gloss-after-fill"][data-src]')) {
      const s = document.createElement("script");
      s.src = h.dataset.src;
      s.async = false;
      h.remove();
      document.head.appendChild(s);
    }
  };
  if (!link || !window.fetch) {
    parsed.then(loadHeld);
    return;
  }
  const got = fetch(link.href)
    .then((r) =>
      r.ok
        ? r.text().then((html) => ({ html: html, seq: r.headers.get("X-Gloss-Seq"), from: Number(r.headers.get("X-Gloss-From")) }))
        : null,
    )
    .catch(() => null);
  Promise.all([got, parsed]).then(([p]) => {
    const root = document.querySelector("#gloss-pre.desk");
    const paras = root && root.querySelector("#paras[data-src]");
    // The page holds the paragraphs before data-from; the answer is the
    // rest (X-Gloss-From the same) or, if the document moved on since
    // the page was drawn, all of them (0), which replace the page's.
    const own = paras ? Number(paras.dataset.from || 0) : -1;
    if (!p || !paras || !root.isConnected || paras.childElementCount !== own || !(p.from === own || p.from === 0)) {
      loadHeld();
      return;
    }
    if (p.seq) root.dataset.seq = p.seq;
    if (p.from === 0) paras.innerHTML = p.html;
    else paras.insertAdjacentHTML("beforeend", p.html);
    root.classList.add("parsed");
    // A tab opened in the background paints nothing (and runs no frame
    // callback) until shown: it loads them at once.
    if (document.visibilityState === "hidden") loadHeld();
    else requestAnimationFrame(() => setTimeout(loadHeld, 0));
  });
})();

// The server's story table is shown once parsed whole (gloss.css). The
// scripts the server held back so that it is painted first (go-app's
// loader, which starts the wasm: server/internal/pages/story.go) are
// loaded once that frame is out.
document.addEventListener("DOMContentLoaded", () => {
  const pre = document.querySelector("#gloss-pre.storypage");
  if (pre) pre.classList.add("parsed");
  const held = document.querySelectorAll('script[type="text/x-gloss-after-paint"][data-src]');
  if (held.length === 0) return;
  const load = () => {
    for (const h of held) {
      const s = document.createElement("script");
      s.src = h.dataset.src;
      s.async = false;
      document.head.appendChild(s);
    }
  };
  // A tab opened in the background paints nothing (and runs no frame
  // callback) until shown: it loads them at once.
  if (document.visibilityState === "hidden") load();
  else requestAnimationFrame(() => setTimeout(load, 0));
});

// Before the wasm has loaded, the server's form gets it too.
document.addEventListener("DOMContentLoaded", () => {
  const n = document.getElementById("name");
  if (n && !n.value && location.pathname === "/login") {
    n.value = glossLoginName();
    if (n.value) { const p = document.getElementById("password"); if (p) p.focus(); }
  }
});

// Keys pressed on the server's pre-rendered document before the wasm has
// taken it over: a label key on a selection is committed at once through
// the preconnect socket (glossTagEarly); any other plain key on a
// selection, or a label key the page cannot send, is kept with the
// selection (as paragraph/UTF-16 positions) and replayed by the desk once
// it is live (app/view/prerender.go). An analyst who tags at once loses
// nothing. Only plain single-character keys with a selection are taken.
(function glossEarlyKeys() {
  window.glossEarly = [];
  document.addEventListener("keydown", (e) => {
    const root = document.getElementById("gloss-pre");
    if (!root) return;
    if (e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return;
    const sel = glossSelection();
    if (!sel) return;
    e.preventDefault();
    if (glossTagEarly(root, e.key, sel)) return;
    window.glossEarly.push({ key: e.key, sel: sel });
  }, true);
})();

function glossTakeEarlyKeys() {
  const keys = window.glossEarly || [];
  if (keys.length === 0) return "";
  window.glossEarly = [];
  return JSON.stringify(keys);
}

// glossSetSelection selects paragraph/UTF-16 positions in the document.
function glossSetSelection(p1, u1, p2, u2) {
  const doc = document.getElementById("doc");
  const r = doc && glossRange(doc, p1, u1, p2, u2);
  if (!r) return false;
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(r);
  return true;
}
