// The native `llmstream` CLI against hostile input (issue 13): what a model, a server or a crafted
// file sends must not reach the terminal as control sequences, must not leak a key however it is
// split, and must not make a replay spin, sleep for ever or read out of bounds. Real binary, real
// files, real HTTP on 127.0.0.1: a tiny server here sends exactly the bytes each test needs.
//
// The binary comes from LLMSTREAM_CLI (default build/native-release/platform/native/llmstream),
// as in cli.test.mjs. Every run has a deadline: a regression that hangs fails instead of hanging.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.resolve(REPO, process.env.LLMSTREAM_CLI ?? 'build/native-release/platform/native/llmstream');

const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/_API_KEY$/.test(name) && !/^(http|https|all)_proxy$/i.test(name) && name !== 'NO_COLOR',
  ),
);
BASE_ENV.NO_PROXY = BASE_ENV.no_proxy = '127.0.0.1,localhost';

let tmp;
let server;
let serverUrl;
before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-cli-hostile-'));
  server = http.createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serverUrl = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- a server that says exactly what a test scripts --------------------------------------------

// Each script gets its own base URL, /s/<id>; the CLI appends the endpoint path (ignored here).
const scripts = new Map();
function scripted(spec) {
  const id = String(scripts.size + 1);
  scripts.set(id, spec);
  return `${serverUrl}/s/${id}`;
}

// spec: {status (200), events: [[sseEventName|null, data (object or string)], ...]} streamed one
// SSE event per write; {status, body} sent whole (a string as JSON, a Buffer as raw bytes); or
// {writes: [...], gapMs} written as given, gapMs apart (so that the client reads them apart).
function answer(req, res) {
  const spec = scripts.get(req.url.match(/^\/s\/(\d+)\//)?.[1]);
  req.resume();
  req.on('end', () => {
    if (!spec) return res.writeHead(404).end();
    if (spec.body !== undefined) {
      const type = Buffer.isBuffer(spec.body) ? 'text/plain' : 'application/json';
      res.writeHead(spec.status ?? 200, { 'content-type': type }).end(spec.body);
      return;
    }
    res.writeHead(spec.status ?? 200, { 'content-type': 'text/event-stream' });
    if (spec.writes) {
      const next = (i) => {
        if (i === spec.writes.length) return res.end();
        res.write(spec.writes[i]);
        setTimeout(() => next(i + 1), spec.gapMs ?? 15);
      };
      return next(0);
    }
    for (const [event, data] of spec.events) {
      res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    }
    res.end();
  });
}

// OpenAI Chat Completions: reasoning deltas, then text deltas, then the end.
function chatEvents(deltas, { reasoning = [], tail = [[null, '[DONE]']] } = {}) {
  const chunk = (delta, finish = null) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return [
    ...reasoning.map((r) => [null, chunk({ reasoning_content: r })]),
    ...deltas.map((d) => [null, chunk({ content: d })]),
    [null, chunk({}, 'stop')],
    ...tail,
  ];
}

// Anthropic Messages with one text block; `extra` events go between its deltas.
function anthropicEvents(deltas, extra = []) {
  return [
    ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 1, output_tokens: 0 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ...extra,
    ...deltas.map((text) => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }]),
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }],
    ['message_stop', { type: 'message_stop' }],
  ];
}

// Splits of `text` to send as deltas: whole, one code point per delta, and cut in two at every
// code point.
function splits(text) {
  const points = [...text];
  const out = [[text], points];
  for (let k = 1; k < points.length; ++k) out.push([points.slice(0, k).join(''), points.slice(k).join('')]);
  return out;
}

