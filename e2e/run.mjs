#!/usr/bin/env node
// The playground's end-to-end tests in Debian's chromium (playwright-core): `node e2e/run.mjs`
// (the e2e stage of scripts/test.sh). Starts the local provider serving web/ on 127.0.0.1 (port
// 0), runs every e2e/*.test.mjs test on a fresh page, prints a summary, exits 1 on any failure.
// Screenshots go to build/e2e-artifacts/ (failures: <test>.failure.png).
//   node e2e/run.mjs [name-filter]     only the tests whose name contains the filter

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { ARTIFACTS, REPO, artifactPath, launchBrowser, openPlayground, startProvider } from './harness.mjs';

const TEST_TIMEOUT_MS = 30_000;
const filter = process.argv[2] ?? '';
const started = performance.now();

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');
for (const [ok, why] of [
  [existsSync(CHROMIUM), `chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`],
  [existsSync(WASM), `the wasm core is not built (${path.relative(REPO, WASM)}): run scripts/build-wasm.sh`],
]) {
  if (!ok) {
    console.error(`e2e: ${why}`);
    process.exit(1);
  }
}

const files = readdirSync(path.join(REPO, 'e2e')).filter((f) => f.endsWith('.test.mjs')).sort();
const tests = [];
for (const file of files) {
  const mod = await import(path.join(REPO, 'e2e', file));
  for (const t of mod.tests) if (t.name.includes(filter)) tests.push({ ...t, file });
}

const provider = await startProvider();
const browser = await launchBrowser();
const results = [];
try {
  for (const t of tests) {
    const t0 = performance.now();
    let pg = null;
    let error = null;
    let skipped = null;
    let timer;
    try {
      pg = await openPlayground(browser.context, provider.url);
      const ctx = { ...pg, base: provider.url, skip: (why) => { skipped = why; } };
      await Promise.race([
        t.run(ctx),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
        }),
      ]);
      if (!skipped && pg.problems.length) throw new Error(`page problems:\n    ${pg.problems.join('\n    ')}`);
      if (!skipped && pg.dialogs.length) throw new Error(`unexpected dialogs: ${pg.dialogs.join(', ')}`);
    } catch (e) {
      error = e;
      if (pg) await pg.page.screenshot({ path: artifactPath(`${slug(t.name)}.failure.png`), fullPage: true }).catch(() => {});
    } finally {
      clearTimeout(timer);
      await pg?.page.close().catch(() => {});
    }
    const ms = Math.round(performance.now() - t0);
    const status = error ? 'FAIL' : skipped ? 'SKIP' : 'ok';
    results.push({ name: t.name, status, ms });
    console.log(`${status.padEnd(4)} ${t.name} (${ms} ms)${skipped ? `: ${skipped}` : ''}`);
    if (error) console.log(`     ${String(error.stack ?? error).split('\n').slice(0, 6).join('\n     ')}`);
  }
} finally {
  await browser.close();
  await provider.stop();
}

const failed = results.filter((r) => r.status === 'FAIL');
const skippedCount = results.filter((r) => r.status === 'SKIP').length;
const secs = ((performance.now() - started) / 1000).toFixed(1);
console.log(`e2e: ${results.length - failed.length - skippedCount} passed, ${failed.length} failed, ` +
  `${skippedCount} skipped in ${secs} s (artifacts: ${path.relative(REPO, ARTIFACTS)}/)`);
if (results.length === 0) {
  console.log(`e2e: no test matches '${filter}'`);
  process.exit(1);
}
process.exit(failed.length ? 1 : 0);

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
