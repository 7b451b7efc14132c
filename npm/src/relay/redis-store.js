// The relay's resume store in Redis (docs/relay-protocol.md, "Resuming"), so that several relay
// processes behind one load balancer resume each other's streams: the process that holds the
// upstream opens, appends and ends a stream; any process serves a resume, the stored events and
// then the live tail. The same interface and observable behaviour as MemoryStore (./store.js):
// the same ids, the same StreamUnavailableError reasons, the same byte cap, the same expiry
// (resumeWindowMs after the stream ended or its last reader left), kept by Redis TTLs.
//
// Keys, hash-tagged so that a cluster keeps a stream on one slot: relay:{id}:meta, :events,
// :readers, and the channel relay:{id} (an append publishes "id\nbytes", end "end", drop "drop").
// Each call is one Lua script (./redis-scripts.js says what each checks and changes).
//
// What differs from MemoryStore, by design:
// - No cap on the number of streams (maxStreams): Redis's maxmemory bounds the store. A stream
//   Redis evicts under memory pressure reads as expired ('unknown', onDrop's 'expired').
// - A reader holds a stream through a lease it renews every leaseMs / 3; a process that dies
//   holding one lets it go leaseMs later (plus the window), not never.
// - The process that opened a stream (its holder: it appends) holds a lease too, renewed by its
//   appends and a timer every holderLeaseMs / 3, given back by end() and drop(). When it runs out
//   before the stream ended (the holder was killed, or lost Redis), a reader that has every event
//   ends the stream with the relay's "stream lost" event (lostStreamEvent, a retryable `server`
//   error), so readers in other processes never wait for events that will not come; a holder that
//   comes back then finds its stream ended (its append rejects, as after a store failure).
// - onDrop: the process that opened a stream watches its TTL (one PTTL when it should have run
//   out, then again at most a window apart) and calls onDrop(id, 'expired') once the stream is
//   gone, ended or not, as MemoryStore does. It is not called after this store's own drop(), nor
//   after close(); while Redis cannot be reached, the watch looks again a window later. A drop()
//   by another process reads as 'expired' here.
// - Events come back as strings (UTF-8), whether they were appended as strings or bytes.

import { randomBytes } from 'node:crypto';

import { RedisClient, parseRedisUrl } from './redis-client.js';
import { Channels, RedisReader, unknownStream } from './redis-reader.js';
import { scripts } from './redis-scripts.js';
import { DEFAULT_MAX_STREAM_BYTES, DEFAULT_RESUME_WINDOW_MS, lostStreamEvent, StreamUnavailableError } from './store.js';

/** How long a reader holds a stream without renewing (a dead process's reader lets go then). */
export const DEFAULT_LEASE_MS = 15_000;
/** How long a stream's holder may go without appending or renewing before readers end the stream. */
export const DEFAULT_HOLDER_LEASE_MS = 15_000;
/**
 * Per APPEND script of a batch: Lua takes a bounded number of arguments (and a script blocks
 * Redis while it runs), so a larger batch is several calls, in order.
 */
const APPEND_EVENTS = 256;
const APPEND_BYTES = 1024 * 1024;

