// createRelay: the server side of the relay protocol (docs/relay-protocol.md). A browser POSTs a
// request; the relay checks it against its policy, streams it from the provider with the key
// from the server's configuration, and re-sends the package's chunks as relay events. Each
// stream's events go through a resume store, so every response (the first one too) is a read of
// the store: a reconnect with Last-Event-ID continues exactly where the connection dropped,
// without a second upstream request. The upstream runs on its own (a pump), not in the
// response: a dropped connection does not stop it; a DELETE does at once, and so does the store
// when no client came back within the resume window.
//
// Two server shapes over one core (`#handle`): Node's `(req, res)` (the relay function itself)
// and fetch's `Request -> Response` (`relay.fetch`: Node 18+, Deno, Bun, edge runtimes).

import { RELAY } from '../../dist/core/abi.js';
import { APILoader, LOADER_SECRETS } from '../api-loader.js';
import { NEXT_BATCH, RAW_RESULT } from '../chunk-stream.js';
import { ErrorCode, scrub } from '../errors.js';
import { toolSet } from '../tool-loop.js';
import { RELAY_SSE_HEADERS, RelayEncoder } from './encode.js';
import { admit, relayOptions, relayPolicy, RelayRefusal, streamOwner } from './policy.js';
import { DEFAULT_RESUME_WINDOW_MS, lostStreamEvent, MemoryStore, StreamUnavailableError } from './store.js';

/** The comment's interval while nothing else is sent (the protocol's 15 s). */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** The largest request body read (a long conversation with images fits; a flood does not). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * How long a response may stay unwritable (a client that stopped reading: Node's buffer full, or
 * a fetch body not pulled) before the relay closes it. Its reader then leaves the stream, whose
 * resume window starts: a client that never reads cannot hold a stream and its memory for ever.
 */
export const DEFAULT_WRITE_TIMEOUT_MS = 30_000;

const RELAY_KEYS = ['policy', 'tools', 'store', 'resumeWindowMs', 'keepAliveMs', 'maxBodyBytes', 'writeTimeoutMs', 'loader', 'onError'];

/** The ids this relay gives out: "r_" + 64 random bits in hex (the protocol's minimum). */
const STREAM_ID = /^r_[0-9a-f]{16}$/;

async function webCrypto() {
  return globalThis.crypto ?? (await import('node:crypto')).webcrypto;
}

