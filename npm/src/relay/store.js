// The relay's resume store (docs/relay-protocol.md, "Resuming"): each stream's recent events,
// kept so that a client that lost its connection continues exactly after its Last-Event-ID,
// without a second upstream request. The process that holds the upstream `open`s the stream,
// `append`s every encoded event (ids 0, 1, 2, ... as RelayEncoder numbers them) and `end`s it
// after the terminal one; every response, the first one included, is a `read` of the stored
// events after an id followed by the live ones. A stream is dropped `resumeWindowMs` after it
// ended or after its last reader left, whichever is later, unless a reader came back.
//
// The interface is deliberately narrow (an append-only list per stream, a wake-up when it grows,
// a deadline) so that a Redis store, which lets several relay processes resume each other's
// streams, fits it without a second design. How each call maps onto Redis (RedisStore in
// ./redis-store.js; ./redis-scripts.js has the exact scripts):
//   open   the hash relay:{id}:meta {window, cap, first: 0, bytes: 0, ended: 0}, created only if
//          absent (HSETNX, or in the Lua script), then PEXPIRE window (nobody reads yet).
//   append RPUSH relay:{id}:events bytes; HINCRBY meta bytes; when past the cap LPOP the oldest
//          and HINCRBY meta first (a Lua script keeps the three atomic); PUBLISH relay:{id} id.
//   end    HSET meta ended 1; PUBLISH relay:{id} end.
//   read   SUBSCRIBE relay:{id} first (so nothing published in between is missed), then HGETALL
//          meta (missing: unknown or expired; afterId + 1 < first: trimmed) and LRANGE from
//          afterId + 1 - first; then the live tail by LRANGE from the next id on each message,
//          skipping ids already sent, so a message that overtook the LRANGE is no duplicate (a
//          reader waiting for exactly the published id takes its bytes from the message).
//   expiry Redis TTLs instead of timers: while a reader holds the stream, a lease it renews (a
//          sorted set of reader leases, since a process may die holding it) keeps the TTL past
//          the lease's end; PEXPIRE window when the last lease goes and on end. The clock and
//          scheduler injected here stand for that TTL.
// That is why every call is async, ids are explicit (the list index is not enough once the head
// is trimmed) and the events are opaque bytes (a store never parses an event).

import { ErrorCode, InvalidRequestError, LLMStreamError } from '../errors.js';
import { utf8Length } from './sse.js';

/** What the protocol says (30 s after the last client left). */
export const DEFAULT_RESUME_WINDOW_MS = 30_000;
/** Per stream: past it the oldest events go. A long stream of text stays far below it. */
export const DEFAULT_MAX_STREAM_BYTES = 8 * 1024 * 1024;
/**
 * Streams held at once. With the byte cap this bounds the memory a store may take, but the two
 * defaults multiply to far more than one process has: a relay sets them to its own load (event
 * bytes are what is counted, not the objects around them).
 */
export const DEFAULT_MAX_STREAMS = 10_000;

/**
 * The terminal event of a stream the relay lost (docs/relay-protocol.md, "The stream"): a
 * retryable `server` error with the given id, as the relay encodes it. The relay appends it when
 * its store fails mid-stream; a store that lets another process hold a stream's upstream
 * (RedisStore) ends the stream with it when that holder is gone (its lease ran out), so readers
 * never wait for events that will not come. The same bytes in both cases, whoever writes them.
 * @param {number} id the stream's next id
 * @returns {string}
 */
export function lostStreamEvent(id) {
  return `id: ${id}\nevent: error\ndata: ${LOST_DATA}\n\n`;
}

const LOST_DATA = JSON.stringify({
  error: { code: ErrorCode.SERVER, message: 'the relay lost this stream (its store failed, or the relay process holding it stopped)', retryable: true },
});

/**
 * A resume the store cannot serve: the stream is unknown, expired or dropped, or it no longer
 * holds (or never held) the events after the id asked. The relay answers 409 `invalid_request`
 * before any event; the client fails with it rather than ask the provider again. Thrown from a
 * reader's iteration too, when a slow reader fell behind the byte cap: never a gap.
 */
