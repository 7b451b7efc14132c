// Partial objects and JSON output through the npm package (the wasm core) against the local
// provider, for every wire API: `responseFormat` written as each API takes it (the local
// provider answers JSON generated from the schema), text chunks carrying `partialObject` that
// only grows, the completion's `object`, tool-call deltas' `partialObject`, the amortized
// snapshot rule on a body read one byte at a time, and the `schema_mismatch` error of an answer
// that does not fit. A missing wasm build FAILS (run scripts/build-wasm.sh).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { needsFullCore } from '../../npm/src/core/load.js';
import { APILoader, ErrorCode, InvalidRequestError, LLMStreamError } from '../../npm/src/index.js';
import { startServer } from '../../server/lib/server.mjs';
import { LOCAL_AWS_CREDENTIALS } from '../../server/lib/sigv4-verify.mjs';

let server;
before(async () => {
  server = await startServer({ port: 0, paceMs: 0, log: () => {} });
});
after(() => server?.close());

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number' },
    days: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, rain: { type: 'boolean' } } } },
  },
  required: ['city', 'temperature'],
};
const FORMAT = { type: 'json_schema', name: 'weather', schema: SCHEMA };

/** Every wire API, as a user points its provider at the local provider. */
const APIS = {
  chat: { provider: 'openai', base: '/v1' },
  responses: { provider: 'openai', base: '/v1', api: 'responses' },
  anthropic: { provider: 'anthropic', base: '' },
  gemini: { provider: 'gemini', base: '/v1beta', model: 'gemini-2.5-flash' },
  ollama: { provider: 'ollama', base: '', model: 'llama3.2' },
  cohere: { provider: 'cohere', base: '/v2', model: 'command-a-03-2025' },
  bedrock: { provider: 'bedrock', base: '', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    auth: { region: 'us-east-1', credentials: LOCAL_AWS_CREDENTIALS } },
};

function loaderFor(name, options = {}) {
  const { provider, base, api, auth } = APIS[name];
  return new APILoader({
    provider,
    baseURL: server.url + base,
    ...(auth ?? { apiKey: 'sk-test-partial' }),
    ...(api ? { api } : {}),
    ...options,
  });
}

const scenario = (spec) => ({ 'x-llmstream-scenario': spec });

/** True when `later` could be `earlier` after more text arrived (the monotonic rule). */
function growsInto(earlier, later, last = true) {
  if (typeof earlier !== typeof later || Array.isArray(earlier) !== Array.isArray(later)) return false;
  if (earlier === null || typeof earlier !== 'object') {
    if (!last) return earlier === later;
    return typeof earlier === 'string' ? later.startsWith(earlier) : earlier === later;
  }
  const ek = Object.keys(earlier);
  const lk = Object.keys(later);
  if (ek.length > lk.length) return false;
  return ek.every((k, i) => {
    if (lk[i] !== k) return false;
    const isLast = i === ek.length - 1;
    return isLast ? growsInto(earlier[k], later[k], last) : JSON.stringify(earlier[k]) === JSON.stringify(later[k]);
  });
}

