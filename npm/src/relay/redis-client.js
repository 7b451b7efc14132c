// A minimal Redis client over node:net for the relay's Redis store (./redis-store.js), so the
// package keeps no runtime dependency: commands pipelined on one connection (replies come back
// in order, so a FIFO of promises matches them), pub/sub on a second one (a subscribed
// connection takes no other command). No TLS (rediss://): plug another client into the store for
// that.
//
// Reconnects, with a bounded backoff (25 ms doubling to 1 s): when a connection fails, the
// commands in flight on it reject (they may or may not have run: Redis may have executed a
// command whose reply was lost), and so does every command of a connection that stops answering
// (commandTimeoutMs). A later command opens a new connection, waiting for it at most
// maxWaitMs among at most maxQueue others (then it rejects, with the last connection error); a
// failed AUTH or SELECT rejects the waiting commands at once (retrying would not help). The
// subscriber connection comes back by itself while a channel is subscribed: every channel is
// subscribed again, then each channel's onGap runs (messages published in between are lost;
// the store's readers fetch then). Every failure is a rejected promise, never an unhandled one.

import net from 'node:net';

import { RedisReplyError, RespParser, encodeCommand } from './resp.js';

/** What one reply may take; the store's events are far below it (their byte cap is 8 MiB). */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;
/** How long a command waits for a connection (while the client reconnects) before it rejects. */
export const DEFAULT_MAX_WAIT_MS = 5_000;
/** Commands that may wait for a connection at once; past it a command rejects at once. */
export const DEFAULT_MAX_QUEUE = 10_000;
/** A connection with commands in flight and no byte from Redis for this long is dead (a partition). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const MIN_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 1_000;

/**
 * @typedef {object} RedisOptions
 * @property {string} [host] 127.0.0.1 by default
 * @property {number} [port] 6379 by default
 * @property {string} [username] with password: ACL AUTH
 * @property {string} [password]
 * @property {number} [db]
 * @property {number} [maxReplyBytes]
 * @property {number} [maxWaitMs] how long a command waits for a connection (5 s)
 * @property {number} [maxQueue] commands that may wait for one at once (10 000)
 * @property {number} [commandTimeoutMs] no reply for this long with commands in flight fails the
 *   connection (10 s): its commands reject, the next one reconnects
 */

/**
 * `redis://[[user]:password@]host[:port][/db]` into options.
 * @param {string} url
 * @returns {RedisOptions}
 */
