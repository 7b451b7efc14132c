// The relay server against the local provider, end to end (scripts/test.sh runs it in the
// examples stage): a stream read with the npm package's RelayDecoder, text arriving
// incrementally and a done with its completion; policy and protocol refusals as JSON errors; a
// browser that disconnects, or a DELETE, ending the upstream request at once; keep-alive
// comments in silence. No sleeps: every wait is on a real signal with a deadline.
//
//   node examples/relay_server/test.mjs path/to/relay_server
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { RelayDecoder } from '../../npm/src/relay/decode.js';
import { call, post, startProvider, startRelay } from './support.mjs';

const BIN = process.argv[2] ?? process.env.RELAY_SERVER_BIN;
if (!BIN) throw new Error('usage: node test.mjs path/to/relay_server');

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

/** Reads a relay response with the decoder; `onChunk(chunk, decoder)` returning true stops early. */
function readRelay(response, onChunk = () => false) {
  return new Promise((resolve, reject) => {
    const decoder = new RelayDecoder();
    const chunks = [];
    let reads = 0;
    let textReads = 0;
    const timer = setTimeout(() => reject(new Error('the relay stream did not end within 20 s')), 20000);
    const finish = (more) => {
      clearTimeout(timer);
      chunks.push(...more);
      resolve({ decoder, chunks, reads, textReads });
    };
    response.on('data', (bytes) => {
      reads++;
      const got = decoder.push(bytes);
      if (got.some((c) => c.type === 'text')) textReads++;
      for (const chunk of got) {
        chunks.push(chunk);
        if (onChunk(chunk, decoder)) {
          response.destroy();
          return finish([]);
        }
      }
      if (decoder.end !== 'open') finish([]);
    });
    response.on('end', () => finish(decoder.end === 'open' ? decoder.finish() : []));
    response.on('error', reject);
  });
}

test('a stream: start, text tokens as they come, done with the completion', async () => {
  const { response } = await post(relay.url, { model: 'local-echo', prompt: 'Hello relay', maxTokens: 12 });
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'], /^text\/event-stream/);
  assert.equal(response.headers['llmstream-relay'], '1');
  const { decoder, chunks, textReads } = await readRelay(response);
  assert.equal(decoder.end, 'done', JSON.stringify(chunks.at(-1)));
  assert.match(decoder.streamId, /^r_[0-9a-f]{16,}$/);
  assert.equal(decoder.model, 'local-echo');
  const text = chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');
  assert.ok(text.length > 0);
  // Paced 20 ms apart upstream, the tokens reach the browser in separate reads, not at the end.
  assert.ok(textReads >= 3, `text came in ${textReads} reads`);
  const done = chunks.at(-1);
  assert.equal(done.type, 'done');
  assert.equal(done.finishReason, 'length');
  assert.equal(decoder.completion.text, text);
  assert.ok(chunks.some((c) => c.type === 'usage'));
});

test('two streams get different ids', async () => {
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const { response } = await post(relay.url, { model: 'local-fast', messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 });
    const { decoder } = await readRelay(response);
    assert.equal(decoder.end, 'done');
    ids.push(decoder.streamId);
  }
  assert.notEqual(ids[0], ids[1]);
});

test('policy and protocol refusals are JSON errors, never a stream', async () => {
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

test('a browser that disconnects mid-stream ends the upstream request at once', async () => {
  const { response } = await post(relay.url, { model: 'local-echo', prompt: 'long one', maxTokens: 400 });
  let texts = 0;
  await readRelay(response, (chunk) => chunk.type === 'text' && ++texts === 3);
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
  const { response } = await post(relay.url, { model: 'local-echo', prompt: 'cancel me', maxTokens: 400 });
  const reading = readRelay(response, (chunk, decoder) => {
    if (chunk.type === 'text' && !reading.deleted) {
      reading.deleted = call(`${relay.url}?stream=${decoder.streamId}`, 'DELETE');
    }
    return false;
  });
  const { decoder, chunks } = await reading;
  assert.equal((await reading.deleted).status, 204);
  assert.equal(decoder.end, 'error');
  assert.equal(decoder.error.code, 'aborted');
  assert.ok(chunks.filter((c) => c.type === 'text').length < 100);
});

test('keep-alive comments while the upstream is silent', async () => {
  const slow = await startRelay(BIN, provider.url, [
    '--allow-model', 'local-echo', '--keep-alive-ms', '50',
    '--upstream-header', 'x-llmstream-scenario: pace_ms=300; tokens=2',
  ]);
  try {
    const { response } = await post(slow.url, { model: 'local-echo', prompt: 'quiet' });
    let raw = '';
    response.on('data', (bytes) => (raw += bytes));
    const { decoder } = await readRelay(response);
    assert.equal(decoder.end, 'done');
    assert.match(raw, /\n: keep-alive\n/);
  } finally {
    await slow.stop();
  }
});
