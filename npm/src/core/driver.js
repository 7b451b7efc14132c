// openSession(): drives one WasmSession (the core's Session behind the wasm boundary) with fetch
// and timers. The core decides everything (retries, timeouts, error classification, estimated
// usage); this file only carries its actions out and turns the packed events into chunk objects.
// See README.md in this folder for the boundary and the chunk shapes.
//
// Per network read: one HEAPU8.set of the bytes, ONE call into wasm (onBody), one
// TextDecoder.decode of the call's text region, and (rarely) one JSON.parse of its side payloads;
// the chunks of the read are yielded as one array. No timer is set or cleared and no
// Promise.race is built per read: the I/O callbacks, the one timer and cancel() settle the
// iterator's wait directly (waitForSomething).

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

// What ended a wait (waitForSomething)
const W_IO = 1; // the attempt's I/O settled: attempt.ready / attempt.readyValue
const W_TIMER = 2;
const W_INTERRUPT = 3;

// Attempt.ready: the kind of the settled, not yet reported I/O
const IO_NONE = 0;
const IO_RESPONSE = 1; // readyValue: the Response
const IO_READ = 2; // readyValue: the reader's {done, value}
const IO_ERROR = 3; // readyValue: the rejection

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

/**
 * Token texts repeat (" the", " and", ...): text chunks reuse the string of an earlier equal
 * token instead of slicing a new one, as V8's JSON.parse does for short strings. A caller that
 * keeps every chunk's text (`text += chunk.text`, an array of chunks) then holds one string per
 * distinct token, not one per token, and the slices that are not kept die young; over a
 * 1M-token stream that is most of the decoder's garbage-collection time. Direct-mapped by the
 * hash the core puts in the record (platform/wasm/packer.h, kFieldExtra); the cached string is
 * compared with the text itself (char by char, against the decoded text or, when the record
 * says the region is ASCII so far, its bytes; no allocation), so a collision is only a miss.
 */
