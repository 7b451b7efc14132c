// The relay server against the local provider, end to end (scripts/test.sh runs it in the
// examples stage): streams read by relay_client (the core's RelayDecoder, in C++), text arriving
// incrementally and a done with its completion; policy and protocol refusals as JSON errors; a
// client that disconnects, or a DELETE, ending the upstream request at once; keep-alive comments
// in silence. With the npm package built (npm/dist/core/abi.js), one stream is also read with its
// decoder. No sleeps: every wait is on a real signal with a deadline.
//
//   node examples/relay_server/test.mjs path/to/relay_server   (relay_client beside it)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { REPO, call, onLines, post, startProvider, startRelay } from './support.mjs';

const BIN = process.argv[2] ?? process.env.RELAY_SERVER_BIN;
if (!BIN) throw new Error('usage: node test.mjs path/to/relay_server');
const CLIENT = path.join(path.dirname(BIN), 'relay_client');

let provider;
let relay;

before(async () => {
  provider = await startProvider({ paceMs: 20 });
  relay = await startRelay(BIN, provider.url, [
    '--allow-model', 'local-echo', '--allow-model', 'local-fast', '--max-tokens-cap', '400',
    // 400 tokens upstream: a request's maxTokens decides how many of them it streams.
    '--upstream-header', 'x-llmstream-scenario: key=relay-test; tokens=400',
  ]);
});

after(async () => {
  await relay?.stop();
  await provider?.stop();
});

/**
 * Streams `body` from the relay at `url` through relay_client: resolves {events, summary} (one
 * parsed JSON line each). `onEvent(event)` sees every line as it comes.
 */
function readWithClient(url, body, { stopAfterText, onEvent = () => {} } = {}) {
  const args = [url, JSON.stringify(body)];
  if (stopAfterText !== undefined) args.push('--stop-after-text', String(stopAfterText));
  const child = spawn(CLIENT, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const events = [];
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('relay_client did not finish within 20 s'));
    }, 20000);
    onLines(child.stdout, (line) => {
      const event = JSON.parse(line);
      events.push(event);
      onEvent(event);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      const summary = events.pop();
      assert.equal(summary?.summary, true, 'relay_client ends with its summary');
      resolve({ events, summary });
    });
  });
}

test('a stream: start, text tokens as they come, done with the completion', async () => {
  const { events, summary } = await readWithClient(relay.url, { model: 'local-echo', prompt: 'Hello relay', maxTokens: 12 });
  assert.equal(summary.status, 200);
  assert.equal(summary.end, 'done', JSON.stringify(summary.error));
  assert.match(summary.stream, /^r_[0-9a-f]{16,}$/);
  assert.equal(summary.model, 'local-echo');
  const text = events.filter((e) => e.type === 'text').map((e) => e.text).join('');
  assert.ok(text.length > 0);
  // Paced 20 ms apart upstream, the tokens reach the client in separate reads, not at the end.
  assert.ok(summary.textReads >= 3, `text came in ${summary.textReads} reads`);
  assert.equal(events.at(-1).type, 'done');
  assert.ok(events.some((e) => e.type === 'usage'));
  assert.equal(summary.completion.text, text);
  assert.equal(summary.completion.finishReason, 'length');
});

test('the npm package decodes the same relay (when built)', async (t) => {
  if (!fs.existsSync(path.join(REPO, 'npm', 'dist', 'core', 'abi.js'))) {
    t.skip('npm/dist/core/abi.js not built (scripts/build-wasm.sh)');
    return;
  }
  const { RelayDecoder } = await import('../../npm/src/relay/decode.js');
  const { response } = await post(relay.url, { model: 'local-echo', prompt: 'Hello relay', maxTokens: 12 });
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'], /^text\/event-stream/);
  assert.equal(response.headers['llmstream-relay'], '1');
  const decoder = new RelayDecoder();
  const chunks = [];
  for await (const bytes of response) chunks.push(...decoder.push(bytes));
  chunks.push(...decoder.finish());
  assert.equal(decoder.end, 'done');
  assert.equal(chunks.at(-1).type, 'done');
  const text = chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');
  assert.equal(decoder.completion.text, text);
});

test('two streams get different ids', async () => {
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const { summary } = await readWithClient(relay.url, { model: 'local-fast', messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 });
    assert.equal(summary.end, 'done');
    ids.push(summary.stream);
  }
  assert.notEqual(ids[0], ids[1]);
});

