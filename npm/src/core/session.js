// openSession(): one streamed completion over the wasm core (a WasmSession: the core's Session
// behind the boundary), driven with fetch and one timer. The core decides everything (retries,
// timeouts, error classification, estimated usage); this file carries its actions out
// (SessionAction: send, wait, abort the transfer, done), reports the I/O back, and hands the
// Decoder's chunks on, one array per wasm call.
//
// Per network read: one HEAPU8.set of the bytes, ONE call into wasm (_llmstream_on_body), and
// the decoder's one pass. No timer is set or cleared and no Promise.race is built per read: the
// I/O callbacks, the one timer and cancel() settle the iterator's wait directly (wait()).

import { Header, SessionAction } from '../../dist/core/abi.js';
import { shapeCompletion } from '../complete.js';
import { scrub } from '../errors.js';
import { Attempt, IO_ERROR, IO_NONE, IO_READ, IO_RESPONSE } from './attempt.js';
import { Decoder, decodeUtf8, parseMessageJson, parseResultJson } from './decoder.js';
import { describeFailure } from './failure.js';

const SEND = SessionAction.SEND;
const ABORT_TRANSFER = SessionAction.ABORT_TRANSFER;
const DONE = SessionAction.DONE;
const H_WAKE_AT = Header.WAKE_AT_MS_F64;

// What ended a wait
const W_IO = 1; // the attempt's I/O settled: attempt.ready / attempt.readyValue
const W_TIMER = 2;
const W_INTERRUPT = 3;


// Smallest input buffer asked of the core; reads larger than it grow it once.
const MIN_INPUT_BYTES = 64 * 1024;

let live = 0;
/** WasmSessions created and not yet deleted (tests check that none leak). */
export function liveSessions() {
  return live;
}

/** Frees WasmSessions whose owners were dropped without finishing or cancelling: a backstop. */
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((/** @type {{ws: any}} */ held) => {
        const ws = held.ws;
        held.ws = null;
        if (ws) deleteWasmSession(ws);
      })
    : null;

function deleteWasmSession(ws) {
  try {
    ws.delete();
    live--;
  } catch {
    // already deleted
  }
}

