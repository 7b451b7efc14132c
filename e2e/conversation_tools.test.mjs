// Conversation mode's tool loop against the local provider's scripted tool-calling model
// (`tool_steps=1; tool_call=2`): two parallel calls whose arguments fill in live (every state
// recorded by a MutationObserver in the page: nothing waits on time), their results, the final
// answer quoting them, the step timeline, and a demo tool made to fail (the package's loop runs
// the tools, so an error result is worded as its TOOL_LOOP texts say).

import { TOOL_LOOP } from '../npm/dist/core/abi.js';
import { fillToolMessage } from '../npm/src/tool-loop.js';
import { quoteResults } from '../server/lib/tool-steps.mjs';
import { WEATHER_PARIS, chatMode, norm, recordToolCalls, send, timelineOf } from './conversation-helpers.mjs';
import { artifactPath, assert } from './harness.mjs';

export const tests = [
  {
    name: 'conversation: two parallel tool calls fill in live, results, the answer quotes them, the timeline',
    async run({ page, panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-tools-${Date.now()}`;
      await chatMode(p, { scenario: `tool_steps=1; tool_call=2; pace_ms=25; key=${key}` });
      await recordToolCalls(page);
      await send(p, 'Weather in Paris, and 2 * (3 + 4)?');

      const calls = p.getByTestId('transcript').locator('[data-testid=step][data-step="1"] [data-testid=tool-call]');
      assert((await calls.count()) === 2, 'two tool calls in step 1');
      const final = [
        { name: 'get_weather', args: '{"city":"Paris"}', result: WEATHER_PARIS },
        { name: 'calculator', args: '{"expression":"2 * (3 + 4)"}', result: '14' },
      ];
      const seen = await page.evaluate(() => window.__calls);
      for (let i = 0; i < 2; i++) {
        const call = calls.nth(i);
        assert((await call.getByTestId('tool-name').textContent()) === final[i].name, `call ${i} is ${final[i].name}`);
        assert((await call.getByTestId('tool-args').textContent()) === final[i].args, `call ${i} arguments`);
        assert((await call.getAttribute('data-state')) === 'done', `call ${i} has its result`);
        assert((await call.getByTestId('tool-result').textContent()) === final[i].result, `call ${i} result`);
        const index = await call.getAttribute('data-index');
        const partial = seen.filter((s) => s.step === '1' && s.index === index && s.state === 'streaming' &&
          s.args.length > 0 && s.args.length < final[i].args.length && final[i].args.startsWith(s.args));
        assert(partial.length >= 2, `call ${i}: its arguments were seen filling in before the call completed (${JSON.stringify(seen.filter((s) => s.index === index))})`);
      }
      const answer = p.getByTestId('transcript').locator('[data-testid=step][data-step="2"] [data-testid=answer]');
      assert(norm(await answer.textContent()) === norm(quoteResults(final.map((f) => f.result))), `the final answer quotes both results (${await answer.textContent()})`);

      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2, `two steps, two requests (${records.length})`);
      assert(records[1].roles === 'user assistant tool tool', `step 2 sends the calls and both results (${records[1].roles})`);

      const step1 = await timelineOf(p, 1);
      const kinds1 = step1.map((e) => e.kind);
      assert(kinds1[0] === 'start' && kinds1[1] === 'first-token', `step 1 starts, then its first token (${kinds1})`);
      assert(kinds1.filter((k) => k === 'tool-call').length === 2 && kinds1.filter((k) => k === 'tool-result').length === 2, `step 1: two calls, two results (${kinds1})`);
      assert(kinds1.includes('usage') && kinds1.includes('end'), `step 1: usage and end (${kinds1})`);
      assert(step1.find((e) => e.kind === 'end').text.includes('tool_calls'), 'step 1 ends for its tool calls');
      assert(step1.some((e) => e.kind === 'tool-call' && e.text.includes('get_weather({"city":"Paris"})')), 'the call with its arguments');
      const step2 = await timelineOf(p, 2);
      const kinds2 = step2.map((e) => e.kind);
      assert(kinds2[0] === 'start' && kinds2.includes('first-token') && kinds2.includes('usage') && kinds2.includes('end'), `step 2 (${kinds2})`);
      assert(!kinds2.includes('tool-call') && step2.find((e) => e.kind === 'end').text.includes('stop'), 'step 2 is the answer');
      const ms = (e) => Number(/\+(\d+) ms/.exec(e.text)[1]);
      const times = [...step1, ...step2].map(ms);
      assert(times.every((t, i) => i === 0 || t >= times[i - 1]), `the timeline is in time order (${times})`);
      await page.screenshot({ path: artifactPath('conversation.png'), fullPage: true });
    },
  },
  {
    name: 'conversation: a failing demo tool is an error result the model gets',
    async run({ panel }) {
      const p = panel(0);
      await chatMode(p, { scenario: `tool_steps=1; tool_call=2; key=e2e-chat-fail-${Date.now()}`, failTool: 'calculator' });
      await send(p, 'Use both tools');
      const calls = p.getByTestId('transcript').locator('[data-testid=step][data-step="1"] [data-testid=tool-call]');
      assert((await calls.nth(0).getAttribute('data-state')) === 'done', 'get_weather succeeds');
      assert((await calls.nth(1).getAttribute('data-state')) === 'error', 'calculator fails');
      const error = await calls.nth(1).getByTestId('tool-result').textContent();
      // The package's loop words a throw (abi.js TOOL_LOOP, the C++ loop's texts); the reason is the page's.
      const expected = fillToolMessage(TOOL_LOOP.toolFailed, { name: 'calculator', why: 'calculator is unavailable (demo failure, "Make a tool fail")' });
      assert(error === expected, `the error result is shown (${error})`);
      assert((await calls.nth(1).getByTestId('tool-status').textContent()) === 'error result', 'marked as an error result');
      const kinds = (await timelineOf(p, 1)).map((e) => e.kind);
      assert(kinds.includes('tool-error') && kinds.includes('tool-result'), `the timeline shows one result and one error (${kinds})`);
      const answer = p.getByTestId('transcript').locator('[data-testid=step][data-step="2"] [data-testid=answer]');
      assert(norm(await answer.textContent()) === norm(quoteResults([WEATHER_PARIS, error])), 'the model got the error as a result and answered');
      assert((await p.getByTestId('error').isHidden()), 'a tool error is not an error of the turn');
    },
  },
];
