// openSession(): drives one WasmSession (the core's Session behind the wasm boundary) with fetch
// and timers. The core decides everything (retries, timeouts, error classification, estimated
// usage); this file only carries its actions out and turns the packed events into chunk objects.
// See README.md in this folder for the boundary and the chunk shapes.
//
// Per network read: one HEAPU8.set of the bytes, ONE call into wasm (onBody), one
// TextDecoder.decode of the call's text region, and (rarely) one JSON.parse of its side payloads;
// the chunks of the read are yielded as one array.

import { RECORD_INTS } from './load.js';

// SessionAction (llmstream/session.h)
const SEND = 0;
const WAIT = 1;
const ABORT_TRANSFER = 2;
const DONE = 3;

// ErrorCode values the transport reports (llmstream/error.h)
const ERROR_TIMEOUT = 40;
const ERROR_NETWORK = 43;

// EventKind (llmstream/event.h)
const K = {
  TEXT: 0,
  REASONING: 1,
  REFUSAL: 2,
  TOOL_CALL_START: 3,
  TOOL_CALL_DELTA: 4,
  TOOL_CALL_END: 5,
  CITATION: 6,
  METADATA: 7,
  USAGE: 8,
  COST: 9,
  KEEP_ALIVE: 10,
  WARNING: 11,
  ERROR: 12,
  FINISH: 13,
  DONE: 14,
  BLOCK_START: 15,
  BLOCK_END: 16,
  RETRY: 17,
  RAW: 18,
};

// Record fields (platform/wasm/packer.h)
const F_KIND = 0;
const F_CHOICE = 1;
const F_BLOCK = 2;
const F_PART = 3;
const F_TEXT = 4;
const F_TEXT_LEN = 5;
const F_ID = 6;
const F_ID_LEN = 7;
const F_NAME = 8;
const F_NAME_LEN = 9;
const F_SIDE = 10;
const F_EXTRA = 11;

const REASONING_PARTS = ['text', 'signature', 'redacted', 'summary'];
const TOOL_KINDS = ['function', 'server'];

// Platform codes of transport failures that are timeouts rather than network errors.
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'TimeoutError',
]);

// Smallest input buffer asked of the core; reads larger than it grow it once.
const MIN_INPUT_BYTES = 64 * 1024;

/** One TextDecoder for every session; ignoreBOM keeps a leading U+FEFF (offsets stay right). */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Frees WasmSessions whose owners were dropped without finishing or cancelling: a backstop. */
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((/** @type {{ws: any}} */ held) => {
        const ws = held.ws;
        held.ws = null;
        if (ws) {
          try {
            ws.delete();
          } catch {
            // already deleted
          }
        }
      })
    : null;

/**
 * @typedef {Record<string, any>} Chunk one event as a plain object (README.md, "Chunks")
 */

/**
 * @typedef {object} Session
 * @property {() => AsyncIterator<Chunk[]>} [Symbol.asyncIterator] the chunks, one array per
 *   wasm call (per network read while streaming); may be iterated once
 * @property {() => void} cancel stops the stream: aborts the request; the iterator yields the
 *   estimated usage and the `aborted` error, then ends
 * @property {() => any} result the assembled completion so far (parsed resultJson)
 * @property {() => any} error the final error ({code, message, status, providerType,
 *   retryAfterMs}), or null while running and after success
 * @property {number} attempts requests sent so far
 */

/**
 * Opens one streamed completion over the core. Nothing is sent until the iterator is read.
 * @param {import('./load.js').CoreModule} core from loadCore()
 * @param {Record<string, unknown>} options the session options (README.md, "Options")
 * @param {{fetch?: typeof globalThis.fetch, signal?: AbortSignal, now?: () => number}} [io]
 * @returns {Session}
 */
