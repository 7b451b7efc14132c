// Test support: runs one of the seed guide's examples (tests/node/guide/<name>) in its own node
// process against a local provider, for tests/node/npm_guide.test.mjs and
// tests/node/npm_more_providers.test.mjs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { runProcess } from './process.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const GUIDE_DIR = path.join(REPO, 'tests', 'node', 'guide');
const WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_core.wasm');

let runs = 0;

/**
 * Runs tests/node/guide/<name> against the local provider at `url`; resolves to {code, stdout,
 * stderr, result, key} (result: the example's RESULT line); rejects when it fails.
 * @param {string} name @param {string} url the local provider's origin
 * @param {object} [loader] APILoader options the example's loader takes over its own
 *   (LLMSTREAM_GUIDE_LOADER: provider, baseURL, defaultModel ...)
 */
export async function runGuideExample(name, url, loader = undefined) {
  assert.ok(
    existsSync(WASM),
    `the wasm core is not built (${path.relative(REPO, WASM)} is missing): run scripts/build-wasm.sh`,
  );
  const key = `guide-${process.pid}-${++runs}`;
  const env = { ...process.env, LLMSTREAM_GUIDE_URL: url, LLMSTREAM_GUIDE_KEY: key };
  if (loader) env.LLMSTREAM_GUIDE_LOADER = JSON.stringify(loader);
  const { code, signal, stdout, stderr } = await runProcess(process.execPath, [path.join(GUIDE_DIR, name)], env, REPO);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const result = line ? JSON.parse(line.slice('RESULT '.length)) : null;
  if (code !== 0 || !result) {
    throw new Error(`${name} exited with ${code ?? signal}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
  return { code, stdout, stderr, result, key };
}
