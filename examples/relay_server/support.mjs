// What test.mjs and load.mjs share: starting the local provider and the relay as child processes
// (each prints one "listening on http://..." line first) and POSTing to the relay.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Resolves with the first stdout line matching `pattern` (its match), or rejects at the deadline. */
function waitForLine(child, pattern, what, deadlineMs = 15000) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${deadlineMs} ms: ${out}`)), deadlineMs);
    const onData = (data) => {
      out += data;
      const match = out.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening: ${out}`));
    });
  });
}

/** Calls `onLine(line)` for every complete line of a text stream. */
export function onLines(stream, onLine) {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (data) => {
    const lines = (partial + data).split('\n');
    partial = lines.pop();
    for (const line of lines) onLine(line);
  });
}

/**
 * The local provider on a free port. Its stderr (one line per request as it ends, unless quiet)
 * is collected in `lines`; `waitForStderr(re, ms)` resolves with the first line matching.
 */
export async function startProvider({ paceMs = 20, quiet = false, extraArgs = [] } = {}) {
  const args = [path.join(REPO, 'server', 'local-provider.mjs'), '--port', '0', '--pace-ms', String(paceMs), ...extraArgs];
  if (quiet) args.push('--quiet');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = new Set();
  onLines(child.stderr, (line) => {
    lines.push(line);
    for (const waiter of waiters) waiter(line);
  });
  const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'the local provider');
  const waitForStderr = (re, ms) =>
    new Promise((resolve, reject) => {
      const found = lines.find((l) => re.test(l));
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no stderr line matching ${re} within ${ms} ms; lines: ${lines.join(' | ')}`));
      }, ms);
      const waiter = (line) => {
        if (!re.test(line)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(line);
      };
      waiters.add(waiter);
    });
  return { child, url, lines, waitForStderr, stop: () => stop(child) };
}

/** The relay server binary (`bin`) on a free port, upstream at the local provider `providerUrl`. */
export async function startRelay(bin, providerUrl, extraArgs = []) {
  const args = ['--port', '0', '--provider', 'local', '--base-url', `${providerUrl}/v1`, ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } });
  const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+\/\S*)/, 'the relay');
  return { child, url, stop: () => stop(child) };
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** POSTs `body` (an object, sent as JSON) to the relay; resolves with the response (not read). */
export function post(url, body, { headers = {}, agent = false } = {}) {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'llmstream-relay': '1', 'content-length': Buffer.byteLength(data), ...headers },
    });
    request.once('response', (response) => resolve({ request, response }));
    request.once('error', reject);
    request.end(data);
  });
}

/** Any request with a JSON (or empty) answer: {status, headers, json}. */
export function call(url, method, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false, headers });
    request.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d) => (text += d));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text, json: text ? JSON.parse(text) : null }));
    });
    request.once('error', reject);
    request.end(body);
  });
}