// The SSE body of chatEvents, as one string.
const sseText = (events) =>
  events.map(([event, data]) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');

// Runs `tasks` (functions returning promises) at most `limit` at a time: gentle on a 2-core
// machine where other test files (timing-sensitive ones too) run alongside.
async function inBatches(tasks, limit = 4) {
  const results = [];
  for (let i = 0; i < tasks.length; i += limit) results.push(...(await Promise.all(tasks.slice(i, i + limit).map((t) => t()))));
  return results;
}

// What a terminal must never receive from upstream: C0 controls other than LF and TAB (CR only in
// CRLF), DEL, C1 as UTF-8 (0xC2 0x80-0x9F) and raw C1 bytes.
function assertNoControls(bytes, where) {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  for (let i = 0; i < buffer.length; ++i) {
    const b = buffer[i];
    const crlf = b === 0x0d && buffer[i + 1] === 0x0a;
    const c0 = (b < 0x20 && b !== 0x0a && b !== 0x09 && !crlf) || b === 0x7f;
    const c1 = b === 0xc2 && buffer[i + 1] >= 0x80 && buffer[i + 1] <= 0x9f;
    assert.ok(!c0 && !c1, `${where}: control byte 0x${b.toString(16)} at ${i}: ${JSON.stringify(buffer.toString('utf8'))}`);
  }
}

/**
 * Runs the CLI to completion, killed after `deadlineMs`. `stdin`: a string, or a file descriptor.
 * Resolves {code, signal, stdout, stderr, stdoutBytes, stderrBytes}; a killed run has code null.
 */
async function run(args, { env = {}, stdin = '', deadlineMs = 10000 } = {}) {
  assert.ok(existsSync(CLI), `the llmstream CLI is not built: ${CLI} is missing (or set LLMSTREAM_CLI)`);
  const child = spawn(CLI, args, {
    env: { ...BASE_ENV, ...env },
    stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'],
  });
  const out = [];
  const err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  if (typeof stdin !== 'number') {
    child.stdin.on('error', () => {}); // EPIPE: a run that needs no stdin may exit before we write
    child.stdin.end(stdin);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  const stdoutBytes = Buffer.concat(out);
  const stderrBytes = Buffer.concat(err);
  return { code, signal, stdout: stdoutBytes.toString('utf8'), stderr: stderrBytes.toString('utf8'), stdoutBytes, stderrBytes };
}

const jsonLines = (stdout) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

// ---- terminal injection ---------------------------------------------------------------------------

// Clear screen, window title (OSC 0, BEL), clipboard write (OSC 52, ST), CSI as C1 (U+009B), a
// lone CR (overwrites the line), CRLF (kept), DEL, NUL, TAB / LF (kept), multi-byte UTF-8 (kept)
// and NEL (U+0085, C1).
const HOSTILE = 'A\x1b[2J\x1b]0;title\x07B\x1b]52;c;SGVsbG8=\x1b\\C\u009b31mD\rE\r\nF\x7f\x00G\tH\né🚀\u0085';
const NEUTRALIZED =
  'A\\x1b[2J\\x1b]0;title\\x07B\\x1b]52;c;SGVsbG8=\\x1b\\C\\u009b31mD\\x0dE\r\nF\\x7f\\x00G\tH\né🚀\\u0085';

describe('terminal controls from upstream are shown, not obeyed', () => {
  test('the answer on stdout (text mode), however the deltas split it', async () => {
    // Whole, one code point per delta (every boundary at once), and cut in two right after each
    // control character (a sequence cut after its introducer). fuzz_cli_filters checks any split.
    const points = [...HOSTILE];
    const cuts = points.flatMap((c, k) => (/[\x00-\x1f\x7f-\x9f]/.test(c) ? [k + 1] : []));
    const cases = [[HOSTILE], points, ...cuts.map((k) => [points.slice(0, k).join(''), points.slice(k).join('')])];
    await inBatches(
      cases.map((deltas) => async () => {
        const { code, stdoutBytes, stdout, stderr } = await run(['--base-url', scripted({ events: chatEvents(deltas) }), 'Hi']);
        assert.equal(code, 0, stderr);
        assertNoControls(stdoutBytes, `stdout for ${JSON.stringify(deltas)}`);
        assert.equal(stdout, `${NEUTRALIZED}\n`, `deltas ${JSON.stringify(deltas)}`);
      }),
    );
  });

  test('a CR at the end of a delta is kept when the next delta starts with LF, shown otherwise', async () => {
    for (const [deltas, expected] of [
      [['one\r', '\ntwo'], 'one\r\ntwo\n'],
      [['one\r', 'two'], 'one\\x0dtwo\n'],
      [['one\r'], 'one\\x0d\n'],
    ]) {
      const { code, stdout } = await run(['--base-url', scripted({ events: chatEvents(deltas) }), 'Hi']);
      assert.equal(code, 0);
      assert.equal(stdout, expected, JSON.stringify(deltas));
    }
  });

  test('--json stays exact: the same text, with DEL and C1 written as \\u escapes', async () => {
    const { code, stdoutBytes, stdout } = await run(['--json', '--base-url', scripted({ events: chatEvents(splits(HOSTILE)[1]) }), 'Hi']);
    assert.equal(code, 0);
    assertNoControls(stdoutBytes, '--json stdout');
    const text = jsonLines(stdout)
      .filter((e) => e.type === 'text')
      .map((e) => e.text)
      .join('');
    assert.equal(text, HOSTILE);
    assert.ok(stdout.includes('"\\u009b"') && stdout.includes('"\\u007f"'), stdout);
  });

  test('reasoning on stderr', async () => {
    const url = scripted({ events: chatEvents(['ok'], { reasoning: ['think \x1b]0;', 'pwned\x07 \x1b[2J done\n'] }) });
    const { code, stdout, stderr, stderrBytes } = await run(['--base-url', url, 'Hi']);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'ok\n');
    assertNoControls(stderrBytes, 'stderr');
    assert.ok(stderr.includes('think \\x1b]0;pwned\\x07 \\x1b[2J done'), stderr);
  });

  test('an HTTP error body quoted on stderr', async () => {
    const body = JSON.stringify({ error: { message: 'boom \x1b]52;c;SGVsbG8=\x07 \x1b[2J\u009b0m', type: 'server_error' } });
    const { code, stderr, stderrBytes } = await run(['--retries', '0', '--base-url', scripted({ status: 500, body }), 'Hi']);
    assert.equal(code, 7, stderr);
    assertNoControls(stderrBytes, 'stderr');
    assert.match(stderr, /boom \\x1b\]52;c;SGVsbG8=\\x07 \\x1b\[2J\\u009b0m/);
  });

  test('raw bytes of a non-JSON error body: 8-bit CSI (0x9B) and other invalid UTF-8 as \\xNN', async () => {
    const body = Buffer.concat([Buffer.from('bad '), Buffer.from([0x9b]), Buffer.from('31m \x1b[2J '), Buffer.from([0xff, 0xe2, 0x82])]);
    const { code, stderr, stderrBytes } = await run(['--retries', '0', '--base-url', scripted({ status: 500, body }), 'Hi']);
    assert.equal(code, 7, stderr);
    assertNoControls(stderrBytes, 'stderr');
    assert.ok(!stderr.includes('\ufffd'), 'every byte is shown, none replaced by U+FFFD');
    assert.match(stderr, /bad \\x9b31m \\x1b\[2J \\xff\\xe2\\x82/);
  });

  test('an in-band error message, kept on one line', async () => {
    const events = chatEvents(['partial'], {
      tail: [[null, { error: { message: 'bad \x1b[31mthing\nllmstream: error: forged line', type: 'server_error' } }]],
    });
    const { code, stderr, stderrBytes } = await run(['--retries', '0', '--base-url', scripted({ events }), 'Hi']);
    assert.equal(code, 1, stderr);
    assertNoControls(stderrBytes, 'stderr');
    assert.equal(stderr.split('\n').filter((line) => line.startsWith('llmstream: error:')).length, 1, stderr);
    assert.match(stderr, /bad \\x1b\[31mthing llmstream: error: forged line/);
  });

  test('a warning quoting an upstream event type', async () => {
    const weird = ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'x\x1b]0;pwned\x07', text: '' } }];
    const url = scripted({ events: anthropicEvents(['fine'], [weird]) });
    const { code, stdout, stderr, stderrBytes } = await run(['--api', 'messages', '--base-url', url, 'Hi']);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'fine\n');
    assertNoControls(stderrBytes, 'stderr');
    assert.match(stderr, /warning: .*x\\x1b\]0;pwned\\x07/);
  });

  test('a tool call line on stdout', async () => {
    const chunk = (delta, finish = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = [
      [null, chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f\x1b[2J', arguments: '' } }] })],
      [null, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":"\x1b]0;t\x07"}' } }] })],
      [null, chunk({}, 'tool_calls')],
      [null, '[DONE]'],
    ];
    const { code, stdoutBytes, stdout, stderr } = await run(['--base-url', scripted({ events }), 'Hi']);
    assert.equal(code, 0, stderr);
    assertNoControls(stdoutBytes, 'stdout');
    assert.match(stdout, /\[tool call f\\x1b\[2J /);
  });

  test('a --replay file\'s model name in the --metrics title', async () => {
    const text = recording({ header: { model: 'm\x1b]0;pwned\x07' } });
    const { code, stderr, stderrBytes } = await run(['--metrics', '--speed', '0', '--replay', writeRecording('title.rec', text)]);
    assert.equal(code, 0, stderr);
    assertNoControls(stderrBytes, 'stderr');
    assert.match(stderr, /metrics: replay of m\\x1b\]0;pwned\\x07 via local/);
  });
});

// ---- secrets, however the writes split them ---------------------------------------------------

// The key the CLI runs with (LLMSTREAM_API_KEY, sent to the local server) and a model that echoes
// it. The core masks keys in error messages only: the text is the CLI's scrubber's alone.
const KEY = 'sk-hostile-0123456789abcdef';
const STARS = '*'.repeat(KEY.length);
const KEY_ENV = { LLMSTREAM_API_KEY: KEY };
const textOfJson = (stdout, type = 'text') =>
  jsonLines(stdout)
    .filter((e) => e.type === type)
    .map((e) => e.text)
    .join('');

describe('a key the model echoes is masked however the deltas split it', () => {
  const echo = `key=${KEY}!`;
  const masked = `key=${STARS}!`;
  const twice = `${KEY}${KEY} and ${KEY.slice(0, 5)} alone`; // adjacent copies, and a prefix that is no key
  const cases = [...splits(echo).map((deltas) => [deltas, masked]), [[...twice], twice.replaceAll(KEY, STARS)]];

  test('stdout (text mode)', async () => {
    await inBatches(
      cases.map(([deltas, expected]) => async () => {
        const { code, stdout, stderr } = await run(['--base-url', scripted({ events: chatEvents(deltas) }), 'Hi'], { env: KEY_ENV });
        assert.equal(code, 0, stderr);
        assert.equal(stdout, `${expected}\n`, `deltas ${JSON.stringify(deltas)}`);
      }),
    );
  });

  test('--json (every event kept, none split or merged) and --record (and its replay)', async () => {
    await inBatches(
      cases.map(([deltas, expected], index) => async () => {
        const file = path.join(tmp, `echo-${index}.rec`);
        const live = await run(['--json', '--record', file, '--base-url', scripted({ events: chatEvents(deltas) }), 'Hi'], { env: KEY_ENV });
        const what = `deltas ${JSON.stringify(deltas)}`;
        assert.equal(live.code, 0, live.stderr);
        assert.equal(textOfJson(live.stdout), expected, what);
        assert.equal(jsonLines(live.stdout).filter((e) => e.type === 'text').length, deltas.filter((d) => d !== '').length, what);
        const recorded = readFileSync(file, 'latin1');
        assert.ok(!recorded.includes(KEY.slice(3)), `${what}: the recording holds the key:\n${recorded}`);
        // Fragments: the replay (without the key in its environment) shows the text as recorded.
        const replay = await run(['--json', '--speed', '0', '--replay', file]);
        assert.equal(replay.code, 0, replay.stderr);
        assert.equal(textOfJson(replay.stdout), expected, `${what}: the recording's text`);
      }),
    );
  });

  test('reasoning (stderr) and tool-call arguments (--json and text mode)', async () => {
    const chunk = (delta, finish = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    for (const cut of [1, 8, KEY.length - 1]) {
      const args = `{"k":"${KEY}"}`;
      const at = 7 + cut;
      const events = [
        [null, chunk({ reasoning_content: `I saw ${KEY.slice(0, cut)}` })],
        [null, chunk({ reasoning_content: `${KEY.slice(cut)} there\n` })],
        [null, chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: args.slice(0, at) } }] })],
        [null, chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(at) } }] })],
        [null, chunk({}, 'tool_calls')],
        [null, '[DONE]'],
      ];
      const text = await run(['--base-url', scripted({ events }), 'Hi'], { env: KEY_ENV });
      assert.equal(text.code, 0, text.stderr);
      assert.ok(text.stderr.includes(`I saw ${STARS} there`), text.stderr);
      assert.ok(text.stdout.includes(`[tool call f {"k":"${STARS}"}]`), text.stdout);
      const json = await run(['--json', '--base-url', scripted({ events }), 'Hi'], { env: KEY_ENV });
      assert.equal(json.code, 0, json.stderr);
      assert.equal(textOfJson(json.stdout, 'reasoning'), `I saw ${STARS} there\n`);
      assert.equal(textOfJson(json.stdout, 'tool_call_delta'), `{"k":"${STARS}"}`);
      assert.ok(!json.stdout.includes(KEY), json.stdout);
    }
  });

  test('glued to the text around it ("x<key>y", "abc<key>"): stdout, --json, --record, an error body', async () => {
    // The configured key is a known string: no word boundary is needed to mask it (the core's
    // shape-based ScrubKeys only knows keys that start a word).
    const glued = `x${KEY}y abc${KEY}`;
    const masked = glued.replaceAll(KEY, STARS);
    const cuts = [[glued], [...glued], ...[2, 6, KEY.length].map((k) => [glued.slice(0, k), glued.slice(k)])];
    await inBatches(
      cuts.map((deltas, index) => async () => {
        const what = `deltas ${JSON.stringify(deltas)}`;
        const text = await run(['--base-url', scripted({ events: chatEvents(deltas) }), 'Hi'], { env: KEY_ENV });
        assert.equal(text.code, 0, text.stderr);
        assert.equal(text.stdout, `${masked}\n`, what);
        const file = path.join(tmp, `glued-${index}.rec`);
        const json = await run(['--json', '--record', file, '--base-url', scripted({ events: chatEvents(deltas) }), 'Hi'], { env: KEY_ENV });
        assert.equal(json.code, 0, json.stderr);
        assert.equal(textOfJson(json.stdout), masked, what);
        assert.ok(!readFileSync(file, 'latin1').includes(KEY.slice(3)), `${what}: the recording holds the key`);
      }),
    );
    // An error body echoing a secret --header value glued to other text: the core does not know
    // that secret, only the CLI's scrubber does.
    const token = 'tok-header-9876543210';
    const body = JSON.stringify({ error: { message: `bad token x${token} (abc${token})`, type: 'invalid_request_error' } });
    const url = scripted({ status: 401, body });
    const { code, stderr } = await run(['--retries', '0', '--header', `Authorization: Bearer ${token}`, '--base-url', url, 'Hi']);
    assert.equal(code, 4, stderr);
    const stars = '*'.repeat(token.length);
    assert.ok(stderr.includes(`bad token x${stars} (abc${stars})`), stderr);
  });

  test('a secret --header value, echoed in pieces', async () => {
    // Both the whole value and the token after "Bearer" are secrets (main.cpp MakeScrubber).
    const token = 'tok-header-9876543210';
    const deltas = ['Bearer ', token.slice(0, 4), token.slice(4, 11), token.slice(11)];
    const { code, stdout } = await run(['--header', `Authorization: Bearer ${token}`, '--base-url', scripted({ events: chatEvents(deltas) }), 'Hi']);
    assert.equal(code, 0);
    assert.equal(stdout, `${'*'.repeat('Bearer '.length + token.length)}\n`);
  });
});

