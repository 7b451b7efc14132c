// Unit tests of the npm package's pure-JS layer (chunk shaping, the ChunkStream iterator, tee,
// ReadableStream, errors, options) over an in-memory fake driver session. The real package
// against the real local provider is tested in npm_api / npm_guide / npm_pack.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createChunkStream } from '../../npm/src/chunk-stream.js';
import {
  AbortError,
  APIConnectionError,
  ProviderError,
  RateLimitError,
  toLLMStreamError,
} from '../../npm/src/errors.js';
import { loaderConfig, requestOptions } from '../../npm/src/options.js';
import { missingWasmFeatures } from '../../npm/src/wasm-module.js';

// A driver session that yields the given batches, one per next(); `gate` (optional) is awaited
// before each batch so a test controls when "network reads" happen.
function fakeSession(batches, { result = {}, error = null, gate } = {}) {
  const state = { cancelled: 0, returned: 0, nexts: 0 };
  let i = 0;
  const session = {
    state,
    attempts: 1,
    cancel() {
      state.cancelled++;
    },
    result: () => ({ id: 'x', model: 'm', choices: [{ index: 0, text: 'Hello world', finishReason: 'stop' }], usage: null, cost: null, ...result }),
    error: () => error,
    [Symbol.asyncIterator]() {
      return {
        async next() {
          state.nexts++;
          if (gate) await gate(i);
          if (state.cancelled || i >= batches.length) return { done: true, value: undefined };
          return { done: false, value: batches[i++] };
        },
        async return() {
          state.returned++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return session;
}

function streamOf(session, extra = {}) {
  return createChunkStream({ open: async () => session, ...extra });
}

const TEXT_BATCHES = [
  [{ type: 'metadata', metadata: { id: 'x' } }, { type: 'text', text: 'Hello', index: 0, block: 0 }],
  [{ type: 'text', text: ' world', index: 0, block: 0 }, { type: 'finish', index: 0, finishReason: 'stop' }],
  [
    { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: false } },
    { type: 'cost', cost: { totalUsd: 0.0012, inputUsd: 0.0002, outputUsd: 0.001, source: 'price_table' } },
    { type: 'done', done: true, finishReason: 'stop' },
  ],
];

describe('ChunkStream over a fake driver', () => {
  test('flattens reads into chunks and folds the cost into the usage chunk', async () => {
    const chunks = [];
    for await (const chunk of streamOf(fakeSession(TEXT_BATCHES))) chunks.push(chunk);
    assert.deepEqual(chunks.map((c) => c.type), ['metadata', 'text', 'text', 'finish', 'usage', 'done']);
    const usage = chunks[4];
    assert.equal(usage.usage.totalTokens, 5);
    assert.equal(usage.cost.toFixed(4), '0.0012');
    assert.equal(usage.costDetails.source, 'price_table');
    assert.equal(chunks[5].done, true);
  });

  test('a usage chunk without a priced model has cost 0 and costDetails null', async () => {
    const batches = [[{ type: 'usage', usage: { totalTokens: 5 } }, { type: 'done', done: true }]];
    const chunks = [];
    for await (const chunk of streamOf(fakeSession(batches))) chunks.push(chunk);
    assert.equal(chunks[0].cost, 0);
    assert.equal(chunks[0].costDetails, null);
  });

  test('reasoning, refusal and keep-alive texts never appear as chunk.text', async () => {
    const batches = [[
      { type: 'reasoning', text: 'hmm', index: 0, part: 'text' },
      { type: 'refusal', text: 'no', index: 0 },
      { type: 'keep_alive', text: ': ping' },
      { type: 'text', text: 'A', index: 0 },
    ]];
    const chunks = [];
    for await (const chunk of streamOf(fakeSession(batches))) chunks.push(chunk);
    assert.deepEqual(chunks.map((c) => c.text), [undefined, undefined, undefined, 'A']);
    assert.equal(chunks[0].reasoning, 'hmm');
    assert.equal(chunks[1].refusal, 'no');
    assert.equal(chunks[2].comment, ': ping');
  });

  test('a failed stream yields the error chunk, then the next pull throws it', async () => {
    const batches = [
      [{ type: 'text', text: 'Hi', index: 0 }],
      [{ type: 'error', error: { code: 'provider_error', message: 'Overloaded', providerType: 'overloaded_error' } }],
    ];
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of streamOf(fakeSession(batches))) seen.push(chunk);
      })(),
      (error) => error instanceof ProviderError && error.providerType === 'overloaded_error' &&
        error.partial.text === 'Hello world',
    );
    assert.deepEqual(seen.map((c) => c.type), ['text', 'error']);
    assert.ok(seen[1].error instanceof ProviderError);
  });

  test('returning at the error chunk does not throw', async () => {
    const batches = [[{ type: 'error', error: { code: 'rate_limited', message: 'slow down', status: 429, retryAfterMs: 2000 } }]];
    let caught;
    for await (const chunk of streamOf(fakeSession(batches))) {
      if (chunk.error) {
        caught = chunk.error;
        break;
      }
    }
    assert.ok(caught instanceof RateLimitError);
    assert.equal(caught.status, 429);
    assert.equal(caught.retryAfter, 2);
  });

  test('break calls the driver iterator return() and cancel()', async () => {
    const session = fakeSession(TEXT_BATCHES);
    for await (const chunk of streamOf(session)) {
      if (chunk.type === 'text') break;
    }
    assert.equal(session.state.cancelled, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.state.returned, 1);
  });

  test('the stream is single-consumer; tee() gives two full copies', async () => {
    const stream = streamOf(fakeSession(TEXT_BATCHES));
    const [a, b] = stream.tee();
    assert.throws(() => stream[Symbol.asyncIterator](), /consumed/);
    const read = async (s) => {
      const types = [];
      for await (const c of s) types.push(c.type);
      return types;
    };
    const [ta, tb] = await Promise.all([read(a), read(b)]);
    assert.deepEqual(ta, tb);
    assert.equal(ta.length, 6);
  });

  test('cancelling one tee branch keeps the request for the other', async () => {
    const session = fakeSession(TEXT_BATCHES);
    const [a, b] = streamOf(session).tee();
    a.cancel();
    const types = [];
    for await (const c of b) types.push(c.type);
    assert.equal(types.length, 6);
    assert.equal(session.state.cancelled, 0);
  });

  test('complete() drains and returns the shaped completion', async () => {
    const completion = await streamOf(fakeSession(TEXT_BATCHES)).complete();
    assert.equal(completion.text, 'Hello world');
    assert.equal(completion.finishReason, 'stop');
    assert.equal(completion.cost, 0);
  });

  test('toReadableStream() reads chunk by chunk and errors at a failure', async () => {
    const batches = [[{ type: 'text', text: 'a', index: 0 }], [{ type: 'error', error: { code: 'network', message: 'read ECONNRESET' } }]];
    const reader = streamOf(fakeSession(batches)).toReadableStream().getReader();
    assert.equal((await reader.read()).value.text, 'a');
    assert.equal((await reader.read()).value.type, 'error');
    await assert.rejects(reader.read(), (e) => e instanceof APIConnectionError && e.code === 'ECONNRESET' && e.llmstreamCode === 'network');
  });

  test('raw: true attaches the provider object; raw: "only" yields the provider objects', async () => {
    const batches = [[
      { type: 'raw', raw: { choices: [{ delta: { content: 'Hi' } }] }, event: 'message' },
      { type: 'text', text: 'Hi', index: 0 },
      { type: 'raw', raw: '[DONE]', event: 'message' },
      { type: 'done', done: true },
    ]];
    const attached = [];
    for await (const c of streamOf(fakeSession(batches), { rawMode: true })) attached.push(c);
    assert.equal(attached[0].raw.choices[0].delta.content, 'Hi');
    const only = [];
    for await (const c of streamOf(fakeSession(batches), { rawMode: 'only' })) only.push(c);
    assert.deepEqual(only, [{ choices: [{ delta: { content: 'Hi' } }] }]);
  });

  test('pull-based: no read happens before the consumer asks', async () => {
    const session = fakeSession(TEXT_BATCHES);
    const stream = streamOf(session);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.state.nexts, 0);
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    assert.equal(session.state.nexts, 1);
  });

  test('cancel() while a read is pending ends the iteration quietly', async () => {
    let release;
    const session = fakeSession(TEXT_BATCHES, {
      gate: (i) => (i === 1 ? new Promise((resolve) => (release = resolve)) : undefined),
    });
    const stream = streamOf(session);
    const it = stream[Symbol.asyncIterator]();
    assert.equal((await it.next()).value.type, 'metadata');
    assert.equal((await it.next()).value.type, 'text');
    const pending = it.next();
    await new Promise((resolve) => setImmediate(resolve));
    stream.cancel();
    release();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(session.state.cancelled, 1);
    assert.equal(stream.error, null);
  });
});

