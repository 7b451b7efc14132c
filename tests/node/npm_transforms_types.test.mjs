// The transforms' types (npm/src/index.d.ts) compile under `tsc --strict` with code using every
// stage, the StreamCache and the live metrics chunks (tests/node/types/transforms.ts); the
// misuses marked @ts-expect-error are rejected.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

test('tsc --noEmit --strict accepts tests/node/types/transforms.ts', async () => {
  assert.ok(existsSync(TSC), `typescript is not installed (${TSC}): run npm ci at the repo root`);
  const args = [
    TSC,
    '--noEmit',
    '--strict',
    '--target', 'es2022',
    '--module', 'nodenext',
    '--moduleResolution', 'nodenext',
    '--lib', 'es2022,dom,dom.iterable',
    path.join(REPO, 'tests', 'node', 'types', 'transforms.ts'),
  ];
  const run = await promisify(execFile)(process.execPath, args, { cwd: REPO }).catch((error) => error);
  assert.equal(run.code ?? 0, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});
