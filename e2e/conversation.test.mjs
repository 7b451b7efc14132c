// Conversation mode against the local provider (no key): multi-turn (the second request carries
// the first turn: the request log's `roles`), reset, the step limit, Stop mid-step (reached
// with a server-side stall, nothing waits on time), and a tool turn through every wire API.
// The tool loop with the scripted model of `tool_steps`: conversation_tools.test.mjs.

import { replyTokens } from '../server/lib/textgen.mjs';
import { WEATHER_PARIS, chatMode, norm, send, timelineOf } from './conversation-helpers.mjs';
import { assert, setFields, waitForRecord, waitForState } from './harness.mjs';

export const tests = [
  {
    name: 'conversation: the second turn carries the first (request log roles)',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-turns-${Date.now()}`;
      await chatMode(p, { scenario: `tokens=6; reasoning=4; key=${key}` });
      await send(p, 'First question');
      await send(p, 'Second question');
      const turns = p.getByTestId('transcript').locator('[data-testid=turn]');
      assert((await turns.count()) === 4, 'two user turns, two assistant turns');
      assert((await turns.nth(0).getAttribute('data-role')) === 'user' && (await turns.nth(1).getAttribute('data-role')) === 'assistant', 'user, then assistant');
      assert(norm(await turns.nth(1).getByTestId('answer').textContent()) === norm(replyTokens('First question', 6).join('')), 'the first answer');
      assert(norm(await turns.nth(3).getByTestId('answer').textContent()) === norm(replyTokens('Second question', 6).join('')), 'the second answer');
      assert((await turns.nth(1).getByTestId('step-reasoning').textContent()).length > 0, "the step's reasoning is shown");
      assert((await p.getByTestId('prompt').inputValue()) === '', 'the message box is emptied after sending');
      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2, `two requests (${records.length})`);
      assert(records[0].roles === 'user', `the first request holds the first turn only (${records[0].roles})`);
      assert(records[1].roles === 'user assistant user', `the second request carries the first turn (${records[1].roles})`);
      await p.getByTestId('tab-wire').click();
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('"content":"First question"') && wire.includes('"content":"Second question"'), 'the second request body holds both user turns');

      await p.getByTestId('reset-conversation').click();
      assert((await turns.count()) === 0, 'reset empties the transcript');
      await send(p, 'Fresh start');
      const after = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(after.at(-1).roles === 'user', `after the reset a request holds the new turn only (${after.at(-1).roles})`);
    },
  },
  {
    name: 'conversation: the step limit stops the loop after the tools of the last step ran',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-limit-${Date.now()}`;
      await chatMode(p, { scenario: `tool_call=1; key=${key}`, maxSteps: 2 });
      await send(p, 'Keep calling');
      const steps = p.getByTestId('transcript').locator('[data-testid=turn]').last().locator('[data-testid=step]');
      assert((await steps.count()) === 2, 'two steps');
      assert((await steps.nth(1).locator('[data-testid=tool-call][data-state=done]').count()) === 1, "the last step's call ran");
      assert((await p.getByTestId('turn-note').textContent()).includes('step limit'), 'the turn says it hit the step limit');
      assert((await p.getByTestId('note').textContent()).includes('step limit'), 'so does the panel note');
      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2, `two requests, no third (${records.length})`);
      assert(records[1].roles === 'user assistant tool', `step 2 (${records[1].roles})`);
    },
  },
  {
    name: 'conversation: Stop mid-step (arguments half streamed) aborts the request and keeps the turn',
    async run({ page, panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-stop-${Date.now()}`;
      // Chat stream: role, call 0 (header + 5 fragments), call 1 header + 3 fragments, then stall.
      await chatMode(p, { scenario: `tool_call=2; stall_after=11; key=${key}` });
      await setFields(p, { prompt: 'Stop me' });
      await p.getByTestId('generate').click();
      await page.waitForFunction(() => {
        const calls = document.querySelectorAll('#p1 [data-testid=tool-call]');
        return calls.length === 2 && calls[1].querySelector('[data-testid=tool-args]').textContent === '{"expression":"';
      });
      await waitForRecord(base, key, 'stalled');
      const calls = p.getByTestId('transcript').locator('[data-testid=tool-call]');
      assert((await calls.nth(1).getAttribute('data-state')) === 'streaming', 'the second call is still streaming');
      assert((await p.getAttribute('data-state')) === 'streaming', 'the panel is streaming');
      await p.getByTestId('stop').click();
      const record = await waitForRecord(base, key, 'client_disconnected');
      assert(record.events_sent === 11, 'the server saw the disconnect mid-step');
      assert((await waitForState(p, 'stopped')) === 'stopped', 'the panel says stopped');
      // The turn ends once the stream has thrown its AbortError (the panel says stopped at once).
      await p.locator('[data-testid=turn][data-role=assistant][data-outcome]').last().waitFor();
      assert((await calls.nth(1).getAttribute('data-state')) === 'cancelled', 'the unfinished call is not run');
      assert((await calls.nth(1).getByTestId('tool-status').textContent()).startsWith('stopped'), 'and says so');
      const kinds = (await timelineOf(p, 1)).map((e) => e.kind);
      assert(kinds.at(-1) === 'stopped' && !kinds.includes('tool-result'), `the timeline ends with the stop (${kinds})`);
      assert((await p.getByTestId('turn-note').textContent()).startsWith('Stopped'), 'the turn says stopped');

      // The conversation goes on: the next request holds the stopped turn's user message.
      await setFields(p, { scenario: `tokens=3; key=${key}-next` });
      await send(p, 'Go on');
      const next = await (await fetch(`${base}/_llmstream/requests?key=${key}-next`)).json();
      assert(next[0].roles === 'user user', `the stopped turn stays in the conversation (${next[0].roles})`);
    },
  },
];

// Every wire API the local provider serves (hosted providers pointed at it through the base
// URL: the page's origin): a tool step (two calls, the step limit at 1), then
// a second turn whose request carries the calls and results in the provider's own shape.
const PROVIDERS = [
  { provider: 'local', api: 'responses', base: null, roles: 'user function_call function_call function_call_output function_call_output user' },
  { provider: 'anthropic', base: (b) => b, roles: 'user assistant user' },
  { provider: 'gemini', base: (b) => b, roles: 'user model user user' },
  { provider: 'cohere', base: (b) => b, roles: 'user assistant tool tool user' },
  { provider: 'ollama', base: (b) => b, roles: 'user assistant tool tool user' },
  { provider: 'bedrock', base: (b) => b, apiKey: 'local-bedrock-key', roles: 'user assistant user' },
];
for (const t of PROVIDERS) {
  const label = t.api ? `${t.provider} (${t.api})` : t.provider;
  tests.push({
    name: `conversation with ${label}: tool calls, results, and the next turn carries them`,
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-${t.provider}-${Date.now()}`;
      await p.getByTestId('provider').selectOption(t.provider);
      if (t.api) await p.getByTestId('api').selectOption(t.api);
      if (t.base) await p.getByTestId('base-url').fill(t.base(base)); // else the local provider's own
      if (t.apiKey) await p.getByTestId('api-key').fill(t.apiKey);
      assert(!(await p.getByTestId('scenario').isDisabled()), 'a base URL on the local provider takes scenarios');
      await chatMode(p, { scenario: `tool_call=2; key=${key}`, maxSteps: 1 });
      await send(p, 'Weather in Paris, and 2 * (3 + 4)?');
      const calls = p.getByTestId('transcript').locator('[data-testid=tool-call]');
      assert((await calls.count()) === 2, `two calls (${await calls.count()})`);
      assert((await calls.nth(0).getByTestId('tool-result').textContent()) === WEATHER_PARIS, 'the weather result');
      assert((await calls.nth(1).getByTestId('tool-result').textContent()) === '14', 'the calculator result');
      await setFields(p, { scenario: `tokens=4; key=${key}-2` });
      await send(p, 'Thanks');
      const answer = p.getByTestId('transcript').locator('[data-testid=turn]').last().getByTestId('answer');
      assert(norm(await answer.textContent()) === norm(replyTokens('Thanks', 4).join('')), 'the second answer');
      const [record] = await (await fetch(`${base}/_llmstream/requests?key=${key}-2`)).json();
      assert(record.outcome === 'completed', `the provider accepted the second turn (${record.outcome}, HTTP ${record.status})`);
      assert(record.roles === t.roles, `the second request carries the tool turn (${record.roles})`);
    },
  });
}
