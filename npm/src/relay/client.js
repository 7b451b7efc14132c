// The browser side of the relay protocol (docs/relay-protocol.md): `provider: 'relay'`. A driver
// session (the shape ChunkStream reads: an async iterable of chunk arrays with cancel(),
// result(), error(), failure, attempts) over HTTP to a relay, so a relayed stream has the same
// iterator, chunks, errors, tee(), metrics and transforms as a direct one. No WebAssembly: the
// relay did the provider's parsing, so a page that reads a relay never downloads the core.
//
// A connection that ends without done or error was cut: the session resumes by itself (GET
// ?stream= with Last-Event-ID) and the caller sees one unbroken stream; `break`, cancel() and
// the AbortSignal cancel the upstream with a DELETE. A connection silent for idleTimeoutMs (the
// relay writes a keep-alive every 15 s: a half-open connection, a proxy that holds the bytes) is
// dropped and resumed the same way. What the page keeps of a stream is bounded as a direct
// stream's is (STREAM_LIMITS): past it the stream fails and the upstream is cancelled.

import { RELAY, STREAM_LIMITS } from '../../dist/core/abi.js';
import { shapeCompletion } from '../complete.js';
import { AbortError, ErrorCode, toLLMStreamError } from '../errors.js';
import { RelayDecoder } from './decode.js';
import { utf8Length } from './sse.js';

/** Reconnections in a row without a new event before a cut stream fails (truncated). */
export const DEFAULT_MAX_RESUMES = 5;
/** The longest silence on a relay connection: three of the relay's 15 s keep-alive intervals. */
export const DEFAULT_RELAY_IDLE_TIMEOUT_MS = 45_000;
/** How long a cancel waits for the POST's headers (the stream's id) before it just aborts. */
const CANCEL_WAIT_MS = 5000;

const PROTOCOL_HEADERS = Object.freeze({ 'llmstream-relay': String(RELAY.version) });

/** `url` with ?stream=id (the relay URL may have a query of its own). */
function streamUrl(url, streamId) {
  const base = globalThis.location?.href;
  const u = new URL(String(url), base);
  u.searchParams.set('stream', streamId);
  return u.toString();
}

/** The body text of a relay's refusal as an LLMStreamError of its code (or of its status). */
async function refusalError(response, partial) {
  let fields = null;
  try {
    const body = await response.json();
    if (body && typeof body.error === 'object' && typeof body.error?.code === 'string') fields = body.error;
  } catch {
    fields = null;
  }
  const status = response.status;
  fields ??= {
    code: status === 401 || status === 403 ? ErrorCode.AUTH : status === 429 ? ErrorCode.RATE_LIMITED
      : status >= 500 ? ErrorCode.SERVER : ErrorCode.HTTP_STATUS,
    message: `the relay answered HTTP ${status}`,
  };
  return toLLMStreamError({ ...fields, status }, { partial });
}