export function parseRedisUrl(url) {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new TypeError(`redis: only redis:// URLs are supported, not ${u.protocol}//`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new TypeError(`redis: '${db}' is no database number`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db === '' ? undefined : Number(db),
  };
}

/** One socket: commands written at once (corked per tick), replies matched in order. */
export class RedisConnection {
  #socket;
  #parser;
  /** @type {{resolve: (v: unknown) => void, reject: (e: Error) => void, fatal: boolean, name: string}[]} */
  #queue = [];
  #error = null;
  #corked = false;
  #closed;
  /** Bytes came from Redis since the last look of the command timer. */
  #progress = false;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #watchdog = undefined;
  #commandTimeoutMs;
  /** Called once when the connection fails (after its commands rejected). @type {((error: Error) => void) | null} */
  onFail = null;
  /** Resolves once the socket is connected; rejects if it fails first. */
  connected;

  /**
   * @param {RedisOptions} options
   * @param {(message: unknown[]) => void} [onPush] pub/sub messages (not replies to a command)
   */
  constructor({ host = '127.0.0.1', port = 6379, maxReplyBytes = DEFAULT_MAX_REPLY_BYTES, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS }, onPush) {
    this.onPush = onPush;
    this.#commandTimeoutMs = commandTimeoutMs;
    this.#parser = new RespParser((reply) => this.#reply(reply), { maxReplyBytes });
    this.#socket = net.connect({ host, port });
    this.#socket.setNoDelay(true);
    this.#socket.setKeepAlive(true, 30_000); // a peer gone without a FIN or RST is noticed, late
    this.connected = new Promise((resolve, reject) => {
      this.#socket.once('connect', () => {
        this.#wasConnected = true;
        resolve(undefined);
      });
      this.#onEarlyFail = reject;
    });
    this.connected.catch(() => {});
    this.#socket.on('data', (chunk) => {
      this.#progress = true;
      try {
        this.#parser.push(chunk);
      } catch (error) {
        this.fail(error);
      }
    });
    this.#socket.on('error', (error) => this.fail(new Error(`redis ${host}:${port}: ${error.message}`, { cause: error })));
    this.#closed = new Promise((resolve) => this.#socket.on('close', resolve));
    this.#socket.on('close', () => this.fail(new Error(`redis ${host}:${port}: connection closed`)));
  }

  /**
   * Sends a command; resolves to its reply, rejects with an error reply or the connection's failure.
   * @param {ReadonlyArray<string | Uint8Array | number>} args
   * @param {boolean} [fatal] an error reply fails the connection (AUTH, SELECT): at once, so that
   *   no command pipelined behind it runs as the wrong user or on the wrong database unnoticed
   */
  send(args, fatal = false) {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#queue.push({ resolve, reject, fatal, name: String(args[0]) });
      if (this.#watchdog === undefined) this.#watch();
      // Commands sent in one tick leave in one write (pipelining without a batch API).
      if (!this.#corked) {
        this.#corked = true;
        this.#socket.cork();
        process.nextTick(() => {
          this.#corked = false;
          this.#socket.uncork();
        });
      }
      this.#socket.write(encodeCommand(args));
    });
  }

  /** @type {(error: Error) => void} */
  #onEarlyFail;
  #wasConnected = false;

  /** Whether the connection failed (or was closed). */
  get failed() {
    return this.#error !== null;
  }

  /**
   * Fails the connection while commands are in flight and no byte came for commandTimeoutMs
   * (checked every half of it: a dead connection fails within 1 to 1.5 times it). One timer per
   * connection, only while commands are in flight.
   */
  #watch() {
    this.#progress = false;
    const every = Math.max(1, Math.floor(this.#commandTimeoutMs / 2));
    let idle = 0;
    this.#watchdog = setInterval(() => {
      if (this.#queue.length === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
        return;
      }
      idle = this.#progress ? 0 : idle + every;
      this.#progress = false;
      if (idle >= this.#commandTimeoutMs) this.fail(new Error(`redis: no reply in ${this.#commandTimeoutMs} ms (commandTimeoutMs)`));
    }, every);
    this.#watchdog.unref?.();
  }

  /** Fails every command in flight and every later one with `error`; closes the socket. */
  fail(error) {
    if (this.#error) return;
    this.#error = error;
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    this.#onEarlyFail(error);
    this.#socket.destroy();
    const queue = this.#queue;
    this.#queue = [];
    // Sent on a connection that worked: Redis may have run them and lost only the reply.
    const inFlight = !this.#wasConnected || queue.length === 0 ? error
      : new Error(`${error.message} (commands in flight may or may not have run)`, { cause: error });
    for (const { reject } of queue) reject(inFlight);
    this.onFail?.(error);
  }

  /** Ends the connection; commands still in flight reject. */
  async close() {
    this.fail(new Error('redis: connection closed by close()'));
    await this.#closed;
  }

  #reply(reply) {
    if (this.#error) return; // the rest of a chunk after a failure
    if (this.onPush && Array.isArray(reply) && reply[0] === 'message') {
      this.onPush(reply);
      return;
    }
    const waiter = this.#queue.shift();
    if (!waiter) {
      this.fail(new Error('redis: protocol error (a reply to no command)'));
      return;
    }
    if (!(reply instanceof Error)) waiter.resolve(reply);
    else if (!waiter.fatal) waiter.reject(reply);
    else {
      const error = new Error(`redis: ${waiter.name} failed: ${reply.message}`, { cause: reply });
      waiter.reject(error);
      this.fail(error);
    }
  }
}

/**
 * One logical connection that comes back: commands go to the live connection, or wait (bounded
 * in number and time) for the next one, which a command opens when there is none.
 */
class Link {
  #options;
  #select;
  #onPush;
  /** Runs on each new connection before the waiting commands go (the subscriber's resubscribe). */
  #onConnect;
  /** Whether the link should come back by itself without a command (subscriptions). */
  #wanted;
  /** @type {RedisConnection | null} a connection that is ready */
  #conn = null;
  #connecting = false;
  /** Commands waiting for a connection, oldest first, from #head on. @type {{args: any, resolve: (v: unknown) => void, reject: (e: Error) => void, deadline: number}[]} */
  #waiting = [];
  #head = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #deadlineTimer = undefined;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer = undefined;
  #attempt = 0;
  /** Not before this (Date.now()) may the next connection be tried. */
  #notBefore = 0;
  /** @type {Error | null} */
  #lastError = null;
  #closed = false;
  /** @type {Set<RedisConnection>} every connection not failed yet (close() ends them) */
  #all = new Set();

