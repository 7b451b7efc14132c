// The relay end to end in one process (issue 16): createRelay serving Node's (req, res) on a real
// loopback HTTP server and fetch's Request -> Response, read by `provider: 'relay'` over real
// HTTP. The oracle is the direct stream: for every recorded fixture (the 28 shared ones and the
// 13 more-providers ones) a relayed stream must yield the chunks, errors and result the package
// yields when it reads the same bytes from the provider itself. Then the policy's refusals, the
// resume after a cut connection (no gap, no duplicate, one upstream request), cancel by break /
// AbortSignal / DELETE / going away (the local provider sees the disconnect), keep-alives, tool
// loops on the server, and the key nowhere in what a browser receives.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import {
  AbortError,
  APILoader,
  AuthenticationError,
  createRelay,
  InvalidRequestError,
  MemoryStore,
  PolicyViolationError,
  ServerError,
  RateLimitError,
} from '../../npm/src/index.js';
import { errorFields } from '../../npm/src/relay/encode.js';
import { startServer } from '../../server/lib/server.mjs';
import { cuttingFront, FIXTURE_FILES, FIXTURES, recordedAs, until } from './support/relay_net.mjs';

const execFileAsync = promisify(execFile);
const KEY = 'sk-relay-test-9f8e7d6c5b4a';
const MODEL = 'fixture-model';
const FILES = FIXTURE_FILES;

/** A fetch that answers every request with the fixture's bytes, in reads of `size`. */
function fixtureFetch(file, size = 4096) {
  const body = readFileSync(path.join(FIXTURES, file));
  const { contentType } = recordedAs(file);
  return async () => {
    let at = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (at >= body.length) controller.close();
        else controller.enqueue(body.subarray(at, (at += size)));
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': contentType } });
  };
}

/** The upstream options of a fixture's stream: the same for the direct loader and the relay. */
function upstream(file) {
  const { contentType, ...config } = recordedAs(file);
  return { ...config, apiKey: KEY, fetch: fixtureFetch(file), maxRetries: 0, estimateUsage: false };
}

/** A relay on a loopback HTTP server: {url, relay, close()}. Every byte it sends is recorded. */
async function serve(config) {
  const relay = createRelay(config);
  const sent = [];
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, lastEventId: req.headers['last-event-id'] ?? null });
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (chunk, ...rest) => {
      if (chunk) sent.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    };
    res.end = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') sent.push(Buffer.from(chunk));
      return end(chunk, ...rest);
    };
    relay(req, res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/api/chat`;
  return {
    url,
    relay,
    sent: () => Buffer.concat(sent).toString('utf8'),
    requests,
    close: () => {
      relay.cancelAll();
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Every chunk a stream yields and what it threw: {chunks, thrown, result}. */
async function drain(stream) {
  const chunks = [];
  let thrown = null;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    thrown = error;
  }
  return { chunks, thrown, result: stream.result };
}

/**
 * Chunks comparable across the seam: errors as their protocol fields and class; without the
 * provider's keep-alives, which the protocol does not relay (the relay writes its own comments).
 */
function comparable(chunks) {
  return chunks.filter((chunk) => chunk.type !== 'keep_alive').map((chunk) => {
    const out = { ...chunk };
    for (const key of ['error', 'cause']) {
      if (out[key] instanceof Error) out[key] = { ...errorFields(out[key]), class: out[key].constructor.name };
    }
    return out;
  });
}

const relayLoader = (url, extra = {}) => new APILoader({ provider: 'relay', baseURL: url, retryBaseDelayMs: 0, ...extra });

describe('a relayed stream is the direct stream', () => {
  for (const file of FILES) {
    test(file, async () => {
      const request = { model: MODEL, prompt: 'x', partialObjects: false };
      const direct = await drain(new APILoader(upstream(file)).streamCompletion(request));
      const relay = await serve({ ...upstream(file), policy: { models: [MODEL] } });
      try {
        const relayed = await drain(relayLoader(relay.url).streamCompletion(request));
        assert.deepEqual(comparable(relayed.chunks), comparable(direct.chunks));
        assert.equal(relayed.thrown?.constructor, direct.thrown?.constructor);
        if (direct.thrown) assert.deepEqual(errorFields(relayed.thrown), errorFields(direct.thrown));
        assert.deepEqual(relayed.result, JSON.parse(JSON.stringify(direct.result)));
        assert.ok(!relay.sent().includes(KEY), 'the key went to the browser');
      } finally {
        await relay.close();
      }
    });
  }
});

// ---- against the local provider: cancel, resume, keep-alive, tool loops -----------------------

let provider;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(() => provider?.close());

let keys = 0;
/** A fresh scenario key, so each test finds its own requests in the provider's log. */
const freshKey = (what) => `relay-${what}-${process.pid}-${++keys}`;

/** Loader options streaming from the local provider with this scenario. */
const local = (scenario) => ({
  provider: 'local', baseURL: `${provider.url}/v1`, apiKey: KEY, maxRetries: 0,
  headers: { 'x-llmstream-scenario': scenario },
});
/** The same as a relay's options, any model allowed. */
const localRelay = (scenario, extra = {}) => ({ ...local(scenario), policy: { models: '*' }, ...extra });

/** The provider's record of the request with `key` once it reached `outcome`. */
async function waitOutcome(key, outcome, timeoutMs = 10_000) {
  const res = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=${outcome}&timeout_ms=${timeoutMs}`);
  assert.equal(res.status, 200, `the provider never saw outcome ${outcome} for ${key}`);
  return res.json();
}

/** The provider's records of `key`. */
async function requestsOf(key) {
  return (await fetch(`${provider.url}/_llmstream/requests?key=${key}`)).json();
}

const texts = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');

