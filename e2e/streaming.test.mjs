// Tokens arrive incrementally, metrics and the chart fill in, the inspector shows the wire, the
// normalized events and the result, and Stop aborts the request (the server sees it).

import { replyTokens } from '../server/lib/textgen.mjs';
import { artifactPath, assert, setFields, stopMidStream, waitForState } from './harness.mjs';

const norm = (s) => s.replace(/\s+/g, ' ').trim();

export const tests = [
  {
    name: 'tokens arrive incrementally; metrics, chart and inspector fill in',
    async run({ page, panel }) {
      const p = panel(0);
      const prompt = 'Incremental please';
      await setFields(p, { prompt, scenario: 'pace_ms=40; tokens=30; key=e2e-incremental' });
      // Every distinct text of the output while the panel streams, recorded by the page itself.
      await page.evaluate(() => {
        const out = document.querySelector('#p1 [data-testid=output]');
        window.__states = [];
        new MutationObserver(() => {
          const text = out.textContent;
          const state = document.getElementById('p1').dataset.state;
          if (window.__states.at(-1)?.text !== text) window.__states.push({ text, state });
        }).observe(out, { childList: true, subtree: true, characterData: true });
      });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const states = await page.evaluate(() => window.__states);
      const streaming = states.filter((s) => s.state === 'streaming' && s.text.length > 0);
      assert(streaming.length >= 5, `at least 5 distinct output states before done (saw ${streaming.length})`);
      for (let i = 1; i < streaming.length; i++) {
        assert(streaming[i].text.startsWith(streaming[i - 1].text.trimEnd()), 'each state extends the previous one');
      }
      if (!(await page.getByTestId('t-word').isDisabled())) {
        assert((await p.getByTestId('output').locator(':scope > .tail').count()) === 1,
          "rendered chunk by chunk by the package's safeMarkdown() stage");
      }
      const expected = replyTokens(prompt, 30).join('');
      assert(norm(await p.getByTestId('output').textContent()) === norm(expected), 'the whole answer is shown');

      for (const key of ['ttft', 'tps', 'itl-mean', 'itl-p95', 'itl-sd', 'tokens', 'time', 'chunks']) {
        const value = await p.getByTestId(`metric-${key}`).textContent();
        assert(/\d/.test(value), `metric ${key} shows a number (got '${value}')`);
      }
      assert((await p.getByTestId('metric-tokens').textContent()).startsWith('30'), '30 tokens');
      const chart = await p.getByTestId('chart').getAttribute('aria-label');
      assert(/\d+ gaps/.test(chart), `the chart describes its gaps (${chart})`);

      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('POST ') && wire.includes('HTTP 200') && wire.includes('data: [DONE]'), 'raw SSE frames');
      assert(wire.includes('x-llmstream-scenario: pace_ms=40'), 'the request headers are shown');
      await p.getByTestId('tab-events').click();
      const events = await p.getByTestId('pane-events').textContent();
      assert(events.includes('"type":"text"') && events.includes('"raw":{'), 'normalized chunks with raw objects');
      assert(events.includes('"type":"usage"') && events.includes('"type":"done"'), 'usage and done chunks');
      if (!(await page.getByTestId('t-word').isDisabled())) {
        assert(events.includes('"type":"metrics"'), 'live metrics chunks (metricsIntervalMs)');
      }
      await p.getByTestId('tab-result').click();
      const result = JSON.parse(await p.getByTestId('pane-result').textContent());
      assert(result.text === expected && result.finishReason === 'stop', 'the assembled result');
      await page.screenshot({ path: artifactPath('streaming.png') });
    },
  },
  {
    name: 'Stop aborts the request and the server sees the disconnect',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-stop-${Date.now()}`;
      await stopMidStream(p, base, key);
      assert((await p.getByTestId('output').textContent()).length > 40, 'the partial answer stays');
      assert(await p.getByTestId('stop').isDisabled(), 'Stop is disabled again');
    },
  },
];
