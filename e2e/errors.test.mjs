// Errors are shown clearly: name, code, HTTP status, message and retry hints; the fault buttons
// set the x-llmstream-scenario header of the request.

import { assert, setFields, waitForState } from './harness.mjs';

async function errorText(p) {
  assert((await waitForState(p, ['error', 'done'])) === 'error', 'the panel shows an error');
  const box = p.getByTestId('error');
  assert(await box.isVisible(), 'the error box is visible');
  assert((await box.getAttribute('role')) === 'alert', 'the error is announced (role=alert)');
  return box.textContent();
}

export const tests = [
  {
    name: 'HTTP 429 with Retry-After: a retry notice, then RateLimitError with the hint',
    async run({ panel, allowConsole }) {
      allowConsole(/status of 429/);
      const p = panel(0);
      await setFields(p, { retries: 1 });
      await p.getByTestId('fault-429').click();
      assert((await p.getByTestId('scenario').inputValue()) === 'status=429; retry_after=1', 'the button sets the scenario');
      await p.page().waitForFunction(() => /Retry 1 in \d+ ms/.test(document.querySelector('#p1 [data-testid=note]').textContent));
      const text = await errorText(p);
      for (const part of ['RateLimitError', 'rate_limited', 'HTTP 429', 'Retry-After: 1 s', 'attempts: 2']) {
        assert(text.includes(part), `error shows '${part}' (got: ${text})`);
      }
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('attempt 2') && wire.includes('retry-after: 1'), 'both attempts in the wire tab');
    },
  },
  {
    name: 'HTTP 500: ServerError',
    async run({ panel, allowConsole }) {
      allowConsole(/status of 500/);
      const p = panel(0);
      await setFields(p, { retries: 0 });
      await p.getByTestId('fault-500').click();
      const text = await errorText(p);
      for (const part of ['ServerError', 'HTTP 500', 'retryable']) assert(text.includes(part), `error shows '${part}' (got: ${text})`);
    },
  },
  {
    name: 'in-band provider error mid-stream: ProviderError, partial answer kept',
    async run({ panel }) {
      const p = panel(0);
      await p.getByTestId('fault-inband').click();
      const text = await errorText(p);
      assert(text.includes('ProviderError') && text.includes('provider_error'), `ProviderError shown (got: ${text})`);
      assert(text.includes('partial answer'), 'says the partial answer is kept');
      assert((await p.getByTestId('output').textContent()).length > 0, 'the partial answer stays');
    },
  },
  {
    name: 'connection reset mid-stream: a network error, partial answer kept',
    async run({ panel, base, allowConsole }) {
      allowConsole(/ERR_CONNECTION_RESET|net::/);
      const p = panel(0);
      await p.getByTestId('fault-reset').click();
      const text = await errorText(p);
      assert(text.includes('APIConnectionError') && text.includes('network'), `APIConnectionError shown (got: ${text})`);
      assert(text.includes('partial answer'), 'says the partial answer is kept');
      const log = await (await fetch(`${base}/_llmstream/requests`)).json();
      assert(log.at(-1).outcome === 'reset', 'the server reset the connection');
    },
  },
];

tests.push(
  {
    name: 'stall: the panel shows the silence live, the chart the gap, then the stream completes',
    async run({ panel }) {
      const p = panel(0);
      await p.getByTestId('fault-stall').click();
      await p.page().waitForFunction(() => /no token for [1-9]\.\d s/.test(document.querySelector('#p1 [data-testid=note]').textContent));
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream goes on after the stall');
      const chart = await p.getByTestId('chart').getAttribute('aria-label');
      const max = Number(/max (\d+) ms/.exec(chart)?.[1]);
      assert(max >= 2500, `the chart shows the ~3 s gap (${chart})`);
    },
  },
  {
    name: 'slow bytes: a body written one byte at a time still streams the whole answer',
    async run({ panel }) {
      const p = panel(0);
      await p.getByTestId('fault-slow').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const result = JSON.parse(await p.getByTestId('pane-result').textContent());
      assert(result.finishReason === 'stop' && result.text.length > 50, 'the whole answer');
      assert((await p.getByTestId('metric-tokens').textContent()).startsWith('20'), '20 tokens');
    },
  },
);
