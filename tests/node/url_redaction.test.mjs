// Secrets in URLs: the npm package's copy of the core's rule (npm/src/redact-url.js) against the
// hand-written cases of tests/golden/url_redaction.json (which tests/url_redaction_test.cpp runs
// against the C++), against the C++ on random URLs (the file's parity hash, which the C++ test
// computes too), and where the package and the playground show a URL: error messages and every
// field of a thrown error, APILoader's JSON, a failed load of a signed .wasm URL, the wire
// inspector's request line.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

import { REDACTED_MARK, SECRET_URL_PARAMS } from '../../npm/dist/core/abi.js';
import { describeFailure } from '../../npm/src/core/failure.js';
import { APILoader, LLMStreamError, redactUrl, redactUrlsInText } from '../../npm/src/index.js';
import { isSecretUrlParam, urlSecrets } from '../../npm/src/redact-url.js';
import { tapFetch } from '../../web/wire-tap.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOLDEN = JSON.parse(readFileSync(path.join(REPO, 'tests', 'golden', 'url_redaction.json'), 'utf8'));

describe('the hand-written cases', () => {
  test('redactUrl', () => {
    for (const [input, expected] of GOLDEN.redactUrl) assert.equal(redactUrl(input), expected, input);
  });
  test('redactUrlsInText', () => {
    for (const [input, expected] of GOLDEN.redactUrlsInText) assert.equal(redactUrlsInText(input), expected, input);
  });
  test('urlSecrets', () => {
    for (const [input, expected] of GOLDEN.urlSecrets) assert.deepEqual(urlSecrets(input), expected, input);
  });
  test('secret parameter names', () => {
    for (const name of GOLDEN.secretParams.secret) assert.ok(isSecretUrlParam(name), name);
    for (const name of GOLDEN.secretParams.notSecret) assert.ok(!isSecretUrlParam(name), name);
  });
  test('anything: a URL object, undefined, never a throw', () => {
    assert.equal(redactUrl(new URL('http://u:p@h/?key=k')), 'http://u:[redacted]@h/?key=[redacted]');
    assert.equal(redactUrl(undefined), 'undefined');
    assert.equal(redactUrlsInText(null), 'null');
    assert.equal(redactUrl('http://h/?\u212Aey=v'), 'http://h/?\u212Aey=v', 'the Kelvin sign is not a K');
  });
});