describe('resume', () => {
  for (const cutAfter of [450, 700, 1500, 3000]) {
    test(`a connection cut after ${cutAfter} bytes resumes: no gap, no duplicate, one upstream request`, async () => {
      const key = freshKey('resume');
      const relay = await serve(localRelay(`key=${key}; pace_ms=2; tokens=40`));
      const proxy = await cuttingFront({ first: relay.url, cutAfter });
      try {
        const stream = relayLoader(proxy.url).streamCompletion({ prompt: 'Hello' });
        const { chunks, thrown } = await drain(stream);
        assert.equal(thrown, null);
        assert.equal(proxy.cuts(), 1, 'the front cut the first connection');
        assert.equal(stream.attempts, 2, 'the POST and one resume');
        const direct = await drain(new APILoader(local(`pace_ms=0; tokens=40`)).streamCompletion({ prompt: 'Hello' }));
        assert.equal(texts(chunks), texts(direct.chunks));
        assert.deepEqual(chunks.map((c) => c.type), direct.chunks.map((c) => c.type));
        assert.equal(stream.result.text, direct.result.text);
        assert.equal((await requestsOf(key)).length, 1, 'the provider was asked once');
      } finally {
        await proxy.close();
        await relay.close();
      }
    });
  }

  test('a resume after the end sends the tail with the original ids and bytes', async () => {
    const relay = await serve(localRelay(`pace_ms=0; tokens=12`));
    try {
      const first = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
      const whole = await first.text();
      const streamId = /"stream":"(r_[0-9a-f]+)"/.exec(whole)[1];
      const tail = whole.slice(whole.indexOf('id: 4\n'));
      const again = await fetch(`${relay.url}?stream=${streamId}`, { headers: { 'last-event-id': '3' } });
      assert.equal(again.status, 200);
      assert.equal(await again.text(), `retry: 1000\n\n${tail}`);
      const fromStart = await fetch(`${relay.url}?stream=${streamId}`);
      assert.equal(await fromStart.text(), whole, 'without Last-Event-ID: from event 0');
      // After the terminal event nothing follows: 204, on which an EventSource stops.
      const terminal = [...whole.matchAll(/^id: (\d+)$/gm)].at(-1)[1];
      const after = await fetch(`${relay.url}?stream=${streamId}`, { headers: { 'last-event-id': terminal } });
      assert.equal(after.status, 204);
    } finally {
      await relay.close();
    }
  });

  test('an unknown stream, or one past the resume window: 409 invalid_request, and the client fails with it', async () => {
    const relay = await serve(localRelay(`pace_ms=0; tokens=3`, { resumeWindowMs: 20 }));
    try {
      const unknown = await fetch(`${relay.url}?stream=r_0123456789abcdef`, { headers: { 'last-event-id': '2' } });
      assert.equal(unknown.status, 409);
      assert.equal((await unknown.json()).error.code, 'invalid_request');
      const bad = await fetch(`${relay.url}?stream=r_0123456789abcdef`, { headers: { 'last-event-id': 'x' } });
      assert.equal(bad.status, 400);
    } finally {
      await relay.close();
    }
  });
});

describe('cancel', () => {
  test('break cancels the upstream request at once (DELETE)', async () => {
    const key = freshKey('break');
    const relay = await serve(localRelay(`key=${key}; pace_ms=20; tokens=400`));
    try {
      const stream = relayLoader(relay.url).streamCompletion({ prompt: 'Hello' });
      let seen = 0;
      for await (const chunk of stream) if (chunk.type === 'text' && ++seen === 3) break;
      const record = await waitOutcome(key, 'client_disconnected');
      assert.ok(record.events_sent < 100, `the provider stopped early (${record.events_sent} events)`);
      assert.equal(stream.error, null);
    } finally {
      await relay.close();
    }
  });

  test('an AbortSignal throws AbortError and cancels the upstream', async () => {
    const key = freshKey('abort');
    const relay = await serve(localRelay(`key=${key}; pace_ms=20; tokens=400`));
    try {
      const controller = new AbortController();
      const stream = relayLoader(relay.url).streamCompletion({ prompt: 'Hello', signal: controller.signal });
      let thrown = null;
      try {
        for await (const chunk of stream) if (chunk.type === 'text') controller.abort();
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof AbortError, `threw ${thrown}`);
      assert.ok(thrown.partial.text.length > 0, 'the partial answer is on the error');
      await waitOutcome(key, 'client_disconnected');
    } finally {
      await relay.close();
    }
  });

  test('a client that goes away without DELETE is cancelled after the resume window', async () => {
    const key = freshKey('gone');
    // The provider goes silent after 3 events: only the resume window's end can stop it, not the
    // next event's append failing.
    const relay = await serve(localRelay(`key=${key}; pace_ms=0; tokens=400; stall_after=3`, { resumeWindowMs: 50 }));
    try {
      const controller = new AbortController();
      const response = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: '{"prompt":"hi"}', signal: controller.signal });
      await waitOutcome(key, 'stalled'); // the upstream request is in flight
      controller.abort();
      await waitOutcome(key, 'client_disconnected');
    } finally {
      await relay.close();
    }
  });

  test('DELETE ?stream= answers 204 and ends the stream with aborted; an unknown id is 409', async () => {
    const key = freshKey('delete');
    const relay = await serve(localRelay(`key=${key}; pace_ms=20; tokens=400`));
    try {
      const response = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
      const reader = response.body.getReader();
      let text = '';
      // Until the provider streams (a DELETE before the upstream request was sent leaves the
      // provider nothing to see cancelled).
      while (!text.includes('event: text')) text += new TextDecoder().decode((await reader.read()).value);
      const streamId = /"stream":"(r_[0-9a-f]+)"/.exec(text)[1];
      const deleted = await fetch(`${relay.url}?stream=${streamId}`, { method: 'DELETE' });
      assert.equal(deleted.status, 204);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.match(text, /event: error\ndata: \{"error":\{"code":"aborted"/);
      await waitOutcome(key, 'client_disconnected');
      const again = await fetch(`${relay.url}?stream=${streamId}`, { method: 'DELETE' });
      assert.equal(again.status, 409);
    } finally {
      await relay.close();
    }
  });
});

