// The e2e harness: starts the local provider serving the playground (port 0), launches Debian's
// chromium through playwright-core (toolchain.md §7.6), and gives each test a fresh page plus
// helpers. No sleeps: tests wait for DOM conditions or the server's request log.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { PROVIDERS } from '../npm/dist/core/abi.js';
import { launchChromium } from '../tests/node/support/chromium.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ARTIFACTS = path.join(REPO, 'build', 'e2e-artifacts');

/**
 * The OpenAI key the server holds in e2e runs (fresh each run): relay.test.mjs proves that it
 * reaches no page, storage or network message. The relay it enables points at the local
 * provider ({self}), allows two models (the policy test asks for a third) and honours the
 * dev-only cut fault (server/README.md, "Relays").
 */
export const SERVER_KEY = `sk-e2e-secret-${randomBytes(12).toString('hex')}`;
export const RELAY_MODELS = ['gpt-4o-mini', 'local-fast'];

/** The server's environment: the caller's, without any real provider key, plus the relay's. */
function serverEnv() {
  const env = { ...process.env };
  for (const { keyVariable } of PROVIDERS) delete env[keyVariable]; // the page's defaults stay known
  for (const name of Object.keys(env)) if (name.startsWith('LLMSTREAM_RELAY_')) delete env[name];
  return {
    ...env,
    OPENAI_API_KEY: SERVER_KEY,
    LLMSTREAM_RELAY_BASE_URL_OPENAI: '{self}/v1',
    LLMSTREAM_RELAY_MODELS_OPENAI: RELAY_MODELS.join(','),
    LLMSTREAM_RELAY_FAULTS: '1',
  };
}

/** Starts `node server/local-provider.mjs --web web --port 0`; resolves to {url, stop()}. */
export function startProvider() {
  const shared = process.env.LLMSTREAM_SHARED_DIR ?? path.resolve(REPO, '..', 'shared');
  const child = spawn(process.execPath, [
    path.join(REPO, 'server', 'local-provider.mjs'), '--port', '0', '--quiet',
    '--web', path.join(REPO, 'web'), '--fixtures', path.join(shared, 'fixtures'),
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      child.stdout.off('data', onData);
      resolve({
        url: m[1],
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`local provider exited (${code}): ${stderr}`)));
  });
}

/** Launches chromium headless at 1366x768 with a throwaway profile; resolves to {context, close()}. */
export function launchBrowser() {
  return launchChromium({ viewport: { width: 1366, height: 768 } });
}

/**
 * A fresh page on the playground, with problem collection. `expectConsole`: patterns of console
 * errors a test provokes on purpose (HTTP 429 / 500 show up as failed loads in the console).
 */
export async function openPlayground(context, base) {
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  const allowed = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (allowed.some((re) => re.test(text))) return;
    problems.push(`console: ${text}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready]', { timeout: 15_000 });
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true') throw new Error(`playground failed to load: ${await page.textContent('#status')}`);
  return {
    page,
    problems,
    dialogs,
    allowConsole: (re) => allowed.push(re),
    panel: (i) => page.locator('[data-testid=panel]').nth(i),
  };
}

/** Waits for the server's request log to show a final (or the given) outcome for key. */
export async function waitForRecord(base, key, outcome, timeoutMs = 10_000) {
  const q = new URLSearchParams({ key, timeout_ms: String(timeoutMs) });
  if (outcome) q.set('outcome', outcome);
  const res = await fetch(`${base}/_llmstream/requests/wait?${q}`);
  if (res.status !== 200) throw new Error(`no request with key=${key} reached ${outcome ?? 'a final outcome'}: ${await res.text()}`);
  return res.json();
}

export function artifactPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Sets a panel's fields (only those given). */
export async function setFields(panel, { scenario, retries, maxTokens, prompt, script, model }) {
  if (prompt !== undefined) await panel.getByTestId('prompt').fill(prompt);
  if (scenario !== undefined) await panel.getByTestId('scenario').fill(scenario);
  if (retries !== undefined) await panel.getByTestId('retries').fill(String(retries));
  if (maxTokens !== undefined) await panel.getByTestId('max-tokens').fill(String(maxTokens));
  if (model !== undefined) await panel.getByTestId('model').fill(model);
  if (script !== undefined) {
    await panel.locator('details.script > summary').click();
    await panel.getByTestId('script').fill(script);
  }
}

/** Waits until the panel's data-state is one of `states`; returns it. */
export async function waitForState(panel, states, timeout = 15_000) {
  const list = [].concat(states);
  await panel.page().waitForFunction(
    ([id, wanted]) => wanted.includes(document.getElementById(id)?.dataset.state),
    [await panel.getAttribute('id'), list],
    { timeout },
  );
  return panel.getAttribute('data-state');
}

/**
 * Starts panel `p` on a long stream (its scenario names `key`), clicks Stop once the output has
 * some text, and waits until the provider logs the request's client_disconnected; returns it.
 */
export async function stopMidStream(p, base, key) {
  await setFields(p, { scenario: `pace_ms=50; tokens=400; key=${key}`, maxTokens: 1000 });
  await p.getByTestId('generate').click();
  const id = await p.getAttribute('id');
  await p.page().waitForFunction((panelId) => document.querySelector(`#${panelId} [data-testid=output]`).textContent.length > 40, id);
  await p.getByTestId('stop').click();
  const record = await waitForRecord(base, key, 'client_disconnected');
  assert(record.events_sent < 400, 'stopped before the end');
  assert((await waitForState(p, 'stopped')) === 'stopped', 'the panel says stopped');
  return record;
}