describe('failures outside the stream', () => {
  test('a core that cannot load: the error chunk, then the same error is thrown', async () => {
    const broken = new Error('wasm missing');
    const stream = createChunkStream({ open: async () => { throw broken; } });
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
      (e) => e === broken,
    );
    assert.deepEqual(seen, [{ type: 'error', error: broken }]);
  });

  test('an engine without WebAssembly SIMD / bulk memory gets a message that says so', () => {
    // The probe is a valid module for this Node (else this fails) and nothing else is asked.
    assert.equal(missingWasmFeatures(), null);
    const seen = [];
    const message = missingWasmFeatures((bytes) => {
      seen.push(bytes);
      return false; // an engine that rejects the probe
    });
    assert.equal(seen.length, 1);
    assert.ok(WebAssembly.validate(seen[0]));
    assert.match(message, /SIMD/);
    assert.match(message, /Safari 16\.4\+/);
  });

  test('an error logs without its partial completion', () => {
    const e = toLLMStreamError({ code: 'server', message: 'boom', status: 500 }, { partial: { text: 'long answer' } });
    assert.equal(e.partial.text, 'long answer');
    assert.ok(!Object.keys(e).includes('partial'));
    assert.ok(!JSON.stringify(e).includes('long answer'));
  });
});

describe('errors', () => {
  test('codes map to classes; network errors keep the platform code', () => {
    const reset = toLLMStreamError({ code: 'network', message: 'terminated', cause: { code: 'ECONNRESET' } });
    assert.ok(reset instanceof APIConnectionError);
    assert.equal(reset.code, 'ECONNRESET');
    assert.equal(reset.llmstreamCode, 'network');
    const abort = toLLMStreamError({ code: 'aborted', message: 'stopped' });
    assert.ok(abort instanceof AbortError);
    assert.equal(abort.name, 'AbortError');
  });

  test('keys never appear in messages', () => {
    const e = toLLMStreamError({ code: 'auth', message: 'bad key sk-secret-123' }, { secrets: ['sk-secret-123'] });
    assert.equal(e.message, 'bad key [redacted]');
  });
});

