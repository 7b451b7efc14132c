// The low-level JS driver (npm/src/core/session.js) over the real wasm core and fetch, against
// the local provider server: text of every API, one wasm call per network read, retries,
// timeouts, cancellation (AbortSignal, cancel(), break) as the server sees it, estimated usage,
// raw events, and no leaked WasmSession. Synchronisation by the server's request log, not sleeps.
// A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { describeFailure } from '../../npm/src/core/failure.js';
import { liveSessions, openSession } from '../../npm/src/core/session.js';
import { ERRORS } from '../../npm/dist/core/abi.js';
import { needsFullCore } from '../../npm/src/core/load.js';
import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { loadCores } from './support/wasm_session.mjs';

let core;
let fullCore; // the full core module: the wire APIs the core module leaves out (Responses)
let provider;
let keySeq = 0;

before(async () => {
  ({ core, fullCore } = await loadCores());
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(async () => {
  await provider?.close();
});

const PROMPT = 'Tell me about streaming';
const TIMEOUT = ERRORS.find((e) => e.name === 'timeout').number;
const NETWORK = ERRORS.find((e) => e.name === 'network').number;
const API_NAMES = { chat: 'chat_completions', responses: 'responses', messages: 'anthropic_messages' };

function uniqueKey(name) {
  return `wasm-driver-${process.pid}-${name}-${++keySeq}`;
}

function options(scenario, extra = {}) {
  return {
    provider: 'local',
    baseURL: `${provider.url}/v1`,
    model: 'local-echo',
    prompt: PROMPT,
    headers: { 'x-llmstream-scenario': scenario },
    retryJitter: 0,
    ...extra,
  };
}

/** Iterates a session to the end; returns every chunk and the arrays as yielded. */
async function drain(session, onChunk) {
  const batches = [];
  const chunks = [];
  for await (const batch of session) {
    assert.ok(Array.isArray(batch) && batch.length > 0, 'one non-empty array per yield');
    batches.push(batch);
    for (const chunk of batch) {
      chunks.push(chunk);
      if (onChunk && onChunk(chunk) === 'stop') return { batches, chunks, stopped: true };
    }
  }
  return { batches, chunks, stopped: false };
}

const textOf = (chunks) =>
  chunks
    .filter((c) => c.type === 'text' && c.index === 0)
    .map((c) => c.text)
    .join('');

async function waitOutcome(key, outcome) {
  const res = await fetch(
    `${provider.url}/_llmstream/requests/wait?key=${encodeURIComponent(key)}&outcome=${outcome}&timeout_ms=5000`,
  );
  assert.equal(res.status, 200, `the server never saw ${outcome} for ${key}`);
  return res.json();
}

async function requestLog(key) {
  const res = await fetch(`${provider.url}/_llmstream/requests?key=${encodeURIComponent(key)}`);
  return res.json();
}

/** A fetch whose response bodies count their reads (non-empty chunks delivered). */
function countingFetch() {
  const counter = { reads: 0 };
  const fetchImpl = async (url, init) => {
    const res = await fetch(url, init);
    if (!res.body) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        const r = await reader.read();
        if (r.done) controller.close();
        else {
          counter.reads++;
          controller.enqueue(r.value);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { fetchImpl, counter };
}

describe('wasm driver against the local provider', () => {
  for (const [api, name] of Object.entries(API_NAMES)) {
    test(`${api}: the text is the server's deterministic text`, async () => {
      const key = uniqueKey(api);
      const settings = options(`tokens=30; key=${key}`, { api: name });
      const session = openSession(needsFullCore(settings) ? fullCore : core, settings);
      const { chunks } = await drain(session);
      const expected = replyTokens(PROMPT, 30).join('');
      assert.equal(textOf(chunks), expected);
      assert.equal(session.result().text, expected);
      assert.equal(session.error(), null);
      assert.equal(session.attempts, 1);
      const usage = chunks.filter((c) => c.type === 'usage').at(-1).usage;
      assert.equal(usage.completionTokens, 30);
      assert.equal(usage.estimated, false);
      assert.equal(chunks.at(-1).type, 'done');
      assert.equal(chunks.at(-1).done, true);
      assert.equal(chunks.at(-1).finishReason, 'stop');
      const [record] = await requestLog(key);
      assert.equal(record.outcome, 'completed');
    });
  }

  test('one wasm call (onBody) per network read, one yielded array per read', async () => {
    // The driver reads through the plain export (README.md, "The wasm boundary").
    const original = core._llmstream_on_body;
    let calls = 0;
    core._llmstream_on_body = (...args) => {
      calls++;
      return original(...args);
    };
    try {
      const { fetchImpl, counter } = countingFetch();
      // slow_bytes: one byte per write, so there are many reads, most of them without an event
      const session = openSession(
        core,
        options(`tokens=3; slow_bytes=1; byte_delay_ms=0; key=${uniqueKey('reads')}`),
        { fetch: fetchImpl },
      );
      const { batches, chunks } = await drain(session);
      assert.ok(counter.reads > 50, `reads: ${counter.reads}`);
      assert.equal(calls, counter.reads);
      assert.ok(batches.length <= counter.reads + 4, `${batches.length} batches`);
      assert.equal(textOf(chunks), replyTokens(PROMPT, 3).join(''));
    } finally {
      core._llmstream_on_body = original;
    }
  });

  test('token texts from the string cache: every text chunk is exactly its delta', async () => {
    // The decoder reuses the string of an earlier equal token (decoder.js, tokenCache: 4096
    // slots). 6,000 distinct tokens of nearly one length collide (pigeonhole) and then come back
    // in reverse order, with non-ASCII, astral, escaped, empty-looking and over-long ones mixed in:
    // a cached string must never stand in for a different text.
    const distinct = [];
    for (let i = 0; i < 6000; i++) distinct.push(` t${i.toString(36)}`);
    distinct.push('é', '🚀', '한국', '"\\', ' ', 'x'.repeat(32), 'y'.repeat(33), 'z'.repeat(200));
    const deltas = [...distinct, ...distinct.slice().reverse(), ...distinct];
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm',
        choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = deltas.map((d) => chunk({ content: d })).join('') + chunk({}, 'stop') + 'data: [DONE]\n\n';
    const bytes = new TextEncoder().encode(body);
    // Reads of 1-4 KiB, so that tokens meet the cache across many decodeEvents calls.
    const fetchImpl = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let at = 0, n = 1024; at < bytes.length; at += n, n = 1024 + ((n * 7) % 3072)) {
              controller.enqueue(bytes.subarray(at, at + n));
            }
            controller.close();
          },
        }),
        { status: 200, headers: { 'content-type': 'text/event-stream' } },
      );
    const session = openSession(core, options('unused'), { fetch: fetchImpl });
    const { chunks } = await drain(session);
    assert.deepEqual(
      chunks.filter((c) => c.type === 'text').map((c) => c.text),
      deltas,
    );
  });

  test('a 429 is retried after retry-after-ms, then succeeds', async () => {
    const key = uniqueKey('retry');
    const session = openSession(
      core,
      options(`tokens=5; status=429; retry_after_ms=50; times=1; key=${key}`),
    );
    const { chunks } = await drain(session);
    const retries = chunks.filter((c) => c.type === 'retry');
    assert.equal(retries.length, 1);
    assert.equal(retries[0].attempt, 1);
    assert.equal(retries[0].delayMs, 50);
    assert.equal(retries[0].continuation, false);
    assert.equal(retries[0].cause.code, 'rate_limited');
    assert.equal(retries[0].cause.status, 429);
    assert.equal(retries[0].cause.retryAfterMs, 50);
    assert.equal(typeof retries[0].reason, 'string');
    assert.equal(textOf(chunks), replyTokens(PROMPT, 5).join(''));
    assert.equal(session.attempts, 2);
    assert.equal(session.error(), null);
    const log = await requestLog(key);
    assert.deepEqual(
      log.map((r) => r.status),
      [429, 200],
    );
  });

  test('no retry once output began: a reset mid-stream is the final network error', async () => {
    const key = uniqueKey('reset');
    const session = openSession(core, options(`tokens=20; reset_after=4; key=${key}`));
    const { chunks } = await drain(session);
    assert.equal(chunks.filter((c) => c.type === 'retry').length, 0);
    const error = chunks.filter((c) => c.type === 'error');
    assert.equal(error.length, 1);
    assert.equal(error[0].error.llmstreamCode, 'network');
    // The platform's code is kept: Node's fetch reports the reset as UND_ERR_SOCKET or ECONNRESET.
    assert.match(error[0].error.providerType, /^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
    assert.ok(error[0].error.message.length > 0);
    assert.ok(textOf(chunks).length > 0, 'the text before the reset is kept');
    assert.equal(session.result().text, textOf(chunks));
    assert.equal(session.error().code, 'network');
    assert.equal(session.attempts, 1);
    const usage = chunks.filter((c) => c.type === 'usage').at(-1).usage;
    assert.equal(usage.estimated, true);
    assert.deepEqual(
      (await requestLog(key)).map((r) => r.outcome),
      ['reset'],
    );
  });

  test('a stall ends with the idle timeout and the request is dropped', async () => {
    const key = uniqueKey('stall');
    const started = performance.now();
    const session = openSession(
      core,
      options(`tokens=20; stall_after=3; key=${key}`, { idleTimeoutMs: 200, maxRetries: 0 }),
    );
    const { chunks } = await drain(session);
    const elapsed = performance.now() - started;
    assert.equal(chunks.filter((c) => c.type === 'error').at(-1).error.llmstreamCode, 'stalled');
    assert.ok(elapsed >= 190 && elapsed < 3000, `${elapsed} ms`);
    await waitOutcome(key, 'client_disconnected');
  });

  test('a first-byte timeout: retried, then the final timeout error', async () => {
    const key = uniqueKey('first-byte');
    const session = openSession(
      core,
      options(`tokens=5; headers_delay_ms=3000; key=${key}`, {
        firstByteTimeoutMs: 150,
        maxRetries: 1,
        retryBaseDelayMs: 10,
      }),
    );
    const { chunks } = await drain(session);
    const retries = chunks.filter((c) => c.type === 'retry');
    assert.equal(retries.length, 1);
    assert.equal(retries[0].cause.code, 'timeout');
    const error = chunks.filter((c) => c.type === 'error');
    assert.equal(error.length, 1);
    assert.equal(error[0].error.llmstreamCode, 'timeout');
    assert.equal(session.attempts, 2);
    // Both attempts were dropped by the client (the server was still delaying its headers).
    const records = await waitOutcome(key, 'client_disconnected');
    assert.equal(records.outcome, 'client_disconnected');
    const log = await requestLog(key);
    assert.equal(log.length, 2);
  });

  test('connection refused: a network error with the platform code', async () => {
    const port = await new Promise((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const session = openSession(core, {
      ...options('tokens=1'),
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    });
    const { chunks } = await drain(session);
    const error = chunks.find((c) => c.type === 'error').error;
    assert.equal(error.llmstreamCode, 'network');
    assert.equal(error.providerType, 'ECONNREFUSED');
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(chunks.filter((c) => c.type === 'usage').length, 0, 'nothing to estimate');
  });

  test('the user aborts through the AbortSignal: estimated usage, then aborted', async () => {
    const key = uniqueKey('abort');
    const controller = new AbortController();
    const session = openSession(core, options(`tokens=30; stall_after=5; key=${key}`), {
      signal: controller.signal,
    });
    let texts = 0;
    const { chunks } = await drain(session, (chunk) => {
      if (chunk.type === 'text' && ++texts === 2) controller.abort();
    });
    await waitOutcome(key, 'client_disconnected');
    const tail = chunks.slice(-3).map((c) => c.type);
    assert.deepEqual(tail.slice(-2), ['usage', 'error']);
    const usage = chunks.filter((c) => c.type === 'usage').at(-1).usage;
    assert.equal(usage.estimated, true);
    assert.ok(usage.completionTokens >= 1);
    assert.ok(usage.promptTokens >= 1);
    assert.equal(chunks.at(-1).error.llmstreamCode, 'aborted');
    assert.equal(session.error().code, 'aborted');
    assert.equal(session.result().usage.estimated, true);
    assert.ok(session.result().text.length > 0, 'the partial text is kept');
  });

  test('an already aborted signal: nothing is sent', async () => {
    const key = uniqueKey('pre-aborted');
    const controller = new AbortController();
    controller.abort();
    const session = openSession(core, options(`key=${key}`), { signal: controller.signal });
    const { chunks } = await drain(session);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['error'],
    );
    assert.equal(chunks[0].error.llmstreamCode, 'aborted');
    assert.equal(session.attempts, 0);
    assert.deepEqual(await requestLog(key), []);
  });

  test('cancel() mid-stream: the request is dropped, the iterator ends with aborted', async () => {
    const key = uniqueKey('cancel');
    const session = openSession(core, options(`tokens=30; stall_after=4; key=${key}`));
    const { chunks } = await drain(session, (chunk) => {
      if (chunk.type === 'text') session.cancel();
    });
    await waitOutcome(key, 'client_disconnected');
    assert.equal(chunks.at(-1).type, 'error');
    assert.equal(chunks.at(-1).error.llmstreamCode, 'aborted');
    assert.equal(chunks.filter((c) => c.type === 'usage').at(-1).usage.estimated, true);
  });

  test('cancel() while waiting for a stalled stream wakes the iterator', async () => {
    const key = uniqueKey('cancel-wait');
    const session = openSession(core, options(`tokens=30; stall_after=2; key=${key}`));
    const iterator = session[Symbol.asyncIterator]();
    const seen = [];
    // Read until the stall (no chunk for a while), then cancel from outside.
    const pending = (async () => {
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        seen.push(...r.value);
      }
    })();
    await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=stalled&timeout_ms=5000`);
    session.cancel();
    await pending;
    await waitOutcome(key, 'client_disconnected');
    assert.equal(seen.at(-1).error.llmstreamCode, 'aborted');
  });

  test('break in for-await cancels the request and frees the session', async () => {
    const key = uniqueKey('break');
    const live = liveSessions();
    const session = openSession(core, options(`tokens=30; stall_after=5; key=${key}`));
    assert.equal(liveSessions(), live + 1);
    let text = '';
    for await (const batch of session) {
      const t = batch.find((c) => c.type === 'text');
      if (t) {
        text += t.text;
        break;
      }
    }
    assert.equal(liveSessions(), live);
    await waitOutcome(key, 'client_disconnected');
    // The core still says how it ended: aborted, with estimated usage.
    assert.equal(session.error().code, 'aborted');
    assert.equal(session.result().usage.estimated, true);
    assert.ok(session.result().text.startsWith(text));
  });

  test('return() before the first read frees the session; nothing is sent', async () => {
    const key = uniqueKey('unstarted');
    const live = liveSessions();
    const session = openSession(core, options(`key=${key}`));
    const iterator = session[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.return(), { done: true, value: undefined });
    assert.equal(liveSessions(), live);
    assert.deepEqual(await requestLog(key), []);
  });

  test('raw events: the provider objects, alone or on the chunks made from them', async () => {
    const only = openSession(core, options(`tokens=4; key=${uniqueKey('raw')}`, { rawEvents: true }), { raw: 'only' });
    const { chunks: objects } = await drain(only);
    assert.ok(objects.every((o) => o.object === 'chat.completion.chunk'), 'only the provider objects');
    const attached = openSession(core, options(`tokens=4; key=${uniqueKey('raw-on')}`, { rawEvents: true }), { raw: true });
    const { chunks } = await drain(attached);
    const texts = chunks.filter((c) => c.type === 'text');
    assert.equal(texts.map((c) => c.raw.choices[0].delta.content).join(''), textOf(chunks));
    assert.deepEqual(
      objects.map((o) => o.choices[0]?.delta?.content ?? '').join(''),
      textOf(chunks),
      'the same answer either way',
    );

    const messages = openSession(
      core,
      options(`tokens=4; key=${uniqueKey('raw-messages')}`, { api: 'anthropic_messages', rawEvents: true }),
      { raw: 'only' },
    );
    const m = await drain(messages);
    assert.equal(m.chunks[0].type, 'message_start');
    assert.ok(m.chunks.some((o) => o.type === 'content_block_delta' && o.delta.type === 'text_delta'));

    const plain = openSession(core, options(`tokens=4; key=${uniqueKey('no-raw')}`, { rawEvents: true }));
    assert.ok((await drain(plain)).chunks.every((c) => c.raw === undefined), 'raw events decoded, not shown');
  });

  test('chunk shapes: reasoning, tool calls, block start and end', async () => {
    const tools = [{
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    }];
    const session = openSession(
      core,
      options(`tokens=3; reasoning=4; tool_call=1; key=${uniqueKey('shapes')}`, {
        api: 'anthropic_messages',
        tools,
      }),
    );
    const { chunks } = await drain(session);
    const reasoning = chunks.filter((c) => c.type === 'reasoning');
    assert.ok(reasoning.some((c) => c.part === 'text' && c.reasoning.length > 0));
    assert.ok(reasoning.some((c) => c.part === 'signature'));
    const start = chunks.find((c) => c.type === 'tool_call_start');
    assert.equal(start.toolCall.name, 'get_weather');
    assert.equal(start.toolCall.kind, 'function');
    assert.match(start.toolCall.id, /^toolu_/);
    const deltas = chunks.filter((c) => c.type === 'tool_call_delta');
    const end = chunks.find((c) => c.type === 'tool_call_end');
    const call = end.toolCall;
    assert.equal(end.function_call, call, 'function_call: the guide\'s name of the same object');
    assert.equal(call.name, 'get_weather');
    assert.equal(call.id, start.toolCall.id);
    assert.equal(call.argumentsValid, true);
    assert.equal(call.kind, 'function');
    assert.equal(deltas.map((d) => d.toolCall.argumentsDelta).join(''), call.arguments);
    assert.equal(typeof JSON.parse(call.arguments).city, 'string');
    const blockStarts = chunks.filter((c) => c.type === 'block_start');
    const blockEnds = chunks.filter((c) => c.type === 'block_end');
    assert.deepEqual(
      blockStarts.map((c) => c.blockType),
      blockEnds.map((c) => c.blockType),
    );
    assert.ok(blockStarts.some((c) => c.blockType === 'thinking'));
    assert.ok(blockStarts.some((c) => c.blockType === 'tool_use'));
    assert.equal(chunks.find((c) => c.type === 'finish').finishReason, 'tool_calls');
    const result = session.result();
    assert.equal(result.choices[0].toolCalls[0].name, 'get_weather');
  });

  test('describeFailure keeps the platform code', () => {
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    assert.deepEqual(describeFailure(reset), {
      code: NETWORK,
      message: 'fetch failed: read ECONNRESET',
      platformCode: 'ECONNRESET',
    });
    const timeout = new TypeError('fetch failed', {
      cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
    });
    assert.equal(describeFailure(timeout).code, TIMEOUT);
    assert.equal(describeFailure(new DOMException('The operation timed out.', 'TimeoutError')).code, TIMEOUT);
    assert.equal(describeFailure(new TypeError('Failed to fetch')).platformCode, '');
  });

  test('the FinalizationRegistry frees sessions that were dropped unread', async () => {
    // A child process with --expose-gc: drop 50 sessions, collect, count.
    const script = `
      import { loadCore } from ${JSON.stringify(new URL('../../npm/src/core/load.js', import.meta.url).href)};
      import { liveSessions, openSession } from ${JSON.stringify(new URL('../../npm/src/core/session.js', import.meta.url).href)};
      const core = await loadCore();
      (() => { for (let i = 0; i < 50; i++) openSession(core, { provider: 'local', model: 'm', prompt: 'x' }); })();
      const before = liveSessions();
      for (let i = 0; i < 50 && liveSessions() > 0; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(JSON.stringify({ before, after: liveSessions() }));`;
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), { before: 50, after: 0 });
  });

  test('no leaked sessions', async () => {
    // Every session above was freed deterministically (finally / return()), not by GC.
    assert.equal(liveSessions(), 0);
  });
});
