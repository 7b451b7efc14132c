// From the driver's chunks (one array per network read) to the public chunks.
//
// The public shape follows the seed guide, one kind of payload per chunk, so that
// `if (chunk.text)`, `chunk.metadata`, `chunk.usage.totalTokens`, `chunk.cost.toFixed(4)`,
// `chunk.function_call`, `chunk.error` and `chunk.done` mean what the guide's examples assume:
//  - `text` exists only on answer text chunks (reasoning is `chunk.reasoning`, a refusal
//    `chunk.refusal`, an SSE comment `chunk.comment`), so summing `chunk.text` gives the answer;
//  - the usage chunk carries the cost of that usage as a number in dollars (`cost`, 0 when the
//    model has no price), the details in `costDetails` (null then); the driver's separate cost
//    chunk that follows it is folded in;
//  - `error` exists only on the terminal error chunk, as an LLMStreamError instance (a retry
//    chunk names the failed attempt's error `cause`);
//  - with `raw: true` each chunk made from a provider event carries that event's parsed object as
//    `chunk.raw`; with `raw: 'only'` the stream yields the provider objects themselves.

import { toLLMStreamError } from './errors.js';

/** Cost object of the driver -> {cost: number, costDetails: object|null}. */
export function costFields(details) {
  if (!details || typeof details !== 'object' || details.source === 'none') {
    return { cost: 0, costDetails: null };
  }
  const total = Number(details.totalUsd ?? details.total ?? 0);
  return { cost: Number.isFinite(total) ? total : 0, costDetails: details };
}

// Field that a non-text chunk's driver `text` becomes.
const TEXT_FIELD = {
  reasoning: 'reasoning',
  refusal: 'refusal',
  keep_alive: 'comment',
  warning: 'message',
};

function withoutText(chunk) {
  const field = TEXT_FIELD[chunk.type] ?? 'data';
  const out = {};
  for (const key of Object.keys(chunk)) {
    if (key === 'text') {
      if (out[field] === undefined) out[field] = chunk.text;
    } else {
      out[key] = chunk[key];
    }
  }
  return out;
}

function parseRaw(raw) {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Normalizes one driver batch. `ctx`: {rawMode: false | true | 'only', secrets, partial()}.
 * Returns {chunks, error}: the public chunks and, when the batch ended the stream with a
 * failure, its LLMStreamError.
 */
export function normalizeBatch(batch, ctx) {
  const out = [];
  let error = null;
  let raw; // the provider object of the SSE event the following chunks came from
  const attach = ctx.rawMode === true;
  for (let i = 0; i < batch.length; i++) {
    let chunk = batch[i];
    const type = chunk.type;
    if (type === 'raw') {
      raw = parseRaw(chunk.raw);
      if (ctx.rawMode === 'only' && raw !== null && typeof raw === 'object') out.push(raw);
      continue;
    }
    if (type === 'error') {
      error = toLLMStreamError(chunk.error ?? chunk, {
        partial: ctx.partial(),
        secrets: ctx.secrets,
      });
      chunk = { ...chunk, error };
    } else if (type === 'usage') {
      const next = batch[i + 1];
      const folded = next && next.type === 'cost' ? (i++, next.cost) : undefined;
      const cost = costFields(folded);
      chunk = {
        ...chunk,
        ...cost,
        costEstimated: cost.costDetails ? cost.costDetails.source === 'estimated' : Boolean(chunk.usage?.estimated),
      };
    } else if (type === 'cost') {
      chunk = { ...chunk, ...costFields(chunk.cost) };
    } else if (type === 'retry') {
      const { error: failed, ...rest } = chunk;
      chunk = failed ? { ...rest, cause: toLLMStreamError(failed, { secrets: ctx.secrets }) } : rest;
    } else if (type !== 'text' && chunk.text !== undefined) {
      chunk = withoutText(chunk);
    }
    if (ctx.rawMode === 'only') continue;
    if (attach && raw !== undefined && type !== 'retry') {
      if (chunk === batch[i]) chunk = { ...chunk };
      chunk.raw = raw;
    }
    out.push(chunk);
  }
  return { chunks: out, error };
}