function assertGrowing(objects, what) {
  assert.ok(objects.length > 0, `${what}: no partialObject`);
  for (let i = 1; i < objects.length; i++) {
    assert.ok(growsInto(objects[i - 1], objects[i]),
      `${what}: ${JSON.stringify(objects[i - 1])} -> ${JSON.stringify(objects[i])}`);
  }
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** A fetch whose response bodies arrive one byte per read (a hostile server's pace). */
function byteByByteFetch() {
  return async (url, init) => {
    const response = await fetch(url, init);
    const reader = response.body.getReader();
    let pending = new Uint8Array(0);
    const body = new ReadableStream({
      async pull(controller) {
        while (pending.length === 0) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          pending = value;
        }
        controller.enqueue(pending.slice(0, 1));
        pending = pending.subarray(1);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

describe('JSON output, every wire API', () => {
  for (const name of Object.keys(APIS)) {
    test(`${name}: partialObject grows into the completion's object`, async () => {
      const stream = loaderFor(name).streamCompletion({
        model: APIS[name].model, prompt: 'Weather in Paris as JSON', responseFormat: FORMAT,
      });
      const chunks = await collect(stream);
      const objects = chunks.filter((c) => c.type === 'text' && 'partialObject' in c).map((c) => c.partialObject);
      assertGrowing(objects, name);
      const completion = stream.result;
      assert.equal(chunks.at(-1).type, 'done');
      assert.deepEqual(completion.object, JSON.parse(completion.text));
      assert.deepEqual(objects.at(-1), completion.object);
      assert.equal(typeof completion.object.city, 'string');
      assert.equal(typeof completion.object.temperature, 'number');
      assert.deepEqual(completion.choices[0].object, completion.object);
    });
  }

  test('json_object, and OpenAI\'s own json_schema shape', async () => {
    const plain = await loaderFor('chat').complete({ prompt: 'Hi', responseFormat: { type: 'json_object' } });
    assert.equal(typeof plain.object.answer, 'string');
    const openaiShape = await loaderFor('chat').complete({
      prompt: 'Hi', responseFormat: { type: 'json_schema', json_schema: { name: 'w', schema: SCHEMA, strict: false } },
    });
    assert.equal(typeof openaiShape.object.city, 'string');
  });

  test('a text request has no object and no partialObject', async () => {
    const stream = loaderFor('chat').streamCompletion({ prompt: 'Hi' });
    const chunks = await collect(stream);
    assert.ok(chunks.every((c) => !('partialObject' in c)));
    assert.equal('object' in stream.result, false);
  });

  test('partialObjects: false leaves them out', async () => {
    const chunks = await collect(loaderFor('chat').streamCompletion({
      prompt: 'Hi', responseFormat: FORMAT, partialObjects: false,
    }));
    assert.ok(chunks.every((c) => !('partialObject' in c)));
  });
});

describe('the amortized snapshot rule', () => {
  test('a body read one byte at a time: O(log n) partial objects, not one per delta', async () => {
    // A long answer: many days, each a few tokens.
    const schema = { ...SCHEMA, properties: { ...SCHEMA.properties,
      days: { type: 'array', minItems: 60, items: SCHEMA.properties.days.items } } };
    const stream = loaderFor('chat', { fetch: byteByByteFetch() }).streamCompletion({
      prompt: 'Weather', responseFormat: { type: 'json_schema', schema },
    });
    const chunks = await collect(stream);
    const texts = chunks.filter((c) => c.type === 'text');
    const objects = texts.filter((c) => 'partialObject' in c).map((c) => c.partialObject);
    const n = stream.result.text.length;
    assert.ok(n > 1000, `a long answer (${n} bytes)`);
    assert.ok(texts.length > 300, `many deltas (${texts.length})`);
    assertGrowing(objects, 'byte by byte');
    assert.ok(objects.length <= 4 * Math.log2(n) + 8, `${objects.length} snapshots for ${n} bytes`);
    assert.ok(objects.length >= 10);
    assert.equal(objects.at(-1).days.length, 60);
    assert.deepEqual(objects.at(-1), stream.result.object);
  });
});

describe('tool calls', () => {
  const TOOLS = [{ name: 'get_weather', description: 'Weather', parameters: SCHEMA }];
  for (const name of ['chat', 'anthropic', 'responses']) {
    test(`${name}: tool_call_delta chunks carry the arguments parsed`, async () => {
      const chunks = await collect(loaderFor(name).streamCompletion({
        prompt: 'Weather in Paris', tools: TOOLS, toolChoice: 'get_weather',
      }));
      const objects = chunks.filter((c) => c.type === 'tool_call_delta' && 'partialObject' in c).map((c) => c.partialObject);
      assertGrowing(objects, name);
      const end = chunks.find((c) => c.type === 'tool_call_end');
      assert.deepEqual(objects.at(-1), JSON.parse(end.toolCall.arguments));
    });
  }
});

describe('an answer that does not fit', () => {
  test('schema_mismatch: the error chunk, then the iterator throws it, naming the path', async () => {
    const stream = loaderFor('chat').streamCompletion({
      prompt: 'Weather', responseFormat: FORMAT,
      headers: scenario('text={"city": "Paris", "temperature": "warm"}'),
    });
    const chunks = [];
    let thrown;
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof LLMStreamError);
    assert.equal(thrown.code, ErrorCode.SCHEMA_MISMATCH);
    assert.equal(thrown.message, '$.temperature: expected number, got string');
    assert.equal(chunks.at(-1).type, 'error');
    assert.equal(chunks.at(-1).error, thrown);
    assert.ok(!chunks.some((c) => c.type === 'done'));
    // The answer is kept, parsed.
    assert.deepEqual(stream.result.object, { city: 'Paris', temperature: 'warm' });
    await assert.rejects(loaderFor('chat').complete({
      prompt: 'Weather', responseFormat: FORMAT, headers: scenario('text=Sorry, no JSON today'),
    }), (e) => e.code === 'schema_mismatch' && e.message.startsWith('$: not valid JSON'));
  });

  test('formats an API cannot take are refused, naming the field', async () => {
    await assert.rejects(loaderFor('anthropic').complete({ prompt: 'Hi', responseFormat: { type: 'json_object' } }),
      (e) => e instanceof InvalidRequestError && /response_format json_object/.test(e.message));
    await assert.rejects(loaderFor('chat').complete({ prompt: 'Hi', responseFormat: { type: 'yaml' } }),
      (e) => e instanceof InvalidRequestError && /responseFormat.type/.test(e.message));
  });
});

describe('which module', () => {
  test('JSON output and tool streams load the full core module (the core module keeps its budget)', () => {
    assert.equal(needsFullCore({ provider: 'openai', prompt: 'Hi' }), false);
    assert.equal(needsFullCore({ provider: 'openai', responseFormat: { type: 'json_object' } }), true);
    assert.equal(needsFullCore({ provider: 'openai', responseFormat: { type: 'text' } }), false);
    assert.equal(needsFullCore({ provider: 'anthropic', tools: [{ name: 't' }] }), true);
    assert.equal(needsFullCore({ provider: 'anthropic', tools: [{ name: 't' }], partialObjects: false }), false);
    assert.equal(needsFullCore({ provider: 'anthropic', tools: [] }), false);
  });
});
