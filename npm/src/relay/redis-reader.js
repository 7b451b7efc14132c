// One reader of a stream in the Redis store (./redis-store.js): the stored events after its
// Last-Event-ID, then the live ones. It checks the resume and takes a lease (JOIN), then pulls the
// list in batches (FETCH, by id: an id is only fetched once, so a message that overtook a fetch is
// no duplicate, and a missed one is no gap). It subscribes to the stream's channel only when it
// first has to wait (a resume of an ended stream never does), and fetches once more after the
// subscription holds, so an append published between its last FETCH and the SUBSCRIBE is not
// missed. A reader at the tip takes the next event from its append's
// message; any other message makes it fetch. The lease renewal wakes it too, so a lost
// subscription slows a reader down to the renewal period instead of stalling it; so does a
// resubscription after the client reconnected (messages published in between are lost).
// A reader waiting for the next event also wakes when the holder's lease should have run out:
// its FETCH then ends a stream whose holder is gone with the "stream lost" event (the FETCH
// script says how), so a dead holder never leaves its readers waiting.

import { scripts } from './redis-scripts.js';
import { streamEnded, StreamUnavailableError } from './store.js';

/** Per FETCH: a resume of a long stream is a few round trips, and a reply stays small. */
const FETCH_EVENTS = 256;
const FETCH_BYTES = 1024 * 1024;
const DONE = Object.freeze({ done: true, value: undefined });

export function unknownStream(streamId) {
  return new StreamUnavailableError(
    `relay stream ${streamId} is not held here (unknown, or expired after its resume window)`,
    { streamId, reason: 'unknown' },
  );
}

export function trimmedStream(streamId, id, first, cap) {
  return new StreamUnavailableError(
    `relay stream ${streamId} no longer holds event ${id} (events before ${first} were dropped past its ${cap}-byte cap)`,
    { streamId, reason: 'trimmed' },
  );
}

/**
 * One subscription per channel for all the readers of a process, counted: the client is asked
 * for one listener per channel only (a tiny interface for a plugged client), and an unsubscribe
 * still in flight is waited for before the channel is subscribed again, so the two never cross.
 */
export class Channels {
  #client;
  /** @type {Map<string, {listeners: Set<(m: string) => void>, gaps: Map<unknown, () => void>, ready: Promise<void>}>} */
  #open = new Map();
  /** @type {Map<string, Promise<void>>} */
  #closing = new Map();

  constructor(client) {
    this.#client = client;
  }

