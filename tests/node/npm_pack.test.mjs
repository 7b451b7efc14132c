// The published shape of the package: `npm pack` it, install the tarball into an empty folder,
// import it from there (the `exports` map, the wasm found inside the installed package), stream
// from the local provider in Node, run a seed-guide example against it, and type-check a consumer
// through the package's `types`; and the core module's size budget (< 120,000 B gzipped).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NPM_DIR = path.join(REPO, 'npm');
const WASM = path.join(NPM_DIR, 'dist', 'core', 'llmstream_core.wasm');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let provider;
let tmp;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0 });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-pack-'));
});
after(async () => {
  await provider?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const expected = (prompt, max = Infinity) => replyTokens(prompt, 40).slice(0, max).join('');

async function node(file, env = {}) {
  const { stdout } = await run(process.execPath, [file], {
    cwd: path.dirname(file),
    env: { ...process.env, ...env },
  });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no RESULT line from ${file}:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length));
}

test('the core module a page downloads (.wasm + its JS glue) is under 120,000 bytes gzipped', () => {
  // The size budget, measured as bench-js.sh and build-wasm.sh report it (zlib level 9).
  // The transforms module is loaded only when a transform is used: not part of it.
  let total = 0;
  for (const file of ['llmstream_core.wasm', 'llmstream_core.mjs']) {
    total += gzipSync(readFileSync(path.join(path.dirname(WASM), file)), { level: 9 }).length;
  }
  assert.ok(total < 120000, `${total} bytes gzipped`);
});

test('npm pack -> npm install -> import and stream from the local provider', async (t) => {
  assert.ok(existsSync(WASM), `the wasm core is not built (${path.relative(REPO, WASM)} is missing): run scripts/build-wasm.sh`);

  // The build is its own stage (prepack runs scripts/build-wasm.sh): pack what is built.
  const pack = await run(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: NPM_DIR });
  const [info] = JSON.parse(pack.stdout);
  const files = info.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'src/index.js', 'src/index.d.ts', 'src/core/load.js', 'src/core/session.js', 'src/core/decoder.js', 'dist/core/abi.js', 'dist/core/abi.d.ts', 'dist/core/llmstream_core.wasm']) {
    assert.ok(files.includes(f), `${f} is not in the tarball: ${files.join(', ')}`);
  }
  assert.ok(files.every((f) => f === 'package.json' || f === 'README.md' || f.startsWith('src/') || f.startsWith('dist/') || f === 'LICENSE'), files.join(', '));
  assert.equal(info.name, 'llmstream');
  const tarball = path.join(tmp, info.filename);

  const app = path.join(tmp, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run(NPM, ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: app });
  const installed = JSON.parse(readFileSync(path.join(app, 'node_modules', 'llmstream', 'package.json'), 'utf8'));
  assert.equal(installed.version, '0.1.0');
  assert.deepEqual(Object.keys(installed.dependencies ?? {}), []);

  await t.test('stream from the installed package', async () => {
    const main = path.join(app, 'main.mjs');
    writeFileSync(
      main,
      `import { APILoader, RateLimitError, VERSION } from 'llmstream';
const ai = new APILoader({ provider: 'local', baseURL: process.env.URL });
const types = [];
let text = '';
for await (const chunk of ai.streamCompletion({ prompt: 'Packed', maxTokens: 12 })) {
  types.push(chunk.type);
  text += chunk.text || '';
}
let error = null;
try {
  await ai.complete({ prompt: 'Packed', maxRetries: 0, headers: { 'x-llmstream-scenario': 'status=429; retry_after=1' } });
} catch (e) {
  error = { rateLimit: e instanceof RateLimitError, retryAfter: e.retryAfter };
}
console.log('RESULT ' + JSON.stringify({ VERSION, text, types: [...new Set(types)], error }));
`,
    );
    const result = await node(main, { URL: provider.url });
    assert.equal(result.VERSION, '0.1.0');
    assert.equal(result.text, expected('Packed', 12));
    for (const type of ['text', 'usage', 'done']) assert.ok(result.types.includes(type), type);
    assert.deepEqual(result.error, { rateLimit: true, retryAfter: 1 });
  });

  await t.test("a seed guide example with `from 'llmstream'`", async () => {
    const guide = path.join(REPO, 'tests', 'node', 'guide');
    for (const name of ['_harness.mjs', 'metadata.mjs']) {
      const source = readFileSync(path.join(guide, name), 'utf8').replace("'../../../npm/src/index.js'", "'llmstream'");
      writeFileSync(path.join(app, name), source);
    }
    const result = await node(path.join(app, 'metadata.mjs'), { LLMSTREAM_GUIDE_URL: provider.url });
    assert.equal(result.fullText, expected('Explain quantum computing', 300));
    assert.ok(result.cost > 0);
  });

  await t.test('require(\'llmstream\') from CommonJS: the package, or (old Node) a message saying what to do', async () => {
    const main = path.join(app, 'main.cjs');
    writeFileSync(
      main,
      `const { APILoader } = require('llmstream');
(async () => {
  const ai = new APILoader({ provider: 'local', baseURL: process.env.URL });
  let text = '';
  for await (const chunk of ai.streamCompletion({ prompt: 'Packed', maxTokens: 12 })) text += chunk.text || '';
  console.log('RESULT ' + JSON.stringify({ text }));
})();
`,
    );
    assert.equal((await node(main, { URL: provider.url })).text, expected('Packed', 12));
    // A Node without require(esm) (as before 20.19 / 22.12): the package's own message.
    const old = await run(process.execPath, ['--no-experimental-require-module', main], { cwd: app }).catch((e) => e);
    assert.notEqual(old.code ?? 0, 0);
    assert.match(old.stderr, /llmstream is an ES module package: .*await import\('llmstream'\).*Node 20\.19\+/);
  });

  await t.test('the types resolve through the package exports', async () => {
    writeFileSync(
      path.join(app, 'check.ts'),
      `import { APILoader, type Chunk, type Completion } from 'llmstream';
const ai = new APILoader({ provider: 'local' });
export async function f(): Promise<Completion> {
  for await (const chunk of ai.streamCompletion({ prompt: 'x' })) {
    const c: Chunk = chunk;
    if (c.type === 'usage') c.cost.toFixed(4);
  }
  return ai.complete({ prompt: 'x' });
}
`,
    );
    // And from a CommonJS file, which require('llmstream') then runs (above).
    writeFileSync(
      path.join(app, 'check-cjs.cts'),
      `import { APILoader } from 'llmstream';
export const provider: string = new APILoader({ provider: 'local' }).provider;
`,
    );
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable', 'check.ts', 'check-cjs.cts'];
    const out = await run(process.execPath, args, { cwd: app }).catch((e) => e);
    assert.equal(out.code ?? 0, 0, `${out.stdout}${out.stderr}`);
  });
});