test('keep-alive comments while the provider is silent', async () => {
  const relay = await serve(localRelay(`pace_ms=200; tokens=2`, { keepAliveMs: 40 }));
  try {
    const response = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
    const text = await response.text();
    assert.match(text, /\n: keep-alive\n\n/);
    const stream = relayLoader(relay.url).streamCompletion({ prompt: 'hi' });
    const { chunks, thrown } = await drain(stream);
    assert.equal(thrown, null);
    assert.ok(chunks.every((c) => c.type !== 'keep_alive'), 'comments are no chunks');
  } finally {
    await relay.close();
  }
});

test('tool loops run on the relay: the page sees every step, the result has the steps', async () => {
  const CITY = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const calls = [];
  const tools = {
    get_weather: { description: 'weather', parameters: CITY, execute: async ({ city }) => (calls.push(city), `sunny in ${city}`) },
  };
  const relay = await serve(localRelay(`pace_ms=0; tool_steps=1`, { tools }));
  try {
    const stream = relayLoader(relay.url).streamCompletion({ prompt: 'Weather in Paris?' });
    const { chunks, thrown, result } = await drain(stream);
    assert.equal(thrown, null);
    assert.deepEqual(calls, ['Paris']);
    const direct = await drain(new APILoader(local(`pace_ms=0; tool_steps=1`)).streamCompletion({
      prompt: 'Weather in Paris?', tools: { get_weather: { ...tools.get_weather, execute: async ({ city }) => `sunny in ${city}` } },
    }));
    assert.deepEqual(chunks.map((c) => c.type), direct.chunks.map((c) => c.type));
    assert.ok(chunks.some((c) => c.type === 'tool_result' && c.step === 1));
    assert.equal(result.steps.length, 2);
    assert.equal(result.text, direct.result.text);
    assert.match(result.text, /sunny in Paris/);
    // A tool the relay lacks is refused; `tools: []` is a plain answer.
    await assert.rejects(relayLoader(relay.url).complete({ prompt: 'x', tools: ['rm_rf'] }), PolicyViolationError);
    const plainRelay = await serve(localRelay(`pace_ms=0`, { tools }));
    const plain = await relayLoader(plainRelay.url).complete({ prompt: 'x', tools: [] }).finally(() => plainRelay.close());
    assert.equal(plain.steps, undefined);
    assert.match(plain.text, /You said/);
    assert.throws(() => relayLoader(relay.url).streamCompletion({ prompt: 'x', tools: { get_weather: tools.get_weather } }),
      InvalidRequestError, 'code cannot go to a relay');
  } finally {
    await relay.close();
  }
});

// ---- the policy and the HTTP errors of docs/relay-protocol.md -----------------------------------

/** A raw request to the relay: {status, body (JSON or text), headers}. */
async function raw(url, { method = 'POST', body = '{"prompt":"hi"}', headers = { 'content-type': 'application/json' } } = {}) {
  const response = await fetch(url, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : body });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text, headers: response.headers };
}

