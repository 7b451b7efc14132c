// How the transforms see the package's chunks (and plain `{text}` objects, as the seed guide's
// generators yield).

/** A text chunk the text transforms work on: answer text of choice 0 (or a plain `{text}`). */
export function isText(chunk) {
  return (
    chunk !== null &&
    typeof chunk === 'object' &&
    typeof chunk.text === 'string' &&
    (chunk.type === undefined || chunk.type === 'text') &&
    !(chunk.index > 0)
  );
}

// Chunks before which a text transform releases everything it holds: the end of the stream,
// and points where the answer's text stops (a tool call, a finished choice).
const BOUNDARIES = new Set(['done', 'error', 'finish', 'tool_call_start', 'tool_call_end']);

export function isBoundary(chunk) {
  return chunk !== null && typeof chunk === 'object' && BOUNDARIES.has(chunk.type);
}

/** The current time in ms on a monotonic clock. */
export const now = () => globalThis.performance?.now?.() ?? Date.now();
