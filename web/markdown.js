// Output rendering. Model output is untrusted: it is shown as markdown through the package's
// renderSafeMarkdown (llmstream's transforms: escaped HTML that can never run code). Should the
// transforms module not load, the text is shown as plain text (textContent), never as HTML. The
// page's CSP (script-src 'self') is the second line: no inline script, event handler or
// javascript: URL runs either way.

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
      html = null; // e.g. its wasm module is not loaded: plain text below
    }
    if (typeof html === 'string') {
      target.innerHTML = html; // escaped, safe HTML by contract of the package
      return;
    }
  }
  target.textContent = text;
}
