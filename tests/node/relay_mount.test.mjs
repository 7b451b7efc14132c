// The playground's relays (server/lib/relay-mount.mjs, mounted with --web) on a real loopback
// server: which providers the server says it relays, the policy from the environment, the
// page's scenario header reaching the local provider, the same-origin rule, and the dev-only cut
// fault (honoured only with LLMSTREAM_RELAY_FAULTS=1, then resumed with one upstream request).
// The relay protocol itself is relay_server.test.mjs's.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { APILoader, PolicyViolationError } from '../../npm/src/index.js';
import { relayMount } from '../../server/lib/relay-mount.mjs';
import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';

const KEY = 'sk-mount-test-0a1b2c3d4e5f';

/** A local provider with the relays mounted, configured by `env` (not this process's). */
async function serve(env) {
  let self = null;
  const server = await startServer({ port: 0, apiMounts: [relayMount({ env, selfURL: () => self })] });
  self = server.url;
  return server;
}

async function records(base, key) {
  return (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
}

/** A relay loader whose fetch counts the requests it makes, by method. */
function relayClient(base, provider) {
  const methods = [];
  const fetchCounted = (url, init = {}) => {
    methods.push(init.method ?? 'GET');
    return fetch(url, init);
  };
  return { methods, loader: new APILoader({ provider: 'relay', baseURL: `${base}/api/relay/${provider}`, fetch: fetchCounted, retryBaseDelayMs: 0 }) };
}

async function textOf(stream) {
  let text = '';
  for await (const chunk of stream) if (chunk.type === 'text') text += chunk.text;
  return text;
}

describe('the playground relay mount', () => {
  let server;
  let faulty;
  before(async () => {
    server = await serve({
      OPENAI_API_KEY: KEY,
      LLMSTREAM_RELAY_BASE_URL_OPENAI: '{self}/v1',
      LLMSTREAM_RELAY_MODELS_OPENAI: 'gpt-4o-mini',
      LLMSTREAM_RELAY_MAX_TOKENS: '500',
    });
    faulty = await serve({ LLMSTREAM_RELAY_FAULTS: '1' });
  });
  after(async () => {
    await server.close();
    await faulty.close();
  });

  test('GET /api/relay/providers: who can be relayed, why not, never a key', async () => {
    const res = await fetch(`${server.url}/api/relay/providers`);
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.ok(!text.includes(KEY), 'no key in the answer');
    const { providers } = JSON.parse(text);
    assert.deepEqual(providers.local, { available: true, local: true, models: '*', maxTokens: 500 });
    assert.deepEqual(providers.openai, { available: true, local: true, models: ['gpt-4o-mini'], maxTokens: 500 });
    assert.deepEqual(providers.anthropic, { available: false, reason: 'the server has no ANTHROPIC_API_KEY' });
    assert.match(providers.azure.reason, /LLMSTREAM_RELAY_BASE_URL_AZURE/);
  });

  test("the page's scenario header reaches the local provider through the relay", async () => {
    const key = `mount-scenario-${Date.now()}`;
    const { loader } = relayClient(server.url, 'openai');
    const text = await textOf(loader.streamCompletion({ prompt: 'Hi', tools: [], headers: { 'x-llmstream-scenario': `tokens=7; key=${key}` } }));
    assert.equal(text, replyTokens('Hi', 7).join(''));
    const log = await records(server.url, key);
    assert.equal(log.length, 1);
    assert.equal(log[0].path, '/v1/chat/completions');
  });

  test('the policy: a model off the list, maxTokens past the cap', async () => {
    const { loader } = relayClient(server.url, 'openai');
    await assert.rejects(textOf(loader.streamCompletion({ prompt: 'Hi', model: 'gpt-4.1' })),
      (e) => e instanceof PolicyViolationError && e.code === 'policy_violation' && /gpt-4\.1/.test(e.message));
    await assert.rejects(textOf(loader.streamCompletion({ prompt: 'Hi', maxTokens: 501 })), PolicyViolationError);
  });

  test('another origin is refused (the relays spend this server\'s keys)', async () => {
    const post = await fetch(`${server.url}/api/relay/local`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://elsewhere.example' }, body: '{"prompt":"Hi"}',
    });
    assert.equal(post.status, 403);
    assert.equal(post.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${server.url}/api/relay/local`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 403);
    const unknown = await fetch(`${server.url}/api/relay/anthropic`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(unknown.status, 404);
  });

  test('a rebound name is refused: another Host, even with its own Origin and same-origin (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    const status = (headers, path = '/api/relay/providers', method = 'GET', body = undefined) => new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end(body);
    });
    const rebound = { host: `evil.test:${port}`, origin: `http://evil.test:${port}`, 'sec-fetch-site': 'same-origin' };
    assert.equal(await status(rebound), 403);
    assert.equal(await status({ ...rebound, 'content-type': 'application/json' }, '/api/relay/local', 'POST', '{"prompt":"Hi"}'), 403);
    assert.equal(await status({ host: `127.0.0.1:${port}` }), 200, 'its own name still answers');
  });

  test('the cut fault is ignored unless LLMSTREAM_RELAY_FAULTS=1', async () => {
    const { loader, methods } = relayClient(server.url, 'local');
    const headers = { 'x-llmstream-relay-fault': 'cut_after_bytes=400', 'x-llmstream-scenario': 'tokens=30' };
    const text = await textOf(loader.streamCompletion({ prompt: 'Hi', tools: [], headers }));
    assert.equal(text, replyTokens('Hi', 30).join(''));
    assert.deepEqual(methods, ['POST'], 'no resume was needed: the connection was not cut');
  });

  test('with LLMSTREAM_RELAY_FAULTS=1 the first response is cut and the client resumes: one upstream request', async () => {
    const key = `mount-cut-${Date.now()}`;
    const { loader, methods } = relayClient(faulty.url, 'local');
    const headers = { 'x-llmstream-relay-fault': 'cut_after_bytes=700', 'x-llmstream-scenario': `tokens=30; pace_ms=5; key=${key}` };
    const text = await textOf(loader.streamCompletion({ prompt: 'Cut me', tools: [], headers }));
    assert.equal(text, replyTokens('Cut me', 30).join(''), 'no gap, no duplicate');
    assert.equal(methods[0], 'POST');
    assert.ok(methods.slice(1).length >= 1 && methods.slice(1).every((m) => m === 'GET'), `resumed with GET (${methods})`);
    const log = await records(faulty.url, key);
    assert.equal(log.length, 1, 'one upstream request');
  });
});
