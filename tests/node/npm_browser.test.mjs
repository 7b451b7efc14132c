// The packed package in Debian's chromium (playwright-core): `npm pack`, install the tarball, serve
// the installed package to a page that imports it as an ES module (an import map names it
// 'llmstream'), and stream from the local provider with the browser's fetch: text, an HTTP error
// class, and `break` cancelling the request (the server sees the client disconnect).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { launchChromium, serveFolder } from './support/chromium.mjs';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');

let provider;
let tmp;
let site;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-browser-'));
});
after(async () => {
  await provider?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const PAGE = (providerUrl, key) => `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{"imports": {"llmstream": "/node_modules/llmstream/src/index.js"}}</script>
<script type="module">
import { APILoader, RateLimitError } from 'llmstream';
try {
  const ai = new APILoader({ provider: 'local', baseURL: ${JSON.stringify(providerUrl)} });
  const out = { text: '', types: [] };
  for await (const chunk of ai.streamCompletion({ prompt: 'Browser', maxTokens: 12 })) {
    out.types.push(chunk.type);
    out.text += chunk.text || '';
  }
  try {
    await ai.complete({ prompt: 'x', maxRetries: 0, headers: { 'x-llmstream-scenario': 'status=429; retry_after=1' } });
  } catch (e) {
    out.error = { name: e.name, rateLimit: e instanceof RateLimitError, status: e.status, retryAfter: e.retryAfter };
  }
  let seen = 0;
  const stream = ai.streamCompletion({ prompt: 'Cancel', headers: { 'x-llmstream-scenario': 'key=${key}; pace_ms=30' } });
  for await (const chunk of stream) {
    if (chunk.type === 'text' && ++seen === 2) break;
  }
  out.cancelled = { text: stream.result.text, estimated: stream.usage.estimated };
  window.__result = out;
} catch (e) {
  window.__result = { failed: String(e && e.stack || e) };
}
</script>`;

test('the packed package streams in chromium', async () => {
  assert.ok(existsSync(WASM), `the wasm core is not built (${path.relative(REPO, WASM)} is missing): run scripts/build-wasm.sh`);

  const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: path.join(REPO, 'npm') });
  const [info] = JSON.parse(pack.stdout);
  const app = path.join(tmp, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'page', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', path.join(tmp, info.filename)], { cwd: app });
  const key = `browser-${process.pid}`;
  writeFileSync(path.join(app, 'index.html'), PAGE(provider.url, key));
  site = await serveFolder(app);

  const browser = await launchChromium();
  const { context } = browser;
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() === 404) problems.push(`404: ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/429|Too Many Requests/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`http://127.0.0.1:${site.address().port}/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 20_000 });
    const result = await page.evaluate(() => window.__result);
    assert.equal(result.failed, undefined, result.failed);
    assert.equal(result.text, replyTokens('Browser', 40).slice(0, 12).join(''));
    for (const type of ['metadata', 'text', 'usage', 'done']) assert.ok(result.types.includes(type), type);
    assert.deepEqual(result.error, { name: 'RateLimitError', rateLimit: true, status: 429, retryAfter: 1 });
    assert.ok(result.cancelled.text.length > 0);
    assert.equal(result.cancelled.estimated, true);
    const wait = await fetch(`${provider.url}/_llmstream/requests/wait?key=${key}&outcome=client_disconnected&timeout_ms=5000`);
    assert.equal(wait.status, 200, 'the server never saw the page cancel the request');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