const TOKEN_CACHE_MASK = 4095;
const TOKEN_CACHE_MAX_LENGTH = 32;
/** @type {(string | undefined)[]} */
const tokenCache = new Array(TOKEN_CACHE_MASK + 1).fill(undefined);

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
 * @property {number | null} responseAtMs when the last attempt's response headers arrived (the
 *   driver's clock), null before
 * @property {number} bytesRead response body bytes read, all attempts
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
  // For the per-read calls (core._llmstream_poll / _on_body): 0 once ws is deleted.
  let handle = ws.handle();

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
    /** @type {string | null} */ resultJson: null, // the final result, not yet parsed
    /** @type {any} */ error: null,
    attempts: 0,
    /** @type {number | null} */ responseAtMs: null, // when the last attempt's headers came
    bytesRead: 0, // body bytes of every attempt
  };
  const held = { ws };
  registry?.register(state, held, state);

  // The iterator's wait (at most one at a time): resolved by the attempt's I/O callbacks, the
  // timer or an interrupt, whichever comes first (settleWait).
  /** @type {((why: number) => void) | null} */
  let waiter = null;
  let interruptPending = false; // an interrupt while nobody waited: ends the next wait at once
  // One timer for the core's wake-up time, re-armed lazily: the idle deadline moves with every
  // read, so arming it per read would cost a setTimeout + clearTimeout each time. The timer
  // stays armed for an earlier deadline; when it fires, onTimer sleeps on to the current one.
  // It is ref()'d only during a wait (between waits it must not keep Node alive, as before).
  /** @type {any} */
  let timer; // undefined when not armed
  let timerAt = 0; // the wake-up time it was armed for (ms on `now`)

  function settleWait(/** @type {number} */ why) {
    const resolve = waiter;
    waiter = null;
    if (resolve) resolve(why);
  }

  function wake() {
    if (waiter) settleWait(W_INTERRUPT);
    else interruptPending = true;
  }

  /** @param {number} wakeAt */
  function armTimer(wakeAt) {
    if (timer !== undefined) {
      if (timerAt <= wakeAt) return; // fires first: onTimer moves on to wakeAt
      clearTimeout(timer);
    }
    timerAt = wakeAt;
    timer = setTimeout(onTimer, Math.max(0, Math.ceil(wakeAt - now())));
  }

  function onTimer() {
    timer = undefined;
    // Nobody waits: the next wait arms it again for the core's wake-up time then.
    if (!waiter || !state.ws) return;
    const wakeAt = core.HEAPF64[(statePtr + 32) >> 3];
    if (wakeAt > timerAt) {
      armTimer(wakeAt); // the deadline moved on since (reads came in): not due yet
      timer?.ref?.();
      return;
    }
    settleWait(W_TIMER);
  }

  function clearTimer() {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
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
   * @typedef {{controller: AbortController, reader: ReadableStreamDefaultReader<Uint8Array> | null,
   *   inFlight: boolean, ready: number, readyValue: any, aborted: boolean,
   *   onRead: (r: ReadableStreamReadResult<Uint8Array>) => void, onError: (e: unknown) => void}} Attempt
   *   inFlight: a fetch or read is outstanding; ready (IO_*) / readyValue: its outcome, settled
   *   but not yet reported to the core (kept across a wait that a timer or interrupt ended)
   */

  /**
   * The outcome of an attempt's fetch or read. A late one of a replaced or aborted attempt is
   * dropped (the core was told why that attempt ended).
   * @param {Attempt} attempt @param {number} kind IO_* @param {any} value
   */
  function settle(attempt, kind, value) {
    attempt.inFlight = false;
    if (attempt.aborted || attempt !== state.attempt) return;
    attempt.ready = kind;
    attempt.readyValue = value;
    if (waiter) settleWait(W_IO);
  }

  function startAttempt() {
    const request = JSON.parse(state.ws.httpRequestJson());
    const controller = new AbortController();
    /** @type {Attempt} */
    const attempt = {
      controller,
      reader: null,
      inFlight: true,
      ready: IO_NONE,
      readyValue: undefined,
      aborted: false,
      // Made once per attempt, not per read.
      onRead: (r) => settle(attempt, IO_READ, r),
      onError: (error) => settle(attempt, IO_ERROR, error),
    };
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
    started.then((res) => settle(attempt, IO_RESPONSE, res), attempt.onError);
  }

  /** @param {Attempt} attempt */
  function readNext(attempt) {
    const reader = /** @type {ReadableStreamDefaultReader<Uint8Array>} */ (attempt.reader);
    attempt.inFlight = true;
    reader.read().then(attempt.onRead, attempt.onError);
  }

  function abortAttempt() {
    const attempt = state.attempt;
    if (!attempt || attempt.aborted) return;
    attempt.aborted = true;
    attempt.inFlight = false;
    attempt.ready = IO_NONE;
    attempt.readyValue = undefined;
    try {
      attempt.controller.abort();
    } catch {
      // nothing to abort
    }
    attempt.reader?.cancel().catch(() => {});
  }

  /**
   * What ended the wait for the attempt's I/O, the core's wake-up time, or an interrupt (cancel
   * / abort), in this order when several are there: W_* synchronously when one already
   * happened (the common case: the next read was started before this one was decoded and
   * consumed), else a promise of it. An outcome kept in attempt.ready stays for the next wait.
   * @returns {number | Promise<number>}
   */
  function waitForSomething() {
    const wakeAt = core.HEAPF64[(statePtr + 32) >> 3];
    const attempt = state.attempt;
    const io = attempt !== null && !attempt.aborted && (attempt.inFlight || attempt.ready !== IO_NONE);
    if (wakeAt < 0 && !io) {
      // The core waits for I/O, but none is outstanding: a driver bug; never hang on it.
      throw new Error('llmstream driver: the core waits for I/O but none is outstanding');
    }
    if (interruptPending) {
      interruptPending = false;
      return W_INTERRUPT;
    }
    if (io && attempt.ready !== IO_NONE) return W_IO;
    if (wakeAt >= 0) {
      armTimer(wakeAt);
      timer.ref?.(); // keeps Node alive during the wait (browsers: a number, no ref)
    }
    return new Promise((resolve) => {
      waiter = resolve;
    });
  }

  /**
   * Reports the attempt's settled I/O (attempt.ready) to the core. Returns the number of
   * events it packed.
   * @param {Attempt} attempt
   */
  function report(attempt) {
    const ws = state.ws;
    const kind = attempt.ready;
    const value = attempt.readyValue;
    attempt.ready = IO_NONE;
    attempt.readyValue = undefined;
    switch (kind) {
      case IO_RESPONSE: {
        const res = /** @type {Response} */ (value);
        const headers = JSON.stringify(Array.from(res.headers));
        const at = now();
        state.responseAtMs = at;
        const n = ws.onResponse(res.status, headers, at);
        if (res.body) {
          attempt.reader = res.body.getReader();
          readNext(attempt);
        } else {
          // No body: it ended.
          attempt.ready = IO_READ;
          attempt.readyValue = { done: true, value: undefined };
        }
        return n;
      }
      case IO_READ: {
        if (value.done) return ws.onEnd(now());
        const bytes = /** @type {Uint8Array} */ (value.value);
        const len = bytes.byteLength;
        state.bytesRead += len;
        if (len > state.inputCapacity) {
          state.inputCapacity = Math.max(len, MIN_INPUT_BYTES);
          state.inputPtr = ws.inputBuffer(state.inputCapacity);
        }
        core.HEAPU8.set(bytes, state.inputPtr);
        readNext(attempt); // the next read runs while these bytes are decoded and consumed
        return core._llmstream_on_body(handle, len, now());
      }
      case IO_ERROR: {
        const { code, message, platformCode } = describeFailure(value);
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
        const action = core._llmstream_poll(handle, now());
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
        let why = waitForSomething();
        if (typeof why !== 'number') {
          why = await why;
          timer?.unref?.();
        }
        const attempt = state.attempt;
        if (why !== W_IO) continue; // the timer or an interrupt: poll again
        if (state.cancelRequested) continue; // the failure of our own abort: cancel says why
        if (!attempt || attempt.aborted || attempt.ready === IO_NONE) continue; // aborted meanwhile
        const out = report(attempt) > 0 ? decode() : null;
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
    clearTimer();
    signal?.removeEventListener('abort', onAbort);
    const ws = state.ws;
    if (!ws) return;
    try {
      // Stopped early (a `break`, return()): the core still says how it ended (aborted, with
      // estimated usage) so that result() and error() tell the truth.
      if (!ws.done()) ws.cancel(now());
      // Kept as text, parsed when result() is first asked for: a plain for-await loop never
      // asks, and for a long answer the parse was ~5% of the whole stream's time.
      state.resultJson = resultJsonOf(core, ws);
      state.error = JSON.parse(ws.errorJson());
      state.attempts = ws.attempts();
    } finally {
      state.ws = null;
      handle = 0;
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
      if (state.ws) return JSON.parse(resultJsonOf(core, state.ws));
      if (state.resultJson !== null) {
        state.result = JSON.parse(state.resultJson);
        state.resultJson = null;
      }
      return state.result;
    },
    error() {
      return state.ws ? JSON.parse(state.ws.errorJson()) : state.error;
    },
    get attempts() {
      return state.ws ? state.ws.attempts() : state.attempts;
    },
    get responseAtMs() {
      return state.responseAtMs;
    },
    get bytesRead() {
      return state.bytesRead;
    },
  };
}

/**
 * ws.resultJson(), decoded here with one TextDecoder.decode: embind's string return first scans
 * the bytes one by one in JS (~4 MB for a 1M-token answer). The module ships with this driver
 * (load.js checks its protocol), so packResultJson is always there.
 * @param {import('./load.js').CoreModule} core @param {any} ws the WasmSession
 * @returns {string}
 */
function resultJsonOf(core, ws) {
  const len = ws.packResultJson();
  const ptr = ws.resultJsonPtr() >>> 0;
  return len > 0 ? decoder.decode(core.HEAPU8.subarray(ptr, ptr + len)) : '';
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
  const u8 = core.HEAPU8;
  // Decoded when a record first needs it: a read whose tokens are all in the cache (most reads
  // of a long answer) is never decoded.
  /** @type {string | null} */
  let text = textBytes > 0 ? null : '';
  const side = sideCount > 0 ? JSON.parse(ws.sideJson()) : null;
  const chunks = new Array(count);
  for (let i = 0, r = records; i < count; i++, r += RECORD_INTS) {
    if (h32[r + F_KIND] === K.TEXT) {
      // The common kind (one per token), here rather than in toChunk: that call is too large
      // for V8 to inline, and this loop runs once per token.
      const a = h32[r + F_TEXT];
      const n = h32[r + F_TEXT_LEN];
      const extra = h32[r + F_EXTRA];
      const slot = extra & TOKEN_CACHE_MASK;
      let s = tokenCache[slot];
      let hit = s !== undefined && s.length === n;
      if (hit) {
        // extra < 0: the region is ASCII up to here, so `a` is a byte offset as well
        if (extra < 0) hit = sameBytes(s, u8, textPtr + a);
        else hit = sameChars(s, (text ??= decodeText(u8, textPtr, textBytes)), a);
      }
      if (!hit) {
        text ??= decodeText(u8, textPtr, textBytes);
        s = text.slice(a, a + n);
        if (n <= TOKEN_CACHE_MAX_LENGTH) tokenCache[slot] = s;
      }
      chunks[i] = { type: 'text', text: s, index: h32[r + F_CHOICE], block: h32[r + F_BLOCK] };
    } else {
      text ??= decodeText(u8, textPtr, textBytes);
      chunks[i] = toChunk(h32, r, text, side);
    }
  }
  return chunks;
}

/** The call's text region as a string. */
function decodeText(u8, textPtr, textBytes) {
  return decoder.decode(u8.subarray(textPtr, textPtr + textBytes));
}

/** The string s equals text.slice(a, a + s.length); a char loop, no call out of optimized code. */
function sameChars(s, text, a) {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) !== text.charCodeAt(a + j)) return false;
  return true;
}

/** The string s equals the ASCII bytes u8[p, p + s.length) (a non-ASCII char never matches). */
function sameBytes(s, u8, p) {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) !== u8[p + j]) return false;
  return true;
}

/**
 * One packed record as a chunk.
 * @param {Int32Array} h32 @param {number} r first int of the record @param {string} text
 * @param {any[] | null} side
 * @returns {Chunk}
 */
function toChunk(h32, r, text, side) {
  const kind = h32[r + F_KIND];
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
