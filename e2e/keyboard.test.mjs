// Keyboard only: Tab to the prompt, type, Ctrl+Enter generates; Escape stops.

import { assert, waitForRecord, waitForState } from './harness.mjs';

export const tests = [
  {
    name: 'keyboard only: Tab to the prompt, type, Ctrl+Enter generates, Escape stops',
    async run({ page, panel, base }) {
      let presses = 0;
      while (!(await page.evaluate(() => document.activeElement?.id === 'p1-prompt'))) {
        assert(++presses <= 30, 'the first prompt is reachable with Tab');
        await page.keyboard.press('Tab');
      }
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert(outline !== 'none', 'the focus is visible');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Typed with the keyboard');
      await page.keyboard.press('Control+Enter');
      const p = panel(0);
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'Ctrl+Enter generated');
      assert((await p.getByTestId('output').textContent()).includes('Typed with the keyboard'), 'the typed prompt was sent');
      assert(await page.evaluate(() => document.activeElement?.id === 'p1-prompt'), 'the focus stays in the prompt');
      const status = await page.getByTestId('status').textContent();
      assert(status.startsWith('Panel 1: done'), `the status line announces it (${status})`);

      const key = `e2e-esc-${Date.now()}`;
      await p.getByTestId('scenario').fill(`pace_ms=50; tokens=300; key=${key}`);
      await p.getByTestId('prompt').focus();
      await page.keyboard.press('Control+Enter');
      await page.waitForFunction(() => document.querySelector('#p1 [data-testid=output]').textContent.length > 30);
      await page.keyboard.press('Escape');
      await waitForRecord(base, key, 'client_disconnected');
      assert((await waitForState(p, 'stopped')) === 'stopped', 'Escape stopped it');
    },
  },
];

tests.push({
  name: 'every control has an accessible name; inspector tabs work with arrow keys',
  async run({ page, panel }) {
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button, [role=tab]')]
        .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent.trim()))
        .map((e) => e.outerHTML.slice(0, 80)));
    assert(unnamed.length === 0, `controls without a name: ${unnamed.join(' | ')}`);
    const ids = await page.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id));
    assert(new Set(ids).size === ids.length, 'ids are unique');
    const p = panel(0);
    await p.getByTestId('tab-wire').focus();
    await page.keyboard.press('ArrowRight');
    assert((await p.getByTestId('tab-events').getAttribute('aria-selected')) === 'true', 'ArrowRight selects Events');
    assert(await page.evaluate(() => document.activeElement?.dataset.tab === 'events'), 'and focuses it');
    await page.keyboard.press('End');
    assert((await p.getByTestId('tab-result').getAttribute('aria-selected')) === 'true', 'End selects Result');
    assert(await p.getByTestId('pane-result').isVisible() && !(await p.getByTestId('pane-wire').isVisible()), 'only its pane shows');
  },
});
