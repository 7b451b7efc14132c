// Each error code of the core becomes the JS error class npm/README.md ("Errors") documents for
// it, with that `code`. The expected classes are written here from the README table (and the
// table is checked against the README); codes the table does not name are the base class,
// LLMStreamError. Then the two codes no other test drove end to end, through real streams from
// a small HTTP server here: `not_event_stream` (a 200 answer in text/html) and `content_filter`
// (an OpenAI in-band error object with code "content_filter", as Azure OpenAI sends it).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  AbortError,
  APIConnectionError,
  APILoader,
  APIStatusError,
  AuthenticationError,
  BadRequestError,
  ErrorCode,
  InvalidRequestError,
  LLMStreamError,
  PolicyViolationError,
  ProviderError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TruncatedError,
} from '../../npm/src/index.js';
import { toLLMStreamError } from '../../npm/src/errors.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');

/** npm/README.md, "Errors": code -> class. */
const DOCUMENTED = {
  auth: AuthenticationError,
  rate_limited: RateLimitError,
  server: ServerError,
  bad_request: BadRequestError,
  http_status: APIStatusError,
  not_event_stream: APIStatusError,
  network: APIConnectionError,
  timeout: TimeoutError,
  stalled: TimeoutError,
  aborted: AbortError,
  provider_error: ProviderError,
  content_filter: ProviderError,
  truncated: TruncatedError,
  invalid_request: InvalidRequestError,
  policy_violation: PolicyViolationError,
  bad_json: LLMStreamError,
  sse_line_too_long: LLMStreamError,
  module_load: LLMStreamError,
  internal: LLMStreamError,
  completion_too_large: LLMStreamError,
  limit_exceeded: LLMStreamError,
  schema_mismatch: LLMStreamError,
};

/** The class exactly (a subclass would pass instanceof). */
function assertExactly(error, Class, label) {
  assert.ok(error instanceof Class, `${label}: ${error?.constructor?.name} is not a ${Class.name}`);
  assert.equal(Object.getPrototypeOf(error), Class.prototype, `${label}: ${error.constructor.name}, not ${Class.name}`);
  assert.ok(error instanceof LLMStreamError && error instanceof Error, label);
}

test('the table above is the README table', () => {
  const readme = readFileSync(path.join(REPO, 'npm', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
  const rows = section.split('\n').filter((line) => /^\| `[A-Za-z]+`/.test(line));
  assert.ok(rows.length >= 12, section);
  const fromReadme = {};
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    const className = cells[1].match(/^`([A-Za-z]+)`/)[1];
    for (const [, code] of cells[3].matchAll(/`([a-z_]+)`/g)) fromReadme[code] = className;
  }
  assert.deepEqual(
    Object.fromEntries(Object.entries(DOCUMENTED).map(([code, Class]) => [code, Class.name])),
    fromReadme,
  );
});

test('every code the core can produce gets its documented class and keeps its code', () => {
  const coreCodes = Object.values(ErrorCode);
  for (const code of Object.keys(DOCUMENTED)) assert.ok(coreCodes.includes(code), `the core has no code ${code}`);
  assert.ok(coreCodes.length >= Object.keys(DOCUMENTED).length);
  for (const code of coreCodes) {
    // The codes the README names with a class of their own; the rest are the base class.
    const Class = DOCUMENTED[code] ?? LLMStreamError;
    const error = toLLMStreamError({ code, message: `a ${code} failure`, status: 500 });
    assertExactly(error, Class, code);
    assert.equal(error.llmstreamCode, code);
    assert.equal(error.code, code);
    assert.equal(error.name, Class.name);
    assert.equal(error.message, `a ${code} failure`);
  }
});

// ---- end to end ----------------------------------------------------------------------------

const HTML = '<!doctype html><html><body>Sign in to continue</body></html>';
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const FILTERED =
  chunk({ role: 'assistant', content: '' }) +
  chunk({ content: 'Here is' }) +
  chunk({ content: ' a start' }) +
  `data: ${JSON.stringify({ error: { message: 'The response was filtered due to the prompt triggering content management policy.', type: 'invalid_request_error', param: 'prompt', code: 'content_filter' } })}\n\n`;

let server;
let base;
const seen = []; // request paths
before(async () => {
  assert.ok(existsSync(WASM), 'llmstream_core.wasm is not built: run scripts/build-wasm.sh');
  server = http.createServer((req, res) => {
    seen.push(req.url);
    req.resume();
    req.on('end', () => {
      if (req.url.startsWith('/html/')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HTML);
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(FILTERED);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => (server ? server.close(resolve) : resolve())));

async function failure(stream) {
  const chunks = [];
  try {
    for await (const c of stream) chunks.push(c);
  } catch (error) {
    return { chunks, error };
  }
  assert.fail(`the stream did not throw: ${chunks.map((c) => c.type).join(',')}`);
}

test('a 200 answer that is not an event stream -> APIStatusError, code not_event_stream', async () => {
  const ai = new APILoader({ provider: 'compatible', baseURL: `${base}/html/v1`, maxRetries: 2 });
  const before = seen.length;
  const { chunks, error } = await failure(ai.streamCompletion({ model: 'm', prompt: 'Hi' }));
  assertExactly(error, APIStatusError, 'not_event_stream');
  assert.equal(error.code, 'not_event_stream');
  assert.equal(error.llmstreamCode, 'not_event_stream');
  assert.equal(error.name, 'APIStatusError');
  assert.equal(error.status, 200);
  assert.equal(error.retryable, false);
  assert.match(error.message, /text\/html/);
  assert.equal(chunks.at(-1).error, error, 'the error chunk, then the throw');
  assert.equal(seen.length - before, 1, 'not retried');
});

test('an in-band content_filter error -> ProviderError, code content_filter, with the partial answer', async () => {
  const ai = new APILoader({ provider: 'compatible', baseURL: `${base}/sse/v1` });
  const stream = ai.streamCompletion({ model: 'm', prompt: 'Hi' });
  const { chunks, error } = await failure(stream);
  assertExactly(error, ProviderError, 'content_filter');
  assert.equal(error.code, 'content_filter');
  assert.equal(error.llmstreamCode, 'content_filter');
  assert.equal(error.name, 'ProviderError');
  assert.equal(error.retryable, false);
  assert.equal(error.providerType, 'content_filter');
  assert.match(error.message, /filtered/);
  assert.equal(chunks.filter((c) => c.type === 'text').map((c) => c.text).join(''), 'Here is a start');
  assert.equal(error.partial.text, 'Here is a start');
  await assert.rejects(stream.complete(), (e) => e === error);
});
