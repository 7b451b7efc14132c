// The transforms in Debian's chromium (playwright-core), from the package's source tree served
// as is: the transforms module is fetched only once a stage runs (streaming alone never loads
// it), next to its .mjs (import.meta.url), under a strict CSP without 'unsafe-eval'; words,
// safe markdown and the typing effect over a real stream with the browser's fetch; the one-shot
// renderer after loadTransforms().

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NPM = path.join(REPO, 'npm');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MIME = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const NONCE = 'transforms-test';

let provider;
let site;
let tmp;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-transforms-browser-'));
});
after(async () => {
  await provider?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Serves npm/ (only files under it) and the page, with a CSP that forbids eval. */
function serve(page, providerUrl) {
  const csp = `default-src 'none'; script-src 'self' 'nonce-${NONCE}' 'wasm-unsafe-eval'; ` +
    `connect-src 'self' ${new URL(providerUrl).origin}`;
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://x').pathname;
      if (url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(page);
        return;
      }
      const file = path.join(NPM, decodeURIComponent(url));
      if (!file.startsWith(NPM + path.sep) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const PAGE = (providerUrl) => `<!doctype html>
<meta charset="utf-8">
<script type="importmap" nonce="${NONCE}">{"imports": {"llmstream": "/src/index.js"}}</script>
<script type="module" nonce="${NONCE}">
import { APILoader, loadTransforms, pipe, renderSafeMarkdown, safeMarkdown, typingEffect, wordStream } from 'llmstream';
const loaded = () => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('llmstream_transforms'));
try {
  const ai = new APILoader({ baseURL: ${JSON.stringify(providerUrl)} });
  const out = {};
  out.plain = '';
  for await (const chunk of ai.streamCompletion({ prompt: 'Browser words', maxTokens: 10 })) out.plain += chunk.text || '';
  out.beforeStages = loaded();
  out.words = [];
  for await (const chunk of pipe(ai.streamCompletion({ prompt: 'Browser words', maxTokens: 10 }), wordStream(),
                                 typingEffect({ charsPerSecond: 2000, piecePerChar: false }))) {
    if (chunk.type === 'text') out.words.push(chunk.text);
  }
  out.afterStages = loaded();
  let html = '';
  const md = '**bold** <script>alert(1)<\\/script>';
  for await (const chunk of pipe(ai.streamCompletion({ prompt: 'md', extraBody: { llmstream: { text: md } } }), safeMarkdown())) {
    if (chunk.type === 'text') html += chunk.html;
  }
  out.html = html;
  await loadTransforms();
  out.rendered = renderSafeMarkdown('[x](javascript:alert(1)) *em*');
  window.__result = out;
} catch (e) {
  window.__result = { failed: String(e && e.stack || e) };
}
</script>`;

test('transforms load lazily and run in chromium under a strict CSP', async () => {
  for (const f of ['llmstream_core.wasm', 'llmstream_transforms.wasm']) {
    assert.ok(existsSync(path.join(NPM, 'dist', 'core', f)), `${f} is not built: run scripts/build-wasm.sh`);
  }
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const { chromium } = await import('playwright-core');
  site = await serve(PAGE(provider.url), provider.url);
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(`http://127.0.0.1:${site.address().port}/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 20_000 }).catch((error) => {
      throw new Error(`${error.message}; page problems: ${problems.join('; ')}`);
    });
    const result = await page.evaluate(() => window.__result);
    assert.equal(result.failed, undefined, result.failed);
    const expected = replyTokens('Browser words', 40).slice(0, 10).join('');
    assert.equal(result.plain, expected);
    assert.deepEqual(result.beforeStages, [], 'streaming alone must not load the transforms module');
    assert.ok(result.afterStages.some((n) => n.endsWith('/dist/core/llmstream_transforms.wasm')), result.afterStages.join(', '));
    assert.equal(result.words.join(''), expected);
    assert.equal(result.html, '<p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    assert.equal(result.rendered, '<p>x <em>em</em></p>\n');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
