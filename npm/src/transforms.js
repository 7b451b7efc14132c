// Stream transforms: the core's C++ transforms (llmstream/transforms.h), run in a second,
// lazily loaded wasm module (llmstream_transforms.mjs), as composable stages over the package's
// chunk streams:
//
//   import { pipe, contentFilter, wordStream, typingEffect } from 'llmstream';
//   const stream = pipe(loader.streamCompletion({ prompt }),
//                       contentFilter({ patterns: [{ pattern: 'secret', replacement: '***' }] }),
//                       wordStream(), typingEffect({ charsPerSecond: 60 }));
//   for await (const chunk of stream) if (chunk.text) out.write(chunk.text);
//
// A stage is a function from an async iterable of chunks to an async iterable of chunks. Text
// stages rework the answer text (`type: 'text'` chunks of choice 0, or plain `{text}` objects);
// every other chunk passes through unchanged and in order (transforms/text-stage.js says how it
// is ordered against text a stage still holds). The module is loaded by the first stage that
// runs, or by `await loadTransforms()`.

import { textStage } from './transforms/text-stage.js';
import { loadedTransforms } from './transforms/load.js';
import { wellFormed } from './utf16.js';

export { backpressure } from './transforms/backpressure.js';
export { StreamCache } from './transforms/cache.js';
export { loadTransforms } from './transforms/load.js';
export { progress } from './transforms/progress.js';

/**
 * Composes stages: `pipe(source, a, b)` is `b(a(source))`.
 * @param {AsyncIterable<any>} source
 * @param {...((source: AsyncIterable<any>) => AsyncIterable<any>)} stages
 * @returns {AsyncIterable<any>}
 */
export function pipe(source, ...stages) {
  return stages.reduce((acc, stage) => {
    if (typeof stage !== 'function') throw new TypeError('pipe: every stage must be a function');
    return stage(acc);
  }, source);
}

/**
 * Whole words: each text chunk out is one word with the whitespace before it ("Hello",
 * " world"); the same pieces whatever the chunking. CJK characters are words of their own.
 * @param {{splitCjk?: boolean, maxWordChars?: number}} [options]
 */
export function wordStream(options = {}) {
  return textStage({ kind: 'words', options, policy: 'pass', output: 'pieces' });
}

/**
 * Untrusted Markdown to safe HTML, incrementally (llmstream/transforms/safe_markdown.h). Each
 * text chunk passes on with its text and gains `html`: the HTML of the blocks it finished, to
 * append; the concatenation of every `html` is well-formed at every step (finished blocks only)
 * and never changes once emitted. `tailHtml` is the open block (the paragraph, list or code
 * block still being written) rendered as if the text ended there: show it after the appended
 * HTML and replace it on every chunk. At the end (and before done / error / tool calls) the open
 * block is finished: a last text chunk with `text: ''` carries its `html` (then `tailHtml` is
 * ''). No raw HTML ever passes, links keep only http(s) / mailto URLs.
 * @param {{tail?: boolean, hardBreaks?: boolean, autolinkBareUrls?: boolean, maxNesting?: number}} [options]
 *   tail: false skips `tailHtml` (it costs a render of the open block per chunk).
 */
export function safeMarkdown(options = {}) {
  const { tail = true, ...core } = options;
  return textStage({
    kind: 'markdown',
    options: core,
    policy: 'pass',
    output: 'annotate',
    annotate: (handle, html, chunk) => ({
      ...chunk,
      html,
      ...(tail ? { tailHtml: handle.tailHtml() } : {}),
    }),
  });
}

/**
 * Releases text at charsPerSecond characters per second, one chunk per character (the seed
 * guide's addTypingEffect); other chunks wait behind the text before them.
 * @param {{charsPerSecond?: number, piecePerChar?: boolean}} [options] default 30 per second
 */
export function typingEffect(options = {}) {
  return textStage({ kind: 'typing', options, policy: 'drain', output: 'pieces' });
}

/**
 * Replaces literal patterns, also when one is split across chunks. At each position the longest
 * match wins; replacements are not scanned again. Text is held back only while it could still
 * start a pattern.
 * @param {{patterns: Array<string | {pattern: string, replacement?: string}>, replacement?: string,
 *   caseInsensitive?: boolean}} options replacement: the default for patterns without one ('')
 */
export function contentFilter(options) {
  if (!options || !Array.isArray(options.patterns)) throw new TypeError('contentFilter: patterns must be an array');
  return textStage({ kind: 'filter', options, policy: 'pass', output: 'pieces' });
}

/**
 * Groups text chunks into batches, emitted when maxChunks chunks (10), maxChars bytes of UTF-8
 * (0: no limit) or intervalMs since the batch opened (100; 0: no deadline) are reached (the seed
 * guide's StreamBuffer). One text chunk per batch.
 * @param {{maxChunks?: number, maxChars?: number, intervalMs?: number}} [options]
 */
export function batch(options = {}) {
  return textStage({ kind: 'batch', options, policy: 'pass', output: 'pieces' });
}

/**
 * Fixed-size pieces of `size` characters (1000), the last one shorter (the seed guide's
 * processLargeStream). unit 'bytes': at most `size` UTF-8 bytes, never cutting a character.
 * @param {{size?: number, unit?: 'chars' | 'bytes'}} [options]
 */
export function fixedChunks(options = {}) {
  return textStage({ kind: 'chunks', options, policy: 'pass', output: 'pieces' });
}

/**
 * Evens out bursty text at the rate it arrives, never holding a character longer than
 * maxDelayMs (250); other chunks wait behind the text before them.
 * @param {{maxDelayMs?: number, window?: number}} [options]
 */
export function smooth(options = {}) {
  return textStage({ kind: 'smooth', options, policy: 'drain', output: 'pieces' });
}

/**
 * Renders a whole Markdown document to safe HTML at once (as safeMarkdown() would at the end).
 * Synchronous, so the transforms module must be loaded: `await loadTransforms()` first (any
 * stage that ran also loaded it); otherwise this throws.
 * @param {string} markdown
 * @param {{hardBreaks?: boolean}} [options]
 * @returns {string}
 */
export function renderSafeMarkdown(markdown, options = {}) {
  const mod = loadedTransforms();
  if (!mod) {
    throw new Error('llmstream: renderSafeMarkdown() needs the transforms module: await loadTransforms() first');
  }
  // Well-formed: the glue's UTF-8 conversion would read a lone surrogate as half of a pair with
  // the next character (../utf16.js); as U+FFFD, it renders as safeMarkdown() streams it.
  return mod.renderSafeMarkdown(wellFormed(String(markdown ?? '')), Boolean(options.hardBreaks));
}