describe('policy', () => {
  let relay;
  let seen;
  before(async () => {
    seen = [];
    relay = await serve({
      ...local('pace_ms=0; tokens=3'),
      defaultModel: 'model-a',
      policy: {
        models: ['model-a', 'model-b'],
        maxTokens: 100,
        authenticate: (caller) => {
          seen.push(caller);
          const auth = caller.headers.get('authorization');
          return auth === 'Bearer app-user' ? { user: 'u1' } : auth === 'Bearer hook-throws' ? Promise.reject(new Error(`db down ${KEY}`)) : null;
        },
        rateLimit: (caller, identity) => (caller.headers.get('x-test-flood') ? { retryAfterMs: 1500 } : identity.user === 'u1'),
        check: (options) => (options.prompt === 'forbidden topic' ? 'that topic is not served here' : undefined),
      },
    });
  });
  after(() => relay.close());
  const user = { 'content-type': 'application/json', authorization: 'Bearer app-user' };

  const CASES = [
    ['no authentication', {}, 401, 'auth'],
    ['the hook throws: 401, its message not shown', { headers: { ...user, authorization: 'Bearer hook-throws' } }, 401, 'auth'],
    ['rate limited', { headers: { ...user, 'x-test-flood': '1' } }, 429, 'rate_limited'],
    ['a model not allowed', { headers: user, body: '{"prompt":"hi","model":"gpt-4.1"}' }, 403, 'policy_violation'],
    ['maxTokens past the cap', { headers: user, body: '{"prompt":"hi","maxTokens":101}' }, 403, 'policy_violation'],
    ['the check hook refuses', { headers: user, body: '{"prompt":"forbidden topic"}' }, 403, 'policy_violation'],
    ['the key chosen by the page', { headers: user, body: '{"prompt":"hi","apiKey":"sk-evil"}' }, 400, 'invalid_request'],
    ['the upstream chosen by the page', { headers: user, body: '{"prompt":"hi","baseURL":"http://evil.example"}' }, 400, 'invalid_request'],
    ['headers chosen by the page', { headers: user, body: '{"prompt":"hi","headers":{"x":"y"}}' }, 400, 'invalid_request'],
    ['an unknown field', { headers: user, body: '{"prompt":"hi","temprature":1}' }, 400, 'invalid_request'],
    ['not JSON', { headers: user, body: '{"prompt":' }, 400, 'invalid_request'],
    ['not an object', { headers: user, body: '[1]' }, 400, 'invalid_request'],
    ['not application/json', { headers: { ...user, 'content-type': 'text/plain' } }, 415, 'invalid_request'],
    ['another protocol version', { headers: { ...user, 'llmstream-relay': '2' } }, 426, 'invalid_request'],
    ['a PUT', { method: 'PUT', headers: user }, 405, 'invalid_request'],
    ['maxSteps without relay tools', { headers: user, body: '{"prompt":"hi","maxSteps":3}' }, 400, 'invalid_request'],
    ['a bad option the package refuses', { headers: user, body: '{"prompt":"hi","maxTokens":0}' }, 400, 'invalid_request'],
  ];
  for (const [what, request, status, code] of CASES) {
    test(`${what}: ${status} ${code}`, async () => {
      const answer = await raw(relay.url, request);
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json?.error?.code, code, answer.text);
      assert.equal(typeof answer.json.error.message, 'string');
      assert.equal(answer.json.error.retryable, code === 'rate_limited');
      assert.ok(!answer.text.includes(KEY) && !answer.text.includes('db down'), answer.text);
      if (status === 429) {
        assert.equal(answer.json.error.retryAfterMs, 1500);
        assert.equal(answer.headers.get('retry-after'), '2');
      }
    });
  }

  test('an allowed request streams; the hooks saw method, URL, headers and the peer', async () => {
    const answer = await raw(relay.url, { headers: user, body: '{"prompt":"hi","model":"model-b","maxTokens":100}' });
    assert.equal(answer.status, 200);
    assert.match(answer.text, /event: start\ndata: \{"version":1,"stream":"r_[0-9a-f]{16}","model":"model-b"\}/);
    assert.match(answer.text, /event: done/);
    const caller = seen.at(-1);
    assert.equal(caller.method, 'POST');
    assert.equal(caller.url.pathname, '/api/chat');
    assert.equal(caller.ip, '127.0.0.1');
  });

  test('no model: the relay default; no maxTokens: the cap is sent', async () => {
    const bodies = [];
    const replay = fixtureFetch('openai-chat-text-usage.sse');
    const capture = async (url, init) => {
      bodies.push(JSON.parse(typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body)));
      return replay();
    };
    const capped = await serve({ provider: 'openai', apiKey: KEY, fetch: capture, defaultModel: 'model-a', policy: { maxTokens: 77 } });
    try {
      const answer = await raw(capped.url);
      assert.match(answer.text, /"model":"model-a"/);
      assert.equal(bodies.length, 1);
      assert.equal(bodies[0].model, 'model-a');
      assert.equal(bodies[0].max_completion_tokens ?? bodies[0].max_tokens, 77, JSON.stringify(bodies[0]));
      await raw(capped.url, { body: '{"prompt":"hi","maxTokens":5}' });
      assert.equal(bodies[1].max_completion_tokens ?? bodies[1].max_tokens, 5);
      // Without policy.models only the relay's own model is allowed.
      assert.equal((await raw(capped.url, { body: '{"prompt":"hi","model":"model-b"}' })).status, 403);
      assert.equal(bodies.length, 2, 'a refused request never reaches the provider');
    } finally {
      await capped.close();
    }
  });

  test('the client throws the class of each refusal', async () => {
    const loader = (headers) => relayLoader(relay.url, { headers });
    await assert.rejects(loader({}).complete({ prompt: 'hi' }), AuthenticationError);
    await assert.rejects(loader({ authorization: 'Bearer app-user', 'x-test-flood': '1' }).complete({ prompt: 'hi' }),
      (error) => error instanceof RateLimitError && error.retryAfterMs === 1500);
    await assert.rejects(loader({ authorization: 'Bearer app-user' }).complete({ prompt: 'hi', model: 'gpt-4.1' }),
      (error) => error instanceof PolicyViolationError && error.status === 403 && /model 'gpt-4.1' is not allowed here; allowed: model-a, model-b/.test(error.message));
    const ok = await loader({ authorization: 'Bearer app-user' }).complete({ prompt: 'hi' });
    assert.match(ok.text, /You said/);
  });
});

// ---- the fetch shape, toSSEResponse, and secrets -------------------------------------------------

describe('fetch shape', () => {
  const file = 'openai-chat-tool-call.sse';
  const request = { model: MODEL, prompt: 'x', partialObjects: false };

  test('relay.fetch(Request) -> Response streams what (req, res) streams', async () => {
    const relay = createRelay({ ...upstream(file), policy: { models: [MODEL] } });
    const nodeRelay = await serve({ ...upstream(file), policy: { models: [MODEL] } });
    try {
      const viaFetch = await drain(relayLoader('http://relay.test/api/chat', {
        fetch: (url, init) => relay.fetch(new Request(url, init)),
      }).streamCompletion(request));
      const viaNode = await drain(relayLoader(nodeRelay.url).streamCompletion(request));
      assert.deepEqual(comparable(viaFetch.chunks), comparable(viaNode.chunks));
      assert.deepEqual(viaFetch.result, viaNode.result);
      const refused = await relay.fetch(new Request('http://relay.test/api/chat', { method: 'POST',
        headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'other', prompt: 'x' }) }));
      assert.equal(refused.status, 403);
      assert.equal((await refused.json()).error.code, 'policy_violation');
      const big = await relay.fetch(new Request('http://relay.test/api/chat', { method: 'POST',
        headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5 * 1024 * 1024) }));
      assert.equal(big.status, 413);
    } finally {
      await nodeRelay.close();
    }
  });

  test('stream.toSSEResponse() is a relay response the client reads as the direct stream', async () => {
    const direct = await drain(new APILoader(upstream(file)).streamCompletion(request));
    const relayed = await drain(relayLoader('http://relay.test/api/chat', {
      fetch: async () => new APILoader(upstream(file)).streamCompletion(request).toSSEResponse(),
    }).streamCompletion(request));
    assert.deepEqual(comparable(relayed.chunks), comparable(direct.chunks));
    assert.deepEqual(relayed.result, JSON.parse(JSON.stringify(direct.result)));
  });

  test('a provider that echoes the key: the relay masks it in errors', async () => {
    const echo = async () => new Response(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }),
      { status: 401, headers: { 'content-type': 'application/json' } });
    const relay = await serve({ provider: 'openai', apiKey: KEY, fetch: echo, maxRetries: 0, policy: { models: '*' } });
    try {
      const { thrown } = await drain(relayLoader(relay.url).streamCompletion({ prompt: 'x' }));
      assert.ok(thrown instanceof AuthenticationError, `threw ${thrown}`);
      assert.match(thrown.message, /Incorrect API key provided/);
      assert.ok(!relay.sent().includes(KEY), 'the key reached the browser');
    } finally {
      await relay.close();
    }
  });
});

