// The npm package (npm/src, with the wasm core in npm/dist/core) against the local provider:
// every chunk kind, every error class, cancellation (break, AbortSignal, cancel()) seen by the
// server, complete(), toReadableStream(), tee(), raw events, metrics. Synchronisation is by the
// server's request log long-poll, never by sleeps.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadCore } from '../../npm/src/core/load.js';
import { startServer } from '../../server/lib/server.mjs';
import { reasoningTokens, replyTokens } from '../../server/lib/textgen.mjs';
import {
  AbortError,
  APIConnectionError,
  APILoader,
  APIStatusError,
  AuthenticationError,
  BadRequestError,
  ChunkStream,
  ErrorCode,
  InvalidRequestError,
  LLMStreamError,
  ProviderError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TruncatedError,
} from '../../npm/src/index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');

function requireCore() {
  assert.ok(
    existsSync(WASM),
    `the wasm core is not built (${path.relative(REPO, WASM)} is missing): run scripts/build-wasm.sh`,
  );
}

let provider;
let base;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  base = provider.url;
});
after(() => provider?.close());

let keys = 0;
const newKey = (label) => `api-${label}-${process.pid}-${++keys}`;
const scenario = (spec) => ({ 'x-llmstream-scenario': spec });
let keyCounter = 0;
const expected = (prompt, max = Infinity) => replyTokens(prompt, 40).slice(0, max).join('');