export class StreamUnavailableError extends InvalidRequestError {
  /**
   * @param {string} message
   * @param {{streamId: string, reason: 'unknown' | 'trimmed' | 'ahead' | 'bad_id' | 'dropped' | 'ended'}} details
   */
  constructor(message, { streamId, reason }) {
    super(message, { code: ErrorCode.INVALID_REQUEST, status: 409 });
    this.name = 'StreamUnavailableError';
    this.streamId = streamId;
    this.reason = reason;
  }
}

/**
 * The store's interface; MemoryStore implements it in one process, RedisStore
 * (./redis-store.js) across processes (see the top of this file).
 * @typedef {object} RelayStore
 * @property {(streamId: string, options?: OpenOptions) => Promise<void>} open
 * @property {(streamId: string, id: number, bytes: string | Uint8Array) => Promise<void>} append
 * @property {(streamId: string) => Promise<void>} end
 * @property {(streamId: string, afterId?: number | null) => Promise<AsyncIterableIterator<StoredEvent>>} read
 *   the reader may also have `nextNow(): StoredEvent | null` (an event already there, without
 *   waiting), which lets a response write what is stored in one go
 */

/**
 * @typedef {object} OpenOptions
 * @property {number} [resumeWindowMs] how long the stream is kept after it ended or its last reader left
 * @property {number} [maxBytes] this stream's byte cap (the store's by default)
 * @property {(streamId: string, reason: 'expired' | 'evicted') => void} [onDrop] called when the
 *   store drops the stream by itself; if its upstream still runs, the relay cancels it then
 *   ("Cancelling": a client that went away and did not come back in time). It runs inside a
 *   timer or a store call, so it must not throw.
 * @property {(streamId: string) => void} [onCancel] called when `cancel(streamId)` asks for the
 *   stream's upstream to stop (a DELETE, which may land on another relay process); must not throw
 */

/** @typedef {{id: number, bytes: string | Uint8Array}} StoredEvent */

/**
 * Timers: `schedule(fn, ms)` runs fn after ms and returns a function that cancels it.
 * @typedef {(fn: () => void, ms: number) => () => void} Schedule
 */

/** @type {Schedule} */
function realSchedule(fn, ms) {
  const timer = setTimeout(fn, ms);
  // A store's timers must not keep a process alive that has nothing else to do.
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  return () => clearTimeout(timer);
}

/** @param {string | Uint8Array} bytes */
function byteLength(bytes) {
  if (typeof bytes !== 'string') return bytes.byteLength;
  // Node's native count where there is one (a relay is a server); the JS loop elsewhere.
  return nodeByteLength ? nodeByteLength(bytes, 'utf8') : utf8Length(bytes);
}

const nodeByteLength = globalThis.Buffer?.byteLength;