describe('server integration', () => {
  test('a store that cannot take another stream: 503 server, retryable; the provider is not asked', async () => {
    let asked = 0;
    // A provider that sends one event and stays open: the first stream keeps its reader.
    const silent = async (_url, init = {}) => {
      asked++;
      return new Response(new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n'));
          init.signal?.addEventListener('abort', () => controller.error(new Error('aborted')), { once: true });
        },
      }), { status: 200, headers: { 'content-type': 'text/event-stream' } });
    };
    const relay = await serve({ provider: 'openai', apiKey: KEY, fetch: silent, maxRetries: 0, policy: { models: '*' },
      store: new MemoryStore({ maxStreams: 1 }) });
    try {
      const controller = new AbortController();
      const first = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"a"}', signal: controller.signal });
      const reader = first.body.getReader();
      let text = '';
      while (!text.includes('event: text')) text += new TextDecoder().decode((await reader.read()).value);
      const second = await raw(relay.url);
      assert.equal(second.status, 503, second.text);
      assert.deepEqual([second.json.error.code, second.json.error.retryable], ['server', true]);
      assert.equal(asked, 1, 'the refused request never reached the provider');
      controller.abort();
    } finally {
      await relay.close();
    }
  });

  test('a body already parsed by a middleware (express.json()) is the request', async () => {
    const relay = createRelay({ ...upstream('openai-chat-text-usage.sse'), policy: { models: [MODEL] } });
    const server = http.createServer(async (req, res) => {
      let text = '';
      for await (const part of req) text += part;
      req.body = JSON.parse(text); // what a body parser leaves
      relay(req, res);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${server.address().port}/api/chat`;
      const answer = await raw(url, { body: JSON.stringify({ model: MODEL, prompt: 'x' }) });
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.text, /event: done/);
      const refused = await raw(url, { body: JSON.stringify({ model: 'other', prompt: 'x' }) });
      assert.equal(refused.status, 403);
    } finally {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

// ---- what a review found (each test failed before its fix) ----------------------------------

describe('hostile and broken cases', () => {
  test('a request the relay cannot parse is a 400, not a crash of the process', async () => {
    const relay = await serve(localRelay('pace_ms=0; tokens=3'));
    try {
      const { port } = new URL(relay.url);
      const answer = await new Promise((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n'));
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 400/);
      assert.equal((await raw(relay.url)).status, 200, 'the relay still serves');
    } finally {
      await relay.close();
    }
  });

  test('a resume cut before its first event resumes from the same position: no replay', async () => {
    const key = freshKey('empty-resume');
    const relay = await serve(localRelay(`key=${key}; pace_ms=5; tokens=40`));
    // The POST is cut after some events, the first resume after its headers only.
    const front = await cuttingFront({ first: relay.url, cutAfter: [1200, 300] });
    try {
      const stream = relayLoader(front.url).streamCompletion({ prompt: 'Hello' });
      const { chunks, thrown } = await drain(stream);
      assert.equal(thrown, null);
      const direct = await drain(new APILoader(local('pace_ms=0; tokens=40')).streamCompletion({ prompt: 'Hello' }));
      assert.equal(texts(chunks), texts(direct.chunks));
      const resumes = relay.requests.filter((r) => r.method === 'GET');
      assert.equal(resumes.length, 2);
      assert.ok(resumes[0].lastEventId !== null && resumes[0].lastEventId === resumes[1].lastEventId,
        `both resumes after the same event: ${JSON.stringify(resumes)}`);
    } finally {
      await front.close();
      await relay.close();
    }
  });

  test('a store that fails mid-stream ends the stream with a retryable server error, no endless resumes', async () => {
    class FailingStore extends MemoryStore {
      async appendMany(streamId, firstId, list) {
        if (firstId >= 5) throw new Error('READONLY You cannot write against a read only replica');
        return super.appendMany(streamId, firstId, list);
      }
    }
    const errors = [];
    const relay = await serve(localRelay('pace_ms=2; tokens=40', { store: new FailingStore(), onError: (e) => errors.push(e) }));
    try {
      const { thrown } = await drain(relayLoader(relay.url).streamCompletion({ prompt: 'Hello' }));
      assert.ok(thrown instanceof ServerError && thrown.retryable, `threw ${thrown}`);
      assert.ok(relay.requests.filter((r) => r.method === 'GET').length === 0, 'no resume of a stream that ended');
      assert.match(String(errors[0]?.message), /READONLY/);
    } finally {
      await relay.close();
    }
  });

  test('a store that takes no more events, not even the "stream lost" one: the stream is not end()ed without a terminal event', async () => {
    const ended = [];
    class DeadStore extends MemoryStore {
      async appendMany(streamId, firstId, list) {
        if (firstId >= 5) throw new Error('redis: connection closed (commands in flight may or may not have run)');
        return super.appendMany(streamId, firstId, list);
      }
      async append(streamId, id, bytes) {
        if (id >= 5) throw new Error('redis: no connection within 5000 ms');
        return super.append(streamId, id, bytes);
      }
      async end(streamId) {
        ended.push(streamId);
        return super.end(streamId);
      }
    }
    const errors = [];
    let failed;
    const storeFailed = new Promise((resolve) => (failed = resolve));
    const store = new DeadStore();
    const relay = await serve(localRelay('pace_ms=2; tokens=40', { store, onError: (e) => { errors.push(e); failed(); } }));
    try {
      const response = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"Hello"}' });
      await storeFailed;
      await response.body.cancel();
      assert.match(String(errors[0]?.message), /may or may not have run/);
      // A store with a holder lease (RedisStore) ends it with the "stream lost" event itself.
      assert.deepEqual(ended, [], 'end() after a failed terminal append would end the stream without a terminal event');
    } finally {
      await relay.close();
    }
  });

  test('a key the provider echoes in any field (metadata, the completion) is masked', async () => {
    const body = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"${KEY}","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n` +
      'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
    const echo = async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const relay = await serve({ provider: 'openai', apiKey: KEY, fetch: echo, maxRetries: 0, policy: { models: '*' } });
    try {
      const { chunks, result } = await drain(relayLoader(relay.url).streamCompletion({ prompt: 'x' }));
      assert.equal(texts(chunks), 'hi');
      assert.ok(!relay.sent().includes(KEY), 'the key reached the browser');
      assert.match(relay.sent(), /\[redacted\]/);
      assert.ok(!JSON.stringify(result).includes(KEY));
    } finally {
      await relay.close();
    }
  });

  test('a cancel before the start event arrived still reaches the relay (the stream id header)', async () => {
    // The relay's check hook holds the answer until the page has aborted: the POST is in flight
    // and no event was read when the cancel comes.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const relay = await serve(localRelay('pace_ms=50; tokens=400', { policy: { models: '*', check: () => held } }));
    try {
      const controller = new AbortController();
      const iterator = relayLoader(relay.url).streamCompletion({ prompt: 'Hello', signal: controller.signal })[Symbol.asyncIterator]();
      const pending = iterator.next().then(() => iterator.next());
      await until(() => relay.requests.some((r) => r.method === 'POST'), 'the POST never reached the relay');
      controller.abort();
      release();
      await assert.rejects(pending, AbortError);
      await until(() => relay.requests.some((r) => r.method === 'DELETE'), 'no DELETE reached the relay');
      const deleted = relay.requests.find((r) => r.method === 'DELETE');
      assert.match(deleted.url, /[?&]stream=r_[0-9a-f]{16}/);
    } finally {
      await relay.close();
    }
  });

  test('a 502 from a proxy during a resume is retried', async () => {
    const key = freshKey('resume-502');
    const relay = await serve(localRelay(`key=${key}; pace_ms=5; tokens=40`));
    const front = await cuttingFront({ first: relay.url, cutAfter: 1200 });
    let gets = 0;
    const flaky = async (url, init) => (init?.method === 'GET' && ++gets === 1
      ? new Response('bad gateway', { status: 502, headers: { 'content-type': 'text/plain' } })
      : fetch(url, init));
    try {
      const { chunks, thrown } = await drain(relayLoader(front.url, { fetch: flaky }).streamCompletion({ prompt: 'Hello' }));
      assert.equal(thrown, null);
      const direct = await drain(new APILoader(local('pace_ms=0; tokens=40')).streamCompletion({ prompt: 'Hello' }));
      assert.equal(texts(chunks), texts(direct.chunks));
      assert.equal(gets, 2);
    } finally {
      await front.close();
      await relay.close();
    }
  });

  test('a body past maxBodyBytes gets its 413 over Node too', async () => {
    const relay = await serve(localRelay('pace_ms=0', { maxBodyBytes: 1024 }));
    try {
      const answer = await raw(relay.url, { body: JSON.stringify({ prompt: 'x'.repeat(200_000) }) });
      assert.equal(answer.status, 413);
      assert.equal(answer.json.error.code, 'invalid_request');
    } finally {
      await relay.close();
    }
  });

  test('a hook that throws: 500 internal without its message; the relay\'s onError gets it', async () => {
    const errors = [];
    const relay = await serve(localRelay('pace_ms=0', { onError: (e) => errors.push(e),
      policy: { models: '*', rateLimit: () => { throw new Error('redis at 10.0.3.7:6379 refused'); } } }));
    try {
      const answer = await raw(relay.url);
      assert.equal(answer.status, 500);
      assert.equal(answer.json.error.code, 'internal');
      assert.doesNotMatch(answer.text, /10\.0\.3\.7/);
      assert.match(String(errors[0]?.message), /10\.0\.3\.7/);
    } finally {
      await relay.close();
    }
  });

  test('cost bounds: n past maxChoices, a thinking budget past the cap, a model name with dot segments', async () => {
    const relay = await serve(localRelay('pace_ms=0', { policy: { models: '*', maxTokens: 100 } }));
    try {
      for (const [body, status] of [
        [{ prompt: 'x', n: 4 }, 403],
        [{ prompt: 'x', reasoningBudgetTokens: 5000 }, 403],
        [{ prompt: 'x', model: '../../v1/files' }, 400],
        [{ prompt: 'x', model: 'models/./x' }, 400],
        [{ prompt: 'x', n: 1 }, 200],
      ]) {
        const answer = await raw(relay.url, { body: JSON.stringify(body) });
        assert.equal(answer.status, status, `${JSON.stringify(body)}: ${answer.text.slice(0, 200)}`);
      }
    } finally {
      await relay.close();
    }
  });
});

