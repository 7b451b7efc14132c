// The numbers and names JS shares with the wasm core have one source, the C++ (platform/wasm/abi.h
// and the core headers it names), generated into npm/dist/core/abi.js at build time. This test
// fails when the two drift: a module built from other C++ than abi.js, an abi.js older than the
// C++ (the generator run afresh must give the same file), or a table typed by hand again in the
// package's JS.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as abi from '../../npm/dist/core/abi.js';
import { checkFingerprint, loadCore } from '../../npm/src/core/load.js';
import { ErrorCode, errorClassFor, LLMStreamError, toLLMStreamError } from '../../npm/src/errors.js';
import * as pkg from '../../npm/src/index.js';
import { loaderConfig } from '../../npm/src/options.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GENERATOR = path.join(REPO, 'build', 'wasm', 'platform', 'wasm', 'llmstream_abi_gen.cjs');

describe('abi.js and the module agree', () => {
  test('the module reports the fingerprint of the abi.js beside it', async () => {
    const core = await loadCore();
    assert.equal(core.abiFingerprint(), abi.ABI_FINGERPRINT);
  });

  test('a module built from other C++ is refused with a message that says what to do', () => {
    assert.throws(
      () => checkFingerprint({ abiFingerprint: () => abi.ABI_FINGERPRINT ^ 1 }, 'x.mjs'),
      /x\.mjs was built with ABI .*rebuild both together/,
    );
    assert.throws(() => checkFingerprint({}, 'old.mjs'), /ABI \(none\)/);
  });

  test('abi.js is what the generator writes from the C++ now', () => {
    assert.ok(existsSync(GENERATOR), `${path.relative(REPO, GENERATOR)} is missing: run scripts/build-wasm.sh`);
    const dir = mkdtempSync(path.join(tmpdir(), 'llmstream-abi-'));
    try {
      const out = ['abi.js', 'abi.d.ts', 'fingerprint.h'].map((f) => path.join(dir, f));
      execFileSync(process.execPath, [GENERATOR, ...out]);
      for (const f of ['abi.js', 'abi.d.ts']) {
        assert.equal(
          readFileSync(path.join(REPO, 'npm', 'dist', 'core', f), 'utf8'),
          readFileSync(path.join(dir, f), 'utf8'),
          `npm/dist/core/${f} is stale: run scripts/build-wasm.sh`,
        );
      }
      assert.match(readFileSync(out[2], 'utf8'), new RegExp(`kAbiFingerprint = ${abi.ABI_FINGERPRINT};`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the package uses the table', () => {
  test('ErrorCode, the classes and the retryable flags come from abi.js', () => {
    const named = abi.ERRORS.filter((e) => e.name !== 'none');
    assert.deepEqual(Object.values(ErrorCode).sort(), named.map((e) => e.name).sort());
    for (const e of named) {
      const error = toLLMStreamError({ code: e.name, message: 'm' });
      assert.equal(error.llmstreamCode, e.name);
      assert.equal(error.retryable, e.retryable, e.name);
      assert.equal(error.constructor.name === 'AbortError' ? 'AbortError' : error.constructor.name, e.jsClass);
      assert.equal(errorClassFor(e.name).name, e.jsClass);
      if (e.jsClass !== 'LLMStreamError') assert.equal(typeof pkg[e.jsClass], 'function', `index.js exports ${e.jsClass}`);
    }
    // Something thrown that is no core error is a bug here, not a network failure.
    const bug = toLLMStreamError(new TypeError('x is undefined'));
    assert.ok(bug instanceof LLMStreamError);
    assert.equal(bug.llmstreamCode, 'internal');
    assert.equal(bug.retryable, false);
  });

  test('providers and default models come from abi.js', () => {
    assert.deepEqual(pkg.PROVIDERS, abi.PROVIDERS.map((p) => p.name));
    for (const p of abi.PROVIDERS) assert.equal(pkg.DEFAULT_MODELS[p.name], p.defaultModel || undefined);
  });

  test('message part names and the tool loop rules come from abi.js', () => {
    // Written by hand from llmstream/request.h (PartKind) and llmstream/tool_loop.h: a change on
    // either side fails here or in the generator comparison above.
    assert.deepEqual([...abi.PART_KINDS], ['text', 'reasoning', 'redacted_reasoning', 'tool_call', 'provider_block']);
    assert.deepEqual([...abi.LOOP_STOPS], ['running', 'final_answer', 'step_limit', 'aborted', 'error']);
    assert.equal(abi.TOOL_LOOP.defaultMaxSteps, 10);
    // StreamLimits' documented defaults (llmstream/stream.h, index.d.ts): what a relay client keeps.
    assert.deepEqual({ ...abi.STREAM_LIMITS }, { maxCompletionBytes: 64 * 1024 * 1024, maxChoices: 128, maxParts: 4096 });
    assert.equal(pkg.DEFAULT_MAX_STEPS, abi.TOOL_LOOP.defaultMaxSteps);
    assert.equal(abi.TOOL_LOOP.unknownTool, "unknown tool '{name}' (the tools: {tools})");
  });

  test('no table is typed again in the package', () => {
    // Names distinctive enough that a quoted copy in code is a copy of the table
    // ('content_filter' is also a finish reason, a name of its own).
    const needles = [
      ...abi.ERRORS.map((e) => e.name).filter((n) => n.includes('_') && n !== 'content_filter'),
      ...abi.PROVIDERS.map((p) => p.keyVariable),
      ...abi.PROVIDERS.map((p) => p.defaultModel).filter(Boolean),
      ...abi.WIRE_APIS,
      ...abi.PART_KINDS.filter((n) => n.includes('_')),
      ...abi.LOOP_STOPS.filter((n) => n.includes('_')),
      ...Object.values(abi.TOOL_LOOP).filter((v) => typeof v === 'string'),
      abi.RELAY.startEvent,
      abi.RELAY.keepAliveComment,
    ];
    const files = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (/\.(m?js|ts)$/.test(entry.name)) files.push(p);
      }
    };
    walk(path.join(REPO, 'npm', 'src'));
    const copies = [];
    for (const file of files) {
      // Comments may name them; code may not.
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const needle of needles) {
        if (code.includes(`'${needle}'`) || code.includes(`"${needle}"`)) {
          copies.push(`${path.relative(REPO, file)}: '${needle}'`);
        }
      }
      // A numbered table of the boundary: `NAME: <number>,` lines or `const X = <number>;` for
      // an event kind / action / field name.
      for (const [table, values] of [['EventKind', abi.EventKind], ['SessionAction', abi.SessionAction], ['Field', abi.Field]]) {
        for (const name of Object.keys(values)) {
          if (new RegExp(`\\b${name}\\s*[:=]\\s*\\d+\\s*[,;]`).test(code)) copies.push(`${path.relative(REPO, file)}: ${table}.${name}`);
        }
      }
    }
    assert.deepEqual(copies, []);
  });
});

describe('the one rule the package checks before the core can', () => {
  test('a missing key: the loader refuses exactly what the core would refuse', async () => {
    // APILoader says it when created (naming the variable), the core at the first read; both
    // decide on the same data (abi.js PROVIDERS, AUTH_HEADERS), and must agree on every case.
    const core = await loadCore();
    // Bedrock's requests (and its rule: a Bedrock API key or AWS credentials, AWS_ACCESS_KEY_ID ...)
    // are the full module's; its region is given, so that only the key rule is compared.
    const full = await loadCore({ full: true });
    const saved = {};
    for (const p of abi.PROVIDERS) {
      saved[p.keyVariable] = process.env[p.keyVariable];
      delete process.env[p.keyVariable];
    }
    try {
      let refused = 0;
      for (const p of abi.PROVIDERS) {
        for (const apiKey of [undefined, 'sk-x']) {
          for (const baseURL of [undefined, 'http://127.0.0.1:9/v1']) {
            for (const headers of [undefined, { Authorization: 'Bearer x' }, { 'X-Title': 't' }]) {
              const bedrock = p.name === 'bedrock';
              const config = { provider: p.name, apiKey, baseURL, headers, ...(bedrock ? { region: 'us-east-1' } : {}) };
              let js = null;
              try {
                loaderConfig(config);
              } catch (e) {
                js = e.message;
              }
              const module = bedrock ? full : core;
              const ws = new module.WasmSession(JSON.stringify({ ...config, model: 'm', prompt: 'x', unixMsAtZero: 0 }));
              module._llmstream_poll(ws.handle(), 0);
              const error = JSON.parse(ws.errorJson());
              ws.delete();
              const cpp = error && /no API key|no credentials/.test(error.message) ? error.message : null;
              assert.equal(js !== null, cpp !== null, `${JSON.stringify(config)}: JS ${js}, core ${cpp}`);
              if (js !== null) {
                refused++;
                assert.match(js, new RegExp(p.keyVariable));
                assert.match(cpp, new RegExp(p.keyVariable));
              }
            }
          }
        }
      }
      assert.ok(refused > 0, 'some case is refused');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  });
});
