// The local provider must start from a checkout where nothing is built: the native tests start
// it before the wasm stage writes npm/dist/. So nothing it imports statically, transitively, may
// import npm/dist/ (the playground's relays, which need the package and its wasm core, are
// imported only with --web). Static imports are read from the source (import ... from '...').

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STATIC_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Every file the entry imports statically (relative imports only: node: built-ins are none). */
function staticClosure(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
    }
  };
  walk(entry);
  return [...seen].map((f) => path.relative(REPO, f));
}

test('the local provider imports nothing built (npm/dist/) unless --web asks for the playground', () => {
  const files = staticClosure(path.join(REPO, 'server', 'local-provider.mjs'));
  assert.ok(files.includes(path.join('server', 'lib', 'server.mjs')), `the walk found: ${files.join(', ')}`);
  const built = files.filter((f) => f.startsWith(path.join('npm', 'dist')));
  assert.deepEqual(built, [], `imported statically by the local provider: ${built.join(', ')}`);
});
