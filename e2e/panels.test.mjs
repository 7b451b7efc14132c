// Two panels stream in parallel ("Generate all"), panels can be added and removed, and a
// recorded fixture replays through the local provider.

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { REPO, artifactPath, assert, setFields, waitForRecord, waitForState } from './harness.mjs';

export const tests = [
  {
    name: 'two panels stream in parallel and both complete',
    async run({ page, panel, base }) {
      const run = Date.now();
      await panel(0).locator('details.script > summary').click();
      await panel(0).getByTestId('sample-markdown').click();
      await setFields(panel(0), { scenario: `pace_ms=15; key=e2e-par-a-${run}` });
      await setFields(panel(1), { prompt: 'Right panel', scenario: `pace_ms=30; tokens=40; reasoning=8; key=e2e-par-b-${run}`, model: 'local-reasoning' });
      await page.getByTestId('generate-all').click();
      assert((await waitForState(panel(0), ['done', 'error'])) === 'done', 'panel 1 completes');
      assert((await waitForState(panel(1), ['done', 'error'])) === 'done', 'panel 2 completes');
      const a = await waitForRecord(base, `e2e-par-a-${run}`);
      const b = await waitForRecord(base, `e2e-par-b-${run}`);
      assert(a.outcome === 'completed' && b.outcome === 'completed', 'the server completed both');
      assert(a.started_ms < b.ended_ms && b.started_ms < a.ended_ms, 'the two requests overlapped in time');
      assert((await panel(0).getByTestId('output').locator('h1, h2, h3, h4, h5, h6').first().textContent()) === 'Streaming, rendered safely', 'panel 1 has its markdown answer');
      assert((await panel(1).getByTestId('output').textContent()).includes('Right panel'), 'panel 2 has its answer');
      assert((await panel(1).getByTestId('reasoning').textContent()).length > 0, 'panel 2 shows its reasoning');
      for (const i of [0, 1]) {
        assert(/\d/.test(await panel(i).getByTestId('metric-ttft').textContent()), `panel ${i + 1} TTFT`);
      }
      await page.locator('details.script').first().evaluate((d) => { d.open = false; });
      await page.screenshot({ path: artifactPath('playground.png') });
      await page.screenshot({ path: artifactPath('playground-full.png'), fullPage: true });
    },
  },
  {
    name: 'panels can be added and removed',
    async run({ page }) {
      const count = () => page.locator('[data-testid=panel]').count();
      assert((await count()) === 2, 'two panels at start');
      await page.getByTestId('add-panel').click();
      assert((await count()) === 3, 'a third panel');
      assert(await page.evaluate(() => document.activeElement?.id === 'p3-prompt'), 'focus moves to the new prompt');
      await page.locator('#p2').getByTestId('remove').click();
      assert((await count()) === 2, 'back to two');
      assert(await page.locator('#p2').count() === 0 && await page.locator('#p3').count() === 1, 'panel 2 is gone');
    },
  },
  {
    name: 'a recorded fixture replays (Anthropic thinking + markdown)',
    async run({ panel }) {
      const name = 'anthropic-thinking-signature';
      const shared = process.env.LLMSTREAM_SHARED_DIR ?? path.resolve(REPO, '..', 'shared');
      const expected = JSON.parse(readFileSync(path.join(shared, 'fixtures', 'expected.json'), 'utf8'))[`${name}.sse`];
      const text = expected.blocks.find((b) => b.type === 'text').text;
      const p = panel(0);
      const options = await p.getByTestId('fixture').locator('option').allTextContents();
      assert(options.includes(name) && options.length > 10, `the fixtures are listed (${options.length})`);
      await p.getByTestId('fixture').selectOption(name);
      await p.getByTestId('replay').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the replay completes');
      const result = JSON.parse(await p.getByTestId('pane-result').textContent());
      assert(result.text === text, 'the assembled text is the recording\'s');
      assert((await p.getByTestId('reasoning').textContent()).includes('pelican'), 'the thinking is shown');
      assert((await p.getByTestId('output').locator('strong').first().textContent()) === 'Pouch', 'markdown is rendered');
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('event: message_start') && wire.includes('fixture=' + name), 'the recorded frames on the wire');
    },
  },
];
