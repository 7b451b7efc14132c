// ChunkStream: what `streamCompletion()` returns. An async iterable of chunks (the driver's
// one-array-per-network-read flattened), pull-based (the next network read happens when the
// consumer asks for a chunk it does not have yet), single-consumer (`tee()` to share), with
// `complete()`, `cancel()`, `toReadableStream()`, `tee()` and accessors for what is known so far
// (`result`, `usage`, `cost`, `error`, `metrics()`).
//
// Ending: after the last chunk the iterator is done; when the stream failed, the `{type:'error'}`
// chunk is yielded and the *next* pull throws that error (so `if (chunk.error) { ...; return; }`
// never sees a throw, and a plain for-await loop does). `break` / `return()` / `cancel()` cancel the
// request (once no tee branch still reads) and end the iteration quietly; an AbortSignal that
// fires makes it throw an AbortError instead, as fetch does.

import { shapeCompletion } from './complete.js';
import { ErrorCode, LLMStreamError, toLLMStreamError } from './errors.js';
import { isOutputChunk, MetricsTracker } from './metrics.js';
import { RELAY_SSE_HEADERS, RelayEncoder } from './relay/encode.js';
import { iteratorToReadableStream } from './streams.js';

const DONE = Object.freeze({ value: undefined, done: true });
const PUSH = Symbol('push');
/**
 * The completion as the session holds it, before the public conveniences (shapeCompletion): what
 * a relay sends as `done`'s `completion` (docs/relay-protocol.md), so that its client shapes it
 * as a direct stream does. Package-internal.
 */
export const RAW_RESULT = Symbol('rawResult');
/** The chunks in the batches they arrive in (see ChunkStream#[NEXT_BATCH]). Package-internal. */
export const NEXT_BATCH = Symbol('nextBatch');
const DETACH = Symbol('detach');
const isCoreError = (e) =>
  e instanceof LLMStreamError || (e !== null && typeof e === 'object' && typeof e.code === 'string' &&
    Object.values(ErrorCode).includes(e.code));
const defaultNow = () => globalThis.performance?.now?.() ?? Date.now();

/**
 * The driver session behind one stream, opened lazily on the first pull. `open()` resolves to a
 * driver session ({[Symbol.asyncIterator], cancel(), result(), error(), attempts}).
 */
class Source {
  constructor({ open, rawMode = false, secrets = [], now = defaultNow, metricsIntervalMs, jsonOutput = false, model }) {
    this.open = open;
    this.model = model; // the model asked for (a relay's start event names it)
    this.jsonOutput = jsonOutput; // the answer is JSON: the completion carries `object`
    // Live metrics chunks (opt-in): at most every metricsIntervalMs while output arrives, and a
    // final one before the done / error chunk.
    this.metricsIntervalMs = rawMode === 'only' ? undefined : metricsIntervalMs;
    this.lastMetricsMs = null;
    this.rawMode = rawMode;
    this.secrets = secrets;
    this.session = null;
    this.iter = null;
    this.finished = false;
    this.failure = null; // the LLMStreamError the stream ended with
    this.cancelledByUser = false;
    this.cancelled = null; // the promise of a user cancel
    this.metrics = new MetricsTracker(now, () => {
      const session = this.session;
      return session ? { responseAtMs: session.responseAtMs ?? null, bytesRead: session.bytesRead ?? 0 } : null;
    });
    this.finalResult = undefined;
  }

  result() {
    if (this.finalResult !== undefined) return this.finalResult;
    let raw = null;
    try {
      raw = this.session?.result?.() ?? null;
    } catch {
      raw = null;
    }
    const shaped = shapeCompletion(raw, { jsonOutput: this.jsonOutput });
    if (this.finished && this.session) this.finalResult = shaped;
    return shaped;
  }

