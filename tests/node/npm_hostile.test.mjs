// Hostile upstreams through the npm package (issue 13): a small HTTP server on 127.0.0.1 serves
// streams a real provider would not send, and each must end with its stable code, the partial
// answer kept: too much output (completion_too_large, maxCompletionBytes), too many choices
// (limit_exceeded), a chunk that is not JSON (bad_json: never a clean success with a hole), and a
// server that keeps the connection alive with comments but never says more (outputIdleTimeoutMs;
// the core's timer ends it, the test only waits for the throw).

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { APILoader, LLMStreamError, TimeoutError } from '../../npm/src/index.js';

const chunk = (choices) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices })}\n\n`;
const text = (content, index = 0) => chunk([{ index, delta: { content } }]);

const BODIES = {
  // 100 deltas of 10 bytes: 1,000 bytes of text.
  '/big/v1/chat/completions': Array.from({ length: 100 }, () => text('0123456789')).join('') + 'data: [DONE]\n\n',
  // choices 0..199, one event each.
  '/choices/v1/chat/completions':
    Array.from({ length: 200 }, (_, i) => text('x', i)).join('') + 'data: [DONE]\n\n',
  // a raw NUL inside a string is not JSON.
  '/badjson/v1/chat/completions':
    text('kept') + 'data: {"choices":[{"index":0,"delta":{"content":"\u0000"}}]}\n\n' + text('never') + 'data: [DONE]\n\n',
};

let server;
let base;
const open = new Set(); // keep-alive responses still being written
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.url.startsWith('/pings/')) {
        // One word, then a comment every 20 ms until the client goes away.
        res.write(text('Hello'));
        const timer = setInterval(() => res.write(': keep-alive\n\n'), 20);
        open.add(res);
        res.on('close', () => {
          clearInterval(timer);
          open.delete(res);
        });
        return;
      }
      res.end(BODIES[req.url] ?? 'data: [DONE]\n\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  for (const res of open) res.destroy();
  return new Promise((resolve) => server.close(resolve));
});

async function failure(stream) {
  const chunks = [];
  try {
    for await (const c of stream) chunks.push(c);
  } catch (error) {
    return { chunks, error };
  }
  assert.fail(`the stream did not throw: ${chunks.map((c) => c.type).join(',')}`);
}
const joined = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text).join('');

test('maxCompletionBytes ends the stream with completion_too_large, the partial kept', async () => {
  const ai = new APILoader({ provider: 'compatible', baseURL: `${base}/big/v1`, maxCompletionBytes: 255 });
  const { chunks, error } = await failure(ai.streamCompletion({ model: 'm', prompt: 'Hi' }));
  assert.ok(error instanceof LLMStreamError);
  assert.equal(error.code, 'completion_too_large');
  assert.equal(error.retryable, false);
  assert.match(error.message, /more than 255 bytes/);
  assert.equal(joined(chunks).length, 260, 'up to and with the delta that passed the bound');
  assert.equal(error.partial.text.length, 260);
  // The default (64 MiB) lets the same stream through.
  const whole = await new APILoader({ provider: 'compatible', baseURL: `${base}/big/v1` })
    .streamCompletion({ model: 'm', prompt: 'Hi' })
    .complete();
  assert.equal(whole.text.length, 1000);
});

test('more than 128 choices ends the stream with limit_exceeded', async () => {
  const ai = new APILoader({ provider: 'compatible', baseURL: `${base}/choices/v1` });
  const { error } = await failure(ai.streamCompletion({ model: 'm', prompt: 'Hi' }));
  assert.equal(error.code, 'limit_exceeded');
  assert.match(error.message, /more than 128 choices/);
  assert.equal(error.partial.choices.length, 129);
});

test('a chunk that is not JSON ends the stream with bad_json, what came before kept', async () => {
  const ai = new APILoader({ provider: 'compatible', baseURL: `${base}/badjson/v1` });
  const { chunks, error } = await failure(ai.streamCompletion({ model: 'm', prompt: 'Hi' }));
  assert.equal(error.code, 'bad_json');
  assert.match(error.message, /chunk is not valid JSON/);
  assert.equal(joined(chunks), 'kept');
  assert.ok(!chunks.some((c) => c.type === 'done'), 'no clean end');
});

test('outputIdleTimeoutMs ends a stream kept alive only by comments (stalled)', { timeout: 20000 }, async () => {
  const ai = new APILoader({
    provider: 'compatible',
    baseURL: `${base}/pings/v1`,
    idleTimeoutMs: 60000, // the comments keep this one away
    outputIdleTimeoutMs: 300,
    maxRetries: 0,
  });
  const { chunks, error } = await failure(ai.streamCompletion({ model: 'm', prompt: 'Hi' }));
  assert.ok(error instanceof TimeoutError);
  assert.equal(error.code, 'stalled');
  assert.match(error.message, /no output for 300 ms \(output idle timeout\)/);
  assert.equal(joined(chunks), 'Hello');
});