export class RelaySession {
  /**
   * @param {{url: string | URL, body: Record<string, unknown>, fetch: typeof globalThis.fetch,
   *   headers?: Record<string, string>, signal?: AbortSignal, jsonOutput?: boolean,
   *   maxResumes?: number, resumeDelayMs?: number, idleTimeoutMs?: number,
   *   maxCompletionBytes?: number}} options resumeDelayMs: the wait before a reconnection (the
   *   relay's `retry:`, 1 s, by default); idleTimeoutMs: the longest silence on a connection
   *   (0: none); maxCompletionBytes: the most output kept (0: no bound)
   */
  constructor({ url, body, fetch, headers = {}, signal, jsonOutput = false, maxResumes = DEFAULT_MAX_RESUMES, resumeDelayMs,
    idleTimeoutMs = DEFAULT_RELAY_IDLE_TIMEOUT_MS, maxCompletionBytes = STREAM_LIMITS.maxCompletionBytes }) {
    this.url = url;
    this.body = body;
    this.fetch = fetch;
    this.headers = headers;
    this.signal = signal;
    this.jsonOutput = jsonOutput;
    this.maxResumes = maxResumes;
    this.resumeDelayMs = resumeDelayMs;
    this.attempts = 0;
    this.bytesRead = 0;
    this.responseAtMs = null;
    /** @type {import('../errors.js').LLMStreamError | null} */
    this.failure = null;
    this.streamId = '';
    this.completion = undefined;
    this.idleTimeoutMs = idleTimeoutMs;
    this.partial = new PartialCompletion({ ...STREAM_LIMITS, maxCompletionBytes });
    /** The stream passed a limit: it failed here, and the upstream is cancelled. */
    this.overLimit = false;
    this.controller = new AbortController();
    this.cancelled = false;
    this.deleted = false;
    /** The POST in flight (a cancel before the stream has an id waits for its headers). */
    this.posting = null;
    this.ended = false;
    this.onAbort = () => this.cancel();
    if (signal) {
      if (signal.aborted) this.cancelled = true;
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  [Symbol.asyncIterator]() {
    return this.run();
  }

  /** The completion: the relay's (done's `completion`), else what the chunks said so far. */
  result() {
    return this.completion ?? this.partial.raw();
  }

  error() {
    return this.failure;
  }

  /** Stops the stream: the transfer is aborted and the relay told to cancel the upstream. */
  cancel() {
    if (this.cancelled || this.ended) return;
    this.cancelled = true;
    if (this.streamId || !this.posting) {
      this.controller.abort();
      this.#sendDelete();
      return;
    }
    // The POST is in flight and the stream has no id yet: wait for the answer's headers (the
    // relay names the stream there), then cancel it; give up waiting after a while.
    const giveUp = setTimeout(() => this.controller.abort(), CANCEL_WAIT_MS);
    this.posting.then(
      (response) => {
        clearTimeout(giveUp);
        this.streamId ||= response.headers.get('llmstream-relay-stream') ?? '';
        this.controller.abort();
        this.#sendDelete();
      },
      () => clearTimeout(giveUp),
    );
  }

  /** DELETE ?stream=: fire and forget (the page may be going away: keepalive outlives it). */
  #sendDelete() {
    if (!this.streamId || this.deleted) return;
    this.deleted = true;
    Promise.resolve()
      .then(() => this.fetch(streamUrl(this.url, this.streamId), {
        method: 'DELETE', headers: { ...this.headers, ...PROTOCOL_HEADERS }, keepalive: true,
      }))
      .then((response) => response.body?.cancel?.(), () => {});
  }

  async *run() {
    try {
      // The last event id seen over all connections (null: none yet), and the failed
      // reconnections in a row since the last new event.
      let position = null;
      let resumes = 0;
      let resuming = false;
      const retry = async () => {
        resumes++;
        if (resumes > this.maxResumes) return false;
        await this.#pause();
        return true;
      };
      for (;;) {
        if (this.cancelled) {
          yield this.#fail(this.#abortError());
          return;
        }
        let response;
        const connection = this.#connection();
        try {
          response = await this.#send(resuming, position, connection.signal);
        } catch (error) {
          connection.stop();
          if (this.cancelled) continue;
          if (resuming && (await retry())) continue;
          yield this.#fail(connection.timedOut
            ? toLLMStreamError({ code: ErrorCode.TIMEOUT, message: `the relay did not answer within ${this.idleTimeoutMs} ms` }, { partial: this.#shaped() })
            : toLLMStreamError({ code: ErrorCode.NETWORK, message: `the relay could not be reached: ${error?.message ?? error}` }, { partial: this.#shaped() }));
          return;
        } finally {
          this.posting = null;
        }
        // Every way out of this connection stops its watchdog (a timer would hold a process open).
        try {
          if (this.cancelled) {
            await response.body?.cancel?.().catch?.(() => {});
            continue;
          }
          this.streamId ||= response.headers.get('llmstream-relay-stream') ?? '';
          // A proxy or load balancer between deploys: a resume tries again, within maxResumes.
          if (resuming && [502, 503, 504].includes(response.status)) {
            await response.body?.cancel?.().catch?.(() => {});
            if (await retry()) continue;
          }
          if (!response.ok) {
            yield this.#fail(await refusalError(response, this.#shaped()));
            return;
          }
          if (resuming && response.status === 204) {
            // The stream ended after the last event this client saw, and the relay holds no more
            // of it (as the C++ client reads it): its end was lost.
            yield this.#fail(toLLMStreamError({ code: ErrorCode.TRUNCATED, status: 204,
              message: 'the relay stream ended while this client was away: its last events were not received' }, { partial: this.#shaped() }));
            return;
          }
          const type = response.headers.get('content-type') ?? '';
          if (!/^text\/event-stream/i.test(type)) {
            await response.body?.cancel?.();
            yield this.#fail(toLLMStreamError({ code: ErrorCode.NOT_EVENT_STREAM, status: response.status,
              message: `the relay answered ${type || 'without a content type'}, not text/event-stream` }, { partial: this.#shaped() }));
            return;
          }
          this.responseAtMs ??= globalThis.performance?.now?.() ?? Date.now();
          const next = new RelayDecoder(position === null ? {} : { resumeAfter: position });
          if (position !== null) {
            next.streamId = this.streamId;
            next.model = this.partial.model;
          }
          try {
            for await (const part of response.body) {
              connection.touch();
              this.bytesRead += part.byteLength ?? part.length;
              const chunks = this.#read(next, next.push(part));
              if (chunks.length) {
                // The caller's own pace is no silence of the relay: no watchdog while it holds the chunks.
                connection.hold();
                yield chunks;
                connection.touch();
              }
              if (this.overLimit) {
                this.controller.abort();
                this.#sendDelete();
                return;
              }
              if (next.end !== 'open') break;
            }
          } catch {
            // The connection broke mid-body (or went silent past idleTimeoutMs): a cut, as an end
            // without a terminal event.
          } finally {
            connection.stop();
          }
          if (next.end === 'open') {
            const chunks = this.#read(next, next.finish());
            if (chunks.length) yield chunks;
          }
          if (next.end !== 'cut') return; // done, or failed (error event, broken protocol)
          if (this.cancelled) continue;
          // Cut: resume after the last event seen, over all connections (none yet: from event 0).
          if (next.lastEventId !== null && next.lastEventId !== position) {
            position = next.lastEventId;
            resumes = 0;
          }
          if (!this.streamId || !(await retry())) {
            yield this.#fail(next.error);
            return;
          }
          resuming = true;
        } finally {
          connection.stop();
        }
      }
    } finally {
      this.ended = true;
      this.signal?.removeEventListener?.('abort', this.onAbort);
      this.controller.abort(); // a body not read to its end
    }
  }

  /**
   * One connection's abort signal (the session's cancel aborts it too) and its idle watchdog,
   * armed from the request on: touch() when bytes arrive, stop() when the connection is over.
   */
  #connection() {
    const controller = new AbortController();
    const session = this.controller.signal;
    const abort = () => controller.abort();
    session.addEventListener('abort', abort, { once: true });
    const ms = this.idleTimeoutMs;
    let timer = null;
    const connection = {
      signal: controller.signal,
      timedOut: false,
      touch() {
        if (!ms) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          connection.timedOut = true;
          controller.abort();
        }, ms);
      },
      hold() {
        clearTimeout(timer);
      },
      stop() {
        clearTimeout(timer);
        session.removeEventListener('abort', abort);
      },
    };
    connection.touch();
    return connection;
  }

  /** POST the request, or GET a resume after `position` (the last event id seen, or null). */
  #send(resuming, position, signal) {
    this.attempts++;
    if (!resuming) {
      this.posting = this.fetch(String(this.url), {
        method: 'POST',
        headers: { ...this.headers, ...PROTOCOL_HEADERS, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(this.body),
        signal,
      });
      return this.posting;
    }
    const headers = { ...this.headers, ...PROTOCOL_HEADERS, accept: 'text/event-stream' };
    if (position !== null) headers['last-event-id'] = String(position);
    return this.fetch(streamUrl(this.url, this.streamId), { method: 'GET', headers, signal });
  }

  /** The decoded chunks, minus a cut's truncated error (the session resumes instead). */
  #read(decoder, chunks) {
    if (decoder.streamId) this.streamId = decoder.streamId;
    this.partial.model ||= decoder.model;
    const out = [];
    for (const chunk of chunks) {
      if (chunk.type === 'error' && decoder.end === 'cut' && chunk === chunks.at(-1)) break;
      if (chunk.type === 'error') {
        // The relay's completion so far (error's `completion`), else what the chunks said.
        if (decoder.completion !== undefined) this.completion = decoder.completion;
        chunk.error.partial ??= this.#shaped();
        this.failure = chunk.error;
      }
      const over = this.partial.add(chunk);
      out.push(chunk);
      if (over) {
        // As a direct stream past its limits: the stream ends with the error, the partial kept.
        this.overLimit = true;
        out.push(...this.#fail(toLLMStreamError(over, { partial: this.#shaped() })));
        return out;
      }
    }
    if (decoder.end === 'done' || decoder.end === 'error') this.completion = decoder.completion ?? this.completion;
    return out;
  }

  #fail(error) {
    this.failure = error;
    return [{ type: 'error', error }];
  }

  #abortError() {
    return new AbortError('the request was cancelled', { partial: this.#shaped() });
  }

  #shaped() {
    return shapeCompletion(this.result(), { jsonOutput: this.jsonOutput });
  }

  #pause() {
    const ms = this.resumeDelayMs ?? RELAY.retryMs;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.controller.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * What the chunks of a relayed stream say of its completion before `done` brings the relay's
 * (a cancel or an error gives no `done`): the text, reasoning, refusal, complete tool calls,
 * finish reasons and the last usage of each choice, in the core's result shape.
 */
class PartialCompletion {
  /** @param {{maxCompletionBytes: number, maxChoices: number, maxParts: number}} limits 0: no bound */
  constructor(limits) {
    this.limits = limits;
    /** Output held (UTF-8 bytes, as the core counts them), and tool calls, this step. */
    this.bytes = 0;
    this.parts = 0;
    this.choices = new Map();
    this.usage = null;
    this.cost = null;
    this.model = '';
  }

  choice(index) {
    let c = this.choices.get(index);
    if (!c) this.choices.set(index, (c = { index, text: '', reasoning: '', refusal: '', toolCalls: [], finishReason: null }));
    return c;
  }

  /** Takes a chunk in; returns the error fields when it passed a limit, else null. */
  add(chunk) {
    const index = typeof chunk.index === 'number' ? chunk.index : 0;
    const choices = this.choices.size;
    this.#take(chunk, index);
    const { maxCompletionBytes, maxChoices, maxParts } = this.limits;
    if (maxCompletionBytes && this.bytes > maxCompletionBytes) {
      return { code: ErrorCode.COMPLETION_TOO_LARGE, message: `the relayed completion passed ${maxCompletionBytes} bytes (maxCompletionBytes)` };
    }
    if (maxChoices && this.choices.size > maxChoices && this.choices.size > choices) {
      return { code: ErrorCode.LIMIT_EXCEEDED, message: `the relayed stream passed ${maxChoices} choices` };
    }
    if (maxParts && this.parts > maxParts) return { code: ErrorCode.LIMIT_EXCEEDED, message: `the relayed stream passed ${maxParts} tool calls` };
    return null;
  }

  #take(chunk, index) {
    switch (chunk.type) {
      case 'text':
        this.bytes += utf8Length(chunk.text ?? '');
        this.choice(index).text += chunk.text ?? '';
        break;
      case 'reasoning':
        // The visible thinking; a signature or a redacted block is no text.
        if (chunk.part === undefined || chunk.part === 'text' || chunk.part === 'summary') {
          this.bytes += utf8Length(chunk.reasoning ?? '');
          this.choice(index).reasoning += chunk.reasoning ?? '';
        }
        break;
      case 'refusal':
        this.bytes += utf8Length(chunk.refusal ?? '');
        this.choice(index).refusal += chunk.refusal ?? '';
        break;
      case 'tool_call_end':
        if (chunk.toolCall) {
          const args = chunk.toolCall.arguments;
          this.bytes += typeof args === 'string' ? utf8Length(args) : 0;
          this.parts++;
          this.choice(index).toolCalls.push(chunk.toolCall);
        }
        break;
      case 'finish':
        this.choice(index).finishReason = chunk.finishReason ?? null;
        break;
      case 'usage':
        this.usage = chunk.usage ?? null;
        this.cost = chunk.costDetails ?? null;
        break;
      case 'step_start':
        this.choices.clear(); // a loop's new step: the partial answer is the current step's
        this.bytes = 0;
        this.parts = 0;
        break;
      default:
        break;
    }
  }

  raw() {
    const choices = [...this.choices.values()].sort((a, b) => a.index - b.index);
    const first = choices.find((c) => c.index === 0);
    return {
      id: '', model: this.model, provider: 'relay',
      text: first?.text ?? '', reasoning: first?.reasoning ?? '', finishReason: first?.finishReason ?? null,
      choices, usage: this.usage, cost: this.cost, metadata: {}, warnings: [], error: null,
      finished: false, truncated: false,
    };
  }
}
