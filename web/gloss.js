// Gloss's hand-written JavaScript: only what the DOM Selection API
// demands. Offsets leave here as UTF-16 counts within one paragraph; the
// Go side (app/selection → shared/textpos) converts them to code points.
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
function glossSelection() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  const doc = document.getElementById("doc");
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

function glossHasSelection() {
  const sel = window.getSelection();
  return !!sel && !sel.isCollapsed && sel.toString().length > 0;
}

function glossClearSelection() {
  const sel = window.getSelection();
  if (sel) sel.removeAllRanges();
}

function glossScrollTo(id) {
  const el = document.querySelector('[data-a~="' + CSS.escape(id) + '"]');
  if (el) el.scrollIntoView({ block: "center", behavior: "smooth" });
}

// Clicking a toolbar button must not clear the text selection it acts on.
document.addEventListener("mousedown", (e) => {
  if (e.target.closest && e.target.closest(".keep-sel button")) e.preventDefault();
});