describe('who may resume, and clients that stop reading', () => {
  const ownedRelay = (key, policy = {}) => localRelay(`key=${key}; pace_ms=10; tokens=60`, {
    policy: { models: '*', authenticate: (caller) => caller.headers.get('x-user') || null, ...policy },
  });
  const start = async (url, user) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': user }, body: '{"prompt":"hi"}' });
    assert.equal(response.status, 200);
    return { response, streamId: response.headers.get('llmstream-relay-stream') };
  };
  const as = (url, streamId, user, method, headers = {}) =>
    fetch(`${url}?stream=${streamId}`, { method, headers: { 'x-user': user, ...headers } });

  test('a stream is bound to the caller who started it: another caller can neither resume nor cancel it', async () => {
    const key = freshKey('owner');
    const relay = await serve(ownedRelay(key, { owner: (user) => (user === 'guest' ? null : user) }));
    try {
      const { response, streamId } = await start(relay.url, 'alice');
      const stolen = await as(relay.url, streamId, 'mallory', 'GET', { 'last-event-id': '0' });
      assert.equal(stolen.status, 409);
      const { error } = await stolen.json();
      assert.equal(error.code, 'invalid_request');
      // Named by the id the caller sent: the owner's tag in the store key is not shown.
      assert.ok(error.message.includes(streamId) && !/r_[0-9a-f]{16}_/.test(error.message), error.message);
      assert.equal((await as(relay.url, streamId, 'mallory', 'DELETE')).status, 409);
      // A caller whose streams are unbound cannot name alice's by her store key (id + owner tag).
      const tag = createHash('sha256').update('alice').digest('hex').slice(0, 24);
      assert.equal((await as(relay.url, `${streamId}_${tag}`, 'guest', 'GET', { 'last-event-id': '0' })).status, 409);
      // The owner's resume reads the whole stream to its end: mallory's DELETE stopped nothing.
      const mine = await as(relay.url, streamId, 'alice', 'GET', { 'last-event-id': '0' });
      assert.equal(mine.status, 200);
      assert.match(await mine.text(), /\nevent: done\n/);
      await response.body.cancel();
      const outcome = await waitOutcome(key, 'completed');
      assert.equal(outcome.outcome, 'completed');
    } finally {
      await relay.close();
    }
  });

  test("the owner's DELETE reaches its stream; policy.owner null leaves a stream unbound", async () => {
    const key = freshKey('owner-delete');
    const relay = await serve(ownedRelay(key));
    const open = await serve(ownedRelay(freshKey('unbound'), { owner: () => null }));
    try {
      const { response, streamId } = await start(relay.url, 'alice');
      assert.equal((await as(relay.url, streamId, 'alice', 'DELETE')).status, 204);
      await waitOutcome(key, 'client_disconnected');
      await response.body.cancel();
      const unbound = await start(open.url, 'alice');
      const resumed = await as(open.url, unbound.streamId, 'bob', 'GET', { 'last-event-id': '0' });
      assert.equal(resumed.status, 200);
      await resumed.body.cancel();
      await unbound.response.body.cancel();
    } finally {
      await relay.close();
      await open.close();
    }
  });

  test('a fetch Response nobody reads lets its stream go: the upstream is cancelled', async () => {
    const key = freshKey('unread');
    // The provider goes silent after 3 events, so only the relay can end the upstream request.
    const relay = createRelay({ ...localRelay(`key=${key}; pace_ms=0; tokens=400; stall_after=3`), writeTimeoutMs: 50, resumeWindowMs: 50 });
    try {
      const response = await relay.fetch(new Request('http://relay.test/api/chat', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}',
      }));
      assert.equal(response.status, 200);
      await waitOutcome(key, 'client_disconnected');
      await assert.rejects(response.text(), /not read for 50 ms/);
    } finally {
      relay.cancelAll();
    }
  });

  test('a client that stops reading is closed after writeTimeoutMs, and its stream goes after the window', async () => {
    const key = freshKey('stuck');
    // Far more than the socket buffers hold, then silence: only the relay can end the upstream.
    const relay = await serve(localRelay(`key=${key}; pace_ms=0; tokens=400000; stall_after=100000`,
      { writeTimeoutMs: 200, resumeWindowMs: 50, policy: { models: '*', maxTokens: 400000 } }));
    const { port } = new URL(relay.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    try {
      const body = '{"prompt":"hi"}';
      socket.write(`POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      let head = '';
      await new Promise((resolve) => {
        socket.on('data', function first(data) {
          head += data.toString('latin1');
          if (!head.includes('\r\n\r\n')) return;
          socket.off('data', first);
          socket.pause(); // reads no more: the kernel's buffers fill, then Node's
          resolve();
        });
      });
      assert.match(head, /^HTTP\/1\.1 200/);
      // Filling the socket buffers (~10 MB on loopback) takes seconds on a loaded machine.
      await waitOutcome(key, 'client_disconnected', 60_000);
    } finally {
      socket.destroy();
      await relay.close();
    }
  });
});

/** `memory`'s store interface whose read fails (a Redis blip) when `fails()` says so. */
function readFailing(memory, fails) {
  const store = {};
  for (const name of ['open', 'append', 'appendMany', 'end', 'cancel', 'drop']) store[name] = (...args) => memory[name](...args);
  store.read = (...args) => (fails() ? Promise.reject(new Error('connection lost')) : memory.read(...args));
  return store;
}

describe('the page against a relay that misbehaves', () => {
  test('a connection that goes silent (half-open) is dropped after idleTimeoutMs and resumed', { timeout: 30_000 }, async () => {
    const key = freshKey('silent');
    const relay = await serve(localRelay(`key=${key}; pace_ms=2; tokens=40`));
    const front = await cuttingFront({ first: relay.url, cutAfter: 900, stall: true });
    try {
      const stream = relayLoader(front.url, { idleTimeoutMs: 1000 }).streamCompletion({ prompt: 'Hello' });
      const { chunks, thrown } = await drain(stream);
      assert.equal(thrown, null);
      assert.equal(stream.attempts, 2, 'the POST and one resume');
      const direct = await drain(new APILoader(local('pace_ms=0; tokens=40')).streamCompletion({ prompt: 'Hello' }));
      assert.equal(texts(chunks), texts(direct.chunks));
      assert.equal((await requestsOf(key)).length, 1, 'the provider was asked once');
    } finally {
      await front.close();
      await relay.close();
    }
  });

  test("a relay that never answers the POST fails with timeout, and the caller's slow pace is no silence", { timeout: 30_000 }, async () => {
    const silent = net.createServer(() => {}); // accepts, never answers
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sockets = new Set();
    silent.on('connection', (socket) => sockets.add(socket));
    const relay = await serve(localRelay('pace_ms=0; tokens=30'));
    try {
      const url = `http://127.0.0.1:${silent.address().port}/api/chat`;
      const { thrown } = await drain(relayLoader(url, { idleTimeoutMs: 500 }).streamCompletion({ prompt: 'x' }));
      assert.equal(thrown?.code, 'timeout', `threw ${thrown}`);
      // A reader slower than the timeout between chunks: the relay was not silent, no resume.
      // (A first request warms the relay up: its first answer may take longer than the timeout.)
      assert.equal((await drain(relayLoader(relay.url).streamCompletion({ prompt: 'x' }))).thrown, null);
      const stream = relayLoader(relay.url, { idleTimeoutMs: 400 }).streamCompletion({ prompt: 'x' });
      let slow = 0;
      for await (const chunk of stream) {
        if (chunk.type === 'text' && slow++ < 2) await new Promise((resolve) => setTimeout(resolve, 600));
      }
      assert.equal(stream.attempts, 1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await relay.close();
    }
  });

  test('a resume answered 204 (the end was lost) fails with truncated; a store that cannot read now is a retried 503', { timeout: 30_000 }, async () => {
    const key = freshKey('store-blip');
    const memory = new MemoryStore();
    let reads = 0;
    // The store fails the first resume's read (a Redis restart), then works again.
    const store = readFailing(memory, () => ++reads === 2);
    const errors = [];
    const relay = await serve(localRelay(`key=${key}; pace_ms=2; tokens=40`, { store, onError: (e) => errors.push(e) }));
    const front = await cuttingFront({ first: relay.url, cutAfter: [900, 0, 0] });
    try {
      const stream = relayLoader(front.url).streamCompletion({ prompt: 'Hello' });
      const { chunks, thrown } = await drain(stream);
      assert.equal(thrown, null);
      assert.equal(stream.attempts, 3, 'the POST, the resume answered 503, the resume served');
      assert.match(String(errors[0]?.message), /connection lost/);
      const direct = await drain(new APILoader(local('pace_ms=0; tokens=40')).streamCompletion({ prompt: 'Hello' }));
      assert.equal(texts(chunks), texts(direct.chunks));

      const cut = await cuttingFront({ first: relay.url, cutAfter: 900 });
      const gone = async (url, init) => (init?.method === 'GET' ? new Response(null, { status: 204 }) : fetch(url, init));
      const lost = await drain(relayLoader(cut.url, { fetch: gone }).streamCompletion({ prompt: 'Hello' }));
      await cut.close();
      assert.equal(lost.thrown?.code, 'truncated', `threw ${lost.thrown}`);
      assert.equal(lost.thrown.status, 204);
    } finally {
      await front.close();
      await relay.close();
    }
  });

  test('a POST whose store read fails is a 503 that leaves no upstream request running', async () => {
    const key = freshKey('post-503');
    const memory = new MemoryStore();
    let reads = 0;
    const store = readFailing(memory, () => ++reads === 1);
    const relay = await serve(localRelay(`key=${key}; pace_ms=5; tokens=200`, { store, onError: () => {} }));
    try {
      const answer = await fetch(relay.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"hi"}' });
      assert.equal(answer.status, 503);
      assert.equal(memory.size, 0, 'the stream was dropped from the store');
      // A later request streams to its end; by then an upstream started for the refused one would show.
      const { thrown } = await drain(relayLoader(relay.url).streamCompletion({ prompt: 'x' }));
      assert.equal(thrown, null);
      assert.deepEqual((await requestsOf(key)).filter((r) => r.outcome === 'in_progress'), []);
    } finally {
      await relay.close();
    }
  });

  test('maxCompletionBytes counts UTF-8 bytes, as the core does', async () => {
    const cjk = '漢'.repeat(1500); // 1500 UTF-16 units, 4500 UTF-8 bytes
    const body = 'retry: 1000\n\nid: 0\nevent: start\ndata: {"version":1,"stream":"r_0123456789abcdef","model":"m"}\n\n' +
      `id: 1\nevent: text\ndata: ${JSON.stringify({ text: cjk, index: 0, block: 0 })}\n\n` +
      'id: 2\nevent: done\ndata: {"done":true,"finishReason":"stop"}\n\n';
    const fetchRelay = async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'llmstream-relay-stream': 'r_0123456789abcdef' } });
    const { thrown } = await drain(relayLoader('http://relay.test/api/chat', { fetch: fetchRelay, maxCompletionBytes: 3000 }).streamCompletion({ prompt: 'x' }));
    assert.equal(thrown?.code, 'completion_too_large', `threw ${thrown}`);
    const whole = await drain(relayLoader('http://relay.test/api/chat', { fetch: fetchRelay, maxCompletionBytes: 4500 }).streamCompletion({ prompt: 'x' }));
    assert.equal(whole.thrown, null);
  });

  test('a refused request leaves no timer behind: the process exits at once', async () => {
    const relay = await serve(localRelay('pace_ms=0', { policy: { models: ['only-this'] } }));
    try {
      const script = `import { APILoader } from ${JSON.stringify(new URL('../../npm/src/index.js', import.meta.url).href)};
        try { for await (const c of new APILoader({ provider: 'relay', baseURL: ${JSON.stringify(relay.url)} }).streamCompletion({ model: 'other', prompt: 'x' })); }
        catch (e) { console.log(e.code); }`;
      const started = Date.now();
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
      assert.equal(stdout.trim(), 'policy_violation');
      assert.ok(Date.now() - started < 15_000, `the process lived ${Date.now() - started} ms (the 45 s watchdog held it)`);
    } finally {
      await relay.close();
    }
  });

  test('a relay that streams without end is bounded: completion_too_large at maxCompletionBytes, and the upstream is cancelled', { timeout: 30_000 }, async () => {
    const key = freshKey('endless');
    const relay = await serve(localRelay(`key=${key}; pace_ms=0; tokens=200000`, { policy: { models: '*', maxTokens: 200000 } }));
    try {
      const stream = relayLoader(relay.url, { maxCompletionBytes: 4096 }).streamCompletion({ prompt: 'x', maxTokens: 200000 });
      const { chunks, thrown } = await drain(stream);
      assert.equal(thrown?.code, 'completion_too_large', `threw ${thrown}`);
      assert.ok(texts(chunks).length <= 4096 + 64, `kept ${texts(chunks).length} chars`);
      assert.ok(thrown.partial.text.length > 0, 'the partial answer is on the error');
      const record = await waitOutcome(key, 'client_disconnected');
      assert.ok(record.events_sent < 100000, `the provider stopped early (${record.events_sent} events)`);
    } finally {
      await relay.close();
    }
  });
});
