#!/usr/bin/env node
// Start-up: how long from "the code starts" to "the streaming request is sent", cold, for
// llmstream and for the openai SDK, in the same run.
//
//  - Node: a fresh process per run; the time from just before `await import(pkg)` to the moment
//    the package calls fetch for the stream (a fetch wrapper notes it), the package resolved from
//    this repository (npm/src, dist/core built) and node_modules/openai.
//  - Chromium: a production Vite build of a page per package (as bench/js/footprint.mjs builds
//    it), a fresh browser context per run (empty cache), served on 127.0.0.1 by the local
//    provider; the time from navigation start (performance.timeOrigin) to the fetch call, so it
//    includes downloading, compiling and instantiating everything the page needs.
//
//   node bench/js/startup.mjs [--runs 10]       (needs scripts/build-wasm.sh and chromium)

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { launchChromium } from '../../tests/node/support/chromium.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 10;

// Each snippet ends by calling `sent(ms)` when fetch is first called; `t0` is its start.
const STREAM = {
  llmstream: (pkg) => `
    const { APILoader } = await import(${JSON.stringify(pkg)});
    const ai = new APILoader({ provider: 'openai', apiKey: 'k', baseURL: BASE, fetch: noteFetch });
    for await (const chunk of ai.streamCompletion({ prompt: 'Hi', maxTokens: 3 })) { if (chunk.done) break; }`,
  openai: (pkg) => `
    const { default: OpenAI } = await import(${JSON.stringify(pkg)});
    const client = new OpenAI({ apiKey: 'k', baseURL: BASE, fetch: noteFetch, dangerouslyAllowBrowser: true });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: 3 });
    for await (const chunk of stream) { void chunk; }`,
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const report = (where, name, ms) =>
  console.log(`  ${where.padEnd(9)} ${name.padEnd(10)} median ${median(ms).toFixed(1).padStart(7)} ms   min ${Math.min(...ms).toFixed(1).padStart(7)} ms   (${ms.length} cold runs)`);

const provider = await startServer({ port: 0, paceMs: 0, log: () => {} });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-startup-'));
try {
  console.log(`start-up to the request being sent (${new Date().toISOString()}, load ${os.loadavg()[0].toFixed(2)})`);
  // ---- Node ----
  const pkgs = {
    llmstream: pathToFileURL(path.join(REPO, 'npm', 'src', 'index.js')).href,
    openai: pathToFileURL(path.join(REPO, 'node_modules', 'openai', 'index.mjs')).href,
  };
  for (const name of Object.keys(STREAM)) {
    const file = path.join(tmp, `node-${name}.mjs`);
    writeFileSync(file, `
const BASE = ${JSON.stringify(`${provider.url}/v1`)};
const t0 = performance.now();
let at = null;
const noteFetch = (url, init) => { at ??= performance.now() - t0; return fetch(url, init); };
${STREAM[name](pkgs[name])}
console.log('SENT ' + at);
`);
    const ms = [];
    for (let i = 0; i < RUNS; i++) {
      // Not spawnSync: the local provider answering the child runs in this process.
      const run = await promisify(execFile)(process.execPath, [file], { encoding: 'utf8' });
      const line = run.stdout.split('\n').find((l) => l.startsWith('SENT '));
      if (!line) throw new Error(`${name}: ${run.stderr}`);
      ms.push(Number(line.slice(5)));
    }
    report('node', name, ms);
  }

  // ---- Chromium: production builds ----
  const { build } = await import('vite');
  const sites = {};
  for (const name of Object.keys(STREAM)) {
    const app = path.join(tmp, `web-${name}`);
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    const pkg = name === 'llmstream' ? path.join(REPO, 'npm') : path.join(REPO, 'node_modules', name);
    symlinkSync(pkg, path.join(app, 'node_modules', name), 'dir');
    writeFileSync(path.join(app, 'main.js'), `
const BASE = location.origin + '/v1';
let at = null;
const noteFetch = (url, init) => { at ??= performance.now(); return fetch(url, init); };
${STREAM[name](name)}
window.__sent = at;
`);
    writeFileSync(path.join(app, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>');
    await build({ root: app, logLevel: 'error', configFile: false, build: { outDir: path.join(app, 'dist') } });
    sites[name] = path.join(app, 'dist');
  }
  const browser = await launchChromium();
  try {
    for (const name of Object.keys(STREAM)) {
      const site = await startServer({ port: 0, paceMs: 0, log: () => {}, staticMounts: [{ prefix: '/', dir: sites[name] }] });
      const ms = [];
      try {
        for (let i = 0; i < RUNS; i++) {
          const page = await browser.context.newPage();
          const cdp = await browser.context.newCDPSession(page);
          await cdp.send('Network.clearBrowserCache');
          await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
          await page.goto(`${site.url}/index.html`);
          await page.waitForFunction(() => window.__sent !== undefined, null, { timeout: 20_000 });
          ms.push(await page.evaluate(() => window.__sent));
          await page.close();
        }
      } finally {
        await site.close();
      }
      report('chromium', name, ms);
    }
  } finally {
    await browser.close();
  }
} finally {
  await provider.close();
  rmSync(tmp, { recursive: true, force: true });
}
