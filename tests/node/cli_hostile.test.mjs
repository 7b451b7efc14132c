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
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-cli-hostile-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs the CLI to completion, killed after `deadlineMs`. `stdin`: a string, or a file descriptor.
 * Resolves {code, signal, stdout, stderr, stdoutBytes}; a killed run has code null.
 */
async function run(args, { env = {}, stdin = '', deadlineMs = 10000 } = {}) {
  assert.ok(existsSync(CLI), `the llmstream CLI is not built: ${CLI} is missing (or set LLMSTREAM_CLI)`);
  const child = spawn(CLI, args, {
    env: { ...BASE_ENV, ...env },
    stdio: [typeof stdin === 'number' ? stdin : 'pipe', 'pipe', 'pipe'],
  });
  const out = [];
  let stderr = '';
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  if (typeof stdin !== 'number') child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  const stdoutBytes = Buffer.concat(out);
  return { code, signal, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes };
}

const jsonLines = (stdout) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

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
