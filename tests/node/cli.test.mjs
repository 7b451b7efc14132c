// Tests of the native `llmstream` CLI (platform/native/cli/) as a user runs it: the built binary
// against a local provider server started here on a free 127.0.0.1 port. The binary comes from
// LLMSTREAM_CLI, default build/native-release/platform/native/llmstream (scripts/test.sh builds
// it in the native stage, before `npm test`). A missing binary fails every test, loudly.
// Synchronisation is by output and exit events, never by sleeps.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.resolve(
  REPO,
  process.env.LLMSTREAM_CLI ?? 'build/native-release/platform/native/llmstream',
);
const FIXTURES = path.join(
  process.env.LLMSTREAM_SHARED_DIR ?? path.resolve(REPO, '..', 'shared'),
  'fixtures',
);
const SECRET = 'sk-test-SECRET123';

let server;
let baseUrl;
let tmp;

// The environment of every CLI run: no real keys from the developer's shell, no proxy for
// loopback traffic.
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/_API_KEY$/.test(name) && !/^(http|https|all)_proxy$/i.test(name),
  ),
);
BASE_ENV.NO_PROXY = BASE_ENV.no_proxy = '127.0.0.1,localhost';
delete BASE_ENV.NO_COLOR;

function assertBinary() {
  assert.ok(
    existsSync(CLI),
    `the llmstream CLI is not built: ${CLI} is missing. Build it first ` +
      '(cmake --preset native-release && cmake --build --preset native-release), ' +
      'or point LLMSTREAM_CLI at a binary.',
  );
}

