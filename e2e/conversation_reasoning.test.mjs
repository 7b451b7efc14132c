// Conversation mode sends back what each provider checks on the next request: the turns are the
// package's Conversation, each step's turn built by the core (completion.message), never rebuilt
// by the page. Anthropic with thinking on (the panel's Reasoning field): step 2 carries step 1's
// thinking block with its signature before the tool call, and the local provider, which verifies
// the signatures it issued and wants a thinking-on tool turn to open with its thinking
// (server/lib/anthropic-turns.mjs), accepts it. OpenAI Responses: the reasoning item goes back
// with its call. The request log's `roles` and `blocks` show what was sent.

import { quoteResults } from '../server/lib/tool-steps.mjs';
import { WEATHER_PARIS, chatMode, norm, send } from './conversation-helpers.mjs';
import { assert, setFields, waitForState } from './harness.mjs';

/** The wire tab's text from the heading of step `n` on (the page writes one per step). */
async function wireFrom(p, n) {
  await p.getByTestId('tab-wire').click();
  const wire = await p.getByTestId('pane-wire').textContent();
  const at = wire.indexOf(`════ step ${n} `);
  assert(at >= 0, `the wire tab has a heading for step ${n}`);
  return { before: wire.slice(0, at), from: wire.slice(at) };
}

export const tests = [
  {
    name: 'conversation with anthropic, thinking on: the thinking block and its signature go back, step 2 is accepted',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-thinking-${Date.now()}`;
      await p.getByTestId('provider').selectOption('anthropic');
      await p.getByTestId('base-url').fill(base);
      await p.getByTestId('reasoning-effort').fill('low'); // thinking on: a 1024-token budget
      await setFields(p, { maxTokens: 4096 });
      await chatMode(p, { scenario: `tool_steps=1; tool_call=1; reasoning=6; key=${key}` });
      await send(p, 'Weather in Paris?');

      const steps = p.getByTestId('transcript').locator('[data-testid=turn]').last().locator('[data-testid=step]');
      assert((await steps.count()) === 2, `two steps (${await steps.count()})`);
      assert((await steps.nth(0).getByTestId('step-reasoning').textContent()).length > 0, "step 1's thinking is shown");
      assert((await steps.nth(0).locator('[data-testid=tool-result]').textContent()) === WEATHER_PARIS, 'the tool ran');
      const answer = norm(await steps.nth(1).getByTestId('answer').textContent());
      assert(answer === norm(quoteResults([WEATHER_PARIS])), `the answer quotes the result (${answer})`);

      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2, `two requests (${records.length})`);
      assert(records.every((r) => r.outcome === 'completed'), `the provider accepted both (${records.map((r) => `${r.outcome} ${r.status}`)})`);
      assert(records[1].roles === 'user assistant user', `step 2's turns (${records[1].roles})`);
      assert(records[1].blocks === 'text thinking:signed,tool_use tool_result',
        `step 2 sends the thinking block, signed, before its call (${records[1].blocks})`);

      // Byte for byte: the signature step 1 streamed is the one step 2 sent, thinking on in both.
      const { before, from } = await wireFrom(p, 2);
      const streamed = /"type":"signature_delta","signature":"([^"]+)"/.exec(before);
      assert(streamed, 'step 1 streamed a signature');
      assert(from.includes(`"signature":"${streamed[1]}"`), "step 2's request carries that signature");
      for (const [name, text] of [['step 1', before], ['step 2', from]]) {
        assert(/"thinking":\{"type":"enabled","budget_tokens":1024\}/.test(text), `${name} asks for thinking`);
        assert(!text.includes('"temperature"'), `${name} sends no temperature (Anthropic takes only 1 with thinking)`);
      }
    },
  },
  {
    name: 'anthropic with Reasoning set: the temperature field says why it is not sent; cleared, it is sent again',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-thinking-temperature-${Date.now()}`;
      await p.getByTestId('provider').selectOption('anthropic');
      await p.getByTestId('base-url').fill(base);
      await setFields(p, { maxTokens: 4096, scenario: `tokens=4; key=${key}`, prompt: 'Hi' });
      const temperature = p.getByTestId('temperature');
      const note = p.getByTestId('temperature-note');
      assert(await temperature.isEnabled(), 'the temperature field is on without Reasoning');
      assert(!(await note.isVisible()), 'no note without Reasoning');

      const generate = async (what) => {
        await p.getByTestId('generate').click();
        const state = await waitForState(p, ['done', 'error']);
        assert(state === 'done', `${what} completes (state ${state}: ${await p.getByTestId('note').textContent()})`);
        await p.getByTestId('tab-wire').click();
        return p.getByTestId('pane-wire').textContent();
      };
      await p.getByTestId('reasoning-effort').fill('low');
      assert(await temperature.isDisabled(), 'Reasoning set: the temperature field is off');
      assert(await note.isVisible(), 'and says why');
      assert((await note.textContent()).includes('Anthropic takes no temperature but 1 while it thinks'), await note.textContent());
      const thinking = await generate('thinking on');
      assert(thinking.includes('"thinking":{"type":"enabled","budget_tokens":1024}'), 'the request asks for thinking');
      assert(!thinking.includes('"temperature"'), 'and sends no temperature');

      await p.getByTestId('reasoning-effort').fill('');
      assert(await temperature.isEnabled(), 'Reasoning cleared: the temperature field is on again');
      assert(!(await note.isVisible()), 'the note is gone');
      const plain = await generate('thinking off');
      assert(plain.includes('"temperature":0.7') && !plain.includes('"thinking"'), 'the temperature goes out, no thinking');

      // Another API than Anthropic's keeps its temperature with Reasoning set.
      await p.getByTestId('api').selectOption('chat_completions');
      await p.getByTestId('reasoning-effort').fill('low');
      assert(await temperature.isEnabled(), 'chat completions with Reasoning: the temperature field stays on');
      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2 && records.every((r) => r.outcome === 'completed'),
        `the provider accepted both (${records.map((r) => `${r.outcome} ${r.status}`)})`);
    },
  },
  {
    name: 'conversation with openai responses: the reasoning item goes back with its call, step 2 is accepted',
    async run({ panel, base }) {
      const p = panel(0);
      const key = `e2e-chat-resp-reasoning-${Date.now()}`;
      await p.getByTestId('api').selectOption('responses');
      await chatMode(p, { scenario: `tool_steps=1; tool_call=1; reasoning=6; key=${key}` });
      await send(p, 'Weather in Paris?');
      const records = await (await fetch(`${base}/_llmstream/requests?key=${key}`)).json();
      assert(records.length === 2, `two requests (${records.length})`);
      assert(records.every((r) => r.outcome === 'completed'), `the provider accepted both (${records.map((r) => `${r.outcome} ${r.status}`)})`);
      assert(records[1].roles === 'user reasoning function_call function_call_output',
        `step 2 sends the reasoning item before its call (${records[1].roles})`);
    },
  },
];
