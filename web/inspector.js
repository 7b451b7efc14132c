// The wire inspector of a panel: three tabs (ARIA tabs pattern, arrow keys move between them):
// the raw SSE frames as they reached the package (with the request, secrets redacted), the
// normalized events (chunk JSON, each with the provider object it came from: raw: true) and the
// assembled result. Everything is shown with textContent: never parsed as HTML.

const MAX_ENTRIES = 3000;

/** JSON for chunks: errors as their useful fields, no huge partial completions. */
export function chunkJson(value) {
  return JSON.stringify(value, (key, v) => {
    if (v instanceof Error) {
      const { code, status, providerType, retryAfter, retryable } = /** @type {any} */ (v);
      return { name: v.name, message: v.message, code, status, providerType, retryAfter, retryable };
    }
    if (key === 'partial') return undefined;
    return v;
  });
}

export class Inspector {
  /** @param {HTMLElement} root the element holding [role=tablist] and the [role=tabpanel]s */
  constructor(root, idPrefix) {
    this.root = root;
    this.tabs = [...root.querySelectorAll('[role=tab]')];
    this.panes = {};
    for (const tab of this.tabs) {
      const name = tab.dataset.tab;
      const pane = root.querySelector(`[role=tabpanel][data-pane="${name}"]`);
      tab.id = `${idPrefix}-tab-${name}`;
      pane.id = `${idPrefix}-pane-${name}`;
      tab.setAttribute('aria-controls', pane.id);
      pane.setAttribute('aria-labelledby', tab.id);
      this.panes[name] = pane.querySelector('pre');
      tab.addEventListener('click', () => this.select(name));
      tab.addEventListener('keydown', (e) => this.#onKey(e));
    }
    this.select('wire');
    this.reset();
  }

  select(name, focus = false) {
    for (const tab of this.tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      this.root.querySelector(`[data-pane="${tab.dataset.tab}"]`).hidden = !on;
      if (on && focus) tab.focus();
    }
  }

  #onKey(e) {
    const i = this.tabs.indexOf(/** @type {any} */ (e.currentTarget));
    const n = this.tabs.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i + n - 1) % n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    this.select(this.tabs[to].dataset.tab, true);
  }

  reset() {
    this.t0 = performance.now();
    this.decoder = null;
    this.pending = '';
    this.counts = { wire: 0, events: 0 };
    for (const pre of Object.values(this.panes)) pre.textContent = '';
    this.attempts = 0;
  }

  #stamp() {
    return `+${Math.round(performance.now() - this.t0)} ms`;
  }

  #append(name, text) {
    if (this.counts[name] === MAX_ENTRIES) text = `… (more not shown)\n`;
    else if (this.counts[name] > MAX_ENTRIES) return;
    this.counts[name]++;
    this.panes[name].append(text);
  }

  request({ method, url, headers, body }) {
    this.attempts++;
    this.#flushFrames(true);
    this.decoder = new TextDecoder();
    const head = headers.map(([k, v]) => `${k}: ${v}`).join('\n');
    this.#append('wire', `── attempt ${this.attempts} ${this.#stamp()} ──\n> ${method} ${url}\n${head}\n\n${body}\n\n`);
  }

  /** A heading in the wire and events tabs (conversation mode: one per step's request). */
  section(title) {
    this.attempts = 0;
    this.#flushFrames(true);
    this.#append('wire', `════ ${title} ${this.#stamp()} ════\n`);
    this.#append('events', `════ ${title} ════\n`);
  }

  response({ status, statusText, headers }) {
    const head = headers.map(([k, v]) => `${k}: ${v}`).join('\n');
    this.#append('wire', `< HTTP ${status} ${statusText} ${this.#stamp()}\n${head}\n\n`);
  }

  bytes(u8) {
    this.pending += this.decoder.decode(u8, { stream: true });
    this.#flushFrames(false);
  }

  end(error) {
    if (this.decoder) this.pending += this.decoder.decode();
    this.#flushFrames(true);
    const how = error === undefined ? 'end of body' : error === 'cancelled' ? 'cancelled' : `error: ${error}`;
    this.#append('wire', `── ${how} ${this.#stamp()} ──\n`);
  }

  /** Writes the complete SSE frames (blank-line terminated) received so far. */
  #flushFrames(all) {
    const parts = this.pending.split(/\r\n\r\n|\n\n|\r\r/);
    this.pending = all ? '' : parts.pop();
    const frames = all ? parts.filter((p) => p !== '') : parts;
    for (const frame of frames) this.#append('wire', `[${this.#stamp()}]\n${frame}\n\n`);
  }

  event(chunk) {
    this.#append('events', `${this.#stamp()} ${chunkJson(chunk)}\n`);
  }

  result(completion) {
    this.panes.result.textContent = completion ? JSON.stringify(completion, null, 2) : '';
  }
}
