// The transform toggles go through the package's pipe(): the content filter masks words, and
// word stream + batching + smoothing + typing effect still deliver the whole text. Skipped when
// the package build has no transforms (the toggles are disabled then).

import { replyTokens } from '../server/lib/textgen.mjs';
import { assert, setFields, waitForState } from './harness.mjs';

const norm = (s) => s.replace(/\s+/g, ' ').trim();

async function available(page, skip) {
  if (await page.getByTestId('t-word').isDisabled()) {
    skip('this package build exports no transforms');
    return false;
  }
  return true;
}

export const tests = [
  {
    name: 'transforms: the content filter masks words',
    async run({ page, panel, skip }) {
      if (!(await available(page, skip))) return;
      await page.getByTestId('t-filter').check();
      await page.getByTestId('t-filter-words').fill('secret, hidden');
      const p = panel(0);
      await setFields(p, { scenario: 'pace_ms=10', script: 'alpha secret beta hidden gamma. The secret is out.' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const text = await p.getByTestId('output').textContent();
      assert(!/secret|hidden/i.test(text), `no filtered word left (${text})`);
      assert(text.includes('alpha') && text.includes('***') && text.includes('gamma'), `the rest stays (${text})`);
    },
  },
  {
    name: 'transforms: word stream, batching, smoothing and typing effect keep the text',
    async run({ page, panel, skip }) {
      if (!(await available(page, skip))) return;
      for (const id of ['t-word', 't-batch', 't-smooth', 't-typing']) await page.getByTestId(id).check();
      await page.locator('#t-typing-cps').fill('1500');
      const p = panel(0);
      const prompt = 'Transforms on';
      await setFields(p, { prompt, scenario: 'pace_ms=10; tokens=25' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const note = await p.getByTestId('note').textContent();
      assert(note.startsWith('Done'), `done (${note})`);
      const expected = replyTokens(prompt, 25).join('');
      assert(norm(await p.getByTestId('output').textContent()) === norm(expected), 'the whole text arrives');
    },
  },
];