function loader(options = {}) {
  requireCore();
  return new APILoader({ provider: 'local', baseURL: base, ...options });
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Collects until the stream throws; returns {chunks, error}. */
async function collectFailure(stream) {
  const chunks = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  assert.fail(`the stream did not throw; chunks: ${chunks.map((c) => c.type).join(',')}`);
}

async function waitOutcome(key, outcome) {
  const res = await fetch(`${base}/_llmstream/requests/wait?key=${encodeURIComponent(key)}&outcome=${outcome}&timeout_ms=5000`);
  assert.equal(res.status, 200, `the server never saw outcome ${outcome} for ${key}`);
  return res.json();
}

async function requestLog(key) {
  return (await fetch(`${base}/_llmstream/requests?key=${encodeURIComponent(key)}`)).json();
}

const textOf = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');

describe('chunks', () => {
  test('text, metadata, finish, usage and done; complete() and the accessors', async () => {
    const stream = loader().streamCompletion({ prompt: 'Tell me about streaming', maxTokens: 100 });
    assert.ok(stream instanceof ChunkStream);
    assert.equal(stream.result, null, 'nothing is sent before the stream is read');
    const chunks = await collect(stream);
    const types = new Set(chunks.map((c) => c.type));
    for (const t of ['metadata', 'text', 'finish', 'usage', 'done']) assert.ok(types.has(t), t);
    assert.equal(textOf(chunks), expected('Tell me about streaming'));
    assert.ok(chunks.every((c) => c.type === 'text' || c.text === undefined), 'only text chunks have text');
    const usage = chunks.filter((c) => c.type === 'usage').at(-1);
    assert.equal(usage.usage.completionTokens, 40);
    assert.equal(usage.usage.totalTokens, usage.usage.promptTokens + 40);
    assert.equal(usage.cost, 0, 'local-echo has no price');
    assert.equal(usage.costDetails, null);
    const done = chunks.at(-1);
    assert.deepEqual([done.type, done.done, done.finishReason], ['done', true, 'stop']);
    const meta = Object.assign({}, ...chunks.filter((c) => c.metadata).map((c) => c.metadata));
    assert.equal(meta.model, 'local-echo');
    assert.equal(stream.result.text, expected('Tell me about streaming'));
    assert.equal(stream.result.finishReason, 'stop');
    assert.equal(stream.usage.completionTokens, 40);
    assert.equal(stream.error, null);
    assert.equal(stream.finished, true);
    assert.equal(stream.attempts, 1);
  });

  test('a priced model: the usage chunk carries the cost in dollars', async () => {
    const ai = loader({ provider: 'openai', apiKey: 'sk-test-not-a-key' });
    const chunks = await collect(ai.streamCompletion({ model: 'gpt-4o-mini', prompt: 'Price me' }));
    const usage = chunks.find((c) => c.type === 'usage');
    assert.ok(usage.cost > 0);
    assert.equal(usage.costDetails.source, 'price_table');
    assert.equal(usage.costDetails.totalUsd, usage.cost);
    assert.equal(usage.costEstimated, false);
    assert.ok(!chunks.some((c) => c.type === 'cost'), 'the cost is folded into the usage chunk');
  });

  test('reasoning chunks carry `reasoning`, never `text`', async () => {
    const ai = loader();
    const stream = ai.streamCompletion({ prompt: 'Think first', headers: scenario('reasoning=6') });
    const chunks = await collect(stream);
    const reasoning = chunks.filter((c) => c.type === 'reasoning');
    assert.equal(reasoning.map((c) => c.reasoning).join(''), reasoningTokens('Think first', 6).join(''));
    assert.ok(reasoning.every((c) => c.text === undefined));
    assert.equal(textOf(chunks), expected('Think first'));
    assert.equal(stream.result.reasoning, reasoningTokens('Think first', 6).join(''));
  });

  for (const [label, options] of [
    ['chat completions', { provider: 'local' }],
    ['anthropic messages', { provider: 'anthropic', apiKey: 'sk-ant-test' }],
    ['responses', { provider: 'openai', api: 'responses', apiKey: 'sk-test' }],
  ]) {
    test(`tool calls (${label}): start, argument deltas, the call (toolCall = function_call), finish`, async () => {
      const ai = loader(options);
      const stream = ai.streamCompletion({
        model: 'local-echo',
        prompt: 'Weather in Paris?',
        tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['city'] } }],
        toolChoice: 'get_weather',
      });
      const chunks = await collect(stream);
      const start = chunks.find((c) => c.type === 'tool_call_start');
      assert.equal(start.toolCall.name, 'get_weather');
      const deltas = chunks.filter((c) => c.type === 'tool_call_delta').map((c) => c.toolCall.argumentsDelta).join('');
      const end = chunks.find((c) => c.type === 'tool_call_end');
      const call = end.toolCall;
      assert.equal(end.function_call, call, 'the guide\'s name for the same object');
      assert.equal(call.index, start.toolCall.index);
      assert.equal(call.name, 'get_weather');
      assert.equal(call.id, start.toolCall.id);
      assert.equal(call.arguments, deltas);
      assert.equal(call.argumentsValid, true);
      assert.equal(typeof JSON.parse(call.arguments).city, 'string');
      assert.equal(chunks.find((c) => c.type === 'finish').finishReason, 'tool_calls');
      assert.equal(stream.result.toolCalls[0].arguments, call.arguments);
    });
  }

  test('Anthropic: text and usage from the Messages API', async () => {
    const ai = loader({ provider: 'anthropic', apiKey: 'sk-ant-test' });
    const stream = ai.streamCompletion({ model: 'claude-local', prompt: 'Hello Claude', maxTokens: 30, system: 'Be brief.' });
    const chunks = await collect(stream);
    assert.equal(textOf(chunks), expected('Hello Claude', 30));
    assert.equal(stream.result.finishReason, 'length');
    assert.equal(stream.usage.completionTokens, 30);
  });

  test('n = 2: text chunks of both choices, by index', async () => {
    const stream = loader().streamCompletion({ prompt: 'Two answers', n: 2, maxTokens: 8 });
    const chunks = await collect(stream);
    const indexes = new Set(chunks.filter((c) => c.type === 'text').map((c) => c.index));
    assert.deepEqual([...indexes].sort(), [0, 1]);
    assert.equal(stream.result.choices.length, 2);
    assert.equal(stream.result.choices[0].text, expected('Two answers', 8));
  });

  test('a conversation with an earlier tool call and its result', async () => {
    const stream = loader().streamCompletion({
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 21}' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    assert.equal((await stream.complete()).text, expected('And tomorrow?'));
  });

  test('continuation: a failure after output is continued and spliced', async () => {
    const key = newKey('continue');
    const stream = loader({ continuation: true }).streamCompletion({
      prompt: 'Continue me',
      headers: scenario(`key=${key}; times=1; error_after=8`),
    });
    const chunks = await collect(stream);
    assert.equal(textOf(chunks), expected('Continue me'));
    const retry = chunks.find((c) => c.type === 'retry');
    assert.equal(retry.continuation, true);
    assert.ok(retry.cause instanceof ProviderError);
    assert.equal(stream.attempts, 2);
  });

  test('stop sequences cut the text', async () => {
    const stream = loader().streamCompletion({ prompt: 'Stop me', stop: ['local'] });
    await stream.complete();
    const full = expected('Stop me');
    assert.equal(stream.result.text, full.slice(0, full.indexOf('local')));
    assert.equal(stream.result.finishReason, 'stop');
  });

  test('keep-alive comments become keep_alive chunks without text', async () => {
    const chunks = await collect(loader().streamCompletion({ prompt: 'Ping', maxTokens: 3, headers: scenario('comments=1') }));
    const pings = chunks.filter((c) => c.type === 'keep_alive');
    assert.ok(pings.length >= 3);
    assert.ok(pings.every((c) => c.text === undefined));
  });

  test('metrics(): the guide benchmark keys measured at arrival', async () => {
    const stream = loader().streamCompletion({ prompt: 'Measure me' });
    await stream.complete();
    const m = stream.metrics();
    assert.equal(m.outputChunks, 40);
    assert.equal(m.totalTokens, 40);
    assert.ok(m.firstTokenLatency >= 0 && m.totalTime >= m.firstTokenLatency);
    assert.ok(m.consistency.standardDeviation >= 0);
    assert.equal(m.ended, true);
  });

  test('metrics(): headers, bytes, percentiles, stalls, usage and cost', async () => {
    const stream = loader().streamCompletion({
      prompt: 'Measure me',
      maxTokens: 12,
      headers: scenario('pace_ms=5; stall_after=6; stall_ms=1100'),
    });
    await stream.complete();
    const m = stream.metrics();
    assert.ok(m.timeToHeaders >= 0 && m.timeToHeaders <= m.firstTokenLatency, JSON.stringify(m));
    assert.ok(m.bytes > 12 * 50, `bytes ${m.bytes}`);
    const itl = m.interTokenLatency;
    assert.equal(itl.count, 11);
    assert.ok(itl.min <= itl.p50 && itl.p50 <= itl.p95 && itl.p95 <= itl.p99 && itl.p99 <= itl.max, JSON.stringify(itl));
    assert.equal(itl.max, m.maxInterTokenLatency);
    assert.ok(itl.p50 < 500, 'the paced gaps are short');
    assert.equal(m.stalls.count, 1, JSON.stringify(m.stalls));
    assert.ok(m.stalls.longest >= 1000 && m.stalls.longest === itl.max);
    assert.equal(m.usage.completionTokens, 12);
    assert.equal(m.cost, null, 'local models have no price');
  });
});