describe('--record masks a key split across network reads', () => {
  test('the key whole in one delta, the body cut inside it', async () => {
    const body = sseText(chatEvents([`key=${KEY}!`]));
    const start = body.indexOf(KEY);
    await inBatches(
      Array.from({ length: KEY.length - 1 }, (_, i) => start + 1 + i).map((cut) => async () => {
        const file = path.join(tmp, `reads-${cut}.rec`);
        const url = scripted({ writes: [body.slice(0, cut), body.slice(cut)] });
        const live = await run(['--record', file, '--base-url', url, 'Hi'], { env: KEY_ENV });
        assert.equal(live.code, 0, live.stderr);
        assert.equal(live.stdout, `key=${STARS}!\n`);
        const recorded = readFileSync(file, 'latin1');
        assert.ok((recorded.match(/^@/gm) ?? []).length >= 2, 'the reads were recorded apart');
        assert.ok(!recorded.includes(KEY.slice(0, cut - start)) || !recorded.includes(KEY.slice(cut - start)), `cut ${cut}:\n${recorded}`);
        assert.ok(!recorded.includes(KEY.slice(3)) && !recorded.includes(KEY.slice(0, -3)), `cut ${cut}: the recording holds most of the key`);
        const replay = await run(['--speed', '0', '--replay', file]);
        assert.equal(replay.code, 0, replay.stderr);
        assert.equal(replay.stdout, `key=${STARS}!\n`);
      }),
    );
  });
});

