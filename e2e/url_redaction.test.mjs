// A base URL's secrets (a password in its userinfo, a signature in its query) never show on the
// page: not in the wire inspector's request line, not in the error box, the events or the result.

import { assert, setFields, waitForState } from './harness.mjs';

const PASS = 'PASSWORD-0xC0FFEE';
const SECRET = 'SIGNATURE-0xBADC0DE';

/** Everything the page shows or keeps: its text (the inspector's three tabs included), its
 * markup, its storage. */
async function shownText(page, p) {
  const parts = [await page.locator('body').innerText()];
  for (const tab of ['wire', 'events', 'result']) parts.push(await p.getByTestId(`pane-${tab}`).textContent());
  parts.push(await page.evaluate(() => document.documentElement.outerHTML + JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie));
  return parts.join('\n');
}

/** A compatible-provider panel (its connection settings open) aimed at `baseURL`. */
async function aim(p, baseURL) {
  await setFields(p, { prompt: 'Hi', retries: 0 });
  await p.getByTestId('provider').selectOption('compatible');
  await p.getByTestId('model').fill('local-echo');
  await p.getByTestId('base-url').fill(baseURL);
}

export const tests = [
  {
    // The local provider reads its query as scenario keys: `key` (a label for its request log) is
    // one of them, and a secret-named parameter.
    name: 'a key in the base URL: the inspector shows ?key=[redacted], the stream works',
    async run({ page, panel, base }) {
      const p = panel(0);
      await aim(p, `${base}/v1?key=${SECRET}`);
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('/v1/chat/completions?key=[redacted]'), `the request line is redacted (got: ${wire.slice(0, 300)})`);
      assert(!(await shownText(page, p)).includes(SECRET), 'the key shows nowhere');
    },
  },
  {
    name: 'a base URL with a password: fetch refuses it, the error and the inspector show it redacted',
    async run({ page, panel, base, allowConsole }) {
      allowConsole(/credentials|fetch/i);
      const p = panel(0);
      await aim(p, `${base.replace('://', `://user:${PASS}@`)}/v1?sig=${SECRET}`);
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'error', 'the browser refuses the URL');
      const error = await p.getByTestId('error').textContent();
      assert(error.includes('APIConnectionError'), `a connection error (got: ${error})`);
      assert(error.includes('user:[redacted]@'), `the message names the URL, redacted (got: ${error})`);
      const wire = await p.getByTestId('pane-wire').textContent();
      assert(wire.includes('user:[redacted]@') && wire.includes('sig=[redacted]'), `the request line is redacted (got: ${wire.slice(0, 300)})`);
      const shown = await shownText(page, p);
      for (const secret of [PASS, SECRET]) assert(!shown.includes(secret), `${secret} shows nowhere`);
    },
  },
];