/** One stream's state. */
class Entry {
  constructor(streamId, { resumeWindowMs, maxBytes, onDrop, onCancel }) {
    this.streamId = streamId;
    this.resumeWindowMs = resumeWindowMs;
    this.maxBytes = maxBytes;
    this.onDrop = onDrop;
    this.onCancel = onCancel;
    /** @type {StoredEvent[]} events[head] has id firstId, the last one id nextId - 1 */
    this.events = [];
    this.head = 0;
    this.firstId = 0;
    this.nextId = 0;
    this.bytes = 0;
    this.ended = false;
    this.dropped = false;
    this.readers = 0;
    /** When the stream is dropped if no reader comes (null while a reader holds it). */
    this.deadline = null;
    this.cancelTimer = null;
    /** Readers waiting for the next event or the end. */
    this.waiters = [];
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The resume store of one relay process: each stream's recent events in memory. Bounded by a
 * per-stream byte cap (the oldest events go first; a resume that needs them is refused, never
 * served with a gap) and a number of streams (at the cap, opening a stream evicts the idle one
 * closest to its deadline; if every stream has a reader, the open fails).
 * @implements {RelayStore}
 */
export class MemoryStore {
  /** @type {Map<string, Entry>} */
  #streams = new Map();

  /**
   * @param {object} [options]
   * @param {number} [options.resumeWindowMs] default for `open`
   * @param {number} [options.maxStreamBytes] default per-stream byte cap
   * @param {number} [options.maxStreams]
   * @param {() => number} [options.now] the clock (ms), Date.now by default; a stream past its
   *   deadline is gone even if its timer has not run yet
   * @param {Schedule | null} [options.schedule] the timers; null: none, the caller calls
   *   `sweep()` (a relay on a platform without long-lived timers, or a test)
   */
  constructor({
    resumeWindowMs = DEFAULT_RESUME_WINDOW_MS,
    maxStreamBytes = DEFAULT_MAX_STREAM_BYTES,
    maxStreams = DEFAULT_MAX_STREAMS,
    now = Date.now,
    schedule = realSchedule,
  } = {}) {
    this.resumeWindowMs = resumeWindowMs;
    this.maxStreamBytes = maxStreamBytes;
    this.maxStreams = maxStreams;
    this.now = now;
    this.schedule = schedule;
  }

  /** Streams held now. */
  get size() {
    return this.#streams.size;
  }

  /**
   * Starts holding a stream (before its event 0 is appended). Nobody reads it yet, so its resume
   * window runs from now until the first reader comes.
   * @param {string} streamId
   * @param {OpenOptions} [options]
   */
  async open(streamId, { resumeWindowMs = this.resumeWindowMs, maxBytes = this.maxStreamBytes, onDrop, onCancel } = {}) {
    // Ids are random (64 bits or more): a second open of one is the caller's bug, not chance.
    if (this.#streams.has(streamId)) throw new Error(`relay store: stream ${streamId} is already open`);
    if (this.#streams.size >= this.maxStreams) {
      this.sweep(); // the expired go first (a caller without timers may not have swept)
      if (this.#streams.size >= this.maxStreams) this.#evictOne();
    }
    const entry = new Entry(streamId, { resumeWindowMs, maxBytes, onDrop, onCancel });
    this.#streams.set(streamId, entry);
    this.#arm(entry);
  }

  /**
   * Stores the next event of a stream and hands it to the readers waiting for it.
   * @param {string} streamId
   * @param {number} id the event's id: the stream's next one (0, 1, 2, ...)
   * @param {string | Uint8Array} bytes the event as written on the wire (RelayEncoder's output)
   */
  async append(streamId, id, bytes) {
    const entry = this.#live(streamId);
    this.#put(entry, id, bytes);
    entry.wake();
  }

  /**
   * Stores the next events of a stream at once (ids firstId, firstId + 1, ...: what one network
   * read brought); readers wake once. Optional in the RelayStore interface: without it the relay
   * appends one by one.
   * @param {string} streamId
   * @param {number} firstId
   * @param {Array<string | Uint8Array>} list
   */
  async appendMany(streamId, firstId, list) {
    const entry = this.#live(streamId);
    for (let i = 0; i < list.length; i++) this.#put(entry, firstId + i, list[i]);
    entry.wake();
  }

  #put(entry, id, bytes) {
    const streamId = entry.streamId;
    // The protocol forbids gaps and duplicates; a store that took them would serve them.
    if (entry.ended) throw new Error(`relay store: stream ${streamId} has ended; event ${id} cannot follow`);
    if (id !== entry.nextId) throw new Error(`relay store: stream ${streamId} expects event ${entry.nextId}, not ${id}`);
    entry.events.push({ id, bytes });
    entry.nextId++;
    entry.bytes += byteLength(bytes);
    // Past the cap the oldest go, but never the newest: readers waiting for it must get it.
    while (entry.bytes > entry.maxBytes && entry.events.length - entry.head > 1) {
      entry.bytes -= byteLength(entry.events[entry.head].bytes);
      entry.events[entry.head] = undefined;
      entry.head++;
      entry.firstId++;
    }
    // Shift the array now and then, not at each drop (which would be quadratic).
    if (entry.head > 1024 && entry.head * 2 > entry.events.length) {
      entry.events = entry.events.slice(entry.head);
      entry.head = 0;
    }
  }

  /**
   * Marks a stream ended: its terminal event (done or error) was the last append. Readers finish
   * after it; the stream is kept for its resume window after the last of them leaves.
   * @param {string} streamId
   */
  async end(streamId) {
    const entry = this.#live(streamId);
    if (entry.ended) return;
    entry.ended = true;
    if (entry.readers === 0) this.#arm(entry); // the window runs from the end
    entry.wake();
  }

  /**
   * The events of a stream after `afterId` (all of them for null, undefined or -1), then the
   * live ones as they are appended, ending after the terminal event. Resolves once the resume is
   * known to be servable, so the relay can still answer 409 instead of starting the response;
   * rejects with StreamUnavailableError otherwise. The reader holds the stream (it does not
   * expire) until its iteration ends, fails or is left (`break`, `return()`).
   * @param {string} streamId
   * @param {number | null} [afterId] the client's Last-Event-ID
   * @returns {Promise<AsyncIterableIterator<StoredEvent>>}
   */
  async read(streamId, afterId = null) {
    const after = afterId ?? -1;
    if (!Number.isSafeInteger(after) || after < -1) {
      throw new StreamUnavailableError(`relay stream ${streamId}: '${afterId}' is not an event id`, { streamId, reason: 'bad_id' });
    }
    const entry = this.#live(streamId);
    if (after + 1 < entry.firstId) throw trimmed(entry, after + 1);
    if (after >= entry.nextId) {
      // The client says it saw an event that was never sent: serving it would be a gap or a duplicate.
      throw new StreamUnavailableError(
        `relay stream ${streamId} has sent no event ${after} (its last is ${entry.nextId - 1})`,
        { streamId, reason: 'ahead' },
      );
    }
    // Nothing after it, and nothing will come: a reader would get an empty stream, and an
    // EventSource would reconnect to it for ever (each time re-arming the window).
    if (entry.ended && after + 1 >= entry.nextId) throw streamEnded(streamId, after);
    entry.readers++;
    this.#disarm(entry);
    return new Reader(entry, after + 1, () => this.#leave(entry));
  }

  /**
   * Asks for a stream's upstream to stop: its open's onCancel runs. Resolves to whether the
   * stream is held and not ended (so there was something to cancel).
   * @param {string} streamId
   */
  async cancel(streamId) {
    const entry = this.#streams.get(streamId);
    if (!entry || entry.dropped || entry.ended || !entry.onCancel) return false;
    entry.onCancel(streamId);
    return true;
  }

  /**
   * Drops a stream now (the relay has no more use for it); readers still on it fail with
   * StreamUnavailableError. onDrop is not called: the caller knows.
   * @param {string} streamId
   */
  async drop(streamId) {
    const entry = this.#streams.get(streamId);
    if (entry) this.#remove(entry);
  }

  /**
   * Drops every stream past its deadline (by the clock). The timers call it; a caller without
   * timers (`schedule: null`) calls it now and then.
   */
  sweep() {
    const now = this.now();
    for (const entry of [...this.#streams.values()]) {
      if (entry.deadline !== null && now >= entry.deadline) this.#expire(entry, 'expired');
    }
  }

  /** The stream if held and within its window; StreamUnavailableError if not. */
  #live(streamId) {
    const entry = this.#streams.get(streamId);
    if (entry && entry.deadline !== null && this.now() >= entry.deadline) this.#expire(entry, 'expired');
    if (!entry || entry.dropped) {
      throw new StreamUnavailableError(
        `relay stream ${streamId} is not held here (unknown, or expired after its resume window)`,
        { streamId, reason: 'unknown' },
      );
    }
    return entry;
  }

  #leave(entry) {
    entry.readers--;
    if (entry.readers === 0 && !entry.dropped) this.#arm(entry);
  }

  /** Starts the resume window: no reader holds the stream. */
  #arm(entry) {
    this.#disarm(entry);
    entry.deadline = this.now() + entry.resumeWindowMs;
    if (this.schedule) {
      entry.cancelTimer = this.schedule(() => {
        entry.cancelTimer = null;
        // The clock decides, not the timer: a timer may run early or late.
        if (!entry.dropped && entry.deadline !== null && this.now() >= entry.deadline) this.#expire(entry, 'expired');
      }, entry.resumeWindowMs);
    }
  }

  #disarm(entry) {
    entry.deadline = null;
    if (entry.cancelTimer) {
      entry.cancelTimer();
      entry.cancelTimer = null;
    }
  }

  #expire(entry, reason) {
    this.#remove(entry);
    if (entry.onDrop) entry.onDrop(entry.streamId, reason);
  }

