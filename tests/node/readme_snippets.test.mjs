// The README's code runs as a user would copy it. JS snippets: the import becomes the package's
// path and the hosted providers' URLs are routed to the local provider (a fetch wrapper around the
// snippet; the snippet itself is unchanged); names a snippet uses without defining (`view`,
// `showTokensPerSecond`) get stand-ins. The C++ snippet is compiled against the native build and
// run with its key variable unset: it must end with an error value naming the variable, not abort.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { runProcess } from './support/process.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NATIVE = path.join(REPO, 'build', 'native-release');

/** The fenced blocks of `lang` in a markdown file. */
function snippets(file, lang) {
  const text = readFileSync(path.join(REPO, file), 'utf8');
  const out = [];
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  for (let m; (m = re.exec(text)); ) out.push(m[1]);
  return out;
}

let provider;
let dir;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0, log: () => {} });
  dir = mkdtempSync(path.join(tmpdir(), 'llmstream-readme-'));
});
after(() => {
  provider?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a program with exactly `env` in the repo (support/process.mjs). */
const run = (command, args, env) => runProcess(command, args, env, REPO);

describe('README.md', () => {
  const js = snippets('README.md', 'js');

  test('has the JS snippets this test knows how to run', () => {
    assert.equal(js.length, 3);
  });

  js.forEach((code, i) => {
    test(`JS snippet ${i + 1} runs against the local provider`, async () => {
      const index = pathToFileURL(path.join(REPO, 'npm', 'src', 'index.js')).href;
      const body = code.replace(/from 'llmstream'/g, `from '${index}'`);
      assert.notEqual(body, code, 'the snippet imports llmstream');
      // Stand-ins for what a snippet leaves to its page, defined only when it does not.
      const standIns = [
        ['ai', `const ai = new (await import('${index}')).APILoader({ provider: 'local', baseURL: process.env.LOCAL_URL });`],
        ['view', 'const view = { innerHTML: "" };'],
        ['appended', 'let appended = "";'],
        ['showTokensPerSecond', 'const showTokensPerSecond = (n) => console.log("tokens/s", n);'],
      ].filter(([name]) => !new RegExp(`\\b(const|let|var)\\s+${name}\\b`).test(body) && new RegExp(`\\b${name}\\b`).test(body));
      const prelude = `
        const local = process.env.LOCAL_URL;
        const realFetch = globalThis.fetch;
        globalThis.fetch = (url, init) => realFetch(String(url).replace(/^https:\\/\\/api\\.[a-z]+\\.com\\/v1/, local), init);
        ${standIns.map(([, line]) => line).join('\n')}
      `;
      // Imports first (ES modules hoist them anyway), then the prelude, then the rest.
      const importRe = /^import [\s\S]*?from '[^']+';/gm;
      const imports = (body.match(importRe) ?? []).join('\n');
      const rest = body.replace(importRe, '');
      const file = path.join(dir, `snippet-${i + 1}.mjs`);
      writeFileSync(file, `${imports}\n${prelude}\n${rest}\n`);
      const result = await run(process.execPath, [file], {
        ...process.env,
        LOCAL_URL: `${provider.url}/v1`,
        OPENAI_API_KEY: 'sk-readme-test',
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.length > 0, 'it printed something');
      if (i === 0) assert.match(result.stdout, /\d+ \d/, 'usage.totalTokens and the cost');
    });
  });

  test('the C++ snippet builds and, without its key, ends with an error value naming it', async () => {
    const [cpp] = snippets('README.md', 'cpp');
    const libs = [
      path.join(NATIVE, 'platform', 'native', 'libllmstream_client.a'),
      path.join(NATIVE, 'core', 'libllmstream_core.a'),
    ];
    for (const lib of libs) assert.ok(existsSync(lib), `${lib} is missing: build the native-release preset`);
    const includes = cpp.split('\n').filter((l) => l.startsWith('#include'));
    const statements = cpp.split('\n').filter((l) => !l.startsWith('#include'));
    const source = [...includes, '#include <cstdlib>', '#include <iostream>', 'int main() {', ...statements,
      '  return stream.error() ? 3 : 0;', '}'].join('\n');
    const file = path.join(dir, 'snippet.cpp');
    writeFileSync(file, source);
    const exe = path.join(dir, 'snippet');
    execFileSync('g++', ['-std=c++20', '-O0', `-I${path.join(REPO, 'core', 'include')}`,
      `-I${path.join(REPO, 'platform', 'native', 'include')}`, file, ...libs, '-lcurl', '-o', exe]);
    const env = { ...process.env };
    delete env.ANTHROPIC_API_KEY;
    const result = await run(exe, [], env);
    assert.equal(result.signal, null, 'no abort');
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /ANTHROPIC_API_KEY/);
  });
});
