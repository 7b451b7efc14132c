// A small app that streams, built for production by Vite and by webpack as a user would build
// it (the package installed under node_modules/llmstream), served with nothing but its build
// output (no fallback page), and run in Debian's chromium against the local provider on the same
// origin. The build must carry the .wasm (it is found through the package's literal
// `new URL(..., import.meta.url)` and `import(...)`) and the page must stream.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { launchChromium } from './support/chromium.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MAIN = `
import { APILoader, contentFilter, pipe } from 'llmstream';

const ai = new APILoader({ provider: 'local', baseURL: location.origin + '/v1' });
const out = { text: '', types: [], filtered: '' };
try {
  for await (const chunk of ai.streamCompletion({ prompt: 'Bundled', maxTokens: 10 })) {
    out.types.push(chunk.type);
    if (chunk.text) out.text += chunk.text;
  }
  // The second module (the transforms), loaded on first use.
  const filtered = pipe(ai.streamCompletion({ prompt: 'Bundled', maxTokens: 10 }),
                        contentFilter({ patterns: [{ pattern: 'a', replacement: '*' }] }));
  for await (const chunk of filtered) if (chunk.text) out.filtered += chunk.text;
} catch (e) {
  out.failed = String((e && e.stack) || e);
}
window.__result = out;
`;

let tmp;
let app;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-bundlers-'));
  app = path.join(tmp, 'app');
  mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  // The package as installed (a link to npm/, which holds its package.json, src/ and dist/).
  symlinkSync(path.join(REPO, 'npm'), path.join(app, 'node_modules', 'llmstream'), 'dir');
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(path.join(app, 'main.js'), MAIN);
  writeFileSync(
    path.join(app, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title><script type="module" src="./main.js"></script>',
  );
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every file under dir, relative. */
function files(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** Serves `dist` and the local provider on one origin, opens it in chromium, returns the page's result. */
async function runInChromium(dist) {
  const provider = await startServer({ port: 0, paceMs: 0, log: () => {}, staticMounts: [{ prefix: '/', dir: dist }] });
  const browser = await launchChromium();
  const problems = [];
  try {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${provider.url}/index.html`);
    await page.waitForFunction(() => window.__result, null, { timeout: 20_000 });
    return { result: await page.evaluate(() => window.__result), problems };
  } finally {
    await browser.close();
    await provider.close();
  }
}

function checkRun({ result, problems }) {
  assert.equal(result.failed, undefined, result.failed);
  const text = replyTokens('Bundled', 40).slice(0, 10).join('');
  assert.equal(result.text, text);
  assert.equal(result.filtered, text.replaceAll('a', '*'));
  for (const type of ['text', 'usage', 'done']) assert.ok(result.types.includes(type), type);
  assert.deepEqual(problems, []);
}

describe('production builds of an app that streams', () => {
  test('Vite', async () => {
    const { build } = await import('vite');
    const dist = path.join(tmp, 'vite-dist');
    await build({ root: app, logLevel: 'error', configFile: false, build: { outDir: dist, emptyOutDir: true } });
    const emitted = files(dist);
    assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 3, `the three .wasm files (core, full core, transforms): ${emitted.join(', ')}`);
    checkRun(await runInChromium(dist));
  });

  test('webpack', async () => {
    const webpack = (await import('webpack')).default;
    const dist = path.join(tmp, 'webpack-dist');
    const stats = await new Promise((resolve, reject) => {
      webpack(
        {
          mode: 'production',
          context: app,
          entry: './main.js',
          output: { path: dist, filename: 'main.js', publicPath: 'auto', clean: true },
          target: 'web',
          infrastructureLogging: { level: 'error' },
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    assert.equal(stats.hasErrors(), false, stats.toString({ all: false, errors: true }));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="main.js"></script>');
    const emitted = files(dist);
    assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 3, `the three .wasm files (core, full core, transforms): ${emitted.join(', ')}`);
    checkRun(await runInChromium(dist));
  });
});