describe('one rule: JS and C++ agree', () => {
  test('the table is the core\'s, from abi.js, and not typed again in the package', () => {
    assert.equal(REDACTED_MARK, '[redacted]');
    assert.ok(SECRET_URL_PARAMS.length >= 10);
    for (const { name, match } of SECRET_URL_PARAMS) {
      assert.ok(['word_end', 'whole_name'].includes(match), name);
      assert.ok(isSecretUrlParam(name) && isSecretUrlParam(name.toUpperCase()), name);
    }
    const source = readFileSync(path.join(REPO, 'npm', 'src', 'redact-url.js'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const copies = SECRET_URL_PARAMS.filter(({ name }) => source.includes(`'${name}'`) || source.includes(`"${name}"`));
    assert.deepEqual(copies, []);
  });

  test('random URLs: the parity hash the C++ test computes too', () => {
    const { seed, count, maxPieces, pieces, fnv1a32 } = GOLDEN.parity;
    let state = seed;
    const random = (n) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const utf8 = new TextEncoder();
    let hash = 2166136261;
    const feed = (text) => {
      for (const byte of utf8.encode(text)) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
      hash = Math.imul(hash ^ 0x0a, 16777619) >>> 0;
    };
    for (let n = 0; n < count; n++) {
      let input = '';
      const length = random(maxPieces);
      for (let i = 0; i < length; i++) input += pieces[random(pieces.length)];
      if (random(3) === 0) input = `http://${input}`;
      feed(redactUrl(input));
      feed(redactUrlsInText(input));
      feed(urlSecrets(input).join('\t'));
      feed(isSecretUrlParam(input) ? '1' : '0');
    }
    assert.equal(hash, fnv1a32, 'redact-url.js and the C++ disagree (or the rule changed: see parity.about)');
  });
});

// ---- Where the package shows a URL ----------------------------------------------------------

const PASS = 'PASSWORD-0xC0FFEE';
const SECRET = 'SIGNATURE-0xBADC0DE';

/** Every string a thrown error shows: message, stack, its fields, its causes, inspect(). */
function everythingShown(error) {
  const seen = new Set();
  const out = [String(error), inspect(error, { depth: 6, showHidden: true })];
  const walk = (value, depth) => {
    if (value === null || value === undefined || depth > 6) return;
    if (typeof value === 'string') {
      out.push(value);
      return;
    }
    if (typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    for (const key of Object.getOwnPropertyNames(value)) {
      let v;
      try {
        v = value[key];
      } catch {
        continue;
      }
      walk(v, depth + 1);
    }
    walk(value.cause, depth + 1);
    walk(value.partial, depth + 1);
  };
  walk(error, 0);
  return out.join('\n');
}

function assertNoSecrets(error, label) {
  assert.ok(error instanceof LLMStreamError, `${label}: ${error}`);
  const shown = everythingShown(error);
  for (const secret of [PASS, SECRET]) assert.ok(!shown.includes(secret), `${label}: ${secret} shows in\n${shown}`);
}

let server; // answers every request 500 with a body that echoes the URL and the signature
let port;
let closedPort; // nothing listens there
let requests = 0;

before(async () => {
  server = http.createServer((req, res) => {
    requests++;
    req.resume();
    if (req.url.endsWith('.wasm') || req.url.includes('.wasm?')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such file');
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `upstream failed for ${req.method} ${req.url} (bad signature ${SECRET})`, type: 'server_error' } }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
  const probe = http.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));
});

after(() => server?.close());

/** The error a stream ends with, both ways: the error chunk and complete()'s rejection. */
async function failure(loader) {
  let chunkError;
  try {
    for await (const chunk of loader.streamCompletion({ model: 'm', prompt: 'hi' })) {
      if (chunk.type === 'error') chunkError = chunk.error;
    }
  } catch (error) {
    chunkError ??= error;
  }
  const rejected = await loader.complete({ model: 'm', prompt: 'hi' }).then(
    () => assert.fail('the stream should fail'),
    (error) => error,
  );
  return [chunkError, rejected];
}

describe('errors never show a base URL\'s secrets', () => {
  test(`http://user:PASS@127.0.0.1:<port>/v1?sig=SECRET against a server that answers 500`, async () => {
    const loader = new APILoader({
      provider: 'compatible',
      baseURL: `http://user:${PASS}@127.0.0.1:${port}/v1?sig=${SECRET}`,
      maxRetries: 0,
    });
    for (const error of await failure(loader)) {
      // fetch refuses a URL with credentials, quoting it: the message says so, redacted.
      assert.equal(error.llmstreamCode, 'network');
      assert.match(error.message, /includes credentials: http:\/\/user:\[redacted\]@127\.0\.0\.1:\d+\/v1\/chat\/completions\?sig=\[redacted\]/);
      assertNoSecrets(error, 'credentials');
    }
  });

  test('a signed base URL the server echoes (the URL in its message, the signature alone)', async () => {
    const before = requests;
    const loader = new APILoader({
      provider: 'compatible',
      baseURL: `http://127.0.0.1:${port}/v1?api-version=1&sig=${SECRET}`,
      maxRetries: 0,
    });
    for (const error of await failure(loader)) {
      assert.equal(error.status, 500);
      assert.match(error.message, /upstream failed for POST \/v1\/chat\/completions\?api-version=1&sig=\[redacted\] \(bad signature \[redacted\]\)/);
      assertNoSecrets(error, 'echo');
    }
    assert.ok(requests > before, 'the server was reached');
  });

  test('connection refused', async () => {
    const loader = new APILoader({
      provider: 'compatible',
      baseURL: `http://user:${PASS}@127.0.0.1:${closedPort}/v1?sig=${SECRET}`,
      maxRetries: 0,
      // A fetch that takes credentials (as a user's wrapper might) and reports the URL it failed on.
      fetch: async (url, init) => {
        const u = new URL(url);
        u.username = '';
        u.password = '';
        try {
          return await fetch(u, init);
        } catch (error) {
          throw new TypeError(`fetch ${url} failed`, { cause: error });
        }
      },
    });
    for (const error of await failure(loader)) {
      assert.equal(error.llmstreamCode, 'network');
      assert.equal(error.code, 'ECONNREFUSED');
      assertNoSecrets(error, 'refused');
    }
  });

  test('a mistyped scheme: the core\'s message', async () => {
    const loader = new APILoader({ provider: 'compatible', baseURL: `ftp://user:${PASS}@127.0.0.1/v1?sig=${SECRET}` });
    const error = await loader.complete({ model: 'm', prompt: 'hi' }).then(assert.fail, (e) => e);
    assert.equal(error.llmstreamCode, 'invalid_request');
    assert.equal(error.message, "base_url 'ftp://user:[redacted]@127.0.0.1/v1' must start with http:// or https://");
    assertNoSecrets(error, 'scheme');
  });

  test('a signed .wasm URL that fails to load', async () => {
    const error = await APILoader.preload({ wasmURL: `http://127.0.0.1:${port}/core.wasm?X-Amz-Signature=${SECRET}` }).then(
      assert.fail,
      (e) => e,
    );
    assert.equal(error.llmstreamCode, 'module_load');
    assert.match(error.message, /core\.wasm\?X-Amz-Signature=\[redacted\] answered HTTP 404/);
    assertNoSecrets(error, 'wasm');
  });
});

test('a transport failure is redacted before the core sees it (it keeps the message for results and retries)', () => {
  const refused = new TypeError(`Request cannot be constructed from a URL that includes credentials: http://u:${PASS}@h/v1?sig=${SECRET}`);
  const cause = Object.assign(new Error(`connect ECONNREFUSED for http://u:${PASS}@h/`), { code: 'ECONNREFUSED' });
  const described = describeFailure(new TypeError('fetch failed', { cause }));
  assert.equal(describeFailure(refused).message, 'Request cannot be constructed from a URL that includes credentials: http://u:[redacted]@h/v1?sig=[redacted]');
  assert.equal(described.message, 'fetch failed: connect ECONNREFUSED for http://u:[redacted]@h/');
  assert.equal(described.platformCode, 'ECONNREFUSED');
});

test('APILoader JSON shows the base URL redacted (the getter keeps it: it is the caller\'s own)', () => {
  const baseURL = `http://user:${PASS}@h/v1?sig=${SECRET}`;
  const loader = new APILoader({ provider: 'compatible', baseURL });
  assert.equal(JSON.stringify(loader), '{"provider":"compatible","baseURL":"http://user:[redacted]@h/v1?sig=[redacted]"}');
  assert.equal(loader.baseURL, baseURL);
});

test("the playground's wire inspector shows the request URL redacted", async () => {
  const shown = [];
  let ended;
  const tapped = tapFetch(
    { onRequest: (r) => shown.push(r), onResponse: () => {}, onBytes: () => {}, onEnd: (e) => (ended = e) },
    { redactUrl, redactUrlsInText },
  );
  const res = await tapped(`http://127.0.0.1:${port}/v1/chat/completions?sig=${SECRET}#frag`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PASS}` },
    body: '{}',
  });
  await res.text();
  assert.equal(shown.length, 1);
  assert.equal(shown[0].url, `http://127.0.0.1:${port}/v1/chat/completions?sig=[redacted]#[redacted]`);
  assert.deepEqual(shown[0].headers.find(([name]) => name === 'authorization'), ['authorization', '[redacted]']);
  assert.equal(ended, undefined);
});