export function openSession(core, options, io = {}) {
  const fetchImpl = io.fetch ?? globalThis.fetch?.bind(globalThis);
  const signal = io.signal;
  const now = io.now ?? (() => performance.now());
  if (typeof fetchImpl !== 'function') throw new TypeError('llmstream: no fetch implementation');

  const settings = { ...options };
  // Absolute times in headers (Retry-After dates, rate-limit resets) need the wall clock.
  if (settings.unixMsAtZero === undefined) settings.unixMsAtZero = Math.round(Date.now() - now());
  const ws = new core.WasmSession(JSON.stringify(settings));
  const statePtr = ws.statePtr();

  // Everything the iterator and the returned object share. The FinalizationRegistry watches
  // this object: it dies only when neither the session object nor its iterator is reachable.
  const state = {
    /** @type {any} */ ws,
    /** @type {Attempt | null} */ attempt: null,
    inputPtr: 0,
    inputCapacity: 0,
    started: false,
    finished: false,
    cancelRequested: false,
    cancelDelivered: false,
    /** @type {Chunk[] | null} */ pendingChunks: null, // cancel() before the first read
    /** @type {any} */ result: null,
    /** @type {any} */ error: null,
    attempts: 0,
  };
  const held = { ws };
  registry?.register(state, held, state);

  /** @type {() => void} */
  let wake = () => {};
  /** @type {Promise<Outcome>} */
  let interrupted = newInterrupt();
  function newInterrupt() {
    return new Promise((resolve) => {
      wake = () => resolve({ kind: 'interrupt' });
    });
  }

  const onAbort = () => requestCancel();
  if (signal) {
    if (signal.aborted) state.cancelRequested = true;
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  function requestCancel() {
    if (state.finished || state.cancelRequested) return;
    state.cancelRequested = true;
    // Abort at once, whatever the consumer is doing: the server sees the disconnect now.
    abortAttempt();
    wake();
  }

  // ---- decoding the packed events of the last call ----------------------------------------

  /** @returns {Chunk[] | null} */
  function decode() {
    return decodeEvents(core, state.ws, statePtr);
  }

  // ---- carrying out the actions ------------------------------------------------------------

  /**
   * @typedef {{kind: 'response', res: Response} | {kind: 'read', done: boolean, value?: Uint8Array}
   *   | {kind: 'error', error: unknown} | {kind: 'timer'} | {kind: 'interrupt'}} Outcome
   * @typedef {{controller: AbortController, reader: ReadableStreamDefaultReader<Uint8Array> | null,
   *   pending: Promise<Outcome> | null, aborted: boolean}} Attempt
   */

  function startAttempt() {
    const request = JSON.parse(state.ws.httpRequestJson());
    const controller = new AbortController();
    /** @type {Attempt} */
    const attempt = { controller, reader: null, pending: null, aborted: false };
    state.attempt = attempt;
    let started;
    try {
      started = Promise.resolve(
        fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: controller.signal,
        }),
      );
    } catch (error) {
      started = Promise.reject(error); // a fetch that throws synchronously
    }
    attempt.pending = started.then(
      (res) => /** @type {Outcome} */ ({ kind: 'response', res }),
      (error) => /** @type {Outcome} */ ({ kind: 'error', error }),
    );
  }

  /** @param {Attempt} attempt */
  function readNext(attempt) {
    const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (attempt.reader);
    attempt.pending = reader.read().then(
      (r) => /** @type {Outcome} */ ({ kind: 'read', done: r.done, value: r.value }),
      (error) => /** @type {Outcome} */ ({ kind: 'error', error }),
    );
  }

  function abortAttempt() {
    const attempt = state.attempt;
    if (!attempt || attempt.aborted) return;
    attempt.aborted = true;
    attempt.pending = null;
    try {
      attempt.controller.abort();
    } catch {
      // nothing to abort
    }
    attempt.reader?.cancel().catch(() => {});
  }

  /**
   * Waits for the attempt's pending I/O, the core's timer, or an interrupt (cancel / abort).
   * A pending read that loses the race stays in attempt.pending for the next wait.
   * @returns {Promise<Outcome>}
   */
  async function waitForSomething() {
    const wakeAt = core.HEAPF64[(statePtr + 32) >> 3];
    /** @type {Promise<Outcome>[]} */
    const racers = [interrupted];
    const attempt = state.attempt;
    if (attempt && !attempt.aborted && attempt.pending) racers.push(attempt.pending);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    if (wakeAt >= 0) {
      racers.push(
        new Promise((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'timer' }), Math.max(0, Math.ceil(wakeAt - now())));
        }),
      );
    } else if (racers.length === 1) {
      // The core waits for I/O, but none is outstanding: a driver bug; never hang on it.
      throw new Error('llmstream driver: the core waits for I/O but none is outstanding');
    }
    try {
      const outcome = await Promise.race(racers);
      if (outcome.kind === 'interrupt') interrupted = newInterrupt();
      else if (attempt && outcome !== undefined && attempt.pending && outcome.kind !== 'timer') {
        attempt.pending = null; // consumed
      }
      return outcome;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * Reports one I/O outcome to the core. Returns the number of events it packed.
   * @param {Attempt} attempt @param {Outcome} outcome
   */
  function report(attempt, outcome) {
    const ws = state.ws;
    switch (outcome.kind) {
      case 'response': {
        const res = outcome.res;
        const headers = JSON.stringify(Array.from(res.headers));
        const n = ws.onResponse(res.status, headers, now());
        if (res.body) {
          attempt.reader = res.body.getReader();
          readNext(attempt);
        } else {
          attempt.pending = Promise.resolve({ kind: 'read', done: true }); // no body: it ended
        }
        return n;
      }
      case 'read': {
        if (outcome.done) return ws.onEnd(now());
        const bytes = /** @type {Uint8Array} */ (outcome.value);
        const len = bytes.byteLength;
        if (len > state.inputCapacity) {
          state.inputCapacity = Math.max(len, MIN_INPUT_BYTES);
          state.inputPtr = ws.inputBuffer(state.inputCapacity);
        }
        core.HEAPU8.set(bytes, state.inputPtr);
        readNext(attempt); // the next read runs while these bytes are decoded and consumed
        return ws.onBody(len, now());
      }
      case 'error': {
        const { code, message, platformCode } = describeFailure(outcome.error);
        return ws.onTransportError(code, message, platformCode, now());
      }
      default:
        return 0;
    }
  }

  // ---- the iterator --------------------------------------------------------------------------

  async function* run() {
    state.started = true;
    try {
      if (state.pendingChunks) {
        const chunks = state.pendingChunks;
        state.pendingChunks = null;
        yield chunks;
      }
      while (!state.finished) {
        if (state.cancelRequested && !state.cancelDelivered) {
          state.cancelDelivered = true;
          abortAttempt();
          const chunks = state.ws.cancel(now()) > 0 ? decode() : null;
          if (chunks) yield chunks;
          continue;
        }
        const action = state.ws.poll(now());
        const chunks = decode();
        if (chunks) yield chunks;
        if (action === SEND) {
          if (state.cancelRequested) continue; // cancelled while the chunks were consumed
          startAttempt();
          continue;
        }
        if (action === ABORT_TRANSFER) {
          abortAttempt();
          continue;
        }
        if (action === DONE) {
          finish();
          break;
        }
        // WAIT
        const outcome = await waitForSomething();
        const attempt = state.attempt;
        if (outcome.kind === 'timer' || outcome.kind === 'interrupt') continue;
        if (state.cancelRequested) continue; // the failure of our own abort: cancel says why
        if (!attempt || attempt.aborted) continue; // a late callback of an aborted transfer
        const out = report(attempt, outcome) > 0 ? decode() : null;
        if (out) yield out;
      }
    } finally {
      finish();
    }
  }

  /** Ends the session: aborts any transfer, keeps the result, frees the wasm object. */
  function finish() {
    if (state.finished) return;
    state.finished = true;
    abortAttempt();
    signal?.removeEventListener('abort', onAbort);
    const ws = state.ws;
    if (!ws) return;
    try {
      // Stopped early (a `break`, return()): the core still says how it ended (aborted, with
      // estimated usage) so that result() and error() tell the truth.
      if (!ws.done()) ws.cancel(now());
      state.result = JSON.parse(ws.resultJson());
      state.error = JSON.parse(ws.errorJson());
      state.attempts = ws.attempts();
    } finally {
      state.ws = null;
      held.ws = null;
      registry?.unregister(state);
      ws.delete();
      wake();
    }
  }

  const generator = run();
  /** @type {AsyncIterableIterator<Chunk[]>} */
  const iterator = {
    next: () => generator.next(),
    async return(value) {
      // An unstarted async generator skips its finally: free the session here too.
      const result = await generator.return(value);
      finish();
      return result;
    },
    async throw(error) {
      try {
        return await generator.throw(error);
      } finally {
        finish();
      }
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel() {
      if (state.finished) return;
      if (!state.started && !state.cancelDelivered) {
        // Not iterated yet: cancel now, keep the chunks for a later iteration, free the session.
        state.cancelRequested = true;
        state.cancelDelivered = true;
        state.pendingChunks = state.ws.cancel(now()) > 0 ? decode() : null;
        finish();
        return;
      }
      requestCancel();
    },
    result() {
      return state.ws ? JSON.parse(state.ws.resultJson()) : state.result;
    },
    error() {
      return state.ws ? JSON.parse(state.ws.errorJson()) : state.error;
    },
    get attempts() {
      return state.ws ? state.ws.attempts() : state.attempts;
    },
  };
}

/**
 * The chunks of the last event-producing call of a WasmSession (its packed result, README.md
 * "The wasm boundary"): one TextDecoder.decode of the text region, one JSON.parse of the side
 * payloads when there are any. Exported for bench/js/wasm_vs_peers.mjs; not part of the API.
 * @param {import('./load.js').CoreModule} core @param {any} ws the WasmSession
 * @param {number} statePtr ws.statePtr()
 * @returns {Chunk[] | null} null when the call packed no events
 */
export function decodeEvents(core, ws, statePtr) {
  const h32 = core.HEAP32;
  const h = statePtr >> 2;
  const count = h32[h];
  if (count === 0) return null;
  const records = h32[h + 1] >> 2;
  const textPtr = h32[h + 2] >>> 0;
  const textBytes = h32[h + 3];
  const sideCount = h32[h + 4];
  const text = textBytes > 0 ? decoder.decode(core.HEAPU8.subarray(textPtr, textPtr + textBytes)) : '';
  const side = sideCount > 0 ? JSON.parse(ws.sideJson()) : null;
  const chunks = new Array(count);
  for (let i = 0, r = records; i < count; i++, r += RECORD_INTS) {
    chunks[i] = toChunk(h32, r, text, side);
  }
  return chunks;
}

/**
 * One packed record as a chunk.
 * @param {Int32Array} h32 @param {number} r first int of the record @param {string} text
 * @param {any[] | null} side
 * @returns {Chunk}
 */
function toChunk(h32, r, text, side) {
  const kind = h32[r + F_KIND];
  if (kind === K.TEXT) {
    // The common kind (one per token): no helper closures allocated for it.
    const a = h32[r + F_TEXT];
    const chunkText = text.slice(a, a + h32[r + F_TEXT_LEN]);
    return { type: 'text', text: chunkText, index: h32[r + F_CHOICE], block: h32[r + F_BLOCK] };
  }
  const index = h32[r + F_CHOICE];
  const s = h32[r + F_TEXT];
  const t = () => text.slice(s, s + h32[r + F_TEXT_LEN]);
  const sideValue = () => {
    const i = h32[r + F_SIDE];
    return i >= 0 && side ? side[i] : undefined;
  };
  const id = () => {
    const a = h32[r + F_ID];
    return text.slice(a, a + h32[r + F_ID_LEN]);
  };
  const name = () => {
    const a = h32[r + F_NAME];
    return text.slice(a, a + h32[r + F_NAME_LEN]);
  };
  switch (kind) {
    case K.TEXT:
      return { type: 'text', text: t(), index, block: h32[r + F_BLOCK] };
    case K.REASONING:
      return { type: 'reasoning', text: t(), index, part: REASONING_PARTS[h32[r + F_PART]] ?? 'text' };
    case K.REFUSAL:
      return { type: 'refusal', text: t(), index };
    case K.TOOL_CALL_START:
      return {
        type: 'tool_call_start',
        index,
        toolCall: {
          index: h32[r + F_BLOCK],
          id: id(),
          name: name(),
          kind: TOOL_KINDS[h32[r + F_PART]] ?? 'function',
        },
      };
    case K.TOOL_CALL_DELTA:
      return { type: 'tool_call_delta', index, toolCall: { index: h32[r + F_BLOCK], argumentsDelta: t() } };
    case K.TOOL_CALL_END:
      return {
        type: 'function_call',
        index,
        function_call: {
          id: id(),
          name: name(),
          arguments: t(),
          argumentsValid: h32[r + F_PART] !== 0,
          kind: TOOL_KINDS[h32[r + F_EXTRA]] ?? 'function',
        },
      };
    case K.CITATION:
      return { type: 'citation', index, citation: sideValue() };
    case K.METADATA: {
      const value = h32[r + F_PART] === 1 ? sideValue() : t();
      return { type: 'metadata', metadata: { [name()]: value } };
    }
    case K.USAGE:
      return { type: 'usage', usage: sideValue() };
    case K.COST:
      return { type: 'cost', cost: sideValue() };
    case K.KEEP_ALIVE:
      return { type: 'keep_alive', comment: t() };
    case K.WARNING:
      return { type: 'warning', message: t() };
    case K.ERROR:
      return { type: 'error', error: sideValue() };
    case K.RETRY:
      return {
        type: 'retry',
        attempt: index,
        delayMs: h32[r + F_BLOCK] >>> 0,
        reason: t(),
        continuation: name() === 'continuation',
        error: sideValue(),
      };
    case K.FINISH:
      return { type: 'finish', index, finishReason: t() || null };
    case K.DONE:
      return { type: 'done', done: true, finishReason: t() || null };
    case K.BLOCK_START:
    case K.BLOCK_END: {
      /** @type {Chunk} */
      const chunk = {
        type: kind === K.BLOCK_START ? 'block_start' : 'block_end',
        index,
        block: h32[r + F_BLOCK],
        blockType: name(),
      };
      const data = sideValue();
      if (data !== undefined) chunk.data = data;
      return chunk;
    }
    case K.RAW: {
      const event = name();
      return { type: 'raw', raw: sideValue(), event: event === 'message' || event === '' ? undefined : event };
    }
    default:
      return { type: 'unknown', kind, index };
  }
}

/**
 * What a fetch / read rejection means for the core: kTimeout or kNetwork, a one-line message,
 * and the platform's own code (Node: error.cause.code such as 'ECONNRESET'; browsers: the
 * DOMException name).
 * @param {unknown} error
 * @returns {{code: number, message: string, platformCode: string}}
 */
export function describeFailure(error) {
  const e = /** @type {any} */ (error);
  const chain = [];
  for (let c = e, depth = 0; c && depth < 4; c = c.cause, depth++) chain.push(c);
  let platformCode = '';
  for (const c of chain) {
    if (typeof c.code === 'string' && c.code) {
      platformCode = c.code;
      break;
    }
  }
  if (!platformCode) {
    for (const c of chain) {
      if (typeof c.name === 'string' && c.name && c.name !== 'Error' && c.name !== 'TypeError') {
        platformCode = c.name;
        break;
      }
    }
  }
  const parts = [];
  for (const c of chain) {
    const m = typeof c.message === 'string' ? c.message : String(c);
    if (m && !parts.includes(m)) parts.push(m);
  }
  let message = parts.join(': ') || 'the request failed';
  if (platformCode && !message.includes(platformCode)) message += ` (${platformCode})`;
  const timeout = TIMEOUT_CODES.has(platformCode);
  return { code: timeout ? ERROR_TIMEOUT : ERROR_NETWORK, message, platformCode };
}