test('policy and protocol refusals are JSON errors, never a stream', async () => {
  const { summary } = await readWithClient(relay.url, { model: 'gpt-4.1', prompt: 'x' });
  assert.equal(summary.status, 403);
  assert.equal(summary.refusal.error.code, 'policy_violation');
  const refused = async (body, status, code, headers) => {
    const answer = await call(relay.url, 'POST', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
    assert.equal(answer.status, status, answer.text);
    assert.equal(answer.json.error.code, code);
    assert.equal(answer.json.error.retryable, false);
    return answer.json.error.message;
  };
  assert.match(await refused({ model: 'gpt-4.1', prompt: 'x' }, 403, 'policy_violation'), /model 'gpt-4.1' is not allowed here; allowed: local-echo, local-fast/);
  assert.match(await refused({ model: 'local-echo', prompt: 'x', maxTokens: 401 }, 403, 'policy_violation'), /cap of 400/);
  for (const field of ['apiKey', 'baseURL', 'headers', 'provider', 'api']) {
    await refused({ model: 'local-echo', prompt: 'x', [field]: 'https://evil.example' }, 400, 'invalid_request');
  }
  await refused('{not json', 400, 'invalid_request');
  await refused({ model: 'local-echo' }, 400, 'invalid_request');
  await refused({ model: 'local-echo', prompt: 'x' }, 415, 'invalid_request', { 'content-type': 'text/plain' });
  await refused({ model: 'local-echo', prompt: 'x' }, 426, 'invalid_request', { 'llmstream-relay': '2' });
  const resume = await call(`${relay.url}?stream=r_0123456789abcdef`, 'GET', { headers: { 'last-event-id': '2' } });
  assert.equal(resume.status, 409);
  assert.equal(resume.json.error.code, 'invalid_request');
  const unknown = await call(`${relay.url}?stream=r_0123456789abcdef`, 'DELETE');
  assert.equal(unknown.status, 409);
});

test('a client that disconnects mid-stream ends the upstream request at once', async () => {
  const { summary } = await readWithClient(relay.url, { model: 'local-echo', prompt: 'long one', maxTokens: 400 }, { stopAfterText: 3 });
  assert.equal(summary.end, 'stopped');
  const cutAt = Date.now();
  // The provider logs the request's end when it sees the relay close the connection; 400 tokens
  // at 20 ms would otherwise take 8 s.
  const line = await provider.waitForStderr(/^POST \/v1\/chat\/completions 200 client_disconnected .*key=relay-test/, 3000);
  const record = await call(`${provider.url}/_llmstream/requests/wait?key=relay-test&outcome=client_disconnected&timeout_ms=3000`, 'GET');
  assert.equal(record.status, 200, line);
  assert.ok(record.json.events_sent < 100, `the upstream sent ${record.json.events_sent} events`);
  assert.ok(record.json.ended_ms - cutAt < 1000, `the upstream ended ${record.json.ended_ms - cutAt} ms after the cut`);
});

test('DELETE ?stream= cancels a live stream: 204, then its error event', async () => {
  let deleted;
  const { events, summary } = await readWithClient(relay.url, { model: 'local-echo', prompt: 'cancel me', maxTokens: 400 }, {
    onEvent: (event) => {
      if (event.type === 'start') deleted = call(`${relay.url}?stream=${event.stream}`, 'DELETE');
    },
  });
  assert.equal((await deleted).status, 204);
  assert.equal(summary.end, 'error');
  assert.equal(summary.error.code, 'aborted');
  assert.ok(events.filter((e) => e.type === 'text').length < 100);
});

test('keep-alive comments while the upstream is silent', async () => {
  const slow = await startRelay(BIN, provider.url, [
    '--allow-model', 'local-echo', '--keep-alive-ms', '50',
    '--upstream-header', 'x-llmstream-scenario: pace_ms=300; tokens=2',
  ]);
  try {
    const { summary } = await readWithClient(slow.url, { model: 'local-echo', prompt: 'quiet' });
    assert.equal(summary.end, 'done');
    assert.ok(summary.keepAlives >= 1, `${summary.keepAlives} keep-alives`);
  } finally {
    await slow.stop();
  }
});
