// Helpers of the conversation-mode e2e tests (conversation*.test.mjs).

import { assert, setFields, waitForState } from './harness.mjs';

export const norm = (s) => s.replace(/\s+/g, ' ').trim();
export const WEATHER_PARIS = '{"city":"Paris","temperature_c":18,"conditions":"light rain"}';

/** Turns panel 1 into conversation mode with these settings. */
export async function chatMode(p, { scenario, maxSteps, failTool } = {}) {
  await p.getByTestId('conversation-mode').check();
  assert(await p.getByTestId('conversation').isVisible(), 'the conversation view shows');
  assert(!(await p.getByTestId('output').isVisible()), 'the single output hides');
  if (scenario !== undefined) await setFields(p, { scenario });
  if (maxSteps !== undefined) await p.getByTestId('max-steps').fill(String(maxSteps));
  if (failTool !== undefined) await p.getByTestId('fail-tool').selectOption(failTool);
}

export async function send(p, text, state = 'done') {
  await setFields(p, { prompt: text });
  await p.getByTestId('generate').click();
  const got = await waitForState(p, [state, 'done', 'error', 'stopped']);
  assert(got === state, `the turn ends ${state} (got ${got}: ${await p.getByTestId('note').textContent()} ${await p.getByTestId('error').textContent()})`);
}

/** The timeline entries of one step of the last turn: [{kind, text}]. */
export function timelineOf(p, step) {
  return p.getByTestId('timeline').locator(':scope > li').last()
    .locator(`[data-testid=step][data-step="${step}"] [data-testid=step-event]`)
    .evaluateAll((els) => els.map((e) => ({ kind: e.dataset.kind, text: e.textContent })));
}

/** Records, in the page, every distinct (args, state) of every tool call while it streams. */
export async function recordToolCalls(page) {
  await page.evaluate(() => {
    const root = document.querySelector('#p1 [data-testid=transcript]');
    window.__calls = [];
    new MutationObserver(() => {
      for (const li of root.querySelectorAll('[data-testid=tool-call]')) {
        const step = li.closest('[data-testid=step]').dataset.step;
        const entry = { step, index: li.dataset.index, state: li.dataset.state, args: li.querySelector('[data-testid=tool-args]').textContent };
        const last = window.__calls.findLast((c) => c.step === entry.step && c.index === entry.index);
        if (!last || last.args !== entry.args || last.state !== entry.state) window.__calls.push(entry);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
  });
}