export class CoreSession {
  /**
   * @param {any} core from loadCore()
   * @param {Record<string, unknown>} options the WasmSession's options (README.md, "Options")
   * @param {{fetch?: typeof globalThis.fetch, signal?: AbortSignal, now?: () => number,
   *   raw?: boolean | 'only', secrets?: string[], jsonOutput?: boolean}} [io] jsonOutput: an
   *   error's `partial` carries the parsed answer (`object`)
   */
  constructor(core, options, io = {}) {
    const fetchImpl = io.fetch ?? globalThis.fetch?.bind(globalThis);
    if (typeof fetchImpl !== 'function') throw new TypeError('llmstream: no fetch implementation');
    this.core = core;
    this.fetch = fetchImpl;
    this.signal = io.signal;
    this.now = io.now ?? (() => performance.now());
    this.secrets = io.secrets ?? [];
    const settings = { ...options };
    // Absolute times in headers (Retry-After dates, rate-limit resets) need the wall clock.
    if (settings.unixMsAtZero === undefined) settings.unixMsAtZero = Math.round(Date.now() - this.now());
    /** @type {any} the WasmSession, null once deleted */
    this.ws = new core.WasmSession(JSON.stringify(settings));
    live++;
    this.statePtr = this.ws.statePtr();
    // For the per-read exports (core._llmstream_poll / _on_body): 0 once ws is deleted.
    this.handle = this.ws.handle();
    // An error's `partial`: the completion so far, as the public API shows it.
    this.decoder = new Decoder(core, {
      raw: io.raw,
      secrets: io.secrets,
      partial: () => shapeCompletion(this.result(), { jsonOutput: io.jsonOutput }),
    });
    /** @type {Attempt | null} */
    this.attempt = null;
    this.inputPtr = 0;
    this.inputCapacity = 0;
    this.started = false;
    this.finished = false;
    this.cancelRequested = false;
    this.cancelDelivered = false;
    /** @type {any[] | null} cancel() before the first read: its chunks, for a later iteration */
    this.pendingChunks = null;
    this.finalResult = null;
    this.finalError = null;
    this.finalAttempts = 0;
    /** @type {number | null} when the last attempt's response headers arrived (this.now) */
    this.responseAtMs = null;
    this.bytesRead = 0; // body bytes of every attempt
    // The iterator's wait (at most one at a time), settled by the attempt's I/O, the timer or an
    // interrupt, whichever comes first.
    /** @type {((why: number) => void) | null} */
    this.waiter = null;
    this.interruptPending = false; // an interrupt while nobody waited: ends the next wait at once
    // One timer for the core's wake-up time, re-armed lazily: the idle deadline moves with every
    // read, so arming it per read would cost a setTimeout + clearTimeout each time. It stays
    // armed for an earlier deadline; when it fires, onTimer sleeps on to the current one. It is
    // ref()'d only during a wait (between waits it must not keep Node alive).
    /** @type {any} */
    this.timer = undefined;
    this.timerAt = 0;
    this.held = { ws: this.ws };
    registry?.register(this, this.held, this);
    this.onAbort = () => this.requestCancel();
    if (this.signal) {
      if (this.signal.aborted) this.cancelRequested = true;
      else this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    this.generator = this.run();
  }

  /** The stream's error (an LLMStreamError) once its error chunk was decoded, else null. */
  get failure() {
    return this.decoder.failure;
  }

  get attempts() {
    return this.ws ? this.ws.attempts() : this.finalAttempts;
  }

  /** The assembled completion so far (the parsed result JSON). */
  result() {
    if (this.ws) return this.scrubbed(this.packedResult());
    return this.finalResult;
  }

  /** A result whose error message is masked as thrown errors are (a server echoing a secret). */
  scrubbed(result) {
    if (typeof result?.error?.message === 'string') result.error.message = scrub(result.error.message, this.secrets);
    return result;
  }

  /** The final error object of the core ({code, message, ...}), or null. */
  error() {
    return this.ws ? JSON.parse(this.ws.errorJson()) : this.finalError;
  }

  /**
   * Stops the stream: aborts the request; the iterator yields the estimated usage and the
   * `aborted` error, then ends.
   */
  cancel() {
    if (this.finished) return;
    if (!this.started && !this.cancelDelivered) {
      // Not iterated yet: cancel now, keep the chunks for a later iteration, free the session.
      this.cancelRequested = true;
      this.cancelDelivered = true;
      this.pendingChunks = this.ws.cancel(this.now()) > 0 ? this.decode() : null;
      this.finish();
      return;
    }
    this.requestCancel();
  }

  [Symbol.asyncIterator]() {
    const generator = this.generator;
    const finish = () => this.finish();
    return {
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
  }

  // ---- the loop --------------------------------------------------------------------------

  async *run() {
    this.started = true;
    const core = this.core;
    try {
      if (this.pendingChunks) {
        const chunks = this.pendingChunks;
        this.pendingChunks = null;
        yield chunks;
      }
      while (!this.finished) {
        if (this.cancelRequested && !this.cancelDelivered) {
          this.cancelDelivered = true;
          this.attempt?.abort();
          const chunks = this.ws.cancel(this.now()) > 0 ? this.decode() : null;
          if (chunks) yield chunks;
          continue;
        }
        const action = core._llmstream_poll(this.handle, this.now());
        const chunks = this.decode();
        if (chunks) yield chunks;
        if (action === SEND) {
          if (this.cancelRequested) continue; // cancelled while the chunks were consumed
          this.attempt = new Attempt((attempt) => attempt === this.attempt && this.settleWait(W_IO));
          this.attempt.start(this.fetch, JSON.parse(this.ws.httpRequestJson()));
          continue;
        }
        if (action === ABORT_TRANSFER) {
          this.attempt?.abort();
          continue;
        }
        if (action === DONE) {
          this.finish();
          break;
        }
        // WAIT
        let why = this.wait();
        if (typeof why !== 'number') {
          why = await why;
          this.timer?.unref?.();
        }
        const attempt = this.attempt;
        if (why !== W_IO) continue; // the timer or an interrupt: poll again
        if (this.cancelRequested) continue; // the failure of our own abort: cancel says why
        if (!attempt || attempt.aborted || attempt.ready === IO_NONE) continue; // aborted meanwhile
        const out = this.report(attempt) > 0 ? this.decode() : null;
        if (out) yield out;
      }
    } finally {
      this.finish();
    }
  }

  decode() {
    return this.decoder.decode(this.ws, this.statePtr);
  }

  wakeAt() {
    return this.core.HEAPF64[(this.statePtr >> 3) + H_WAKE_AT];
  }

  /**
   * What ended the wait for the attempt's I/O, the core's wake-up time, or an interrupt (cancel
   * / abort), in this order when several are there: W_* synchronously when one already happened
   * (the common case: the next read was started before this one was decoded and consumed), else
   * a promise of it.
   * @returns {number | Promise<number>}
   */
  wait() {
    const wakeAt = this.wakeAt();
    const attempt = this.attempt;
    const io = attempt !== null && attempt.pending();
    if (wakeAt < 0 && !io) {
      // The core waits for I/O, but none is outstanding: a driver bug; never hang on it.
      throw new Error('llmstream driver: the core waits for I/O but none is outstanding');
    }
    if (this.interruptPending) {
      this.interruptPending = false;
      return W_INTERRUPT;
    }
    if (io && attempt.ready !== IO_NONE) return W_IO;
    if (wakeAt >= 0) {
      this.armTimer(wakeAt);
      this.timer.ref?.(); // keeps Node alive during the wait (browsers: a number, no ref)
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  settleWait(why) {
    const resolve = this.waiter;
    this.waiter = null;
    if (resolve) resolve(why);
  }

  wake() {
    if (this.waiter) this.settleWait(W_INTERRUPT);
    else this.interruptPending = true;
  }

  armTimer(wakeAt) {
    if (this.timer !== undefined) {
      if (this.timerAt <= wakeAt) return; // fires first: onTimer moves on to wakeAt
      clearTimeout(this.timer);
    }
    this.timerAt = wakeAt;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.ceil(wakeAt - this.now())));
  }

  onTimer() {
    this.timer = undefined;
    // Nobody waits: the next wait arms it again for the core's wake-up time then.
    if (!this.waiter || !this.ws) return;
    const wakeAt = this.wakeAt();
    if (wakeAt > this.timerAt) {
      this.armTimer(wakeAt); // the deadline moved on since (reads came in): not due yet
      this.timer?.ref?.();
      return;
    }
    this.settleWait(W_TIMER);
  }

  requestCancel() {
    if (this.finished || this.cancelRequested) return;
    this.cancelRequested = true;
    // Abort at once, whatever the consumer is doing: the server sees the disconnect now.
    this.attempt?.abort();
    this.wake();
  }

  /**
   * Reports the attempt's settled I/O to the core. Returns the number of events it packed.
   * @param {Attempt} attempt
   */
  report(attempt) {
    const ws = this.ws;
    const kind = attempt.ready;
    const value = attempt.readyValue;
    attempt.ready = IO_NONE;
    attempt.readyValue = undefined;
    switch (kind) {
      case IO_RESPONSE: {
        const res = /** @type {Response} */ (value);
        const at = this.now();
        this.responseAtMs = at;
        const n = ws.onResponse(res.status, JSON.stringify(Array.from(res.headers)), at);
        attempt.startReading(res);
        return n;
      }
      case IO_READ: {
        if (value.done) return ws.onEnd(this.now());
        const bytes = /** @type {Uint8Array} */ (value.value);
        const len = bytes.byteLength;
        this.bytesRead += len;
        if (len > this.inputCapacity) {
          this.inputCapacity = Math.max(len, MIN_INPUT_BYTES);
          this.inputPtr = ws.inputBuffer(this.inputCapacity);
        }
        this.core.HEAPU8.set(bytes, this.inputPtr);
        attempt.readNext(); // the next read runs while these bytes are decoded and consumed
        return this.core._llmstream_on_body(this.handle, len, this.now());
      }
      case IO_ERROR: {
        const { code, message, platformCode } = describeFailure(value);
        return ws.onTransportError(code, message, platformCode, this.now());
      }
      default:
        return 0;
    }
  }

  /** Ends the session: aborts any transfer, keeps the result, frees the WasmSession. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    this.attempt?.abort();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
    const ws = this.ws;
    if (!ws) return;
    try {
      // Stopped early (a `break`, return()): the core still says how it ended (aborted, with
      // estimated usage) so that result() and error() tell the truth.
      if (!ws.done()) ws.cancel(this.now());
      // Decoded now, while the core holds the long strings it refers to (the JSON itself is
      // small: long strings are not copied into it).
      this.finalResult = this.scrubbed(this.packedResult());
      this.finalError = JSON.parse(ws.errorJson());
      this.finalAttempts = ws.attempts();
    } finally {
      this.ws = null;
      this.handle = 0;
      this.held.ws = null;
      registry?.unregister(this);
      deleteWasmSession(ws);
      this.wake();
    }
  }

  /**
   * The assembled completion: the result JSON, decoded here with one TextDecoder.decode (embind's
   * string return scans the bytes one by one in JS first), its long strings decoded from where
   * the core holds them.
   */
  packedResult() {
    const len = this.ws.packResultJson();
    const ptr = this.ws.resultJsonPtr() >>> 0;
    const u8 = this.core.HEAPU8;
    const result = len > 0 ? parseResultJson(u8, decodeUtf8(u8, ptr, len), this.decoder.farArguments) : null;
    // The assistant turn for the next request, built by the core (AssistantMessage): JS never
    // maps blocks to parts itself.
    if (result) result.message = this.packedMessage();
    return result;
  }

  /** The completion so far as the assistant turn of a conversation (Message, index.d.ts). */
  packedMessage() {
    const len = this.ws.packMessageJson();
    if (len === 0) return null; // the core module builds none (streams with `messages` use the full one)
    const u8 = this.core.HEAPU8;
    return parseMessageJson(u8, decodeUtf8(u8, this.ws.resultJsonPtr() >>> 0, len));
  }
}


/**
 * Opens one streamed completion over the core. Nothing is sent until the iterator is read.
 * @param {any} core from loadCore()
 * @param {Record<string, unknown>} options the session options (README.md, "Options")
 * @param {ConstructorParameters<typeof CoreSession>[2]} [io]
 * @returns {CoreSession} async iterable of chunk arrays (one per wasm call), with cancel(),
 *   result(), error(), failure, attempts, responseAtMs, bytesRead
 */
export function openSession(core, options, io) {
  return new CoreSession(core, options, io);
}