describe('errors', () => {
  test('401 -> AuthenticationError, not retried, the key never in the message', async () => {
    const secret = 'sk-very-secret-key-123456';
    const ai = loader({ provider: 'openai', apiKey: secret });
    const stream = ai.streamCompletion({ prompt: 'Hi', headers: scenario('status=401') });
    const { chunks, error } = await collectFailure(stream);
    assert.ok(error instanceof AuthenticationError && error instanceof APIStatusError && error instanceof LLMStreamError);
    assert.equal(error.status, 401);
    assert.equal(error.code, ErrorCode.AUTH);
    assert.equal(chunks.at(-1).error, error, 'the error chunk comes first, then the throw');
    assert.equal(stream.attempts, 1);
    for (const text of [error.message, JSON.stringify(ai), JSON.stringify(stream.result), String(error.stack)]) {
      assert.ok(!text.includes(secret), text);
    }
  });

  test('429 -> RateLimitError with retryAfter in seconds', async () => {
    const stream = loader({ maxRetries: 0 }).streamCompletion({ prompt: 'Hi', headers: scenario('status=429; retry_after=3') });
    const { error } = await collectFailure(stream);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfter, 3);
    assert.equal(error.retryAfterMs, 3000);
    assert.equal(error.retryable, true);
  });

  test('5xx -> ServerError; 400 -> BadRequestError', async () => {
    const ai = loader({ maxRetries: 0 });
    const server = await collectFailure(ai.streamCompletion({ prompt: 'Hi', headers: scenario('status=500') }));
    assert.ok(server.error instanceof ServerError);
    assert.equal(server.error.status, 500);
    const bad = await collectFailure(ai.streamCompletion({ prompt: 'Hi', headers: scenario('status=400') }));
    assert.ok(bad.error instanceof BadRequestError);
    assert.equal(bad.error.status, 400);
  });

  test('retries before output: retry chunks, then success', async () => {
    const key = newKey('retry');
    const stream = loader({ maxRetries: 2 }).streamCompletion({
      prompt: 'Retry me',
      headers: scenario(`key=${key}; times=2; status=503; retry_after_ms=10`),
    });
    const chunks = await collect(stream);
    const retries = chunks.filter((c) => c.type === 'retry');
    assert.equal(retries.length, 2);
    assert.deepEqual(retries.map((c) => c.attempt), [1, 2]);
    assert.ok(retries.every((c) => c.cause instanceof ServerError && c.error === undefined));
    assert.equal(textOf(chunks), expected('Retry me'));
    assert.equal(stream.attempts, 3);
    assert.deepEqual((await requestLog(key)).map((r) => r.status), [503, 503, 200]);
  });

  test('in-band error after output -> ProviderError with the partial answer', async () => {
    const stream = loader().streamCompletion({ prompt: 'Fail midway', headers: scenario('error_after=6') });
    const { chunks, error } = await collectFailure(stream);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.providerType, 'server_error');
    const text = textOf(chunks);
    assert.ok(text.length > 0 && expected('Fail midway').startsWith(text));
    assert.equal(error.partial.text, text);
    await assert.rejects(stream.complete(), (e) => e === error);
  });

  test('body ended without [DONE] -> TruncatedError', async () => {
    const { error } = await collectFailure(loader().streamCompletion({ prompt: 'Cut', headers: scenario('close_after=6') }));
    assert.ok(error instanceof TruncatedError);
    assert.equal(error.code, 'truncated');
  });

  test("connection reset mid-stream -> APIConnectionError, code 'ECONNRESET'", async () => {
    const { chunks, error } = await collectFailure(loader().streamCompletion({ prompt: 'Reset', headers: scenario('reset_after=6') }));
    assert.ok(error instanceof APIConnectionError);
    assert.equal(error.code, 'ECONNRESET');
    assert.equal(error.llmstreamCode, 'network');
    assert.ok(textOf(chunks).length > 0);
  });

  test("connection refused -> APIConnectionError, code 'ECONNREFUSED'", async () => {
    const port = await new Promise((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = s.address();
        s.close(() => resolve(p));
      });
    });
    const ai = loader({ baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const { error } = await collectFailure(ai.streamCompletion({ prompt: 'Hi' }));
    assert.ok(error instanceof APIConnectionError);
    assert.equal(error.code, 'ECONNREFUSED');
  });

  test('no first byte in time -> TimeoutError (timeout); silence mid-stream -> TimeoutError (stalled)', async () => {
    const ai = loader({ maxRetries: 0 });
    const slow = await collectFailure(ai.streamCompletion({ prompt: 'Hi', timeout: 150, headers: scenario('headers_delay_ms=3000') }));
    assert.ok(slow.error instanceof TimeoutError);
    assert.equal(slow.error.code, 'timeout');
    const stalled = await collectFailure(ai.streamCompletion({ prompt: 'Hi', streamTimeout: 150, headers: scenario('stall_after=4') }));
    assert.ok(stalled.error instanceof TimeoutError);
    assert.equal(stalled.error.code, 'stalled');
    assert.ok(stalled.error.partial.text.length > 0);
  });

  test('option names, raw and the provider are checked at once; values by the core, at the first read', async () => {
    const ai = loader();
    assert.throws(() => ai.streamCompletion({ prompt: 'x', maxToken: 3 }), InvalidRequestError);
    assert.throws(() => ai.streamCompletion({ prompt: 'x', raw: 'yes' }), InvalidRequestError);
    assert.throws(() => new APILoader({ provider: 'nope' }), InvalidRequestError);
    // One validation, the core's: the stream fails before anything is sent, naming the value.
    for (const [options, message] of [
      [{}, /prompt or messages/],
      [{ prompt: 'x', maxTokens: -1 }, /max_tokens must be positive/],
      [{ prompt: 'x', temperature: 'hot' }, /temperature must be a number/],
      [{ prompt: 'x', maxRetries: 1000 }, /maxRetries must be an integer in range/],
      [{ prompt: 'x', loader: { api: 'chatty' } }, /api/],
      // Claude's thinking takes no other temperature, no topK and no forced tool use (Anthropic's 400s).
      [{ prompt: 'x', reasoningEffort: 'low', temperature: 0.7, loader: { api: 'anthropic_messages' } },
        /^temperature must be 1 or unset when Anthropic thinking is on .*got 0\.7: leave temperature unset/],
      [{ prompt: 'x', reasoningEffort: 'low', topK: 40, loader: { api: 'anthropic_messages' } }, /^top_k \(in the extra body\) cannot be set/],
      [{ prompt: 'x', reasoningEffort: 'low', tools: [{ name: 'f' }], toolChoice: 'f', loader: { api: 'anthropic_messages' } },
        /^tool_choice 'f' forces tool use, which Anthropic refuses when Anthropic thinking is on/],
    ]) {
      const key = `npm-api-invalid-${process.pid}-${++keyCounter}`;
      const { loader: loaderOptions, ...request } = options;
      const stream = (loaderOptions ? loader(loaderOptions) : ai).streamCompletion({ ...request, headers: scenario(`key=${key}`) });
      const seen = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of stream) seen.push(chunk.type);
        })(),
        (e) => e instanceof InvalidRequestError && e.llmstreamCode === 'invalid_request' && message.test(e.message),
        JSON.stringify(options),
      );
      assert.deepEqual(seen, ['error']);
      assert.deepEqual(await requestLog(key), [], 'nothing was sent');
    }
  });
});

