// The package's hand-written types (npm/src/index.d.ts) compile under `tsc --strict` with code
// that uses the whole public API: tests/node/types/usage.ts the way the seed guide does, and
// tests/node/types/transforms.ts every transform stage, the StreamCache and the live metrics
// chunks; the misuses marked @ts-expect-error are rejected.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPES = path.join(REPO, 'tests', 'node', 'types');

test('tsc --noEmit --strict accepts tests/node/types/*.ts', async () => {
  assert.ok(existsSync(TSC), `typescript is not installed (${TSC}): run npm ci at the repo root`);
  const files = readdirSync(TYPES).filter((f) => f.endsWith('.ts')).sort();
  assert.deepEqual(files, ['relay.ts', 'tool_loop.ts', 'transforms.ts', 'usage.ts']);
  const args = [
    TSC,
    '--noEmit',
    '--strict',
    '--target', 'es2022',
    '--module', 'nodenext',
    '--moduleResolution', 'nodenext',
    '--lib', 'es2022,dom,dom.iterable',
    ...files.map((f) => path.join(TYPES, f)),
  ];
  const run = await promisify(execFile)(process.execPath, args, { cwd: REPO }).catch((error) => error);
  assert.equal(run.code ?? 0, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});
