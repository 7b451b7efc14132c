// "Via server": the page streams through this server's relay (/api/relay/<provider>, the
// package's createRelay) and never holds the provider key (issue 16). The e2e server holds an
// OpenAI key (harness.mjs SERVER_KEY) and points the openai relay at the local provider, so the
// provider's request log shows what the relay did upstream: one request per stream (no second
// one after a resume), client_disconnected after Stop. Nothing waits on time: DOM states, the
// page's own records and the provider's long-poll log.

import { replyTokens } from '../server/lib/textgen.mjs';
import { RELAY_MODELS, SERVER_KEY, artifactPath, assert, setFields, stopMidStream, waitForRecord, waitForState } from './harness.mjs';

const norm = (s) => s.replace(/\s+/g, ' ').trim();

/** The provider's request log for `key` (every record, final or not). */
async function records(base, key) {
  const res = await fetch(`${base}/_llmstream/requests?key=${encodeURIComponent(key)}`);
  return res.json();
}

/** Panel 1 on openai via server (the default for a provider the server relays), checked. */
async function viaServer(p) {
  await p.getByTestId('provider').selectOption('openai');
  assert(await p.getByTestId('via-server').isChecked(), 'via server is the default for a relayed hosted provider');
  assert(!(await p.getByTestId('api-key').isVisible()), 'no API key field via server');
  assert(await p.getByTestId('api-key').isDisabled(), 'the key field is disabled via server');
  const status = await p.getByTestId('relay-status').textContent();
  assert(status.includes('via server available for openai'), `the page says the server relays openai (${status})`);
}

/** Records, in the page, every distinct text of panel `n`'s output with the panel's state. */
async function recordOutput(page, n = 1) {
  await page.evaluate((id) => {
    const out = document.querySelector(`#p${id} [data-testid=output]`);
    window.__states = [];
    new MutationObserver(() => {
      const text = out.textContent;
      const state = document.getElementById(`p${id}`).dataset.state;
      if (window.__states.at(-1)?.text !== text) window.__states.push({ text, state });
    }).observe(out, { childList: true, subtree: true, characterData: true });
  }, n);
}

async function generate(p) {
  await p.getByTestId('generate').click();
  const state = await waitForState(p, ['done', 'error']);
  assert(state === 'done', `the stream completes (${state}: ${await p.getByTestId('error').textContent()})`);
  return norm(await p.getByTestId('output').textContent());
}