describe('cancellation', () => {
  test('break cancels the request', async () => {
    const key = newKey('break');
    const stream = loader().streamCompletion({ prompt: 'Break me', headers: scenario(`key=${key}; pace_ms=30`) });
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.type === 'text' && ++seen === 2) break;
    }
    assert.equal(stream.finished, true);
    assert.equal(stream.error, null);
    assert.equal(stream.usage.estimated, true, 'usage is estimated after a cancel');
    await waitOutcome(key, 'client_disconnected');
  });

  test('an AbortSignal cancels the request and the loop throws AbortError', async () => {
    const key = newKey('signal');
    const controller = new AbortController();
    const stream = loader().streamCompletion({ prompt: 'Abort me', signal: controller.signal, headers: scenario(`key=${key}; pace_ms=30`) });
    const chunks = [];
    let error;
    try {
      for await (const chunk of stream) {
        chunks.push(chunk);
        if (chunk.type === 'text') controller.abort();
      }
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof AbortError, String(error));
    assert.equal(error.name, 'AbortError');
    assert.ok(error.partial.text.length > 0);
    await waitOutcome(key, 'client_disconnected');
  });

  test('an already aborted signal sends nothing', async () => {
    const key = newKey('pre-aborted');
    const stream = loader().streamCompletion({ prompt: 'Never', signal: AbortSignal.abort(), headers: scenario(`key=${key}`) });
    const { chunks, error } = await collectFailure(stream);
    assert.ok(error instanceof AbortError);
    assert.deepEqual(chunks.map((c) => c.type).filter((t) => t !== 'usage'), ['error']);
    assert.deepEqual(await requestLog(key), []);
  });

  test('cancel() during a stall ends the pending read quietly', async () => {
    const key = newKey('cancel');
    const stream = loader().streamCompletion({ prompt: 'Stall', headers: scenario(`key=${key}; stall_after=3`) });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.done, false);
    await waitOutcome(key, 'stalled');
    // Read until a text chunk arrived and the next read waits on the stalled network.
    let seenText = first.value.type === 'text';
    let pending;
    for (;;) {
      pending = it.next();
      let step = await Promise.race([pending, new Promise((resolve) => setImmediate(() => resolve('waiting')))]);
      if (step === 'waiting') {
        if (seenText) break;
        step = await pending; // bytes still on their way
      }
      assert.equal(step.done, false);
      if (step.value.type === 'text') seenText = true;
    }
    const cancelled = stream.cancel();
    assert.deepEqual(await pending, { value: undefined, done: true });
    await cancelled;
    assert.equal(stream.usage.estimated, true);
    await waitOutcome(key, 'client_disconnected');
    assert.equal(stream.error, null);
    assert.ok(stream.result.text.length > 0);
  });
});

