// A minimal Redis client over node:net for the relay's Redis store (./redis-store.js), so the
// package keeps no runtime dependency: commands pipelined on one connection (replies come back
// in order, so a FIFO of promises matches them), pub/sub on a second one (a subscribed
// connection takes no other command). No reconnect: a failed connection rejects every command in
// flight and every later one with its error, so a caller always sees a rejected promise and
// nothing is left unhandled. No TLS (rediss://): plug another client into the store for that.

import net from 'node:net';

import { RespParser, encodeCommand } from './resp.js';

/** What one reply may take; the store's events are far below it (their byte cap is 8 MiB). */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;

/**
 * @typedef {object} RedisOptions
 * @property {string} [host] 127.0.0.1 by default
 * @property {number} [port] 6379 by default
 * @property {string} [username] with password: ACL AUTH
 * @property {string} [password]
 * @property {number} [db]
 * @property {number} [maxReplyBytes]
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

  /**
   * @param {RedisOptions} options
   * @param {(message: unknown[]) => void} [onPush] pub/sub messages (not replies to a command)
   */
  constructor({ host = '127.0.0.1', port = 6379, maxReplyBytes = DEFAULT_MAX_REPLY_BYTES }, onPush) {
    this.onPush = onPush;
    this.#parser = new RespParser((reply) => this.#reply(reply), { maxReplyBytes });
    this.#socket = net.connect({ host, port });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk) => {
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

  /** Fails every command in flight and every later one with `error`; closes the socket. */
  fail(error) {
    if (this.#error) return;
    this.#error = error;
    this.#socket.destroy();
    const queue = this.#queue;
    this.#queue = [];
    for (const { reject } of queue) reject(error);
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
 * Two connections to one Redis: `send` for commands, `subscribe` / `unsubscribe` for channels
 * (one listener per channel; the store counts its readers). The interface the store needs, see
 * RedisCommands in ./redis-store.js.
 */
export class RedisClient {
  #options;
  /** @type {RedisConnection | null} */
  #commands = null;
  /** @type {RedisConnection | null} */
  #subscriber = null;
  /** @type {Map<string, (message: string) => void>} */
  #listeners = new Map();

  /** @param {RedisOptions | string} options or a redis:// URL */
  constructor(options = {}) {
    this.#options = typeof options === 'string' ? parseRedisUrl(options) : { ...options };
  }

  /** @param {ReadonlyArray<string | Uint8Array | number>} args */
  send(args) {
    this.#commands ??= this.#connect(true);
    return this.#commands.send(args);
  }

  /** Resolves once Redis confirmed the subscription. @param {string} channel @param {(message: string) => void} onMessage */
  async subscribe(channel, onMessage) {
    this.#subscriber ??= this.#connect(false, (m) => this.#listeners.get(m[1])?.(m[2]));
    this.#listeners.set(channel, onMessage);
    try {
      await this.#subscriber.send(['SUBSCRIBE', channel]);
    } catch (error) {
      if (this.#listeners.get(channel) === onMessage) this.#listeners.delete(channel);
      throw error;
    }
  }

  /** @param {string} channel */
  async unsubscribe(channel) {
    this.#listeners.delete(channel);
    if (this.#subscriber) await this.#subscriber.send(['UNSUBSCRIBE', channel]);
  }

  /** Ends both connections. */
  async close() {
    await Promise.all([this.#commands?.close(), this.#subscriber?.close()]);
  }

  /** A connection with AUTH and SELECT sent first; either failing fails the connection at once. */
  #connect(select, onPush) {
    const { username, password, db } = this.#options;
    const connection = new RedisConnection(this.#options, onPush);
    const setup = [];
    if (password !== undefined) setup.push(username ? ['AUTH', username, password] : ['AUTH', password]);
    // Channels span databases: only the command connection selects one.
    if (select && db) setup.push(['SELECT', db]);
    // Their failure is every later command's rejection: nothing else to report here.
    for (const args of setup) connection.send(args, true).catch(() => {});
    return connection;
  }
}