  /**
   * @param {string} channel
   * @param {(message: string) => void} listener
   * @param {() => void} [onGap] called when messages may have been lost (the client subscribed
   *   the channel again on a new connection)
   */
  async add(channel, listener, onGap) {
    let entry = this.#open.get(channel);
    if (!entry) {
      const listeners = new Set();
      const gaps = new Map();
      const before = this.#closing.get(channel) ?? Promise.resolve();
      const ready = before.then(() => this.#client.subscribe(channel, (m) => {
        for (const l of listeners) l(m);
      }, () => {
        for (const g of gaps.values()) g();
      }));
      entry = { listeners, gaps, ready };
      this.#open.set(channel, entry);
    }
    entry.listeners.add(listener);
    if (onGap) entry.gaps.set(listener, onGap);
    try {
      await entry.ready;
    } catch (error) {
      this.remove(channel, listener);
      throw error;
    }
  }

  remove(channel, listener) {
    const entry = this.#open.get(channel);
    if (!entry || !entry.listeners.delete(listener)) return;
    entry.gaps.delete(listener);
    if (entry.listeners.size > 0) return;
    this.#open.delete(channel);
    const done = entry.ready.then(() => this.#client.unsubscribe(channel)).catch(() => {});
    this.#closing.set(channel, done);
    done.then(() => {
      if (this.#closing.get(channel) === done) this.#closing.delete(channel);
    });
  }
}

/**
 * @typedef {object} ReaderContext
 * @property {import('./redis-store.js').RedisCommands} client
 * @property {Channels} channels
 * @property {string} streamId
 * @property {string[]} keys
 * @property {string} channel
 * @property {string} token this reader's lease in the stream's set
 * @property {number} leaseMs
 * @property {(id: number) => string} lost the "stream lost" terminal event for an id
 * @property {(reader: RedisReader) => void} onClose
 */

/** Not an async generator: return() must release the stream even before the first next(). */
export class RedisReader {
  /** @type {ReaderContext} */
  #cx;
  #nextId;
  /** @type {{id: number, bytes: string}[]} fetched, not handed out yet from #at on */
  #buffer = [];
  #at = 0;
  #ended = false;
  #closed = false;
  /** An error the next pull throws (the stream went, the store closed). @type {Error | null} */
  #failure = null;
  /** Counts wake-ups, so a message that came during a fetch is not slept through. */
  #signal = 0;
  /** @type {(() => void) | null} */
  #wake = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #timer = undefined;
  /** Wakes a waiting reader when the holder's lease should have run out. @type {ReturnType<typeof setTimeout> | undefined} */
  #holderTimer = undefined;
  /** The holder's lease (ms) as the last FETCH said; -1 unknown. */
  #holdMs = -1;
  /** Characters taken from messages since the buffer was last refilled: bounds what a reader at the tip holds. */
  #held = 0;
  #busy = 0;
  /** @type {Promise<unknown>} */
  #queue = Promise.resolve();
  /**
   * The last event came from its message: the next append's message will come too (a channel's
   * messages arrive in publish order), so the reader waits for it without a FETCH.
   */
  #atTip = false;
  #subscribed = false;
  /** A message: "id\nbytes" for an append, "end", "drop". */
  #listener = (message) => {
    this.#signal++;
    // A pull waits (no FETCH in flight, nothing fetched left) and this is exactly the next event:
    // take it from the message (the bytes stored under that id) instead of fetching it. Any other
    // message only makes the reader fetch: an id already had, or one past a lost message, is never
    // taken, so no duplicate, no gap. A batch's events come as consecutive messages: a reader at
    // the tip (its last event came from a message) takes them even if it is not waiting, while
    // it holds less than a FETCH brings. Any other reader that is not waiting takes nothing: it
    // fetches when it pulls, so one that fell behind the byte cap fails then, as in MemoryStore.
    const nl = message.indexOf('\n');
    const takes = this.#wake || (this.#atTip && this.#buffer.length - this.#at < FETCH_EVENTS && this.#held < FETCH_BYTES);
    if (takes && !this.#closed && !this.#failure && nl > 0 && message.slice(0, nl) === String(this.#nextId)) {
      const event = { id: this.#nextId, bytes: message.slice(nl + 1) };
      if (this.#at < this.#buffer.length) {
        if (this.#at >= FETCH_EVENTS) {
          this.#buffer = this.#buffer.slice(this.#at); // what was handed out goes (amortised linear)
          this.#at = 0;
        }
        this.#buffer.push(event);
      } else {
        this.#buffer = [event];
        this.#at = 0;
        this.#held = 0;
      }
      this.#held += event.bytes.length;
      this.#nextId++;
      this.#atTip = true;
    } else {
      this.#atTip = false;
    }
    this.#poke();
  };

  /** @param {ReaderContext} cx @param {number} nextId */
  constructor(cx, nextId) {
    this.#cx = cx;
    this.#nextId = nextId;
  }

  /** Checks the resume and takes the lease; rejects when it cannot be served. */
  async start() {
    const cx = this.#cx;
    const join = () => scripts.join.run(cx.client, cx.keys, [String(this.#nextId - 1), cx.token, String(cx.leaseMs)]);
    // Tried twice: a JOIN in flight when the connection died may or may not have run, and running
    // it again is harmless (the same lease); the second one waits for the reconnection. A relay
    // then answers a resume during a Redis restart instead of failing it.
    const r = await join().catch(join);
    if (r[0] !== 'ok') {
      if (r[0] === 'trimmed') throw trimmedStream(cx.streamId, this.#nextId, r[1], r[2]);
      if (r[0] === 'ended') throw streamEnded(cx.streamId, this.#nextId - 1);
      if (r[0] === 'ahead') {
        throw new StreamUnavailableError(
          `relay stream ${cx.streamId} has sent no event ${this.#nextId - 1} (its last is ${Number(r[1]) - 1})`,
          { streamId: cx.streamId, reason: 'ahead' },
        );
      }
      throw unknownStream(cx.streamId);
    }
    // Renewed three times per lease: one late renewal does not let the stream go.
    this.#timer = setInterval(() => this.#renew(), Math.max(1, Math.floor(cx.leaseMs / 3)));
    this.#timer.unref?.();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** @returns {Promise<IteratorResult<{id: number, bytes: string}>>} */
  next() {
    // Events already fetched, no pull in flight: no promise chain (a resume is one pull per event).
    if (this.#busy === 0 && !this.#closed && !this.#failure && this.#at < this.#buffer.length) {
      return Promise.resolve({ done: false, value: this.#buffer[this.#at++] });
    }
    this.#busy++;
    const result = this.#queue.then(() => this.#pull());
    // Registered before the caller's await: the pull no longer counts once the caller resumes.
    const done = () => {
      this.#busy--;
    };
    this.#queue = result.then(done, done);
    return result;
  }

  /**
   * The next event already fetched, now, or null when the reader would have to wait for a FETCH
   * or a message (or has ended: next() says so). Never waits. Optional in the RelayStore
   * interface: a response writes every event already there in one go.
   * @returns {{id: number, bytes: string} | null}
   */
  nextNow() {
    if (this.#busy !== 0 || this.#closed || this.#failure || this.#at >= this.#buffer.length) return null;
    return this.#buffer[this.#at++];
  }

  async return() {
    await this.#close();
    return DONE;
  }

  /** Fails the reader's next pull with `error` (the store closed). @param {Error} error */
  abort(error) {
    this.#failure ??= error;
    clearInterval(this.#timer); // a failed reader holds nothing (even if it is never pulled again)
    clearTimeout(this.#holderTimer);
    this.#poke();
  }

  async #pull() {
    const cx = this.#cx;
    for (;;) {
      if (this.#closed) return DONE;
      if (this.#failure) {
        await this.#close();
        throw this.#failure;
      }
      if (this.#at < this.#buffer.length) return { done: false, value: this.#buffer[this.#at++] };
      if (this.#ended) {
        await this.#close();
        return DONE;
      }
      if (this.#atTip) {
        // The holder's appends come as messages; if they stop for a lease, look (a FETCH).
        if (this.#holdMs >= 0) this.#armHolder(this.#holdMs + 1);
        await new Promise((resolve) => (this.#wake = () => resolve(undefined)));
        continue;
      }
      const signal = this.#signal;
      let r;
      try {
        r = await scripts.fetch.run(cx.client, cx.keys,
          [String(this.#nextId), String(FETCH_EVENTS), String(FETCH_BYTES), cx.lost(this.#nextId), cx.channel]);
      } catch (error) {
        this.abort(/** @type {Error} */ (error));
        continue;
      }
      if (this.#closed) return DONE;
      if (r[0] === 'dropped') {
        this.abort(new StreamUnavailableError(`relay stream ${cx.streamId} was dropped while read`, { streamId: cx.streamId, reason: 'dropped' }));
        continue;
      }
      if (r[0] === 'trimmed') {
        // This reader fell behind the byte cap: an error (the client resumes and gets 409), never a gap.
        this.abort(trimmedStream(cx.streamId, this.#nextId, r[1], r[2]));
        continue;
      }
      const [, next, ended, events, holderLeft, hold] = r;
      this.#buffer = events.map((bytes, i) => ({ id: this.#nextId + i, bytes }));
      this.#at = 0;
      this.#held = 0;
      this.#holdMs = Number(hold ?? -1);
      this.#nextId += events.length;
      if (String(ended) === '1' && this.#nextId === Number(next)) this.#ended = true;
      if (events.length > 0 || this.#ended || this.#signal !== signal) continue;
      if (!this.#subscribed) {
        // Nothing new: wait for a message, once subscribed; then fetch again (see the top).
        this.#subscribed = true;
        try {
          await cx.channels.add(cx.channel, this.#listener, this.#gap);
        } catch (error) {
          this.#subscribed = false;
          this.abort(/** @type {Error} */ (error));
        }
        continue;
      }
      // Nothing new: the holder's lease says when a FETCH could find it gone.
      if (holderLeft !== undefined && Number(holderLeft) >= 0) this.#armHolder(Number(holderLeft) + 1);
      await new Promise((resolve) => (this.#wake = () => resolve(undefined)));
    }
  }

  /** A FETCH when the holder's lease may have run out (one timer at a time; an early one is harmless). */
  #armHolder(ms) {
    if (this.#holderTimer !== undefined || this.#closed) return;
    this.#holderTimer = setTimeout(() => {
      this.#holderTimer = undefined;
      this.#refetch();
    }, ms);
    this.#holderTimer.unref?.();
  }

  /** Messages may have been lost: the next pull fetches (a waiting one at once). */
  #refetch() {
    this.#signal++;
    this.#atTip = false;
    this.#poke();
  }

  /** The client subscribed again after a lost connection: what was published meanwhile is lost. */
  #gap = () => this.#refetch();

  #poke() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #renew() {
    const cx = this.#cx;
    scripts.renew.run(cx.client, cx.keys, [cx.token, String(cx.leaseMs)]).then(
      // Gone (expired, dropped): the next fetch says so. Held: fetch anyway, in case a message
      // was lost (a subscription that failed must not stall the reader).
      () => this.#refetch(),
      (error) => this.abort(error),
    );
  }

  /** Leaves: stops renewing, unsubscribes, gives the lease back (the window starts if it was the last). */
  async #close() {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#holderTimer);
    const cx = this.#cx;
    if (this.#subscribed) cx.channels.remove(cx.channel, this.#listener);
    cx.onClose(this);
    this.#poke(); // a pull waiting for the next event ends now, not after the LEAVE
    try {
      await scripts.leave.run(cx.client, cx.keys, [cx.token]);
    } catch {
      // The connection failed: the lease then lapses by itself, a lease later.
    }
  }
}
