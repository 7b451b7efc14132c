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

// ---- keys ---------------------------------------------------------------------------------

describe('API keys are never printed', () => {
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
    assert.match(bad.stderr, /gemini_generate_content, bedrock_converse, ollama_chat/);
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
