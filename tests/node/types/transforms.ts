// Type-checked (tsc --noEmit --strict) use of the transforms API and the live metrics chunks.
// Never run; tests/node/npm_types.test.mjs compiles it.

import {
  APILoader,
  backpressure,
  batch,
  contentFilter,
  fixedChunks,
  loadTransforms,
  pipe,
  progress,
  renderSafeMarkdown,
  safeMarkdown,
  smooth,
  StreamCache,
  typingEffect,
  wordStream,
} from '../../../npm/src/index.js';

const ai = new APILoader({ provider: 'local' });

export async function typed(): Promise<string> {
  let out = '';
  const stream = pipe(
    ai.streamCompletion({ prompt: 'Hi' }),
    contentFilter({ patterns: [{ pattern: 'secret', replacement: '***' }, 'password'] }),
    wordStream(),
    typingEffect({ charsPerSecond: 60 }),
  );
  for await (const chunk of stream) {
    if (chunk.type === 'text') out += chunk.text;
    if (chunk.type === 'done') break;
  }
  return out;
}

export async function markdown(): Promise<string> {
  await loadTransforms();
  let html = '';
  let tail = '';
  for await (const chunk of pipe(ai.streamCompletion({ prompt: 'md' }), safeMarkdown())) {
    if (chunk.type === 'text') {
      html += chunk.html;
      tail = chunk.tailHtml ?? '';
    }
  }
  return html + tail + renderSafeMarkdown('**x**');
}

export async function others(): Promise<number> {
  const buffered = backpressure({ highWaterMark: 10 })(ai.streamCompletion({ prompt: 'x' }));
  let fraction = 0;
  for await (const chunk of pipe(buffered, batch({ maxChunks: 5, intervalMs: 50 }), fixedChunks({ size: 10 }),
    smooth({ maxDelayMs: 100 }), progress({ estimatedTokens: 100 }))) {
    if (chunk.progress) fraction = chunk.progress.fraction;
  }
  return fraction + buffered.status().pressure;
}

export async function cached(): Promise<number> {
  const cache = new StreamCache({ maxEntries: 10 });
  const key = await cache.key({ provider: 'local' }, { prompt: 'x' });
  let n = 0;
  for await (const _chunk of cache.getCachedOrStream(key, () => ai.streamCompletion({ prompt: 'x' }))) n++;
  return n + cache.stats().hits;
}

export async function liveMetrics(): Promise<number> {
  let tps = 0;
  for await (const chunk of ai.streamCompletion({ prompt: 'x', metricsIntervalMs: 250 })) {
    if (chunk.type === 'metrics') tps = chunk.metrics.tokensPerSecond;
  }
  return tps;
}

// @ts-expect-error contentFilter needs patterns
contentFilter({});
// @ts-expect-error metricsIntervalMs is a number
ai.streamCompletion({ prompt: 'x', metricsIntervalMs: 'often' });