/** Stream ids are the relay's (`r_` + hex); anything else is no stream, and no key to build. */
const STREAM_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * What the store needs from a Redis client; RedisClient (./redis-client.js) has it, and a few
 * lines adapt another one. ioredis, for instance (two connections: a subscribed one takes no
 * other command):
 *
 *   const cmd = new Redis(url), sub = new Redis(url), listeners = new Map();
 *   sub.on('message', (channel, message) => listeners.get(channel)?.(message));
 *   const client = {
 *     send: ([name, ...args]) => cmd.call(name, ...args),
 *     subscribe: async (channel, fn) => { listeners.set(channel, fn); await sub.subscribe(channel); },
 *     unsubscribe: async (channel) => { listeners.delete(channel); await sub.unsubscribe(channel); },
 *   };
 *
 * (That adapter is not run by the tests, which plug RedisClient through these three methods only.)
 *
 * @typedef {object} RedisCommands
 * @property {(args: Array<string | Uint8Array>) => Promise<unknown>} send one command, e.g.
 *   ['EVALSHA', sha, '3', ...]; resolves to its reply with bulk strings as UTF-8 strings,
 *   integers as numbers, nil as null, arrays as arrays; an error reply rejects (its message
 *   starting with Redis's code, NOSCRIPT ...). Commands sent one after another run in that order.
 * @property {(channel: string, onMessage: (message: string) => void, onGap?: () => void) => Promise<void>} subscribe
 *   resolves once subscribed; the store subscribes a channel once at a time. onGap, if the
 *   client reconnects: to be called once the channel is subscribed again (messages published
 *   meanwhile are lost, and readers fetch then; without it they notice at their next lease
 *   renewal). ioredis: `sub.on('ready', ...)` after its own resubscribe.
 * @property {(channel: string) => Promise<void>} unsubscribe
 */

/** @typedef {import('./store.js').RelayStore} RelayStore */

/** @implements {RelayStore} */
export class RedisStore {
  /** @type {RedisCommands} */
  #client;
  #ownsClient;
  #channels;
  /** This store's part of each lease token (a reader adds its number). */
  #token = randomBytes(8).toString('hex');
  #serial = 0;
  /** @type {Set<RedisReader>} */
  #readers = new Set();
  /** Streams opened here with onDrop: their expiry watch. @type {Map<string, {timer: any}>} */
  #watches = new Map();
  /** Streams opened here with onCancel: their cancel channel's listener. @type {Map<string, (m: string) => void>} */
  #cancels = new Map();
  /** Streams opened here, not ended: their holder lease's renewal timer. @type {Map<string, any>} */
  #holds = new Map();

  /**
   * @param {object} [options]
   * @param {RedisCommands} [options.client] a client to use (the store does not close it)
   * @param {string} [options.url] else a redis:// URL for a RedisClient of its own ...
   * @param {string} [options.host] ... or its options
   * @param {number} [options.port]
   * @param {string} [options.username]
   * @param {string} [options.password]
   * @param {number} [options.db]
   * @param {number} [options.maxReplyBytes]
   * @param {number} [options.resumeWindowMs] default for `open`
   * @param {number} [options.maxStreamBytes] default per-stream byte cap
   * @param {number} [options.leaseMs] a reader's lease
   * @param {number} [options.holderLeaseMs] the lease of the process holding a stream's upstream:
   *   past it without an append or a renewal, readers end the stream with the "stream lost" error
   */
  constructor({
    client,
    url,
    resumeWindowMs = DEFAULT_RESUME_WINDOW_MS,
    maxStreamBytes = DEFAULT_MAX_STREAM_BYTES,
    leaseMs = DEFAULT_LEASE_MS,
    holderLeaseMs = DEFAULT_HOLDER_LEASE_MS,
    ...connection
  } = {}) {
    this.#ownsClient = !client;
    this.#client = client ?? new RedisClient(url ? { ...parseRedisUrl(url), ...connection } : connection);
    this.#channels = new Channels(this.#client);
    this.resumeWindowMs = resumeWindowMs;
    this.maxStreamBytes = maxStreamBytes;
    this.leaseMs = leaseMs;
    this.holderLeaseMs = holderLeaseMs;
    for (const [name, value] of [['leaseMs', leaseMs], ['holderLeaseMs', holderLeaseMs]]) {
      if (!Number.isSafeInteger(value) || value < 3) throw new TypeError(`RedisStore: ${name} must be an integer of 3 ms or more`);
    }
  }

  /**
   * Starts holding a stream (before its event 0 is appended); its resume window runs from now
   * until the first reader comes.
   * @param {string} streamId
   * @param {import('./store.js').OpenOptions} [options]
   */
  async open(streamId, { resumeWindowMs = this.resumeWindowMs, maxBytes = this.maxStreamBytes, onDrop, onCancel } = {}) {
    if (!STREAM_ID.test(streamId)) throw new TypeError(`relay store: '${streamId}' is no stream id (letters, digits, _ and -)`);
    const ttl = await scripts.open.run(this.#client, keys(streamId), [String(resumeWindowMs), String(maxBytes), String(this.holderLeaseMs)]);
    // Ids are random (64 bits or more): a second open of one is the caller's bug, not chance.
    if (ttl === 0) throw new Error(`relay store: stream ${streamId} is already open`);
    this.#hold(streamId);
    if (onDrop) this.#watch(streamId, Number(ttl), resumeWindowMs, onDrop);
    if (onCancel) {
      // A cancel may land on any process (a DELETE behind a load balancer): it is published on
      // the stream's cancel channel, which only the process holding the upstream listens to.
      const listener = () => onCancel(streamId);
      this.#cancels.set(streamId, listener);
      await this.#channels.add(cancelChannel(streamId), listener);
    }
  }

  /**
   * Asks the process holding a stream's upstream to cancel it (its open's onCancel runs there).
   * Resolves to whether a holder heard it: false for an unknown, ended or unheld stream.
   * @param {string} streamId
   */
  async cancel(streamId) {
    if (!STREAM_ID.test(streamId)) return false;
    const heard = await this.#client.send(['PUBLISH', cancelChannel(streamId), 'cancel']);
    return Number(heard) > 0;
  }

  #stopCancels(streamId) {
    const listener = this.#cancels.get(streamId);
    if (!listener) return;
    this.#cancels.delete(streamId);
    this.#channels.remove(cancelChannel(streamId), listener);
  }

  /**
   * Stores the next event of a stream; readers anywhere get it. Renews the holder's lease.
   * @param {string} streamId
   * @param {number} id the stream's next id (0, 1, 2, ...)
   * @param {string | Uint8Array} bytes the event as written on the wire
   */
  async append(streamId, id, bytes) {
    await this.#append(streamId, id, [bytes]);
  }

  /**
   * Stores the next events of a stream at once (ids firstId, firstId + 1, ...: what one network
   * read brought): one script call per batch (a batch past 256 events or 1 MiB is split, in
   * order), each event published as append publishes it.
   * @param {string} streamId
   * @param {number} firstId
   * @param {Array<string | Uint8Array>} list
   */
  async appendMany(streamId, firstId, list) {
    let start = 0;
    while (start < list.length) {
      let end = start;
      let size = 0;
      // One event at least, however large (the stream's cap bounds it, not this).
      while (end < list.length && end - start < APPEND_EVENTS && (end === start || size + byteLength(list[end]) <= APPEND_BYTES)) {
        size += byteLength(list[end]);
        end++;
      }
      await this.#append(streamId, firstId + start, list.slice(start, end));
      start = end;
    }
  }

  async #append(streamId, firstId, list) {
    const data = list.map((bytes) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    let r;
    try {
      r = await scripts.append.run(this.#client, this.#keys(streamId), [String(firstId), channel(streamId), ...data]);
    } catch (error) {
      // A holder whose append failed holds nothing any more (the relay stops its upstream then):
      // unless its terminal event and end() still make it, readers end the stream a lease later.
      this.#letGo(streamId);
      throw error;
    }
    if (r[0] === 'ok') return;
    this.#letGo(streamId);
    const id = firstId;
    if (r[0] === 'ended') throw new Error(`relay store: stream ${streamId} has ended; event ${id} cannot follow`);
    // The protocol forbids gaps and duplicates; a store that took them would serve them.
    if (r[0] === 'expects') throw new Error(`relay store: stream ${streamId} expects event ${r[1]}, not ${id}`);
    throw unknownStream(streamId);
  }

  /**
   * Marks a stream ended (its terminal event was the last append).
   * @param {string} streamId
   */
  async end(streamId) {
    this.#stopCancels(streamId); // an ended stream has nothing to cancel
    // The holder's lease is kept until END has run: a lease lapsing after the terminal event was
    // stored but before the stream was marked ended would make a reader add the "stream lost"
    // event after it. A failed END is tried once more (the client reconnects meanwhile).
    let r;
    try {
      try {
        r = await scripts.end.run(this.#client, this.#keys(streamId), [channel(streamId)]);
      } catch {
        r = await scripts.end.run(this.#client, this.#keys(streamId), [channel(streamId)]);
      }
    } finally {
      this.#release(streamId);
    }
    if (r[0] !== 'ok') throw unknownStream(streamId);
  }

  /**
   * The events after `afterId` (all for null, undefined or -1), then the live ones, ending after
   * the terminal event. Resolves once the resume is known to be servable; rejects with
   * StreamUnavailableError otherwise. The reader holds the stream until it ends, fails or is left.
   * @param {string} streamId
   * @param {number | null} [afterId]
   * @returns {Promise<AsyncIterableIterator<{id: number, bytes: string}>>}
   */
  async read(streamId, afterId = null) {
    const after = afterId ?? -1;
    if (!Number.isSafeInteger(after) || after < -1) {
      throw new StreamUnavailableError(`relay stream ${streamId}: '${afterId}' is not an event id`, { streamId, reason: 'bad_id' });
    }
    const reader = new RedisReader(
      {
        client: this.#client,
        channels: this.#channels,
        streamId,
        keys: this.#keys(streamId),
        channel: channel(streamId),
        token: `${this.#token}:${++this.#serial}`,
        leaseMs: this.leaseMs,
        lost: lostStreamEvent,
        onClose: (r) => this.#readers.delete(r),
      },
      after + 1,
    );
    await reader.start();
    this.#readers.add(reader);
    return reader;
  }

  /**
   * Drops a stream now; readers still on it, in any process, fail with StreamUnavailableError
   * ('dropped'). onDrop is not called: the caller knows.
   * @param {string} streamId
   */
  async drop(streamId) {
    this.#unwatch(streamId);
    this.#release(streamId);
    this.#stopCancels(streamId);
    if (!STREAM_ID.test(streamId)) return;
    await Promise.all([this.#client.send(['DEL', ...keys(streamId)]), this.#client.send(['PUBLISH', channel(streamId), 'drop'])]);
  }

  /** Stops the watches, fails this store's readers, and ends its connections (if it made them). */
  async close() {
    for (const streamId of [...this.#watches.keys()]) this.#unwatch(streamId);
    for (const streamId of [...this.#cancels.keys()]) this.#stopCancels(streamId);
    for (const streamId of [...this.#holds.keys()]) this.#release(streamId);
    for (const reader of this.#readers) reader.abort(new Error('relay store: closed'));
    if (this.#ownsClient) await /** @type {RedisClient} */ (this.#client).close();
  }

  /** The keys of a stream; an id that could be none is unknown, as in MemoryStore. */
  #keys(streamId) {
    if (!STREAM_ID.test(streamId)) throw unknownStream(streamId);
    return keys(streamId);
  }

  /**
   * Renews the holder's lease every holderLeaseMs / 3 (three tries per lease, as a reader's),
   * until the stream ended or is gone. A renewal that fails (Redis unreachable) is retried at the
   * next tick; meanwhile the lease may run out, and readers end the stream.
   */
  #hold(streamId) {
    const lease = this.holderLeaseMs;
    const timer = setInterval(() => {
      scripts.hold.run(this.#client, keys(streamId), [String(lease)]).then(
        (held) => {
          if (Number(held) === 0 && this.#holds.get(streamId) === timer) this.#release(streamId);
        },
        () => {}, // the connection failed: the next tick tries again
      );
    }, Math.max(1, Math.floor(lease / 3)));
    timer.unref?.(); // must not keep a process alive that has nothing else to do
    this.#holds.set(streamId, timer);
  }

  /** After a failed append: nothing more to hold or cancel here. */
  #letGo(streamId) {
    this.#release(streamId);
    this.#stopCancels(streamId);
  }

  /** Stops renewing the holder's lease (end, drop, close; or the stream is gone). */
  #release(streamId) {
    const timer = this.#holds.get(streamId);
    if (timer === undefined) return;
    clearInterval(timer);
    this.#holds.delete(streamId);
  }

  /** Checks when the TTL should have run out; again at most a window later while it is held. */
  #watch(streamId, ms, windowMs, onDrop) {
    /** @type {{timer: ReturnType<typeof setTimeout> | undefined}} */
    const watch = { timer: undefined };
    const check = async () => {
      /** @type {number | null} */
      let ttl;
      try {
        ttl = Number(await this.#client.send(['PTTL', keys(streamId)[0]]));
      } catch {
        ttl = null; // no connection now: look again a window later (the client reconnects)
      }
      if (this.#watches.get(streamId) !== watch) return; // dropped or closed meanwhile
      if (ttl === -2) {
        this.#watches.delete(streamId);
        onDrop(streamId, 'expired');
        return;
      }
      arm(ttl === null || ttl < 0 ? windowMs : Math.min(ttl, windowMs));
    };
    /** @param {number} delay */
    const arm = (delay) => {
      watch.timer = setTimeout(check, Math.max(1, delay));
      watch.timer.unref?.(); // a watch must not keep a process alive that has nothing else to do
    };
    this.#watches.set(streamId, watch);
    arm(ms);
  }

  #unwatch(streamId) {
    const watch = this.#watches.get(streamId);
    if (!watch) return;
    clearTimeout(watch.timer);
    this.#watches.delete(streamId);
  }
}

/** @param {string | Uint8Array} bytes */
function byteLength(bytes) {
  return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
}

function keys(streamId) {
  return [`relay:{${streamId}}:meta`, `relay:{${streamId}}:events`, `relay:{${streamId}}:readers`];
}

function channel(streamId) {
  return `relay:{${streamId}}`;
}

/** The channel a cancel of the stream is published on (only its holder listens). */
function cancelChannel(streamId) {
  return `relay:{${streamId}}:cancel`;
}