export const tests = [
  {
    name: 'via server: tokens arrive incrementally through the relay',
    async run({ page, panel, base }) {
      const p = panel(0);
      const prompt = 'Through the relay please';
      const key = `e2e-relay-incremental-${Date.now()}`;
      await viaServer(p);
      await setFields(p, { prompt, scenario: `pace_ms=40; tokens=30; key=${key}` });
      await recordOutput(page);
      const text = await generate(p);
      assert(text === norm(replyTokens(prompt, 30).join('')), 'the whole answer, as the local provider wrote it');
      const streaming = (await page.evaluate(() => window.__states)).filter((s) => s.state === 'streaming' && s.text);
      assert(streaming.length >= 5, `at least 5 distinct output states before done (saw ${streaming.length})`);
      for (let i = 1; i < streaming.length; i++) {
        assert(streaming[i].text.startsWith(streaming[i - 1].text.trimEnd()), 'each state extends the previous one');
      }
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('/api/relay/openai') && wire.includes('event: text'), 'the wire shows the relay stream');
      assert(!wire.includes('/v1/chat/completions'), 'the page never called the provider');
      const log = await records(base, key);
      assert(log.length === 1 && log[0].path === '/v1/chat/completions' && log[0].outcome === 'completed',
        `the relay made one upstream request (${JSON.stringify(log)})`);
      await page.screenshot({ path: artifactPath('relay.png') });
    },
  },
  {
    name: 'via server: Stop cancels the upstream request',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-relay-stop-${Date.now()}`;
      await viaServer(p);
      // The page's DELETE ?stream= makes the relay cancel its upstream: the provider sees it.
      await stopMidStream(p, base, key);
    },
  },
  {
    name: 'via server: a cut connection resumes with no gap, no duplicate, no second upstream request',
    async run({ page, panel, base, allowConsole }) {
      allowConsole(/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONNECTION|Failed to load resource/);
      const prompt = 'Resume me';
      const stamp = Date.now();
      // The same scenario direct, on the local provider (panel 2): the text to compare with.
      const direct = panel(1);
      await setFields(direct, { prompt, scenario: `pace_ms=20; tokens=40; key=e2e-relay-direct-${stamp}` });
      const directText = await generate(direct);
      assert(directText === norm(replyTokens(prompt, 40).join('')), 'the direct stream is the provider\'s text');

      const p = panel(0);
      const key = `e2e-relay-resume-${stamp}`;
      await viaServer(p);
      await setFields(p, { prompt, scenario: `pace_ms=20; tokens=40; key=${key}` });
      // The dev-only fault (LLMSTREAM_RELAY_FAULTS=1): the relay's first response is cut after
      // 900 bytes, past the start and metadata events, inside the text.
      await page.route('**/api/relay/openai', (route) => {
        const request = route.request();
        if (request.method() !== 'POST') return route.continue();
        return route.continue({ headers: { ...request.headers(), 'x-llmstream-relay-fault': 'cut_after_bytes=900' } });
      });
      const resumes = [];
      page.on('request', (r) => {
        if (r.method() === 'GET' && r.url().includes('/api/relay/openai?stream=')) resumes.push(r.headers()['last-event-id']);
      });
      const text = await generate(p);
      assert(resumes.length >= 1 && resumes.every((id) => /^\d+$/.test(id ?? '')), `the page resumed with Last-Event-ID (${JSON.stringify(resumes)})`);
      assert(text === directText, `the same text as the direct stream: no gap, no duplicate\n  via server: ${text}\n  direct:     ${directText}`);
      const log = await records(base, key);
      assert(log.length === 1 && log[0].outcome === 'completed', `exactly one upstream request (${JSON.stringify(log)})`);
    },
  },
  {
    name: 'via server: the server\'s key is nowhere in the page, its storage or its network traffic',
    async run({ page, panel }) {
      const seen = [];
      const bodies = [];
      const unread = [];
      page.on('request', (r) => seen.push(`${r.method()} ${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`));
      page.on('response', (r) => {
        seen.push(`${r.status()} ${r.url()} ${JSON.stringify(r.headers())}`);
        bodies.push(r.body().then((b) => seen.push(b.toString('utf8')), () => unread.push(r.url())));
      });
      // Chromium keeps no body of a streamed fetch for the protocol (body() fails on some), so
      // the relay's answers are read here as they pass: each is fetched whole, recorded, then
      // given to the page (buffered, which this test does not mind).
      const relayed = new Set();
      await page.route('**/api/relay/**', async (route) => {
        const response = await route.fetch();
        const body = await response.text();
        seen.push(body);
        relayed.add(route.request().url());
        await route.fulfill({ response, body });
      });
      // From the page's first request on (the relay list included).
      await page.reload();
      await page.waitForSelector('body[data-ready=true]');
      const p = panel(0);
      await viaServer(p);
      await setFields(p, { scenario: `tokens=10; key=e2e-relay-key-${Date.now()}` });
      await generate(p);
      await p.getByTestId('conversation-mode').check();
      await setFields(p, { prompt: 'Hello relay' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'a conversation turn via server completes');
      await Promise.all(bodies);
      const missed = unread.filter((url) => !relayed.has(url));
      assert(missed.length === 0, `every response body was read (${missed})`);
      assert(seen.some((s) => s.includes('event: start')), 'the relay streams were in the log');
      const leaks = seen.filter((s) => s.includes(SERVER_KEY));
      assert(leaks.length === 0, `the key is in the network log: ${leaks[0]?.slice(0, 200)}`);
      assert(!(await page.content()).includes(SERVER_KEY), 'the key is not in the page HTML');
      const storage = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
      assert(!storage.includes(SERVER_KEY), 'the key is not in localStorage, sessionStorage or document.cookie');
      const cookies = JSON.stringify(await page.context().cookies());
      assert(!cookies.includes(SERVER_KEY), 'the key is not in any cookie');
    },
  },
  {
    name: 'via server: the policy refuses a model it does not allow (PolicyViolationError)',
    async run({ panel, allowConsole }) {
      allowConsole(/status of 403/);
      const p = panel(0);
      await viaServer(p);
      await setFields(p, { model: 'gpt-4.1' });
      assert(!RELAY_MODELS.includes('gpt-4.1'), 'the model is not on the server\'s list');
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'error', 'the request fails');
      const error = await p.getByTestId('error').textContent();
      assert(error.includes('PolicyViolationError') && error.includes('policy_violation') && error.includes('HTTP 403'),
        `a visible PolicyViolationError (${error})`);
      assert(error.includes("model 'gpt-4.1' is not allowed"), 'the relay says why');
    },
  },
  {
    name: 'via server: conversation turns, and the demo tools run on the server',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-relay-chat-${Date.now()}`;
      await viaServer(p);
      await p.getByTestId('conversation-mode').check();
      assert(await p.getByTestId('fail-tool').isDisabled(), 'no failing tool via server (the tools are the server\'s)');
      await setFields(p, { scenario: `tool_steps=1; tool_call=2; pace_ms=10; key=${key}`, prompt: 'Weather in Paris, and 2 * (3 + 4)?' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', `the tool turn completes (${await p.getByTestId('error').textContent()})`);
      const results = await p.getByTestId('transcript').locator('[data-testid=tool-result]').allTextContents();
      assert(results.includes('14') && results.some((r) => r.includes('light rain')), `the server ran both tools (${results})`);
      // A second, plain turn: the conversation (with the first turn's steps) goes back through the relay.
      await p.getByTestId('tool-get_weather').uncheck();
      await p.getByTestId('tool-calculator').uncheck();
      await setFields(p, { scenario: `key=${key}-2`, prompt: 'Thanks' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', `the plain turn completes (${await p.getByTestId('error').textContent()})`);
      const second = await waitForRecord(base, `${key}-2`);
      assert(second.outcome === 'completed' && second.roles.startsWith('user assistant'), `the second request carries the first turn (${second.roles})`);
    },
  },
];
