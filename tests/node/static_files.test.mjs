// The local provider's static file handler (server/lib/static.mjs, `--web DIR`): the web
// playground and the npm package on the same origin as the API; MIME types, no traversal.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { playgroundMounts, startServer } from '../../server/lib/server.mjs';

let tmp;
let provider;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-static-'));
  const web = path.join(tmp, 'web');
  mkdirSync(path.join(web, 'sub'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(web, 'app.js'), 'export const x = 1;\n');
  writeFileSync(path.join(web, 'styles.css'), 'body{}\n');
  writeFileSync(path.join(web, 'sub', 'm.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(path.join(web, 'sub', 'index.html'), 'sub');
  writeFileSync(path.join(tmp, 'secret.txt'), 'do not serve');
  symlinkSync(path.join(tmp, 'secret.txt'), path.join(web, 'link.txt'));
  provider = await startServer({ port: 0, paceMs: 0, staticMounts: playgroundMounts(web) });
});

after(async () => {
  await provider?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (no URL normalisation). */
function request(method, rawPath) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: provider.port, method, path: rawPath },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('serves files with their MIME types', async () => {
  const cases = [
    ['/', 'text/html; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/styles.css', 'text/css; charset=utf-8'],
    ['/sub/m.wasm', 'application/wasm'],
    ['/sub/', 'text/html; charset=utf-8'],
    ['/npm/src/index.js', 'text/javascript; charset=utf-8'],
  ];
  for (const [p, type] of cases) {
    const res = await request('GET', p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['content-type'], type, p);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
  }
  const page = await request('GET', '/');
  assert.match(page.body, /<title>t<\/title>/);
  assert.match(page.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  const js = await request('GET', '/npm/src/index.js');
  assert.match(js.body, /export \{ APILoader \}/);
});

test('HEAD answers headers only; other methods are not served', async () => {
  const head = await request('HEAD', '/app.js');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(Number(head.headers['content-length']), 'export const x = 1;\n'.length);
  const post = await request('POST', '/app.js');
  assert.equal(post.status, 404);
});

test('no directory traversal, no symlinks out, nothing outside the mounts', async () => {
  for (const p of [
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/%5c..%5csecret.txt',
    '/app.js%00.html',
    '/link.txt',
    '/%zz',
    '/npm/package.json',
    '/npm/src/../../package.json',
    '/npm/src/%2e%2e/%2e%2e/package.json',
    '/nothing-here.js',
  ]) {
    const res = await request('GET', p);
    assert.equal(res.status, 404, p);
    assert.doesNotMatch(res.body, /do not serve|llmstream-workspace/, p);
  }
});

test('the API keeps working beside the static files', async () => {
  const health = await request('GET', '/health');
  assert.equal(health.status, 200);
  assert.deepEqual(JSON.parse(health.body), { ok: true });
  const res = await fetch(`${provider.url}/v1/chat/completions?pace_ms=0&tokens=3`, {
    method: 'POST',
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /\[DONE\]/);
});

test('without static mounts nothing is served', async () => {
  const bare = await startServer({ port: 0, paceMs: 0 });
  try {
    const res = await fetch(`${bare.url}/index.html`);
    assert.equal(res.status, 404);
    await res.text();
  } finally {
    await bare.close();
  }
});