  /** The next batch of public chunks (possibly empty), or null once finished. Never throws. */
  async pull() {
    if (this.finished) return null;
    if (!this.iter) {
      if (this.cancelledByUser) return this.finish();
      try {
        this.session = await this.open();
      } catch (thrown) {
        // Options the driver refused come as our error objects; anything else (the core could
        // not load, a bug) is passed on as it is.
        return this.fail(isCoreError(thrown) ? toLLMStreamError(thrown, { secrets: this.secrets }) : thrown);
      }
      if (this.cancelledByUser) {
        this.cancelled = this.cancelSession();
        return this.finish();
      }
      this.metrics.start();
      this.iter = this.session[Symbol.asyncIterator]();
    }
    try {
      const step = await this.iter.next();
      if (step.done) return this.finish();
      const chunks = step.value ?? [];
      this.metrics.batch(chunks);
      const error = this.session.failure ?? null;
      if (error && !this.failure) this.failure = error;
      return this.metricsIntervalMs === undefined ? chunks : this.withMetrics(chunks);
    } catch (thrown) {
      // The driver threw (a transport failure it did not report as a chunk).
      return this.fail(toLLMStreamError(thrown, { partial: this.result(), secrets: this.secrets }));
    }
  }

  fail(error) {
    this.failure ??= error;
    this.finish();
    if (this.rawMode === 'only') return [];
    const chunks = [{ type: 'error', error }];
    return this.metricsIntervalMs === undefined ? chunks : this.withMetrics(chunks);
  }

  /** Adds the live metrics chunks to a batch (metricsIntervalMs set). */
  withMetrics(chunks) {
    const terminal = chunks.findIndex((c) => c.type === 'done' || c.type === 'error');
    if (terminal >= 0) {
      // The final snapshot: the stream ends with this batch.
      this.metrics.end();
      const out = chunks.slice();
      out.splice(terminal, 0, { type: 'metrics', metrics: this.metrics.summary() });
      return out;
    }
    if (!chunks.some(isOutputChunk)) return chunks;
    if (this.lastMetricsMs !== null && this.metrics.now() - this.lastMetricsMs < this.metricsIntervalMs) {
      return chunks;
    }
    const metrics = this.metrics.summary();
    // The interval counts from the moment this snapshot describes.
    this.lastMetricsMs = (this.metrics.startMs ?? 0) + metrics.totalTime;
    return [...chunks, { type: 'metrics', metrics }];
  }

  finish() {
    if (this.finished) return null;
    this.finished = true;
    this.metrics.end();
    // A failure the driver reported without an error chunk (defensive).
    let reported = null;
    try {
      reported = this.session?.error?.() ?? null;
    } catch {
      reported = null;
    }
    if (reported && reported.code && reported.code !== 'none' && !this.failure && !this.cancelledByUser) {
      const error = toLLMStreamError(reported, { partial: this.result(), secrets: this.secrets });
      this.failure = error;
      return this.rawMode === 'only' ? [] : [{ type: 'error', error }];
    }
    return null;
  }

  /** Cancels the driver session; resolves once it ended (its result then holds the estimate). */
  async cancelSession() {
    try {
      this.session?.cancel?.();
    } catch {
      // already ended
    }
    try {
      await this.iter?.return?.();
    } catch {
      // ended with an error: nothing more to free
    }
    this.finish();
  }

  /** The user stopped (cancel(), break): end quietly. Resolves once the request is cancelled. */
  cancel() {
    if (this.finished || this.cancelledByUser) return this.cancelled ?? Promise.resolve();
    this.cancelledByUser = true;
    if (!this.session) {
      this.finish();
      this.cancelled = Promise.resolve();
    } else {
      this.cancelled = this.cancelSession();
    }
    return this.cancelled;
  }
}

/** Shares one Source between the tee branches: every pulled batch goes to every branch. */
class Hub {
  constructor(source) {
    this.source = source;
    this.branches = new Set();
    this.pulling = null;
  }

  pull() {
    this.pulling ??= this.source.pull().then((chunks) => {
      this.pulling = null;
      if (chunks && chunks.length) for (const branch of this.branches) branch[PUSH](chunks);
    });
    return this.pulling;
  }

