// The transforms in Debian's chromium (playwright-core), from the package's source tree served
// as is: the transforms module is fetched only once a stage runs (streaming alone never loads
// it), next to its .mjs (import.meta.url), under a strict CSP without 'unsafe-eval'; words,
// safe markdown and the typing effect over a real stream with the browser's fetch; the one-shot
// renderer after loadTransforms().

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { launchChromium, serveFolder } from './support/chromium.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NPM = path.join(REPO, 'npm');
const NONCE = 'transforms-test';

let provider;
let site;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
});
after(async () => {
  await provider?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
});

/** Serves npm/ and the page, with a CSP that forbids eval. */
function serve(page, providerUrl) {
  const csp = `default-src 'none'; script-src 'self' 'nonce-${NONCE}' 'wasm-unsafe-eval'; ` +
    `connect-src 'self' ${new URL(providerUrl).origin}`;
  return serveFolder(NPM, { '/index.html': { body: page, headers: { 'content-security-policy': csp } } });
}

const PAGE = (providerUrl) => `<!doctype html>
<meta charset="utf-8">
<script type="importmap" nonce="${NONCE}">{"imports": {"llmstream": "/src/index.js"}}</script>
<script type="module" nonce="${NONCE}">
import { APILoader, loadTransforms, pipe, renderSafeMarkdown, safeMarkdown, typingEffect, wordStream } from 'llmstream';
const loaded = () => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('llmstream_transforms'));
try {
  const ai = new APILoader({ provider: 'local', baseURL: ${JSON.stringify(providerUrl)} });
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
  site = await serve(PAGE(provider.url), provider.url);
  const browser = await launchChromium();
  const { context } = browser;
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
    await browser.close();
  }
});
