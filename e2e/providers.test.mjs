// The playground's provider and API lists are the package's provider table (abi.js, generated
// from the C++ core's), and the providers with wire APIs of their own (Gemini, Ollama, Cohere)
// stream from the local provider: the package fetches its full core module
// (llmstream_core_full.wasm) for the first of them, and never for an OpenAI-compatible stream;
// conversation mode's first turn fetches it too (conversations are the full module's), once.

import path from 'node:path';

import { chatMode, send } from './conversation-helpers.mjs';
import { REPO, assert, setFields, waitForRecord, waitForState } from './harness.mjs';

const abi = () => import(path.join(REPO, 'npm', 'dist', 'core', 'abi.js'));

const FULL_MODULE = /\/npm\/dist\/core\/llmstream_core_full\.(wasm|mjs)$/;

/** Every URL the page fetched since it opened: the resource timing entries (page load included). */
const fetchedSoFar = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));

/** Points panel `p` at `provider` on the local provider server (base URL: its origin) and streams `prompt`. */
async function streamFrom(p, base, provider, prompt) {
  await p.getByTestId('provider').selectOption(provider);
  await p.getByTestId('base-url').fill(base);
  await setFields(p, { prompt });
  await p.getByTestId('generate').click();
  const state = await waitForState(p, ['done', 'error']);
  assert(state === 'done', `${provider} completes (state ${state}: ${await p.getByTestId('note').textContent().catch(() => '')})`);
}

export const tests = [
  {
    name: "the provider and API lists are the package's provider table",
    async run({ panel }) {
      const { PROVIDERS, WIRE_APIS } = await abi();
      for (const i of [0, 1]) {
        const values = await panel(i).getByTestId('provider').locator('option').evaluateAll((os) => os.map((o) => o.value));
        assert(JSON.stringify(values) === JSON.stringify(PROVIDERS.map((p) => p.name)), `panel ${i + 1} providers: ${values}`);
        const apis = await panel(i).getByTestId('api').locator('option').evaluateAll((os) => os.map((o) => o.value));
        assert(JSON.stringify(apis) === JSON.stringify(['', ...WIRE_APIS]), `panel ${i + 1} APIs: ${apis}`);
      }
      const p = panel(0);
      assert((await p.getByTestId('provider').inputValue()) === 'local', 'the local provider is chosen at start');
      for (const facts of PROVIDERS.filter((f) => f.alias)) {
        const label = await p.getByTestId('provider').locator(`option[value="${facts.name}"]`).textContent();
        assert(label.includes(facts.alias), `${facts.name}'s option names its alias ${facts.alias}`);
      }
      for (const facts of PROVIDERS) {
        await p.getByTestId('provider').selectOption(facts.name);
        assert((await p.getByTestId('model').inputValue()) === facts.defaultModel, `${facts.name}: the default model`);
      }
      await p.getByTestId('provider').selectOption('azure');
      assert((await p.getByTestId('base-url').getAttribute('placeholder')).startsWith('required'), 'azure: a base URL is required');
      await p.getByTestId('provider').selectOption('gemini');
      assert((await p.getByTestId('base-url').getAttribute('placeholder')).includes('generativelanguage.googleapis.com'), "gemini: its default URL");
    },
  },
  {
    name: 'gemini, ollama and cohere stream from the local provider; only they fetch the full core module',
    async run({ page, panel, base }) {
      const requested = [];
      page.on('request', (r) => requested.push(r.url()));
      const fullFetches = async () => [...requested, ...(await fetchedSoFar(page))].filter((u) => FULL_MODULE.test(new URL(u).pathname));

      // An OpenAI-compatible stream (the local provider's Chat Completions): the core module.
      const run = Date.now();
      await setFields(panel(0), { prompt: 'Plain chat', scenario: `key=e2e-prov-chat-${run}` });
      await panel(0).getByTestId('generate').click();
      assert((await waitForState(panel(0), ['done', 'error'])) === 'done', 'the chat stream completes');
      assert((await waitForRecord(base, `e2e-prov-chat-${run}`)).outcome === 'completed', 'the server completed it');
      assert((await panel(0).getByTestId('output').textContent()).includes('You said: “Plain chat”'), 'the chat answer');
      assert((await fullFetches()).length === 0, `no full module for a Chat Completions stream: ${await fullFetches()}`);

      // Gemini: the first stream whose wire API the core module leaves out loads the full one.
      await streamFrom(panel(0), base, 'gemini', 'Hello Gemini');
      assert((await panel(0).getByTestId('output').textContent()).includes('You said: “Hello Gemini”'), 'the Gemini answer');
      const wire = await panel(0).getByTestId('pane-wire').textContent();
      assert(wire.includes('/v1beta/models/gemini-2.5-flash:streamGenerateContent'), 'the Gemini endpoint on the wire');
      const afterGemini = await fullFetches();
      assert(afterGemini.some((u) => u.endsWith('.wasm')), `the full module was fetched for Gemini: ${requested.join(' ')}`);
      assert(requested.filter((u) => u.endsWith('/llmstream_core_full.wasm')).length === 1, 'fetched once');

      // Ollama (NDJSON) and Cohere (named SSE events) reuse it.
      await streamFrom(panel(1), base, 'ollama', 'Hello Ollama');
      assert((await panel(1).getByTestId('output').textContent()).includes('You said: “Hello Ollama”'), 'the Ollama answer');
      assert((await panel(1).getByTestId('pane-wire').textContent()).includes('/api/chat'), 'the Ollama endpoint');
      await streamFrom(panel(1), base, 'cohere', 'Hello Cohere');
      assert((await panel(1).getByTestId('output').textContent()).includes('You said: “Hello Cohere”'), 'the Cohere answer');
      assert((await panel(1).getByTestId('pane-wire').textContent()).includes('/v2/chat'), 'the Cohere endpoint');
      assert(requested.filter((u) => u.endsWith('/llmstream_core_full.wasm')).length === 1, 'the full module is fetched once per page');
      for (const i of [0, 1]) {
        assert(/\d/.test(await panel(i).getByTestId('metric-ttft').textContent()), `panel ${i + 1} TTFT`);
      }
    },
  },
  {
    name: "conversation mode fetches the full core module once, on its first turn; plain streams never",
    async run({ page, panel }) {
      const requested = [];
      page.on('request', (r) => requested.push(r.url()));
      const fullFetches = async () => [...requested, ...(await fetchedSoFar(page))].filter((u) => FULL_MODULE.test(new URL(u).pathname));
      const wasmFetches = () => requested.filter((u) => u.endsWith('/llmstream_core_full.wasm')).length;
      const p = panel(0);
      await setFields(p, { prompt: 'Plain chat first' });
      await p.getByTestId('generate').click();
      assert((await waitForState(p, ['done', 'error'])) === 'done', 'the plain stream completes');
      assert((await fullFetches()).length === 0, `no full module for a plain stream: ${await fullFetches()}`);

      // Conversations (their message parts, each step's completion.message) are the full module's.
      await chatMode(p, { scenario: 'tool_steps=1; tool_call=2' });
      await send(p, 'First turn');
      assert(wasmFetches() === 1, `the first turn fetched the full module (${wasmFetches()} times)`);
      await send(p, 'Second turn');
      await p.getByTestId('conversation-mode').uncheck();
      await setFields(panel(1), { prompt: 'Plain chat after' });
      await panel(1).getByTestId('generate').click();
      assert((await waitForState(panel(1), ['done', 'error'])) === 'done', 'the other panel streams plainly');
      assert(wasmFetches() === 1, `fetched once per page (${wasmFetches()} times)`);
    },
  },
];
