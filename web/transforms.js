// The transform toggles (word stream, typing effect, content filter, batching, smoothing): read
// from the toolbar and applied to a panel's chunk stream with the package's pipe(), followed by
// its safeMarkdown() stage for the output. When the package has no transforms (or its
// transforms module does not load), the toggles are disabled and streams pass unchanged.

const NAMES = ['wordStream', 'typingEffect', 'contentFilter', 'batch', 'smooth'];

/** Whether the package exports pipe() and the stage factories. */
export function transformsAvailable(llm) {
  return typeof llm.pipe === 'function' && NAMES.every((n) => typeof llm[n] === 'function');
}

/** The toolbar's settings: {word, typing, filter, batch, smooth} with their numbers / words. */
export function readTransformSettings(doc = document) {
  const checked = (id) => doc.getElementById(id)?.checked === true;
  const number = (id, fallback) => {
    const v = Number(doc.getElementById(id)?.value);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    word: checked('t-word'),
    typing: checked('t-typing') ? number('t-typing-cps', 80) : 0,
    filter: checked('t-filter')
      ? (doc.getElementById('t-filter-words')?.value ?? '').split(',').map((w) => w.trim()).filter(Boolean)
      : [],
    batch: checked('t-batch') ? number('t-batch-ms', 100) : 0,
    smooth: checked('t-smooth') ? number('t-smooth-ms', 40) : 0,
  };
}

/** The pipe() stages for these settings (in a fixed, sensible order). */
export function buildStages(llm, s) {
  const stages = [];
  if (s.filter.length) {
    stages.push(llm.contentFilter({
      patterns: s.filter.map((pattern) => ({ pattern, replacement: '***' })),
      caseInsensitive: true,
    }));
  }
  if (s.word) stages.push(llm.wordStream());
  if (s.batch) stages.push(llm.batch({ maxChunks: 16, maxChars: 400, intervalMs: s.batch }));
  if (s.smooth) stages.push(llm.smooth({ maxDelayMs: s.smooth }));
  if (s.typing) stages.push(llm.typingEffect({ charsPerSecond: s.typing }));
  return stages;
}

/**
 * `source` through the enabled transforms (or unchanged). `markdown`: end with the package's
 * safeMarkdown() stage, so that text chunks carry `html` (finished blocks, to append) and
 * `tailHtml` (the open block, to replace).
 */
export function applyTransforms(llm, source, settings, { markdown = false } = {}) {
  if (!transformsAvailable(llm)) return source;
  const stages = buildStages(llm, settings);
  if (markdown && typeof llm.safeMarkdown === 'function') stages.push(llm.safeMarkdown());
  return stages.length ? llm.pipe(source, ...stages) : source;
}

/** A short description of the enabled transforms, for the status line. */
export function describeTransforms(s) {
  const on = [];
  if (s.filter.length) on.push('filter');
  if (s.word) on.push('words');
  if (s.batch) on.push(`batch ${s.batch} ms`);
  if (s.smooth) on.push(`smooth ${s.smooth} ms`);
  if (s.typing) on.push(`typing ${s.typing} cps`);
  return on.join(', ');
}