  /** Resolves once the request is cancelled when this was the last branch reading. */
  detach(branch, cancel) {
    if (!this.branches.delete(branch)) return Promise.resolve();
    if (cancel && this.branches.size === 0) return this.source.cancel();
    return Promise.resolve();
  }
}

export class ChunkStream {
  #hub;
  #queue;
  #index = 0;
  #consumed = false;
  #attached = true;
  #thrown = false;
  #teed = false;

  /** @internal Use `APILoader#streamCompletion()`. */
  constructor(hub, queue = []) {
    if (!(hub instanceof Hub)) throw new TypeError('ChunkStream is created by streamCompletion()');
    this.#hub = hub;
    this.#queue = queue;
    hub.branches.add(this);
  }

  [PUSH](chunks) {
    if (this.#index >= this.#queue.length) {
      this.#queue = chunks;
      this.#index = 0;
    } else {
      this.#queue = this.#queue.slice(this.#index).concat(chunks);
      this.#index = 0;
    }
  }

  [DETACH](cancel) {
    if (!this.#attached) return Promise.resolve();
    this.#attached = false;
    this.#queue = [];
    this.#index = 0;
    return this.#hub.detach(this, cancel);
  }

  [Symbol.asyncIterator]() {
    if (this.#consumed) {
      throw new TypeError('Cannot iterate over a consumed stream, use `.tee()` to share it');
    }
    this.#consumed = true;
    return this;
  }

  /** AsyncIterator protocol (for-await calls it). */
  async next() {
    if (this.#index >= this.#queue.length && !(await this.#fill())) return DONE;
    return { value: this.#queue[this.#index++], done: false };
  }

  /**
   * @internal The chunks queued now, all of them (at least one: one network read's worth,
   * usually), or null once the stream ended; throws the failure as next() does. A relay
   * appends a read's events at once, so its readers wake once per read, not per chunk.
   */
  async [NEXT_BATCH]() {
    this.#consumed = true;
    if (this.#index >= this.#queue.length && !(await this.#fill())) return null;
    const batch = this.#index === 0 ? this.#queue : this.#queue.slice(this.#index);
    this.#queue = [];
    this.#index = 0;
    return batch;
  }

  /** Waits until a chunk is queued (true) or the stream ended (false; the failure is thrown once). */
  async #fill() {
    for (;;) {
      if (this.#index < this.#queue.length) return true;
      const source = this.#hub.source;
      if (!this.#attached) return false;
      if (source.finished) {
        this.#queue = [];
        this.#index = 0;
        this.#attached = false;
        this.#hub.detach(this, false);
        if (source.failure && !source.cancelledByUser && !this.#thrown) {
          this.#thrown = true;
          throw source.failure;
        }
        return false;
      }
      await this.#hub.pull();
    }
  }

  /** Ends the iteration early (`break`): cancels the request unless a tee branch still reads. */
  async return(value) {
    this.#consumed = true;
    await this[DETACH](true);
    return { value, done: true };
  }

  async throw(error) {
    this.#consumed = true;
    await this[DETACH](true);
    throw error;
  }

  /**
   * Stops the stream: the HTTP request is cancelled (once every tee branch stopped), the
   * iteration ends without an error, and `result` / `usage` keep the partial answer (usage
   * estimated when the provider had not reported it yet) once the returned promise resolves.
   */
  cancel() {
    this.#consumed = true;
    return this[DETACH](true);
  }

  /**
   * Reads the stream to its end and resolves to the assembled completion; rejects with the
   * stream's error (whose `partial` holds what arrived). On a stream that was already read to
   * its end or cancelled, resolves to / rejects with its outcome.
   */
  async complete() {
    if (this.#teed) throw new TypeError('This stream was tee()d: call complete() on a branch');
    if (!this.#consumed) {
      this.#consumed = true;
      while (!(await this.next()).done) {
        // drain
      }
    } else if (this.#attached && !this.#hub.source.finished) {
      throw new TypeError('complete() on a stream that is being iterated: read it to its end first');
    }
    const source = this.#hub.source;
    if (source.failure && !source.cancelledByUser) throw source.failure;
    return source.result();
  }

  /** A WHATWG ReadableStream of the chunks (pull-based; cancelling it cancels the request). */
  toReadableStream() {
    return iteratorToReadableStream(this[Symbol.asyncIterator]());
  }

  /**
   * This stream as a relay response (docs/relay-protocol.md): `text/event-stream`, one event per
   * chunk, `done` with the completion, for a fetch-style server that relays one stream as it is
   * (no policy, no resume: createRelay has those). Reading the response reads this stream;
   * cancelling it (the client went away) cancels the request.
   * @param {{headers?: Record<string, string>}} [init] extra response headers
   */
  toSSEResponse({ headers = {} } = {}) {
    const iterator = this[Symbol.asyncIterator]();
    const bytes = new TextEncoder();
    const bytes32 = globalThis.crypto?.getRandomValues?.(new Uint32Array(2)) ??
      Uint32Array.of(Math.random() * 2 ** 32, Math.random() * 2 ** 32);
    const stream = `r_${Array.from(bytes32, (n) => n.toString(16).padStart(8, '0')).join('')}`;
    const encoder = new RelayEncoder({ stream, model: this.#hub.source.model ?? '' });
    let started = false;
    const body = new ReadableStream({
      pull: async (controller) => {
        if (!started) {
          started = true;
          controller.enqueue(bytes.encode(encoder.start()));
          return;
        }
        for (;;) {
          let step;
          try {
            step = await iterator.next();
          } catch {
            step = { done: true }; // the failure: its error chunk was sent before
          }
          if (step.done || encoder.ended) {
            controller.close();
            return;
          }
          const chunk = step.value;
          const terminal = chunk.type === 'done' || chunk.type === 'error';
          const text = encoder.encode(chunk, terminal ? { completion: this[RAW_RESULT]() } : undefined);
          if (text) {
            controller.enqueue(bytes.encode(text));
            return;
          }
        }
      },
      cancel: () => iterator.return(),
    }, { highWaterMark: 0 });
    return new Response(body, {
      status: 200,
      headers: { ...RELAY_SSE_HEADERS, ...headers },
    });
  }

  /**
   * Two independent streams that each see every chunk (a slow one buffers what it has not read
   * yet). The request is cancelled only when both are cancelled. This stream is consumed by it.
   */
  tee() {
    if (this.#consumed) throw new TypeError('Cannot tee a stream that is being consumed');
    this.#consumed = true;
    this.#teed = true;
    const rest = this.#queue.slice(this.#index);
    const branches = [new ChunkStream(this.#hub, rest), new ChunkStream(this.#hub, rest.slice())];
    this[DETACH](false);
    return branches;
  }

  /** @internal */
  [RAW_RESULT]() {
    try {
      return this.#hub.source.session?.result?.() ?? null;
    } catch {
      return null;
    }
  }

  /** The completion assembled so far (partial while streaming or after a failure); null before the request started. */
  get result() {
    return this.#hub.source.result();
  }

  /** The latest usage (reported, or estimated after a cancel / failure), else null. */
  get usage() {
    return this.result?.usage ?? null;
  }

  /** The cost of that usage in dollars (0 while unknown or when the model has no price). */
  get cost() {
    return this.result?.cost ?? 0;
  }

  /** The error the stream failed with (null while running, after success or after cancel()). */
  get error() {
    const source = this.#hub.source;
    return source.cancelledByUser ? null : source.failure;
  }

  /** True once the stream ended (done, failed or cancelled). */
  get finished() {
    return this.#hub.source.finished;
  }

  /** HTTP requests sent so far (1 + retries + continuations). */
  get attempts() {
    const attempts = this.#hub.source.session?.attempts;
    return typeof attempts === 'function' ? attempts.call(this.#hub.source.session) : attempts ?? 0;
  }

  /** Timing metrics (the seed guide's benchmark keys and more); a live snapshot while running. */
  metrics() {
    return this.#hub.source.metrics.summary();
  }
}

/** A ChunkStream over a lazily opened driver session. */
export function createChunkStream(options) {
  return new ChunkStream(new Hub(new Source(options)));
}

