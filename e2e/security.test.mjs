// Model output is untrusted: an XSS payload streamed by the server (img onerror, script, svg
// onload, iframe, javascript: links) must stay inert text.

import { assert, setFields, waitForState } from './harness.mjs';

export const tests = [
  {
    name: 'an XSS payload streamed from the server stays inert',
    async run({ page, panel, dialogs }) {
      const p = panel(0);
      await p.locator('details.script > summary').click();
      await p.getByTestId('sample-xss').click();
      await setFields(p, { scenario: 'pace_ms=5', maxTokens: 400 });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
      const out = p.getByTestId('output');
      const text = await out.textContent();
      assert(text.includes('onerror') && text.includes('<script>') && text.includes('End of payload.'), `the payload is shown as text (${text})`);
      const found = await page.evaluate(() => {
        const root = document.querySelector('#p1 [data-testid=output]');
        const all = [...document.querySelectorAll('*')];
        return {
          pwned: window.__pwned,
          dangerous: root.querySelectorAll('img, script, svg, iframe, object, embed, style, link, form, input').length,
          jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => !/^(https?|mailto):/.test(a.href)).length,
          handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
          scripts: document.scripts.length,
        };
      });
      assert(found.pwned === undefined, 'no injected global');
      assert(found.dangerous === 0, 'no dangerous elements in the output');
      assert(found.jsLinks === 0, 'no javascript: links');
      assert(found.handlers === 0, 'no event handler attributes anywhere');
      assert(found.scripts === 1, 'only the page\'s own script');
      assert(dialogs.length === 0, 'no dialog opened');
      // The inspector shows the same bytes, as text only.
      const wireChildren = await p.getByTestId('pane-wire').evaluate((pre) => pre.children.length);
      assert(wireChildren === 0, 'the wire tab holds text nodes only');
    },
  },
];

tests.push({
  name: 'an API key stays in memory: redacted on the wire tab, never stored',
  async run({ page, panel, base }) {
    const p = panel(0);
    const secret = 'sk-e2e-SECRET-4242';
    await p.getByTestId('provider').selectOption('compatible');
    await p.getByTestId('base-url').fill(`${base}/v1`);
    await p.getByTestId('model').fill('local-echo');
    await p.getByTestId('api-key').fill(secret);
    await p.getByTestId('generate').click();
    assert((await waitForState(p, ['done', 'error'])) === 'done', 'the stream completes');
    const wire = await p.getByTestId('pane-wire').textContent();
    assert(/authorization: \[redacted\]/i.test(wire), 'the Authorization header is shown redacted');
    const leaks = await page.evaluate((s) => ({
      html: document.documentElement.outerHTML.includes(s),
      text: document.body.innerText.includes(s),
      storage: JSON.stringify({ ...localStorage }).includes(s) || JSON.stringify({ ...sessionStorage }).includes(s),
      cookie: document.cookie.includes(s),
    }), secret);
    assert(!leaks.html && !leaks.text && !leaks.storage && !leaks.cookie, `the key is nowhere (${JSON.stringify(leaks)})`);
  },
});