describe('stream helpers', () => {
  test('complete() resolves to the completion', async () => {
    const completion = await loader().complete({ prompt: 'Complete me', maxTokens: 10 });
    assert.equal(completion.text, expected('Complete me', 10));
    assert.equal(completion.finishReason, 'length');
    assert.equal(completion.usage.completionTokens, 10);
    assert.equal(completion.choices[0].text, completion.text);
  });

  test('the stream is single-consumer', async () => {
    const stream = loader().streamCompletion({ prompt: 'Once' });
    await collect(stream);
    assert.throws(() => stream[Symbol.asyncIterator](), TypeError);
  });

  test('toReadableStream(): chunks through a WHATWG reader; cancel() cancels the request', async () => {
    const whole = loader().streamCompletion({ prompt: 'Readable' }).toReadableStream();
    assert.ok(whole instanceof ReadableStream);
    const chunks = [];
    for await (const chunk of whole) chunks.push(chunk);
    assert.equal(textOf(chunks), expected('Readable'));

    const key = newKey('readable');
    const reader = loader().streamCompletion({ prompt: 'Readable', headers: scenario(`key=${key}; pace_ms=30`) }).toReadableStream().getReader();
    await reader.read();
    await reader.cancel();
    await waitOutcome(key, 'client_disconnected');
  });

  test('tee(): two readers see every chunk from one request', async () => {
    const key = newKey('tee');
    const [a, b] = loader().streamCompletion({ prompt: 'Tee', headers: scenario(`key=${key}`) }).tee();
    const [ca, cb] = await Promise.all([collect(a), collect(b)]);
    assert.equal(ca.length, cb.length);
    assert.deepEqual(ca.map((c) => c.type), cb.map((c) => c.type));
    assert.equal(textOf(ca), expected('Tee'));
    assert.equal((await requestLog(key)).length, 1);
    assert.equal((await b.complete()).text, expected('Tee'));
  });

  test('raw: true attaches the provider objects (OpenAI chunks, Anthropic events)', async () => {
    const openai = await collect(loader().streamCompletion({ prompt: 'Raw', raw: true }));
    const texts = openai.filter((c) => c.type === 'text');
    assert.ok(texts.length > 0);
    assert.ok(texts.every((c) => c.raw.choices[0].delta.content === c.text));
    const anthropic = await collect(loader({ provider: 'anthropic', apiKey: 'sk-ant-test' }).streamCompletion({ prompt: 'Raw', raw: true }));
    const deltas = anthropic.filter((c) => c.type === 'text');
    assert.ok(deltas.every((c) => c.raw.type === 'content_block_delta' && c.raw.delta.text === c.text));
  });

  test("raw: 'only' yields the provider's own objects", async () => {
    const events = await collect(loader({ provider: 'anthropic', apiKey: 'sk-ant-test' }).streamCompletion({ prompt: 'Raw', raw: 'only' }));
    assert.equal(events[0].type, 'message_start');
    assert.equal(events.at(-1).type, 'message_stop');
    const chat = await collect(loader().streamCompletion({ prompt: 'Raw', raw: 'only' }));
    assert.equal(chat.map((e) => e.choices?.[0]?.delta?.content ?? '').join(''), expected('Raw'));
  });
});

describe('loading the module', () => {
  test('a .wasm URL that does not serve the module: module_load, saying what came back', async () => {
    const missing = await loadCore({ wasmUrl: `${base}/no/such/llmstream_core.wasm` }).catch((e) => e);
    assert.ok(missing instanceof LLMStreamError, String(missing));
    assert.equal(missing.llmstreamCode, 'module_load');
    assert.match(missing.message, /answered HTTP 404 .*wasmURL/);
    // A page instead of the module (what an app's fallback route serves).
    const page = await loadCore({ wasmUrl: `${base}/v1/models` }).catch((e) => e);
    assert.equal(page.llmstreamCode, 'module_load');
    assert.match(page.message, /is not a WebAssembly module \(application\/json/);
    // The packaged module still loads, and a .wasm served over HTTP compiles (streaming).
    assert.equal(typeof (await loadCore()).WasmSession, 'function');
  });
});
