// Output rendering. Model output is untrusted: it is shown as markdown that can never run code.
// With the package's renderSafeMarkdown (llmstream's transforms) its escaped HTML is used;
// otherwise this file's fallback builds DOM nodes itself (createElement + textContent only, no
// HTML parsing at all, links only for http(s) and mailto). The page's CSP (script-src 'self')
// is the second line: no inline script, event handler or javascript: URL runs either way.

/**
 * Renders `text` into `target`, replacing its content.
 * @param {HTMLElement} target
 * @param {string} text
 * @param {((text: string) => string) | undefined} packageRenderer llmstream's renderSafeMarkdown
 */
export function renderInto(target, text, packageRenderer) {
  if (packageRenderer) {
    let html = null;
    try {
      html = packageRenderer(text);
    } catch {
      html = null; // e.g. its wasm module is not loaded: the fallback below
    }
    if (typeof html === 'string') {
      target.innerHTML = html; // escaped, safe HTML by contract of the package
      return;
    }
  }
  target.replaceChildren(...renderMarkdown(text));
}

/** Markdown subset to DOM nodes: headings, fences, lists, quotes, paragraphs, inline marks. */
export function renderMarkdown(text) {
  const nodes = [];
  const lines = text.split('\n');
  let para = [];
  let list = null;
  const flushPara = () => {
    if (para.length) nodes.push(el('p', inline(para.join('\n'))));
    para = [];
  };
  const flushList = () => {
    if (list) nodes.push(list);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flushPara();
      flushList();
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      const code = el('code', [document.createTextNode(body.join('\n'))]);
      if (fence[2]) code.dataset.lang = fence[2];
      nodes.push(el('pre', [code]));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (heading) {
      flushPara();
      flushList();
      nodes.push(el(`h${Math.min(6, heading[1].length + 2)}`, inline(heading[2])));
    } else if (item) {
      flushPara();
      const tag = /\d/.test(item[1]) ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) {
        flushList();
        list = document.createElement(tag);
      }
      list.append(el('li', inline(item[2])));
    } else if (quote) {
      flushPara();
      flushList();
      nodes.push(el('blockquote', inline(quote[1])));
    } else if (line.trim() === '') {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(line);
    }
  }
  flushPara();
  flushList();
  return nodes;
}

function el(tag, children) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\n]+\*|_[^_\n]+_)|(\[[^\]\n]*\]\([^)\s]*\))/;

/** Inline marks to nodes; anything unrecognised stays text. */
function inline(text) {
  const out = [];
  let rest = text;
  for (let m = INLINE.exec(rest); m; m = INLINE.exec(rest)) {
    if (m.index > 0) out.push(document.createTextNode(rest.slice(0, m.index)));
    const token = m[0];
    if (m[1]) out.push(el('code', [document.createTextNode(token.slice(1, -1))]));
    else if (m[2]) out.push(el('strong', inline(token.slice(2, -2))));
    else if (m[3]) out.push(el('em', inline(token.slice(1, -1))));
    else out.push(link(token));
    rest = rest.slice(m.index + token.length);
  }
  if (rest) out.push(document.createTextNode(rest));
  return out;
}

function link(token) {
  const [, label, href] = /^\[([^\]]*)\]\(([^)]*)\)$/.exec(token);
  let url = null;
  try {
    url = new URL(href);
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:', 'mailto:'].includes(url.protocol)) {
    return document.createTextNode(token); // javascript:, data: ... stay visible text
  }
  const a = el('a', [document.createTextNode(label || url.href)]);
  a.href = url.href;
  a.rel = 'noopener noreferrer nofollow';
  a.target = '_blank';
  return a;
}
