// progress(): the core's Progress (done vs an estimate, rate, ETA) over a chunk stream. Output
// chunks (text, readable reasoning, refusal, tool-call arguments) and the done / error chunk gain
// `progress`; everything passes through in order. One wasm call per counted chunk. The text goes
// in well-formed, a pair cut between two chunks counted once (../utf16.js).

import { loadTransforms } from './load.js';
import { now } from './chunk-kinds.js';
import { SurrogateJoiner } from '../utf16.js';

const UNITS = { tokens: 0, chars: 1, chunks: 2 };
const REASONING_PARTS = { text: 0, signature: 1, redacted: 2, summary: 3 };

/** [kind code (llmstream::EventKind), part, text] of an output chunk, else null. */
function outputOf(chunk) {
  if (chunk === null || typeof chunk !== 'object') return null;
  switch (chunk.type) {
    case undefined:
    case 'text':
      return typeof chunk.text === 'string' ? [0, 0, chunk.text] : null;
    case 'reasoning': {
      const part = typeof chunk.part === 'number' ? chunk.part : (REASONING_PARTS[chunk.part ?? 'text'] ?? 1);
      return typeof chunk.reasoning === 'string' ? [1, part, chunk.reasoning] : null;
    }
    case 'refusal':
      return typeof chunk.refusal === 'string' ? [2, 0, chunk.refusal] : null;
    case 'tool_call_delta':
      return typeof chunk.toolCall?.argumentsDelta === 'string' ? [4, 0, chunk.toolCall.argumentsDelta] : null;
    default:
      return null;
  }
}

/**
 * @param {{estimatedTokens?: number, unit?: 'tokens' | 'chars' | 'chunks'}} [options]
 *   estimatedTokens: the expected length (default 200, the seed guide's; e.g. maxTokens), in
 *   `unit` (tokens: reported usage once known, else ceil(chars / 4)).
 */
export function progress(options = {}) {
  const estimate = Number(options.estimatedTokens ?? options.estimate ?? 200);
  const unit = UNITS[options.unit ?? 'tokens'];
  if (unit === undefined) throw new TypeError("progress: unit must be 'tokens', 'chars' or 'chunks'");
  return (source) => ({
    async *[Symbol.asyncIterator]() {
      const mod = await loadTransforms();
      const tracker = new mod.ProgressTracker(estimate, unit);
      // One per output stream (kind, part, choice, tool call): a first half held back.
      /** @type {Map<string, {joiner: SurrogateJoiner, kind: number, part: number}>} */
      const streams = new Map();
      const count = (chunk, [kind, part, text]) => {
        const id = `${kind}/${part}/${chunk.index ?? 0}/${chunk.toolCall?.index ?? 0}`;
        let stream = streams.get(id);
        if (!stream) streams.set(id, (stream = { joiner: new SurrogateJoiner(), kind, part }));
        tracker.output(kind, part, stream.joiner.take(text), now());
      };
      const countLoneHalves = () => {
        for (const { joiner, kind, part } of streams.values()) {
          if (joiner.pending) tracker.output(kind, part, joiner.end(), now());
        }
      };
      const snapshot = () => {
        const at = tracker.snapshot(now()) >> 3;
        const f = mod.HEAPF64;
        const flags = f[at + 9];
        return {
          done: f[at],
          total: f[at + 1],
          fraction: f[at + 2],
          percent: f[at + 3],
          etaMs: f[at + 5],
          ratePerSecond: f[at + 4],
          elapsedMs: f[at + 6],
          chunks: f[at + 7],
          chars: f[at + 8],
          tokensReported: (flags & 1) !== 0,
          ended: (flags & 2) !== 0,
          complete: (flags & 4) !== 0,
        };
      };
      try {
        for await (const chunk of source) {
          const output = outputOf(chunk);
          if (output) {
            count(chunk, output);
            yield { ...chunk, progress: snapshot() };
          } else if (chunk?.type === 'usage') {
            const tokens = chunk.usage?.completionTokens;
            if (typeof tokens === 'number' && !chunk.usage.estimated) tracker.usage(tokens, now());
            yield chunk;
          } else if (chunk?.type === 'done' || chunk?.type === 'error') {
            countLoneHalves();
            tracker.end(chunk.type === 'done', now());
            yield { ...chunk, progress: snapshot() };
          } else {
            yield chunk;
          }
        }
      } finally {
        tracker.delete();
      }
    },
  });
}