describe('options', () => {
  test('defaults to the local provider and its model; seed aliases map', () => {
    const loader = loaderConfig({ timeout: 5000, retryDelay: 10 });
    assert.equal(loader.provider, 'local');
    const { driver } = requestOptions(loader, {
      prompt: 'Hi',
      systemPrompt: 'Be brief',
      stopSequences: ['x'],
      stream_options: { include_usage: true },
      toolChoice: { type: 'function', function: { name: 'f' } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    assert.equal(driver.model, 'local-echo');
    assert.equal(driver.system, 'Be brief');
    assert.deepEqual(driver.stop, ['x']);
    assert.equal(driver.firstByteTimeoutMs, 5000);
    assert.equal(driver.retryBaseDelayMs, 10);
    assert.deepEqual(driver.extraBody, { stream_options: { include_usage: true } });
    assert.equal(driver.toolChoice, 'f');
    assert.deepEqual(driver.tools, [{ name: 'f', parameters: { type: 'object' } }]);
  });

  test('unknown options and providers are refused', () => {
    assert.throws(() => loaderConfig({ provider: 'nope' }), /unknown provider/);
    assert.throws(() => requestOptions(loaderConfig({}), { prompt: 'x', maxToken: 3 }), /unknown streamCompletion option 'maxToken'/);
    assert.throws(() => requestOptions(loaderConfig({}), {}), /prompt or messages/);
  });
});