describe('--record files are private', () => {
  // Under the usual umask (022) a file created with the default 0666 would be 0644; the CLI asks
  // for 0600 when it creates the file (no moment where it is readable by others).
  test('a new recording is created 0600', async () => {
    const file = path.join(tmp, 'private-new.rec');
    const { code, stderr } = await run(['--record', file, '--base-url', scripted({ events: chatEvents(['hi']) }), 'Hi']);
    assert.equal(code, 0, stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('an existing world-readable file is narrowed to 0600', async () => {
    const file = path.join(tmp, 'private-old.rec');
    writeFileSync(file, 'old content', { mode: 0o644 });
    const { code, stderr } = await run(['--record', file, '--base-url', scripted({ events: chatEvents(['hi']) }), 'Hi']);
    assert.equal(code, 0, stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').startsWith('#llmstream-recording v1\n'));
  });
});

// ---- crafted recordings -----------------------------------------------------------------------

// A minimal valid recording of one Chat Completions attempt answering "Hi"; `edit` rewrites its
// text (numbers, counts) to make it hostile.
const CHAT_BODY = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n';
function recording({ header = {}, attemptMs = 0, frameMs = '2.000', count, endMs = 3 } = {}) {
  const head = {
    provider: 'local',
    api: 'chat_completions',
    baseUrl: 'http://127.0.0.1:9',
    model: 'local-echo',
    request: { prompt: 'Hi', system: '' },
    retry: { maxRetries: 0, baseDelayMs: 500, maxDelayMs: 30000, jitter: 0.25 },
    timeouts: { firstByteMs: 60000, idleMs: 60000, totalMs: 0 },
    continuation: false,
    estimateUsage: true,
  };
  for (const [key, value] of Object.entries(header)) {
    if (typeof value === 'object') head[key] = { ...head[key], ...value };
    else head[key] = value;
  }
  return [
    '#llmstream-recording v1',
    JSON.stringify(head).replace(/"@raw:([^"]*)"/g, '$1'),
    `#attempt {"attempt":0,"ms":${attemptMs},"method":"POST","url":"http://127.0.0.1:9/v1/chat/completions","headers":[],"body":"{}"}`,
    '#response {"ms":1,"status":200,"headers":[["content-type","text/event-stream"]]}',
    `@${frameMs} ${count ?? Buffer.byteLength(CHAT_BODY)}`,
    CHAT_BODY,
    `#end {"ms":${endMs}}`,
    '',
  ].join('\n');
}

function writeRecording(name, text) {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

describe('--replay refuses crafted recordings (exit 3, at once)', () => {
  test('the hand-written recording these tests start from replays', async () => {
    const { code, stdout, stderr } = await run(['--replay', writeRecording('valid.rec', recording()), '--speed', '0']);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'Hi\n');
  });

  test('times at the documented bound (24 h) are accepted; --speed 0 does not wait for them', async () => {
    // The recorded timeouts are off: the replay's Session honours them on the recorded clock.
    const file = writeRecording(
      'day.rec',
      recording({
        header: { timeouts: { firstByteMs: 0, idleMs: 0, totalMs: 0 } },
        frameMs: '86400000.000',
        endMs: 86400000,
      }),
    );
    const { code, stdout, stderr } = await run(['--replay', file, '--speed', '0'], { deadlineMs: 5000 });
    assert.equal(code, 0, stderr);
    assert.equal(stdout, 'Hi\n');
  });

  const hostile = [
    // [name, recording options, what the error names]
    ['frame time nan (used to spin at 100% CPU)', { frameMs: 'nan' }, /line 5: frame time is not a time/],
    ['frame time inf', { frameMs: 'inf' }, /line 5: frame time/],
    ['frame time 1e12 (used to sleep for ever)', { frameMs: '1e12' }, /line 5: frame time/],
    ['frame time just beyond 24 h', { frameMs: '86400000.001' }, /line 5: frame time/],
    ['frame time negative', { frameMs: '-1' }, /line 5: frame time/],
    ['frame time with trailing junk', { frameMs: '2.0abc' }, /line 5: bad frame line/],
    ['byte count 2^64-1 (used to overflow and read out of bounds)', { count: '18446744073709551615' }, /line 5: frame of 18446744073709551615 bytes runs past the end/],
    ['byte count beyond the file', { count: '100000' }, /line 5: frame of 100000 bytes runs past the end/],
    ['byte count 2^64 (does not fit)', { count: '18446744073709551616' }, /line 5: bad frame line/],
    ['attempt time 1e12', { attemptMs: '1e12' }, /line 3: malformed: ms is not a time/],
    ['attempt time negative', { attemptMs: -5 }, /line 3: malformed: ms is not a time/],
    ['end time 1e400 (overflows a double)', { endMs: '1e400' }, /line 11: malformed/],
    ['retry delay beyond 24 h', { header: { retry: { baseDelayMs: 1e15 } } }, /line 2: malformed: baseDelayMs/],
    ['max retries 1e9', { header: { retry: { maxRetries: 1e9 } } }, /line 2: malformed: maxRetries/],
    ['retry count as a huge double (undefined to convert to int)', { header: { retry: { maxRetries: '@raw:1e300' } } }, /line 2: malformed: maxRetries/],
    ['jitter 5', { header: { retry: { jitter: 5 } } }, /line 2: malformed: jitter/],
    ['idle timeout negative', { header: { timeouts: { idleMs: -1 } } }, /line 2: malformed: idleMs/],
    ['max tokens beyond int', { header: { request: { prompt: 'Hi', maxTokens: 2 ** 40 } } }, /line 2: malformed: maxTokens/],
  ];
  hostile.forEach(([name, options, message], index) => {
    test(name, async () => {
      const file = writeRecording(`hostile-${index}.rec`, recording(options));
      const started = Date.now();
      const { code, stdout, stderr } = await run(['--replay', file], { deadlineMs: 5000 });
      assert.equal(code, 3, `exit ${code} (null = killed at the deadline); stderr:\n${stderr}`);
      assert.ok(Date.now() - started < 4000);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.ok(stderr.startsWith(`llmstream: error: ${file}: line `), stderr);
    });
  });
});

describe('file errors are file errors (exit 3)', () => {
  test('--replay DIR', async () => {
    const { code, stderr } = await run(['--replay', tmp]);
    assert.equal(code, 3, stderr);
    assert.equal(stderr, `llmstream: error: cannot read ${tmp}: Is a directory\n`);
  });

  test('llmstream < DIR (the prompt from stdin)', async () => {
    const fd = openSync(tmp, 'r');
    try {
      const { code, stderr } = await run(['--base-url', 'http://127.0.0.1:9'], { stdin: fd });
      assert.equal(code, 3, stderr);
      assert.equal(stderr, 'llmstream: error: cannot read the prompt from stdin: Is a directory\n');
    } finally {
      closeSync(fd);
    }
  });
});

// ---- deadlines and bounds ---------------------------------------------------------------------------

// A server that never ends: one word, then a keep-alive (or one byte of nothing) every 20 ms.
const chatChunk = (content) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content } }] })}\n\n`;
const neverEnding = (tick) => ({ writes: [chatChunk('Hello'), ...Array(400).fill(tick)], gapMs: 20 });

describe('deadlines and bounds (issue 13)', () => {
  test('--output-idle-timeout-ms ends a stream that only sends keep-alives (exit 6, stalled)', async () => {
    const url = scripted(neverEnding(': keep-alive\n\n'));
    const { code, stdout, stderr } = await run(['--base-url', url, '--output-idle-timeout-ms', '300', 'Hi']);
    assert.equal(code, 6, stderr);
    assert.equal(stdout.trim(), 'Hello');
    assert.match(stderr, /no output for 300 ms \(output idle timeout\)/);
  });

  test('--total-timeout-ms ends a stream that trickles bytes forever (exit 6, timeout)', async () => {
    const url = scripted(neverEnding('\n'));
    const { code, stderr } = await run(['--base-url', url, '--total-timeout-ms', '400', '--retries', '0', 'Hi']);
    assert.equal(code, 6, stderr);
    assert.match(stderr, /within 400 ms \(total timeout\)/);
  });

  test('--max-completion-bytes ends the stream (exit 1, completion_too_large), the partial printed', async () => {
    const url = scripted({ events: chatEvents(Array(50).fill('0123456789')) });
    const { code, stdout, stderr } = await run(['--base-url', url, '--max-completion-bytes', '95', 'Hi']);
    assert.equal(code, 1, stderr);
    assert.equal(stdout.trim(), '0123456789'.repeat(10));
    assert.match(stderr, /more than 95 bytes/);
  });

  test("the base URL's password and signature are masked when a server echoes them alone", async () => {
    const url = scripted({ events: chatEvents(['bad signature s1gS3CRET', ' for pAssW0rd42']) }).replace(
      'http://',
      'http://user:pAssW0rd42@',
    );
    const { code, stdout, stderr } = await run(['--base-url', `${url}?sig=s1gS3CRET`, 'Hi']);
    assert.equal(code, 0, stderr);
    assert.ok(!stdout.includes('s1gS3CRET') && !stdout.includes('pAssW0rd42'), stdout);
    assert.match(stdout, /bad signature \*+ for \*+/);
  });
});