  #remove(entry) {
    this.#disarm(entry);
    entry.dropped = true;
    entry.events = [];
    entry.head = 0;
    if (this.#streams.get(entry.streamId) === entry) this.#streams.delete(entry.streamId);
    entry.wake(); // readers waiting see it dropped
  }

  /** At the cap: the idle stream (no reader) closest to its deadline goes, or the open fails. */
  #evictOne() {
    let victim = null;
    for (const entry of this.#streams.values()) {
      if (entry.deadline !== null && (victim === null || entry.deadline < victim.deadline)) victim = entry;
    }
    if (victim === null) {
      throw new LLMStreamError(`relay store: ${this.maxStreams} streams are held, all of them read now`, {
        code: ErrorCode.LIMIT_EXCEEDED,
      });
    }
    this.#expire(victim, 'evicted');
  }
}

/** A resume after a stream's terminal event: nothing is left to send (the relay answers 204). */
export function streamEnded(streamId, afterId) {
  return new StreamUnavailableError(`relay stream ${streamId} ended with event ${afterId}: nothing follows it`, {
    streamId,
    reason: 'ended',
  });
}

function trimmed(entry, id) {
  return new StreamUnavailableError(
    `relay stream ${entry.streamId} no longer holds event ${id} (events before ${entry.firstId} were dropped past its ${entry.maxBytes}-byte cap)`,
    { streamId: entry.streamId, reason: 'trimmed' },
  );
}

