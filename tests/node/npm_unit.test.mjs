// Unit tests of the npm package's pure-JS layer (the ChunkStream iterator, tee, ReadableStream,
// errors, options) over an in-memory fake driver session that yields public chunks, as the real
// one (npm/src/core/session.js) does. The chunk shapes come from the decoder over the real core:
// npm_chunks / wasm_driver / npm_api / npm_guide / npm_pack test them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createChunkStream } from '../../npm/src/chunk-stream.js';
import { shapeCompletion } from '../../npm/src/complete.js';
import { costFields } from '../../npm/src/core/decoder.js';
import {
  AbortError,
  APIConnectionError,
  InvalidRequestError,
  ProviderError,
  RateLimitError,
  toLLMStreamError,
} from '../../npm/src/errors.js';
import { loaderConfig, requestOptions } from '../../npm/src/options.js';
import { missingWasmFeatures } from '../../npm/src/wasm-module.js';

// A driver session that yields the given batches, one per next(); `gate` (optional) is awaited
// before each batch so a test controls when "network reads" happen. An error chunk's plain error
// object becomes the LLMStreamError and the session's `failure`, as the decoder does.
function fakeSession(batches, { result = {}, error = null, gate } = {}) {
  const state = { cancelled: 0, returned: 0, nexts: 0 };
  let i = 0;
  const session = {
    state,
    attempts: 1,
    failure: null,
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
          const batch = batches[i++].map((c) => {
            if (c.type !== 'error') return c;
            session.failure ??= toLLMStreamError(c.error, { partial: shapeCompletion(session.result()) });
            return { type: 'error', error: session.failure };
          });
          return { done: false, value: batch };
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
    {
      type: 'usage',
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: false },
      cost: 0.0012,
      costDetails: { totalUsd: 0.0012, inputUsd: 0.0002, outputUsd: 0.001, source: 'price_table' },
    },
    { type: 'done', done: true, finishReason: 'stop' },
  ],
];

describe('ChunkStream over a fake driver', () => {
  test('flattens reads into chunks', async () => {
    const chunks = [];
    for await (const chunk of streamOf(fakeSession(TEXT_BATCHES))) chunks.push(chunk);
    assert.deepEqual(chunks.map((c) => c.type), ['metadata', 'text', 'text', 'finish', 'usage', 'done']);
    assert.equal(chunks[4].cost.toFixed(4), '0.0012');
    assert.equal(chunks[5].done, true);
  });

  test('costFields: a cost the core could not price is 0 with no details', () => {
    assert.deepEqual(costFields(undefined), { cost: 0, costDetails: null });
    assert.deepEqual(costFields({ totalUsd: 0, source: 'none' }), { cost: 0, costDetails: null });
    const details = { totalUsd: 0.5, source: 'price_table' };
    assert.deepEqual(costFields(details), { cost: 0.5, costDetails: details });
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
  test('the provider is explicit or inferred from the one key set; seed aliases map', () => {
    const env = process.env;
    const keys = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GROQ_API_KEY', 'OPENROUTER_API_KEY'];
    const saved = Object.fromEntries(keys.map((k) => [k, env[k]]));
    try {
      for (const k of keys) delete env[k];
      assert.throws(() => loaderConfig({}), (e) => e instanceof InvalidRequestError &&
        /needs a provider/.test(e.message) && /OPENAI_API_KEY/.test(e.message));
      env.ANTHROPIC_API_KEY = 'sk-ant-test';
      assert.equal(loaderConfig({}).provider, 'anthropic');
      env.GROQ_API_KEY = 'gsk-test';
      assert.throws(() => loaderConfig({}), /ANTHROPIC_API_KEY and GROQ_API_KEY are both set/);
      delete env.ANTHROPIC_API_KEY;
      delete env.GROQ_API_KEY;
      // A hosted provider without a key says which variable, at once.
      assert.throws(() => loaderConfig({ provider: 'openai' }), (e) => e instanceof InvalidRequestError &&
        e.llmstreamCode === 'invalid_request' && /OPENAI_API_KEY/.test(e.message));
      // Not when a proxy or an auth header may carry it.
      assert.equal(loaderConfig({ provider: 'openai', baseURL: 'http://127.0.0.1:9/v1' }).provider, 'openai');
      assert.equal(loaderConfig({ provider: 'openai', headers: { Authorization: 'Bearer x' } }).provider, 'openai');
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete env[k];
        else env[k] = saved[k];
      }
    }
    const loader = loaderConfig({ provider: 'local', timeout: 5000, retryDelay: 10 });
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
    // Tool shapes go to the core as given (it reads OpenAI's and the plain form alike).
    assert.deepEqual(driver.toolChoice, { type: 'function', function: { name: 'f' } });
    assert.deepEqual(driver.tools, [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]);
  });

  test('unknown options and providers are refused', () => {
    assert.throws(() => loaderConfig({ provider: 'nope' }), /unknown provider/);
    const local = loaderConfig({ provider: 'local' });
    assert.throws(() => requestOptions(local, { prompt: 'x', maxToken: 3 }), /unknown streamCompletion option 'maxToken'/);
    // Values are the core's to check (npm_api: 'values by the core, at the first read').
    assert.doesNotThrow(() => requestOptions(local, {}));
    // ... but what JSON cannot carry to it is refused here, not silently dropped or a TypeError.
    assert.throws(() => requestOptions(local, { prompt: 'x', temperature: NaN }), /temperature must be a finite number \(got NaN\)/);
    assert.throws(() => requestOptions(local, { prompt: 'x', extraBody: { n: Infinity } }), /n must be a finite number/);
    const cycle = {};
    cycle.self = cycle;
    assert.throws(() => requestOptions(local, { prompt: 'x', extraBody: cycle }), (e) =>
      e instanceof InvalidRequestError && /cannot be sent as JSON: Converting circular structure/.test(e.message));
    assert.throws(() => requestOptions(local, { prompt: 'x', seed: 1n }), /cannot be sent as JSON: .*BigInt/);
  });
});