  /**
   * @param {RedisOptions} options
   * @param {{select: boolean, onPush?: (m: unknown[]) => void, onConnect?: (c: RedisConnection) => Promise<void>, wanted?: () => boolean}} how
   */
  constructor(options, { select, onPush, onConnect, wanted }) {
    this.#options = options;
    this.#select = select;
    this.#onPush = onPush;
    this.#onConnect = onConnect;
    this.#wanted = wanted ?? (() => false);
  }

  get #where() {
    return `redis ${this.#options.host ?? '127.0.0.1'}:${this.#options.port ?? 6379}`;
  }

  /** @param {ReadonlyArray<string | Uint8Array | number>} args */
  send(args) {
    if (this.#closed) return Promise.reject(new Error('redis: connection closed by close()'));
    if (this.#conn && this.#head === this.#waiting.length) return this.#conn.send(args);
    const { maxQueue = DEFAULT_MAX_QUEUE, maxWaitMs = DEFAULT_MAX_WAIT_MS } = this.#options;
    if (this.#waiting.length - this.#head >= maxQueue) {
      return Promise.reject(new Error(`${this.#where}: ${maxQueue} commands wait for a connection already (maxQueue)`));
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ args, resolve, reject, deadline: Date.now() + maxWaitMs });
      if (this.#deadlineTimer === undefined) this.#armDeadline();
      this.#reconnect();
    });
  }

  /** Only when connected now (an UNSUBSCRIBE has nothing to do on no connection). */
  sendIfConnected(args) {
    return this.#conn && !this.#conn.failed ? this.#conn.send(args) : Promise.resolve(null);
  }

  /** Connects now, or after the backoff; nothing while a connection is live or coming. */
  #reconnect() {
    if (this.#closed || this.#conn || this.#connecting || this.#retryTimer !== undefined) return;
    const delay = this.#notBefore - Date.now();
    if (delay > 0) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        if (this.#head < this.#waiting.length || this.#wanted()) this.#reconnect();
      }, delay);
      // Commands waiting keep the process alive (they are bounded by maxWaitMs); subscriptions alone do not.
      if (this.#head === this.#waiting.length) this.#retryTimer.unref?.();
      return;
    }
    this.#connect();
  }

  async #connect() {
    this.#connecting = true;
    const connection = new RedisConnection(this.#options, this.#onPush);
    this.#all.add(connection);
    const { username, password, db, maxWaitMs = DEFAULT_MAX_WAIT_MS } = this.#options;
    // A host that never answers the SYN: the attempt ends when a waiting command would.
    const giveUp = setTimeout(() => connection.fail(new Error(`${this.#where}: no connection in ${maxWaitMs} ms`)), maxWaitMs);
    giveUp.unref?.();
    let permanent = false;
    try {
      await connection.connected;
      const setup = [];
      if (password !== undefined) setup.push(username ? ['AUTH', username, password] : ['AUTH', password]);
      // Channels span databases: only the command connection selects one.
      if (this.#select && db) setup.push(['SELECT', db]);
      try {
        await Promise.all(setup.map((args) => connection.send(args, true)));
      } catch (error) {
        permanent = connection.failed && error instanceof Error && error.cause instanceof RedisReplyError;
        throw error;
      }
      await this.#onConnect?.(connection);
      if (connection.failed) throw new Error(`${this.#where}: connection closed`);
    } catch (error) {
      clearTimeout(giveUp);
      connection.fail(/** @type {Error} */ (error));
      this.#all.delete(connection);
      this.#connecting = false;
      this.#lastError = /** @type {Error} */ (error);
      this.#notBefore = Date.now() + Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.#attempt++);
      // A refused AUTH or SELECT: the commands waiting get it now (retrying would not help).
      if (permanent) this.#rejectWaiting(() => /** @type {Error} */ (error));
      if (this.#head < this.#waiting.length || this.#wanted()) this.#reconnect();
      return;
    }
    clearTimeout(giveUp);
    this.#connecting = false;
    if (this.#closed) {
      connection.fail(new Error('redis: connection closed by close()'));
      return;
    }
    this.#attempt = 0;
    this.#lastError = null;
    this.#conn = connection;
    connection.onFail = (error) => this.#lost(connection, error);
    // Those waiting go now, in their order, before any later command.
    for (const w of this.#takeWaiting()) connection.send(w.args).then(w.resolve, w.reject);
  }

  /** A live connection failed: its commands rejected already; the next command reconnects. */
  #lost(connection, error) {
    this.#all.delete(connection);
    if (this.#conn !== connection) return;
    this.#conn = null;
    this.#lastError = error;
    if (!this.#closed && this.#wanted()) this.#reconnect();
  }

  /** One timer for the oldest waiting command's deadline (the others' are later). */
  #armDeadline() {
    if (this.#head >= this.#waiting.length) return;
    const ms = Math.max(0, this.#waiting[this.#head].deadline - Date.now());
    this.#deadlineTimer = setTimeout(() => {
      this.#deadlineTimer = undefined;
      const now = Date.now();
      const { maxWaitMs = DEFAULT_MAX_WAIT_MS } = this.#options;
      while (this.#head < this.#waiting.length && this.#waiting[this.#head].deadline <= now) {
        const w = this.#waiting[this.#head];
        this.#waiting[this.#head++] = undefined;
        const last = this.#lastError ? ` (last error: ${this.#lastError.message})` : '';
        w.reject(new Error(`${this.#where}: no connection within ${maxWaitMs} ms${last}`, { cause: this.#lastError ?? undefined }));
      }
      this.#compact();
      this.#armDeadline();
    }, ms);
  }

  #compact() {
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  /** @param {() => Error} why */
  #rejectWaiting(why) {
    for (const w of this.#takeWaiting()) w.reject(why());
  }

  /** The commands waiting, oldest first; none wait any more. */
  #takeWaiting() {
    const waiting = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    return waiting;
  }

  /** Ends the connection and the reconnecting; commands in flight or waiting reject. */
  async close() {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#rejectWaiting(() => new Error('redis: connection closed by close()'));
    this.#conn = null;
    await Promise.all([...this.#all].map((c) => c.close()));
    this.#all.clear();
  }
}

/**
 * Two connections to one Redis: `send` for commands, `subscribe` / `unsubscribe` for channels
 * (one listener per channel; the store counts its readers). The interface the store needs, see
 * RedisCommands in ./redis-store.js. Both connections come back after a failure (see the top).
 */
export class RedisClient {
  #commands;
  #subscriber;
  /** @type {Map<string, {onMessage: (message: string) => void, onGap?: () => void}>} */
  #listeners = new Map();
  #heartbeat;

  /** @param {RedisOptions | string} options or a redis:// URL */
  constructor(options = {}) {
    const o = typeof options === 'string' ? parseRedisUrl(options) : { ...options };
    this.#commands = new Link(o, { select: true });
    this.#subscriber = new Link(o, {
      select: false,
      onPush: (m) => this.#listeners.get(/** @type {string} */ (m[1]))?.onMessage(/** @type {string} */ (m[2])),
      wanted: () => this.#listeners.size > 0,
      onConnect: async (connection) => {
        const channels = [...this.#listeners.keys()];
        if (channels.length === 0) return;
        // Subscribed again (one command each: one reply each), then told: what was published
        // while no connection held the channels is lost, and the listeners' owners look again.
        await Promise.all(channels.map((channel) => connection.send(['SUBSCRIBE', channel])));
        queueMicrotask(() => {
          for (const channel of channels) this.#listeners.get(channel)?.onGap?.();
        });
      },
    });
    // A subscribed connection sends no command, so nothing would notice it going silent (a
    // half-open connection): a PING every commandTimeoutMs while subscribed is a command in
    // flight, which fails the connection when no reply comes (then it comes back, with onGap).
    this.#heartbeat = setInterval(() => {
      if (this.#listeners.size > 0) this.#subscriber.sendIfConnected(['PING']).catch(() => {});
    }, o.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    this.#heartbeat.unref?.();
  }

  /** @param {ReadonlyArray<string | Uint8Array | number>} args */
  send(args) {
    return this.#commands.send(args);
  }

  /**
   * Resolves once Redis confirmed the subscription.
   * @param {string} channel
   * @param {(message: string) => void} onMessage
   * @param {() => void} [onGap] called after the channel was subscribed again on a new connection
   *   (messages published in between are lost)
   */
  async subscribe(channel, onMessage, onGap) {
    const entry = { onMessage, onGap };
    this.#listeners.set(channel, entry);
    try {
      await this.#subscriber.send(['SUBSCRIBE', channel]);
    } catch (error) {
      if (this.#listeners.get(channel) === entry) this.#listeners.delete(channel);
      throw error;
    }
  }

  /** @param {string} channel */
  async unsubscribe(channel) {
    this.#listeners.delete(channel);
    await this.#subscriber.sendIfConnected(['UNSUBSCRIBE', channel]);
  }

  /** Ends both connections (and stops reconnecting). */
  async close() {
    clearInterval(this.#heartbeat);
    await Promise.all([this.#commands.close(), this.#subscriber.close()]);
  }
}