async function startServer() {
  const child = spawn(
    process.execPath,
    [path.join(REPO, 'server/local-provider.mjs'), '--port', '0', '--pace-ms', '0', '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    if (match) return { child, url: match[1] };
  }
  throw new Error('the local provider exited before listening');
}

before(async () => {
  server = await startServer();
  baseUrl = server.url;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-cli-'));
});

after(() => {
  server?.child.kill();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs the CLI to completion. `local: true` (default) points it at our server.
 * Resolves {code, signal, stdout, stderr}.
 */
async function run(args, { env = {}, input, local = true, scenario } = {}) {
  assertBinary();
  const full = [...(local ? ['--base-url', baseUrl] : []), ...(scenario ? ['--scenario', scenario] : []), ...args];
  const child = spawn(CLI, full, { env: { ...BASE_ENV, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {}); // EPIPE: a run that needs no stdin may exit before we write
  child.stdin.end(input ?? '');
  const [code, signal] = await once(child, 'close');
  return { code, signal, stdout, stderr };
}

function jsonLines(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

const textOf = (events) =>
  events
    .filter((e) => e.type === 'text')
    .map((e) => e.text)
    .join('');

// ---- basics -------------------------------------------------------------------------------

// First, and on its own, so that a missing build says so in one clear failure (every other test
// fails too, through run()).
test('the llmstream binary is built', assertBinary);

describe('llmstream CLI', () => {
  test('--help documents usage, keys and exit codes', async () => {
    const { code, stdout } = await run(['--help'], { local: false });
    assert.equal(code, 0);
    for (const needle of ['usage: llmstream', '--provider', '--record FILE', 'OPENAI_API_KEY', 'exit codes', '130']) {
      assert.ok(stdout.includes(needle), `--help lacks ${needle}`);
    }
  });

  test('streams the answer to stdout', async () => {
    const { code, stdout, stderr } = await run(['Hello', 'world'], { scenario: 'tokens=12' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^You said: “Hello world”/);
    assert.ok(stdout.endsWith('\n'));
    assert.equal(stderr, '');
  });

  test('reads the prompt from stdin when no arguments are given, or with -', async () => {
    for (const args of [[], ['-']]) {
      const { code, stdout } = await run(args, { input: 'Prompt from stdin\n', scenario: 'tokens=8' });
      assert.equal(code, 0);
      assert.match(stdout, /“Prompt from stdin”/);
    }
    const empty = await run([], { input: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty prompt/);
  });

  test('--api messages and --api responses speak the other dialects', async () => {
    for (const api of ['messages', 'responses']) {
      const { code, stdout, stderr } = await run(['--api', api, 'Hi'], { scenario: 'tokens=6' });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /You said: “Hi”/);
    }
  });

  test('reasoning goes to stderr, undimmed when stderr is not a terminal', async () => {
    const { code, stdout, stderr } = await run(['--api', 'messages', 'Think'], {
      scenario: 'reasoning=6; tokens=4',
    });
    assert.equal(code, 0);
    assert.ok(stderr.length > 0);
    assert.ok(!stderr.includes('\u001b['), 'no ANSI codes through a pipe');
    assert.ok(!stdout.includes(stderr.trim()));
  });

  test('--json prints one parseable event per line', async () => {
    const plain = await run(['Hello'], { scenario: 'tokens=10' });
    const { code, stdout } = await run(['--json', 'Hello'], { scenario: 'tokens=10' });
    assert.equal(code, 0);
    const events = jsonLines(stdout);
    assert.ok(events.some((e) => e.type === 'usage' && e.usage.completionTokens === 10 && e.usage.totalTokens > 10));
    assert.equal(events.at(-1).type, 'done');
    assert.equal(textOf(events), plain.stdout.replace(/\n$/, ''));
  });

  test('--json --metrics ends with a metrics line (seed guide keys and ours)', async () => {
    const { code, stdout } = await run(['--json', '--metrics', 'Hello'], {
      scenario: 'tokens=20; pace_ms=2',
    });
    assert.equal(code, 0);
    const last = jsonLines(stdout).at(-1);
    assert.equal(last.type, 'metrics');
    assert.equal(typeof last.firstTokenLatency, 'number');
    assert.equal(typeof last.averageInterTokenLatency, 'number');
    assert.equal(last.totalTokens, 20);
    assert.ok(last.tokensPerSecond > 0);
    for (const key of ['mean', 'standardDeviation', 'coefficientOfVariation']) {
      assert.equal(typeof last.consistency[key], 'number', key);
    }
    assert.equal(last.outputChunks, 20);
    assert.equal(last.interTokenLatency.count, 19);
    assert.ok(last.interTokenLatency.p95 >= last.interTokenLatency.p50);
    assert.equal(last.usage.completionTokens, 20);
    assert.equal(last.attempts, 1);
    assert.equal(last.status, 200);
    assert.equal(last.error, null);
  });

  test('--metrics prints a human summary on stderr', async () => {
    const { code, stderr } = await run(['--metrics', 'Hello'], { scenario: 'tokens=10' });
    assert.equal(code, 0);
    for (const label of ['time to first token', 'tokens/s', 'inter-token latency', 'p95', 'usage', 'cost', 'attempts']) {
      assert.ok(stderr.includes(label), `--metrics lacks "${label}":\n${stderr}`);
    }
    assert.match(stderr, /usage\s+input \d+, output 10/);
  });

  test('prints a priced cost with its source for a fixture with usage', async () => {
    const { code, stderr } = await run(['--api', 'messages', '--model', 'claude-haiku-4-5', '--metrics', 'x'], {
      scenario: 'fixture=anthropic-thinking-signature',
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /cost\s+\$\d+\.\d+ \(price_table/);
  });
});

// ---- exit codes ---------------------------------------------------------------------------

describe('exit codes', () => {
  const cases = [
    ['401 -> 4 (auth)', 'status=401', 4, /error: auth: .*HTTP 401/],
    ['403 -> 4 (auth)', 'status=403', 4, /error: auth:/],
    ['429 -> 5 (rate limited)', 'status=429; retry_after=2', 5, /error: rate_limited: .*\(retry after 2 s\)/],
    ['500 -> 7 (server)', 'status=500', 7, /error: server: .*HTTP 500/],
    ['404 -> 7 (other HTTP status)', 'status=404', 7, /error: bad_request:/],
    ['reset -> 6 (network)', 'reset_after=3', 6, /error: network:/],
    ['close without terminal signal -> 8 (truncated)', 'close_after=3', 8, /error: truncated:/],
    ['in-band error -> 1 (provider)', 'error_after=3', 1, /error: provider_error:/],
    ['stall -> 6 (idle timeout)', 'stall_after=3', 6, /error: stalled:/],
  ];
  for (const [name, scenario, expected, message] of cases) {
    test(name, async () => {
      const { code, stderr } = await run(['--retries', '0', '--idle-timeout-ms', '300', 'Hello'], { scenario });
      assert.equal(code, expected, stderr);
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').filter((l) => l.startsWith('llmstream: error:')).length, 1);
    });
  }

  test('retries a 429 then succeeds (exit 0, attempts 2)', async () => {
    const { code, stdout, stderr } = await run(['--json', '--metrics', 'Hello'], {
      scenario: `status=429; retry_after_ms=10; key=retry-${process.pid}; times=1; tokens=5`,
    });
    assert.equal(code, 0, stderr);
    const events = jsonLines(stdout);
    assert.equal(events.filter((e) => e.type === 'retry').length, 1);
    assert.equal(events.at(-1).attempts, 2);
    assert.equal(events.at(-1).retries, 1);
  });

  test('connection refused -> 6', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    probe.close();
    await once(probe, 'close');
    const { code, stderr } = await run(['--base-url', `http://127.0.0.1:${port}`, '--retries', '0', 'Hi'], {
      local: false,
    });
    assert.equal(code, 6, stderr);
    assert.match(stderr, /error: network:/);
  });

  test('usage errors -> 2', async () => {
    const unknown = await run(['--frobnicate', 'Hi']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option --frobnicate/);
    const noKey = await run(['--provider', 'openai', 'Hi'], { local: false });
    assert.equal(noKey.code, 2);
    assert.equal(noKey.stderr.trim(), 'llmstream: error: OPENAI_API_KEY is not set (needed for --provider openai)');
    const compatible = await run(['--provider', 'compatible', 'Hi'], { local: false });
    assert.equal(compatible.code, 2);
    assert.match(compatible.stderr, /needs --model and --base-url/);
    const badNumber = await run(['--max-tokens', 'lots', 'Hi']);
    assert.equal(badNumber.code, 2);
  });

  test('unreadable --replay file -> 3', async () => {
    const { code, stderr } = await run(['--replay', path.join(tmp, 'missing.sse')], { local: false });
    assert.equal(code, 3);
    assert.match(stderr, /cannot read/);
  });
});

// ---- providers ----------------------------------------------------------------------------

// The provider table the CLI reads (core/src/request/provider_table.cpp), as the npm package's
// generated abi.js holds it (scripts/build-wasm.sh writes it from the same C++).
const ABI = path.join(REPO, 'npm/dist/core/abi.js');
async function abi() {
  assert.ok(existsSync(ABI), `${ABI} is missing: run scripts/build-wasm.sh`);
  return import(ABI);
}

describe('providers: every one of the table', () => {
  test('--help lists every provider, its alias, default model and key variable, and every API', async () => {
    const { PROVIDERS, WIRE_APIS, WIRE_API_SPELLINGS } = await abi();
    const { code, stdout } = await run(['--help'], { local: false });
    assert.equal(code, 0);
    const table = stdout.slice(stdout.indexOf('\nproviders'), stdout.indexOf('\nenvironment'));
    const lines = table.split('\n');
    for (const p of PROVIDERS) {
      const at = lines.findIndex((l) => l.startsWith(`  ${p.name} `));
      assert.ok(at >= 0, `--help has no line for ${p.name}:\n${table}`);
      const line = lines[at];
      const notes = /^ {3,}\S/.test(lines[at + 1]) ? lines[at + 1] : '';
      if (p.alias) assert.ok(notes.includes(`(or ${p.alias})`), `${p.name}: alias ${p.alias}`);
      assert.equal(notes.includes('needs --base-url'), !p.baseUrl, `${p.name}: base URL needed or not`);
      assert.ok(line.includes(p.defaultModel || 'needs --model'), `${p.name}: model`);
      assert.ok(line.includes(p.keyVariable), `${p.name}: ${p.keyVariable}`);
      assert.equal(line.includes('(optional)'), !p.keyRequired, `${p.name}: key optional or not`);
    }
    // And the relay, which the CLI reads itself (the npm package's PROVIDERS leave it out: its
    // own JS client reads a relay).
    const relay = lines.findIndex((l) => l.startsWith('  relay '));
    assert.ok(relay >= 0 && lines[relay].includes('LLMSTREAM_RELAY_TOKEN (optional)'), table);
    assert.match(lines[relay + 1], /needs --base-url/);
    assert.equal(table.split('\n').filter((l) => /^ {2}\S/.test(l)).length, PROVIDERS.length + 1);
    for (const api of WIRE_APIS) assert.ok(stdout.includes(api), `--help lacks --api ${api}`);
    // The short names ('chat', 'messages'): neither the name nor its dashed spelling.
    const short = Object.entries(WIRE_API_SPELLINGS).filter(([s, api]) => s.replaceAll('-', '_') !== api);
    assert.ok(short.length > 0);
    for (const [spelling, api] of short) {
      assert.ok(stdout.includes(`${api} (or ${spelling})`), `--help lacks the short --api name ${spelling}`);
    }
  });

  test('--provider takes every name and alias, in any case', async () => {
    const { PROVIDERS } = await abi();
    const names = PROVIDERS.flatMap((p) => [p.name, p.alias].filter(Boolean));
    const runs = await Promise.all(
      names.flatMap((name) => [name, name.toUpperCase()]).map(async (name) => [name, await run(['--provider', name, '--help'], { local: false })]),
    );
    for (const [name, { code, stderr }] of runs) assert.equal(code, 0, `--provider ${name}: ${stderr}`);
  });

  test('an unknown provider is a usage error that lists every provider and alias', async () => {
    const { PROVIDERS } = await abi();
    const { code, stdout, stderr } = await run(['--provider', 'acme', 'Hi'], { local: false });
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^llmstream: error: --provider: invalid value 'acme' \(one of /);
    for (const p of PROVIDERS) {
      assert.ok(stderr.includes(p.alias ? `${p.name} (or ${p.alias})` : p.name), `lacks ${p.name}: ${stderr}`);
    }
  });

  test("a hosted provider without its key names the table's key variable (2)", async () => {
    const { PROVIDERS } = await abi();
    // Bedrock's AWS credentials are read their own way; compatible and azure need a URL first.
    const hosted = PROVIDERS.filter((p) => p.keyRequired && p.keyNamesProvider && p.baseUrl);
    assert.ok(hosted.length >= 9, `hosted providers: ${hosted.map((p) => p.name)}`);
    const runs = await Promise.all(hosted.map((p) => run(['--provider', p.name, 'Hi'], { local: false })));
    hosted.forEach((p, i) => {
      assert.equal(runs[i].code, 2, runs[i].stderr);
      assert.equal(runs[i].stderr.trim(), `llmstream: error: ${p.keyVariable} is not set (needed for --provider ${p.name})`);
    });
  });

  test('the key comes from the provider\'s own variable', async () => {
    // GEMINI_API_KEY set: no usage error, the request goes out (and the local server answers).
    const { code, stdout, stderr } = await run(
      ['--provider', 'gemini', '--base-url', baseUrl, 'Hi'],
      { local: false, scenario: 'tokens=6', env: { GEMINI_API_KEY: 'local-key' } },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /You said: “Hi”/);
  });

  test('Ollama needs no key', async () => {
    // Its default URL (127.0.0.1:11434) has nothing listening here: a network error, not a
    // usage error about a key.
    const { code, stderr } = await run(['--provider', 'ollama', '--connect-timeout-ms', '2000', 'Hi'], { local: false });
    assert.notEqual(code, 2, stderr);
    assert.doesNotMatch(stderr, /OLLAMA_API_KEY|not set/);
  });

  test('azure needs --base-url (the resource endpoint) and --model (the deployment) (2)', async () => {
    const both = await run(['--provider', 'azure', 'Hi'], { local: false, env: { AZURE_OPENAI_API_KEY: SECRET } });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^llmstream: error: --provider azure needs --model and --base-url \(--base-url: the resource endpoint, https:\/\/NAME\.openai\.azure\.com; --model: the deployment name\)\n$/);
    const noUrl = await run(['--provider', 'azure', '--model', 'my-deployment', 'Hi'], { local: false });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /--provider azure needs --base-url \(/);
    const noModel = await run(['--provider', 'azure', '--base-url', 'https://x.openai.azure.com', 'Hi'], { local: false });
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--provider azure needs --model \(/);
    assert.ok(!both.stderr.includes('SECRET123'));
  });

  // The new providers against the local provider server, which speaks their wire formats.
  const LIVE = [
    ['gemini', '/v1beta'],
    ['gemini', ''], // a bare origin gets /v1beta
    ['google', ''],
    ['ollama', ''],
    ['cohere', ''],
    ['mistral', '/v1'],
    ['deepseek', '/v1'],
    ['xai', '/v1'],
  ];
  for (const [provider, suffix] of LIVE) {
    test(`--provider ${provider} --base-url <server>${suffix} streams the answer`, async () => {
      const { code, stdout, stderr } = await run(
        ['--provider', provider, '--base-url', `${baseUrl}${suffix}`, '--metrics', 'Hello', 'there'],
        { local: false, scenario: 'tokens=12' },
      );
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^You said: “Hello there”/);
      assert.match(stderr, /tokens/);
    });
  }
});

// ---- keys ---------------------------------------------------------------------------------

describe('API keys are never printed', () => {
  test("every provider's key variable is masked, whichever provider runs", async () => {
    const { PROVIDERS } = await abi();
    const variables = [...new Set(PROVIDERS.map((p) => p.keyVariable))];
    // The local provider echoes the prompt: a prompt holding the key would show it.
    const runs = await Promise.all(
      variables.map((variable, i) => {
        const key = `sk-test-SECRET-${i}-${variable.length}`;
        return run(['Say', key], { env: { [variable]: key } }).then((r) => ({ ...r, key, variable }));
      }),
    );
    for (const { code, stdout, stderr, key, variable } of runs) {
      assert.equal(code, 0, stderr);
      assert.ok(!stdout.includes(key), `${variable}'s value is printed:\n${stdout}`);
      assert.match(stdout, /You said: “Say \*+”/, variable);
    }
  });

  test('not in errors, --json, --metrics or recordings', async () => {
    const recording = path.join(tmp, 'secret.rec');
    const runs = [
      run(['--json', '--metrics', '--record', recording, 'Hi'], {
        env: { LLMSTREAM_API_KEY: SECRET },
        scenario: 'status=401',
      }),
      run(['--provider', 'openai', '--base-url', `${baseUrl}/v1`, '--metrics', 'Hi'], {
        env: { OPENAI_API_KEY: SECRET },
        local: false,
        scenario: 'status=401',
      }),
      run(['--provider', 'anthropic', '--base-url', baseUrl, '--header', `x-api-key: ${SECRET}`, 'Hi'], {
        local: false,
        scenario: 'status=403',
      }),
      run(['--header', `Authorization: Bearer ${SECRET}`, 'Hi'], { scenario: 'tokens=3' }),
    ];
    for (const { code, stdout, stderr } of await Promise.all(runs)) {
      assert.ok([0, 4].includes(code), stderr);
      assert.ok(!stdout.includes('SECRET123'), `stdout leaks the key:\n${stdout}`);
      assert.ok(!stderr.includes('SECRET123'), `stderr leaks the key:\n${stderr}`);
    }
    const recorded = readFileSync(recording, 'latin1');
    assert.ok(recorded.startsWith('#llmstream-recording v1\n'));
    assert.ok(recorded.includes('[redacted]'), 'the auth header is recorded, masked');
    assert.ok(!recorded.includes('SECRET123'), 'the recording leaks the key');
  });
});

// ---- record and replay --------------------------------------------------------------------

describe('--record / --replay', () => {
  const scenarios = [
    ['complete stream', [], 'tokens=25; pace_ms=1', 0],
    ['truncated stream', [], 'close_after=5', 8],
    ['in-band error', [], 'error_after=4', 1],
    ['connection reset', [], 'reset_after=4', 6],
    ['Anthropic reasoning', ['--api', 'messages'], 'reasoning=5; tokens=5', 0],
    ['Responses API', ['--api', 'responses'], 'tokens=8', 0],
    ['HTTP 401', [], 'status=401', 4],
  ];
  scenarios.forEach(([name, extra, scenario, expected], index) => {
    test(`a replayed recording gives the live events: ${name}`, async () => {
      const file = path.join(tmp, `replay-${index}.rec`);
      const live = await run(['--json', '--retries', '0', '--record', file, ...extra, 'Record me'], { scenario });
      assert.equal(live.code, expected, live.stderr);
      const replay = await run(['--json', '--replay', file], { local: false });
      assert.equal(replay.code, expected, replay.stderr);
      assert.deepEqual(jsonLines(replay.stdout), jsonLines(live.stdout));
      assert.equal(replay.stderr, live.stderr);
    });
  });

  test('retries are recorded as separate attempts and replayed', async () => {
    const file = path.join(tmp, 'retry.rec');
    const scenario = `status=500; key=rec-${process.pid}; times=1; tokens=6`;
    const live = await run(['--json', '--record', file, 'Again'], { scenario });
    assert.equal(live.code, 0, live.stderr);
    const recorded = readFileSync(file, 'utf8');
    assert.equal(recorded.match(/^#attempt /gm).length, 2);
    const replay = await run(['--json', '--replay', file], { local: false });
    assert.equal(replay.code, 0, replay.stderr);
    // The retry delay has random jitter, drawn again by the replaying session.
    const withoutDelay = (events) =>
      events.map((event) => {
        if (event.type !== 'retry') return event;
        const { block, delayMs, text, ...rest } = event;
        return rest;
      });
    assert.deepEqual(withoutDelay(jsonLines(replay.stdout)), withoutDelay(jsonLines(live.stdout)));
  });

  test('replay keeps the recorded timing in its metrics, whatever --speed', async () => {
    const file = path.join(tmp, 'paced.rec');
    const live = await run(['--json', '--metrics', '--record', file, 'Slowly'], { scenario: 'tokens=8; pace_ms=40' });
    assert.equal(live.code, 0);
    const started = Date.now();
    const replay = await run(['--json', '--metrics', '--replay', file, '--speed', '0'], { local: false });
    assert.equal(replay.code, 0);
    assert.ok(Date.now() - started < 2000, '--speed 0 does not wait');
    const liveMetrics = jsonLines(live.stdout).at(-1);
    const replayMetrics = jsonLines(replay.stdout).at(-1);
    assert.ok(replayMetrics.averageInterTokenLatency > 30);
    assert.ok(Math.abs(replayMetrics.averageInterTokenLatency - liveMetrics.averageInterTokenLatency) < 3);
  });

  test('replays a plain .sse fixture, guessing the dialect from its name', async () => {
    const { code, stdout, stderr } = await run(['--replay', path.join(FIXTURES, 'anthropic-text.sse')], {
      local: false,
    });
    assert.equal(code, 0, stderr);
    assert.ok(stdout.trim().length > 0);
    const json = await run(['--json', '--replay', path.join(FIXTURES, 'openai-chat-tool-call.sse')], { local: false });
    assert.equal(json.code, 0);
    assert.ok(jsonLines(json.stdout).some((e) => e.type === 'tool_call_end'));
  });

  // more-providers/: each new recording replays with the dialect and framing its name and
  // extension say (gemini-*.sse and .json, bedrock-*.eventstream, ollama-*.ndjson, cohere-*.sse,
  // mistral-* and deepseek-* as Chat Completions), to the text and tool calls of expected.json.
  const MORE = path.join(FIXTURES, 'more-providers');
  const moreExpected = JSON.parse(readFileSync(path.join(MORE, 'expected.json'), 'utf8'));
  // [text, tool calls] a recording's expected.json entry holds, in the shape of its provider.
  const expectedOf = (name, want) => {
    if (name.startsWith('gemini-')) return [want.candidates['0'].text, want.candidates['0'].function_calls.length];
    if (name.startsWith('bedrock-')) {
      const texts = want.blocks.filter((b) => b.type === 'text').map((b) => b.text);
      return [texts.join(''), want.blocks.filter((b) => b.type === 'tool_use').length];
    }
    if (name.startsWith('ollama-')) return [want.content, want.tool_calls.length];
    if (name.startsWith('cohere-')) return [want.blocks.map((b) => b.text).join(''), want.tool_calls?.length ?? 0];
    return [want.choices['0'].content, want.choices['0'].tool_calls.length];
  };
  // expected.json writes a long string as {chars, sha256, head, tail}.
  const sameText = (got, want) =>
    want !== null && typeof want === 'object'
      ? createHash('sha256').update(got, 'utf8').digest('hex') === want.sha256
      : got === (want ?? '');
  for (const name of Object.keys(moreExpected).filter((n) => n !== '_about')) {
    test(`replays more-providers/${name}, guessing dialect and framing from its name`, async () => {
      const { code, stdout, stderr } = await run(['--json', '--replay', path.join(MORE, name)], { local: false });
      assert.equal(code, 0, stderr);
      const events = jsonLines(stdout);
      const [text, toolCalls] = expectedOf(name, moreExpected[name]);
      assert.ok(sameText(textOf(events), text), `text: ${JSON.stringify(textOf(events)).slice(0, 300)}`);
      assert.equal(events.filter((e) => e.type === 'tool_call_end').length, toolCalls);
      assert.ok(events.some((e) => e.type === 'done'), 'ends with done');
    });
  }

  test('the plain text output of a binary event-stream replay', async () => {
    const name = 'bedrock-claude-reasoning-signature.eventstream';
    const { code, stdout, stderr } = await run(['--replay', path.join(MORE, name), '--pace-ms', '1'], { local: false });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${expectedOf(name, moreExpected[name])[0]}\n`);
  });

  test('a plain body whose name names no dialect: says so and names --provider / --api (2)', async () => {
    const file = path.join(tmp, 'mystery-stream.sse');
    writeFileSync(file, readFileSync(path.join(FIXTURES, 'openai-chat-text-usage.sse')));
    const { code, stdout, stderr } = await run(['--replay', file], { local: false });
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /cannot tell which API .*mystery-stream\.sse was recorded from/);
    assert.match(stderr, /--provider or --api/);
    assert.doesNotMatch(stderr, /truncated/);
    // Told, it replays.
    const told = await run(['--replay', file, '--api', 'chat'], { local: false });
    assert.equal(told.code, 0, told.stderr);
    assert.ok(told.stdout.length > 0);
  });

  test('--api names a dialect the extension does not fit: says so (2)', async () => {
    const { code, stderr } = await run(
      ['--replay', path.join(MORE, 'cohere-tool-plan-tool-call.sse'), '--api', 'ollama_chat'],
      { local: false },
    );
    assert.equal(code, 2, stderr);
    assert.match(stderr, /its extension says text\/event-stream, which ollama_chat does not stream/);
  });

  test('--api takes the new API names', async () => {
    for (const api of ['gemini_generate_content', 'bedrock-converse', 'ollama_chat', 'ollama_generate', 'cohere_chat']) {
      const { code, stderr } = await run(['--api', api, '--help'], { local: false });
      assert.equal(code, 0, `${api}: ${stderr}`);
    }
    const bad = await run(['--api', 'smoke-signals', 'Hi'], { local: false });
    assert.equal(bad.code, 2);
    const { WIRE_APIS } = await abi();
    for (const api of WIRE_APIS) assert.ok(bad.stderr.includes(api), `the error lacks ${api}: ${bad.stderr}`);
  });

  test('a malformed recording -> 3', async () => {
    const file = path.join(tmp, 'broken.rec');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '#llmstream-recording v1\n{"provider":"local"}\n');
    const { code, stderr } = await run(['--replay', file], { local: false });
    assert.equal(code, 3);
    assert.match(stderr, /broken\.rec: line 2/);
  });
});

// ---- Ctrl-C -------------------------------------------------------------------------------

describe('SIGINT', () => {
  test('cancels cleanly: partial output, usage, metrics, exit 130', async () => {
    assertBinary();
    const child = spawn(CLI, ['--base-url', baseUrl, '--scenario', 'pace_ms=30; tokens=2000', '--metrics', 'Hello'], {
      env: BASE_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdout.setEncoding('utf8');
    // Wait for the first text to arrive, then interrupt.
    await new Promise((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        resolve();
      });
    });
    child.kill('SIGINT');
    const [code] = await once(child, 'close');
    assert.equal(code, 130, stderr);
    assert.match(stdout, /^You/);
    assert.match(stderr, /error: aborted:/);
    assert.match(stderr, /usage\s+input \d+, output \d+.*\(estimated\)/);
    assert.match(stderr, /ended with\s+aborted/);
  });

  test('without --metrics still reports what the partial answer used', async () => {
    assertBinary();
    const child = spawn(CLI, ['--base-url', baseUrl, '--scenario', 'pace_ms=30; tokens=2000', 'Hello'], {
      env: BASE_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    await once(child.stdout, 'data');
    child.kill('SIGINT');
    const [code] = await once(child, 'close');
    assert.equal(code, 130);
    assert.match(stderr, /llmstream: interrupted: \d+ output chunks before the stop; usage: input \d+, output \d+ tokens \(estimated\)/);
  });

  test('interrupts a paced replay', async () => {
    assertBinary();
    const child = spawn(CLI, ['--replay', path.join(FIXTURES, 'openai-chat-long-json-text.sse'), '--pace-ms', '200'], {
      env: BASE_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await once(child.stdout, 'data');
    child.kill('SIGINT');
    const [code] = await once(child, 'close');
    assert.equal(code, 130);
  });
});
