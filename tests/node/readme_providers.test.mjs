// The READMEs' provider lists are the provider table's (core/src/request/provider_table.cpp, as
// the generated npm/dist/core/abi.js holds it): npm/README.md's Providers table row for row, its
// `api` option every wire API, and the root README's CLI section every provider name.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ABI = path.join(REPO, 'npm/dist/core/abi.js');

async function abi() {
  assert.ok(existsSync(ABI), `${ABI} is missing: run scripts/build-wasm.sh`);
  return import(ABI);
}

const code = (text) => (text ? `\`${text}\`` : '');

/** The row npm/README.md's Providers table has for one PROVIDERS entry. */
function row(p) {
  const cells = [
    code(p.name),
    code(p.alias),
    code(p.defaultModel) || '(the caller names one)',
    code(p.keyVariable),
    p.keyRequired ? 'yes' : 'no',
    code(p.baseUrl) || '(the caller gives one)',
    code(p.api),
  ];
  return `| ${cells.join(' | ')} |`;
}

test('npm/README.md: the Providers table is the provider table, row for row', async () => {
  const { PROVIDERS } = await abi();
  const readme = readFileSync(path.join(REPO, 'npm/README.md'), 'utf8');
  const start = readme.indexOf('<!-- providers table');
  assert.ok(start >= 0, 'npm/README.md has no providers table marker');
  const lines = readme.slice(start).split('\n').slice(1);
  const end = lines.findIndex((line) => !line.startsWith('|'));
  const rows = lines.slice(2, end); // after the header and the |---| line
  assert.deepEqual(rows, PROVIDERS.map(row));
});

test("npm/README.md: the `api` option names every wire API and its short names", async () => {
  const { WIRE_APIS, WIRE_API_SPELLINGS } = await abi();
  const readme = readFileSync(path.join(REPO, 'npm/README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('| `api` |'));
  assert.ok(line, 'no `api` row');
  const named = [...line.matchAll(/'([a-z_-]+)'/g)].map((m) => m[1]);
  for (const api of WIRE_APIS) assert.ok(named.includes(api), `the api row lacks '${api}'`);
  for (const spelling of named) assert.ok(spelling in WIRE_API_SPELLINGS, `'${spelling}' is no API name`);
});

test("README.md: the CLI section names every provider and alias", async () => {
  const { PROVIDERS } = await abi();
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const bullet = readme.split('\n- ').find((b) => b.startsWith('Providers: `--provider'));
  assert.ok(bullet, 'README.md has no "- Providers: `--provider" bullet');
  const named = new Set([...bullet.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]));
  for (const p of PROVIDERS) {
    assert.ok(named.has(p.name), `the CLI providers bullet lacks ${p.name}`);
    if (p.alias) assert.ok(named.has(p.alias), `the CLI providers bullet lacks ${p.alias}`);
  }
});