async function newStreamId() {
  const bytes = (await webCrypto()).getRandomValues(new Uint8Array(8));
  return `r_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The key a stream is stored under: its id, plus a tag of its owner when it has one, so that a
 * resume or cancel by another caller names a stream that does not exist for it, in every
 * process sharing the store, without the store knowing about owners.
 */
async function storeKey(streamId, owner) {
  if (owner === null) return streamId;
  const digest = new Uint8Array(await (await webCrypto()).subtle.digest('SHA-256', new TextEncoder().encode(owner)));
  let tag = '';
  for (const byte of digest.subarray(0, 12)) tag += byte.toString(16).padStart(2, '0');
  return `${streamId}_${tag}`;
}

/**
 * A relay: `relay(req, res)` for Node's http servers (and Express / Connect: it ends every
 * response itself), `relay.fetch(request)` for fetch-style servers.
 *
 * @param {object} config the APILoader options of the upstream (provider, apiKey, baseURL, ...:
 *   the key stays here), or `loader` (an APILoader) instead; plus policy {models, maxTokens,
 *   maxSteps, authenticate, rateLimit, check}, tools {name: {description, parameters, execute}}
 *   (they run here), store (a RelayStore: a MemoryStore by default), resumeWindowMs (30 s),
 *   keepAliveMs (15 s), maxBodyBytes (4 MiB)
 */
export function createRelay(config = {}) {
  const relay = new Relay(config);
  const handler = (req, res) => relay.handleNode(req, res);
  handler.fetch = (request) => relay.handleFetch(request);
  handler.cancelAll = () => relay.cancelAll();
  handler.store = relay.store;
  return handler;
}

class Relay {
  /** Upstreams this process holds, by stream id. */
  #running = new Map();

  constructor(config) {
    if (config === null || typeof config !== 'object') throw new TypeError('createRelay: options must be an object');
    const loaderOptions = Object.fromEntries(Object.entries(config).filter(([key]) => !RELAY_KEYS.includes(key)));
    if (config.loader !== undefined) {
      if (!(config.loader instanceof APILoader)) throw new TypeError('createRelay: loader must be an APILoader');
      if (Object.keys(loaderOptions).length) throw new TypeError('createRelay: pass either loader or its options, not both');
      this.loader = config.loader;
    } else {
      this.loader = new APILoader(loaderOptions);
    }
    // The key and the rest of what the loader must never show, and the upstream base URL (an
    // internal gateway's host and path are the server's business too).
    this.secrets = [...this.loader[LOADER_SECRETS](), ...(this.loader.baseURL ? [String(this.loader.baseURL)] : [])];
    this.onError = config.onError ?? ((error) => console.error('llmstream relay:', error));
    if (this.loader.provider === 'relay') throw new TypeError("createRelay: the upstream cannot be provider 'relay'");
    this.policy = relayPolicy(config.policy);
    this.tools = config.tools === undefined ? undefined : toolSet(config.tools)?.tools;
    if (config.tools !== undefined && !this.tools) throw new TypeError('createRelay: tools must be an object {name: {description, parameters, execute}}');
    this.resumeWindowMs = config.resumeWindowMs ?? DEFAULT_RESUME_WINDOW_MS;
    this.keepAliveMs = config.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.writeTimeoutMs = config.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    for (const [name, value] of [['resumeWindowMs', this.resumeWindowMs], ['keepAliveMs', this.keepAliveMs],
      ['maxBodyBytes', this.maxBodyBytes], ['writeTimeoutMs', this.writeTimeoutMs]]) {
      if (!Number.isFinite(value) || value <= 0) throw new TypeError(`createRelay: ${name} must be a positive number`);
    }
    this.store = config.store ?? new MemoryStore({ resumeWindowMs: this.resumeWindowMs });
  }

  /**
   * One request, whatever the server shape: {status, headers, json} for an answer without a
   * stream, {status: 200, headers, events} with an async iterator of the response's text.
   * @param {{method: string, url: URL, headers: Headers, ip?: string, body: () => Promise<string>}} request
   */
  async handle(request) {
    try {
      const version = request.headers.get('llmstream-relay');
      if (version !== null && version.trim() !== String(RELAY.version)) {
        throw new RelayRefusal(426, ErrorCode.INVALID_REQUEST,
          `relay protocol version ${version} is not supported (this relay speaks ${RELAY.version})`);
      }
      const caller = { method: request.method, url: request.url, headers: request.headers, ip: request.ip };
      const streamId = request.url.searchParams.get('stream');
      if (request.method === 'POST' && streamId === null) return await this.#start(request, caller);
      if (request.method === 'GET' && streamId !== null) return await this.#resume(request, caller, streamId);
      if (request.method === 'DELETE' && streamId !== null) return await this.#cancel(caller, streamId);
      return refusal(new RelayRefusal(405, ErrorCode.INVALID_REQUEST,
        'a relay takes POST (a request), GET ?stream= (a resume) and DELETE ?stream= (a cancel)'), { allow: 'GET, POST, DELETE' });
    } catch (error) {
      if (error instanceof RelayRefusal) return refusal(error);
      // A resume after the terminal event: 204, on which EventSource stops reconnecting.
      if (error instanceof StreamUnavailableError && error.reason === 'ended') {
        return { status: 204, headers: { 'llmstream-relay': String(RELAY.version) } };
      }
      if (error instanceof StreamUnavailableError) {
        // Named by the id the caller sent, never by the store key (which tags the owner).
        const named = request.url.searchParams.get('stream') ?? error.streamId;
        const message = error.streamId ? error.message.split(error.streamId).join(named) : error.message;
        return refusal(new RelayRefusal(409, ErrorCode.INVALID_REQUEST, message));
      }
      // Anything else is our bug, a hook's or the store's: the caller learns no more than that
      // (a message may name internal hosts); the server's own log gets the detail.
      this.onError(error);
      return refusal(new RelayRefusal(500, ErrorCode.INTERNAL, 'the relay failed (its log says why)'));
    }
  }

  async #start(request, caller) {
    const type = request.headers.get('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new RelayRefusal(415, ErrorCode.INVALID_REQUEST, 'the request body must be application/json');
    }
    const identity = await admit(this.policy, caller);
    let body;
    const text = await request.body(this.maxBodyBytes);
    try {
      body = JSON.parse(text);
    } catch {
      throw new RelayRefusal(400, ErrorCode.INVALID_REQUEST, 'the request body is not JSON');
    }
    const options = await relayOptions(body, {
      policy: this.policy, tools: this.tools, defaultModel: this.loader.defaultModel, identity, caller,
    });
    let stream;
    try {
      stream = this.loader.streamCompletion(options); // the package's own option checks throw here
    } catch (error) {
      throw new RelayRefusal(400, ErrorCode.INVALID_REQUEST, scrub(error?.message ?? String(error), this.secrets));
    }
    const streamId = await newStreamId();
    const key = await storeKey(streamId, await streamOwner(this.policy, identity, caller));
    const encoder = new RelayEncoder({ stream: streamId, model: options.model });
    try {
      await this.store.open(key, {
        // No client came back within the resume window: the upstream stops ("Cancelling").
        onDrop: () => this.#running.get(key)?.cancel('the client went away'),
        // A DELETE that landed on another relay process sharing the store.
        onCancel: () => this.#running.get(key)?.cancel('cancelled by the client (DELETE)'),
      });
    } catch {
      // The store is full (every stream it holds is being read) or unreachable: nothing was sent.
      stream.cancel();
      throw new RelayRefusal(503, ErrorCode.SERVER, 'the relay cannot take another stream now: retry later');
    }
    // The response's reader first: a store that cannot serve it (503) must not leave an upstream
    // request running that nobody reads (and that the client's retry would start again).
    let reply;
    try {
      reply = await this.#events(key, streamId, null);
    } catch (error) {
      stream.cancel();
      await this.store.drop?.(key)?.catch?.(() => {});
      throw error;
    }
    this.#pump(key, stream, encoder);
    return reply;
  }

  /** The store key of the stream a resume or cancel names, for this caller. */
  async #keyFor(caller, streamId) {
    const identity = await admit(this.policy, caller);
    // Only the ids this relay gives out: a stream parameter that carried an owner tag of its own
    // must not reach another caller's stream.
    if (!STREAM_ID.test(streamId)) {
      throw new RelayRefusal(409, ErrorCode.INVALID_REQUEST, `relay stream ${streamId.slice(0, 64)} is unknown`);
    }
    return storeKey(streamId, await streamOwner(this.policy, identity, caller));
  }

  async #resume(request, caller, streamId) {
    const key = await this.#keyFor(caller, streamId);
    const last = request.headers.get('last-event-id') ?? request.url.searchParams.get('lastEventId');
    let after = null;
    if (last !== null && last.trim() !== '') {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(last.trim())) throw new RelayRefusal(400, ErrorCode.INVALID_REQUEST, `Last-Event-ID '${last}' is not an event id`);
      after = Number(last.trim());
    }
    return this.#events(key, streamId, after);
  }

  async #cancel(caller, streamId) {
    const key = await this.#keyFor(caller, streamId);
    const running = this.#running.get(key);
    if (running) {
      running.cancel('cancelled by the client (DELETE)');
    } else if (typeof this.store.cancel !== 'function' || !(await this.store.cancel(key))) {
      // Not held here, and no process sharing the store holds it (unknown, ended or expired).
      throw new RelayRefusal(409, ErrorCode.INVALID_REQUEST, `relay stream ${streamId} is not running`);
    }
    return { status: 204, headers: { 'llmstream-relay': String(RELAY.version) } };
  }

  /** The upstream: every chunk encoded and appended to the store, then its end. */
  async #pump(streamId, stream, encoder) {
    let reason = '';
    const running = {
      cancel: (why) => {
        reason ||= why;
        stream.cancel();
      },
    };
    this.#running.set(streamId, running);
    // The id after the last event the store took (the encoder's may be ahead when one failed).
    let stored = 0;
    // False once the terminal event could not be stored: then the stream must not be ended
    // without one (a store whose holder lease lapses ends it with the "stream lost" event).
    let endable = true;
    const append = async (text) => {
      if (!text) return;
      await this.store.append(streamId, encoder.nextId - 1, this.#masked(text));
      stored = encoder.nextId;
    };
    try {
      await append(encoder.startEvent());
      // A batch (one network read's chunks) is appended without waiting between events, so
      // readers wake once per batch; a store applies appends in call order.
      const many = typeof this.store.appendMany === 'function';
      for (let batch; (batch = await nextBatch(stream)) !== null; ) {
        const firstId = encoder.nextId;
        const texts = [];
        for (const chunk of batch) {
          const terminal = chunk.type === 'done' || chunk.type === 'error';
          const text = encoder.encode(chunk, terminal ? { completion: stream[RAW_RESULT]() } : undefined);
          if (text) texts.push(this.#masked(text));
        }
        if (texts.length === 0) continue;
        if (many) {
          await this.store.appendMany(streamId, firstId, texts);
        } else {
          await Promise.all(texts.map((text, i) => this.store.append(streamId, firstId + i, text)));
        }
        stored = firstId + texts.length;
      }
      if (!encoder.ended) {
        // Cancelled (DELETE, or nobody came back): the stream still ends with its terminal event.
        await append(encoder.encode({ type: 'error', error: { code: ErrorCode.ABORTED, message: `the relay stream was cancelled: ${reason || 'cancelled'}`, retryable: false } },
          { completion: stream[RAW_RESULT]() }));
      }
    } catch (error) {
      // The store failed (a dropped stream, a Redis blip): the upstream stops, and the stream
      // still gets its terminal event if the store takes it, so readers do not resume for ever.
      stream.cancel();
      if (!encoder.ended || stored < encoder.nextId) {
        try {
          // After the last event the store holds (no gap); the bytes a store that lost the
          // stream's holder writes too (store.js, lostStreamEvent).
          await this.store.append(streamId, stored, lostStreamEvent(stored));
        } catch {
          // the store is gone: its readers fail on their own (dropped, or the resume's 409), or
          // (RedisStore) end the stream when this holder's lease lapses
          endable = false;
        }
      }
      // A stream the store dropped (nobody came back) is what ended it, not a failure to log.
      if (!(reason && error instanceof StreamUnavailableError)) this.onError(error);
    } finally {
      this.#running.delete(streamId);
      try {
        if (endable) await this.store.end(streamId);
      } catch {
        // dropped already
      }
    }
  }

  /**
   * An encoded event with the relay's secrets masked (a provider may echo the key in an error,
   * a metadata chunk or the completion): the JSON text itself, so no field escapes it. Keys are
   * JSON-safe, so they appear in the text as they are.
   */
  #masked(text) {
    for (const secret of this.secrets) {
      if (secret.length >= 4 && text.includes(secret)) text = text.split(secret).join('[redacted]');
    }
    return text;
  }

  /** A response reading the store from after `afterId`, with keep-alive comments while idle. */
  async #events(key, streamId, afterId) {
    let reader;
    try {
      reader = await this.store.read(key, afterId); // unknown / expired: 409 before any byte
    } catch (error) {
      if (error instanceof StreamUnavailableError) throw error;
      // The store cannot be reached now (a Redis restart): the client's resume tries again.
      this.onError(error);
      throw new RelayRefusal(503, ErrorCode.SERVER, 'the relay cannot serve this stream now: retry later');
    }
    // The id in a header too: a client that cancels before `start` arrives can still DELETE it.
    const headers = { ...RELAY_SSE_HEADERS, 'llmstream-relay-stream': streamId };
    return { status: 200, headers, events: withKeepAlive(reader, this.keepAliveMs) };
  }

  cancelAll() {
    for (const running of this.#running.values()) running.cancel('the relay is shutting down');
  }

  /** Node: `(req, res)`. Never rejects: a request it cannot read is answered 400. */
  async handleNode(req, res) {
    try {
      await this.#serveNode(req, res);
    } catch (error) {
      this.onError(error);
      if (!res.headersSent) {
        const answer = refusal(new RelayRefusal(400, ErrorCode.INVALID_REQUEST, 'the relay could not read this request'));
        res.writeHead(answer.status, { ...answer.headers, connection: 'close' });
        res.end(JSON.stringify(answer.json));
      } else {
        res.destroy();
      }
    }
  }

  async #serveNode(req, res) {
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      // HTTP/2's pseudo-headers (:method, :path) are no header names for Headers.
      if (value !== undefined && !name.startsWith(':')) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const reply = await this.handle({
      method: req.method ?? 'GET', url, headers, ip: req.socket?.remoteAddress,
      body: (limit) => readNodeBody(req, limit),
    });
    if (!reply.events) {
      // A body left unread (413) closes the connection: the client still reads the answer.
      res.writeHead(reply.status, reply.status === 413 ? { ...reply.headers, connection: 'close' } : reply.headers);
      res.end(reply.json === undefined ? undefined : JSON.stringify(reply.json));
      return;
    }
    const events = reply.events;
    // The client went away: the reader leaves the stream (the store's resume window starts).
    const onClose = () => events.return();
    res.on('close', onClose);
    res.writeHead(200, reply.headers);
    res.flushHeaders?.();
    try {
      for await (const text of events) {
        if (res.destroyed) break;
        if (!res.write(text) && !(await drained(res, this.writeTimeoutMs))) {
          res.destroy(); // the client stopped reading: it can resume; its reader leaves now
          break;
        }
      }
    } catch {
      // The reader fell behind the store's cap: the connection ends without a terminal event,
      // and the client's resume gets the 409 that says why.
    } finally {
      res.off('close', onClose);
      res.end();
    }
  }

  /** fetch: `Request -> Response`. Never rejects. */
  async handleFetch(request) {
    let url;
    try {
      url = new URL(request.url);
    } catch {
      const answer = refusal(new RelayRefusal(400, ErrorCode.INVALID_REQUEST, 'the relay could not read this request'));
      return new Response(JSON.stringify(answer.json), { status: answer.status, headers: answer.headers });
    }
    const reply = await this.handle({
      method: request.method, url, headers: request.headers,
      body: (limit) => readFetchBody(request, limit),
    });
    if (!reply.events) {
      return new Response(reply.json === undefined ? null : JSON.stringify(reply.json), { status: reply.status, headers: reply.headers });
    }
    const events = reply.events;
    const encoder = new TextEncoder();
    // The body is pulled as the client reads it. No pull for writeTimeoutMs (a client that stopped
    // reading, or a Response nobody reads) lets the stream go: its reader leaves, the body fails.
    const timeoutMs = this.writeTimeoutMs;
    let stall = null;
    const arm = (controller) => {
      stall = setTimeout(() => {
        events.return();
        controller.error(new Error(`the relay closed a response not read for ${timeoutMs} ms`));
      }, timeoutMs);
      stall.unref?.();
    };
    const body = new ReadableStream({
      start: arm,
      async pull(controller) {
        clearTimeout(stall);
        try {
          const { value, done } = await events.next();
          if (done) {
            controller.close();
          } else {
            controller.enqueue(encoder.encode(value));
            arm(controller);
          }
        } catch {
          controller.close(); // fell behind the store's cap: the client resumes and learns why
        }
      },
      cancel() {
        clearTimeout(stall);
        return events.return();
      },
    }, { highWaterMark: 0 });
    request.signal?.addEventListener?.('abort', () => events.return(), { once: true });
    return new Response(body, { status: 200, headers: reply.headers });
  }
}

/** The stream's next batch, or null at its end; its failure ends it too (its error chunk came before). */
async function nextBatch(stream) {
  try {
    return await stream[NEXT_BATCH]();
  } catch {
    return null;
  }
}

function refusal(error, extraHeaders = {}) {
  const headers = { 'content-type': 'application/json', 'llmstream-relay': String(RELAY.version), ...extraHeaders };
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  return { status: error.status, headers, json: error.body() };
}


/**
 * The stored events as response text: the preamble, then every event stored so far in one
 * string (one write per wake-up, not per event), a keep-alive comment once `keepAliveMs` passed
 * without one. An iterator whose return() leaves the store at once, even while a next() waits
 * (an async generator's would wait for it). One timer per response, re-armed only when it fires.
 */
function withKeepAlive(reader, keepAliveMs) {
  let preamble = true;
  let pending = null;
  let closed = false;
  let lastSent = Date.now();
  let tick = null;
  let timer = null;
  const decoder = new TextDecoder();
  const text = (bytes) => (typeof bytes === 'string' ? bytes : decoder.decode(bytes));
  const arm = (ms) => {
    tick = new Promise((resolve) => {
      timer = setTimeout(() => resolve(TICK), ms);
      timer.unref?.(); // an idle response must not keep a process alive that is shutting down
    });
  };
  const stop = () => {
    clearTimeout(timer);
    tick = null;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (closed) return { value: undefined, done: true };
      if (preamble) {
        preamble = false;
        return { value: RelayEncoder.preamble(), done: false };
      }
      for (;;) {
        pending ??= reader.next();
        if (!tick) arm(Math.max(0, keepAliveMs - (Date.now() - lastSent)));
        let step;
        try {
          step = await Promise.race([pending, tick]);
        } catch (error) {
          closed = true; // the reader failed (fell behind the cap, dropped): no timer left behind
          stop();
          throw error;
        }
        if (step === TICK) {
          tick = null;
          if (Date.now() - lastSent < keepAliveMs) continue; // something was sent meanwhile
          lastSent = Date.now();
          return { value: RelayEncoder.keepAlive(), done: false };
        }
        pending = null;
        if (step.done) {
          closed = true;
          stop();
          return { value: undefined, done: true };
        }
        let out = text(step.value.bytes);
        for (let more = reader.nextNow?.(); more; more = reader.nextNow()) out += text(more.bytes);
        lastSent = Date.now();
        return { value: out, done: false };
      }
    },
    async return() {
      stop();
      if (!closed) {
        closed = true;
        await reader.return?.();
      }
      return { value: undefined, done: true };
    },
  };
}

const TICK = Symbol('idle timer');

/** Resolves true once `res` drained (or closed), false when it did not within `timeoutMs`. */
function drained(res, timeoutMs) {
  return new Promise((resolve) => {
    const finish = (ok) => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve(ok);
    };
    const done = () => finish(true);
    const timer = setTimeout(() => finish(false), timeoutMs);
    res.on('drain', done);
    res.on('close', done);
  });
}

async function readNodeBody(req, limit) {
  // A body-parsing middleware (express.json()) already read the stream: its result is the body.
  if (req.body !== undefined && req.body !== null && req.readableEnded !== false) {
    const body = req.body;
    const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : JSON.stringify(body);
    if (Buffer.byteLength(text) > limit) throw new RelayRefusal(413, ErrorCode.INVALID_REQUEST, `the request body is larger than ${limit} bytes`);
    return text;
  }
  let size = 0;
  const parts = [];
  for await (const part of req) {
    size += part.length;
    if (size > limit) {
      req.resume?.(); // the rest is drained and dropped; the answer closes the connection
      throw new RelayRefusal(413, ErrorCode.INVALID_REQUEST, `the request body is larger than ${limit} bytes`);
    }
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function readFetchBody(request, limit) {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new RelayRefusal(413, ErrorCode.INVALID_REQUEST, `the request body is larger than ${limit} bytes`);
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.byteLength;
  }
  return new TextDecoder().decode(all);
}