/** One reader's position in a stream. Not an async generator: see `return()`. */
class Reader {
  #entry;
  #nextId;
  #leave;
  #closed = false;
  /** Pulls in flight (waiting); while there are any, a new one queues behind them. */
  #busy = 0;
  /** Pulls run one after another, so two concurrent next() calls never get the same event. */
  #queue = Promise.resolve();

  constructor(entry, nextId, leave) {
    this.#entry = entry;
    this.#nextId = nextId;
    this.#leave = leave;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** @returns {Promise<IteratorResult<StoredEvent>>} */
  next() {
    // The common case, an event already stored and no pull in flight, answers without chaining
    // promises (a resume of a long stream is one pull per event).
    if (this.#busy === 0) {
      try {
        const result = this.#step();
        if (result) return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    this.#busy++;
    // Not busy any more by the time the caller sees the event: its nextNow() may then take what
    // else is stored at once.
    const result = this.#queue.then(() => this.#pull()).finally(() => {
      this.#busy--;
    });
    this.#queue = result.catch(() => {});
    return result;
  }

  /**
   * The next stored event now, or null when the reader would have to wait (or the stream ended:
   * next() says so). Never waits. Optional in the RelayStore interface: a response writes every
   * event already stored in one go instead of one write per event.
   * @returns {StoredEvent | null}
   */
  nextNow() {
    if (this.#busy !== 0 || this.#closed) return null;
    const entry = this.#entry;
    if (entry.dropped || this.#nextId < entry.firstId || this.#nextId >= entry.nextId) return null;
    return this.#step().value;
  }

  /**
   * Leaves the stream. Unlike an async generator's, this releases the reader even before the
   * first next(): a handler whose client went away before the first write must not hold the
   * stream forever.
   */
  async return() {
    this.#close();
    this.#entry.wake(); // a pull waiting for the next event ends now (others wait again)
    return { done: true, value: undefined };
  }

  async #pull() {
    for (;;) {
      const result = this.#step();
      if (result) return result;
      await new Promise((resolve) => this.#entry.waiters.push(resolve));
    }
  }

  /** The next result now, or null when the reader must wait for the next append or the end. */
  #step() {
    const entry = this.#entry;
    if (this.#closed) return { done: true, value: undefined };
    if (entry.dropped) {
      this.#close();
      throw new StreamUnavailableError(`relay stream ${entry.streamId} was dropped while read`, {
        streamId: entry.streamId,
        reason: 'dropped',
      });
    }
    if (this.#nextId < entry.firstId) {
      // This reader fell behind the byte cap: an error (the client resumes and gets 409), never a gap.
      this.#close();
      throw trimmed(entry, this.#nextId);
    }
    if (this.#nextId < entry.nextId) {
      const event = entry.events[entry.head + (this.#nextId - entry.firstId)];
      this.#nextId++;
      return { done: false, value: event };
    }
    if (entry.ended) {
      this.#close();
      return { done: true, value: undefined };
    }
    return null;
  }

  #close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#leave();
  }
}
