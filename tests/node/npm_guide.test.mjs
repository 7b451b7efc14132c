// Every JavaScript example of the seed guide (shared/docs/seed-streaming-guide.md), run against
// the npm package and the local provider. The examples live in tests/node/guide/, copied from the
// guide with only the import and the baseURL changed (checked here: every guide block must appear
// verbatim, after those substitutions, in one of the files); each file's harness section runs the
// example's classes and prints one RESULT line, which the tests below check against the local
// provider's deterministic answers.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import { GUIDE_DIR, runGuideExample } from './support/guide.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = process.env.LLMSTREAM_SHARED_DIR ?? path.join(REPO, '..', 'shared');
const GUIDE = path.join(SHARED, 'docs', 'seed-streaming-guide.md');

let provider;
before(async () => {
  provider = await startServer({ port: 0, paceMs: 0, log: () => {} });
});
after(() => provider?.close());

/** The local provider's answer to `prompt` (40 tokens unless maxTokens cuts it). */
function expected(prompt, maxTokens = Infinity) {
  return replyTokens(prompt, 40).slice(0, maxTokens).join('');
}

/** Runs tests/node/guide/<name> against the local provider (support/guide.mjs). */
const runExample = (name) => runGuideExample(name, provider.url);

const joinText = (items, field = 'text') => items.map((i) => i[field] ?? '').join('');

describe('the guide examples are the guide\'s code', () => {
  test('every javascript block of the seed guide appears in tests/node/guide/ with only the allowed changes', () => {
    assert.ok(existsSync(GUIDE), `seed guide not found at ${GUIDE} (set LLMSTREAM_SHARED_DIR)`);
    const lines = readFileSync(GUIDE, 'utf8').split('\n');
    const blocks = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '```javascript') continue;
      const body = [];
      for (i++; lines[i].trim() !== '```'; i++) body.push(lines[i]);
      blocks.push(body.join('\n'));
    }
    assert.equal(blocks.length, 20);
    const adapt = (code) =>
      code
        .replace("import { APILoader } from 'llm-runner-router';\n", '')
        .replace(/new APILoader\(\{ provider: '(\w+)' \}\)/g, "new APILoader({ provider: '$1', baseURL: BASE_URL })")
        .replace('new APILoader({ provider })', 'new APILoader({ provider, baseURL: BASE_URL })')
        .replace('  async streamWithFunctions(options) {', '  async* streamWithFunctions(options) {')
        .trimEnd();
    const files = readdirSync(GUIDE_DIR)
      .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
      .map((f) => readFileSync(path.join(GUIDE_DIR, f), 'utf8'));
    blocks.forEach((block, i) => {
      const code = adapt(block);
      assert.ok(files.some((f) => f.includes(code)), `guide block ${i} is not in tests/node/guide/:\n${code.slice(0, 200)}`);
    });
  });
});

describe('seed guide examples against the local provider', () => {
  test('Simple Stream Example', async () => {
    const { stdout, result } = await runExample('basic.mjs');
    const text = expected('Write a story about a brave knight', 500);
    assert.equal(result.text, text);
    assert.ok(stdout.startsWith(text), 'the text is written to stdout as it arrives');
    assert.equal(result.model, 'gpt-4-turbo-preview');
    assert.ok(result.usage.totalTokens > 40);
  });

  test('Streaming with Metadata: text, metadata, usage and cost chunks', async () => {
    const { stdout, result } = await runExample('metadata.mjs');
    assert.equal(result.fullText, expected('Explain quantum computing', 300));
    assert.equal(result.tokenCount, 40);
    assert.match(stdout, /Metadata: \{/);
    assert.match(stdout, new RegExp(`Total tokens: ${result.usage.totalTokens}\\b`));
    assert.equal(result.usage.completionTokens, 40);
    // The default model (gpt-4o-mini) has a price: the cost is real.
    assert.ok(result.cost > 0, `cost ${result.cost}`);
    assert.equal(result.costDetails.source, 'price_table');
    assert.match(stdout, new RegExp(`Cost: \\$ ${result.cost.toFixed(4).replace('.', '\\.')}`));
  });

  test('Custom Stream Processing (StreamProcessor, Anthropic)', async () => {
    const { stdout, result } = await runExample('stream-processor.mjs');
    const words = result.items.filter((i) => i.type === 'word');
    assert.equal(joinText(words, 'content'), expected('Tell me about AI'));
    assert.ok(result.items.some((i) => i.type === 'metadata'));
    const complete = result.items.at(-1);
    assert.equal(complete.type, 'complete');
    assert.equal(complete.totalWords, words.length);
    assert.match(stdout, /Streaming complete\. Total words: \d+/);
  });

  test('Transform Streams: markdown, typing effect, content filter', async () => {
    const { result } = await runExample('transforms.mjs');
    assert.equal(joinText(result.markdown), result.text);
    assert.ok(result.markdown.some((i) => i.formatted.includes('<pre><code>')));
    assert.equal(joinText(result.typing), result.text);
    assert.ok(result.typing.every((i) => [...i.text].length === 1));
    assert.equal(joinText(result.filtered), result.text.replace('streamed', '[filtered]'));
    assert.ok(result.filtered.some((i) => i.wasFiltered));
  });

  test('Handling Different Chunk Types (ChunkHandler)', async () => {
    const { stdout, stderr, result } = await runExample('chunk-handler.mjs');
    assert.equal(result.plain.fullText, expected('Hello handlers', 12));
    assert.ok(result.plain.metadata.id, 'metadata chunks give the response id');
    assert.equal(result.plain.metadata.model, 'gpt-4o-mini');
    assert.equal(result.withTools.fullText, '');
    assert.equal(result.withTools.functionCalls.length, 1);
    const call = result.withTools.functionCalls[0];
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof JSON.parse(call.arguments).city, 'string');
    assert.match(stdout, /Function call: get_weather/);
    assert.match(stdout, /Stream complete in \d+ms/);
    // A failing stream: the error chunk reaches handleError, then the loop throws.
    assert.match(stderr, /Stream error:/);
    assert.equal(result.failure.name, 'ProviderError');
    assert.equal(result.failure.code, 'provider_error');
    assert.ok(result.failure.partialText.length > 0);
  });

  test('Buffering and Batching (StreamBuffer)', async () => {
    const { stdout } = await runExample('buffering.mjs');
    const batches = stdout
      .split('\n')
      .map((l) => l.match(/^Batch of (\d+) chunks: ?(.*)$/))
      .filter(Boolean);
    assert.ok(batches.length > 1);
    assert.ok(batches.every((m) => Number(m[1]) >= 1 && Number(m[1]) <= 5));
    assert.equal(batches.map((m) => m[2]).join(''), expected('...'));
  });

  test('Managing Stream Flow (BackpressureManager)', async () => {
    const { result } = await runExample('backpressure.mjs');
    assert.equal(result.text, expected('Backpressure please'));
    assert.equal(result.status.queueSize, 0);
    assert.equal(result.status.isPaused, false);
  });

  test('Adaptive Streaming (Groq)', async () => {
    const { result } = await runExample('adaptive.mjs');
    assert.equal(result.text, expected('Adapt to me', 20));
    assert.ok(result.samples >= 20);
    assert.equal(result.last.chunkNumber, result.samples);
    assert.equal(typeof result.last.averageProcessingTime, 'number');
  });

  test("OpenAI Streaming: the provider's own chunks with raw: 'only'", async () => {
    const { result } = await runExample('openai.mjs');
    const texts = result.items.filter((i) => i.type === 'text');
    assert.equal(joinText(texts, 'content'), expected('Hello OpenAI'));
    assert.deepEqual(result.items.at(-1), { type: 'done', reason: 'stop', usage: null });
    assert.equal(result.toolItems.filter((i) => i.type === 'text').length, 0);
    assert.equal(result.toolItems.at(-1).reason, 'tool_calls');
  });

  test("Anthropic Streaming: the provider's own events with raw: 'only'", async () => {
    const { result } = await runExample('anthropic.mjs');
    const [start, blockStart] = result.items;
    assert.equal(start.type, 'start');
    assert.equal(start.model, 'claude-3-sonnet-20240229');
    assert.match(start.id, /^msg_/);
    assert.deepEqual(blockStart, { type: 'block_start', index: 0, contentType: 'text' });
    const text = expected('Hello Anthropic', 100);
    assert.equal(result.items.filter((i) => i.type === 'text').at(-1).totalText, text);
    assert.equal(result.items.find((i) => i.type === 'usage').outputTokens, 40);
    assert.deepEqual(result.items.at(-1), { type: 'complete', stopReason: 'end_turn', totalText: text });
    // The in-band error event is yielded, then the stream throws.
    const errorItem = result.failing.find((i) => i.type === 'error');
    assert.equal(errorItem.error.type, 'overloaded_error');
    assert.equal(result.failure.name, 'ProviderError');
    assert.equal(result.failure.providerType, 'overloaded_error');
  });

  test('Groq Streaming: the benchmark, and the same metrics from the library', async () => {
    const { result } = await runExample('groq.mjs');
    const { benchmark, metrics } = result;
    assert.equal(benchmark.totalTokens, 40);
    assert.ok(benchmark.firstTokenLatency >= 0);
    assert.ok(benchmark.averageInterTokenLatency >= 0);
    for (const key of ['mean', 'standardDeviation', 'coefficientOfVariation']) {
      assert.ok(key in benchmark.consistency, key);
    }
    assert.equal(metrics.totalTokens, 40);
    assert.equal(metrics.outputChunks, 40);
    assert.ok(metrics.firstTokenLatency >= 0);
    assert.ok(metrics.tokensPerSecond >= 0);
    assert.ok(metrics.consistency.standardDeviation >= 0);
  });

  test('Stream Error Recovery (safeStream): success, in-band error, ECONNRESET retried', async () => {
    const { stdout, result } = await runExample('error-recovery.mjs');
    const text = expected('Recover me');
    assert.equal(joinText(result.ok), text);
    assert.deepEqual(result.ok.at(-1), { type: 'success' });
    const failed = result.inBand.at(-1);
    assert.equal(failed.type, 'error');
    assert.equal(failed.retriable, false);
    assert.equal(failed.error.code, 'provider_error');
    assert.ok(joinText(result.inBand).length > 0 && text.startsWith(joinText(result.inBand)));
    // A reset connection: chunk.error.code is 'ECONNRESET', which the guide retries.
    assert.match(stdout, /Stream error, retrying \(1\/3\)/);
    const resetText = joinText(result.reset);
    assert.ok(resetText.endsWith(text) && resetText.length > text.length, resetText);
    assert.deepEqual(result.reset.at(-1), { type: 'success' });
  });

  test('Partial Response Handling: partial text kept, then continued with complete()', async () => {
    const { result } = await runExample('partial-response.mjs');
    const text = expected('Partial please', 100);
    assert.deepEqual(result.ok.at(-1), { type: 'complete', text });
    const partial = result.broken.at(-1);
    assert.equal(partial.type, 'partial');
    assert.ok(partial.text.length > 0 && text.startsWith(partial.text));
    assert.equal(partial.error, 'Overloaded');
    assert.ok(partial.lastChunk.text);
    assert.ok(result.completed.startsWith(partial.text) && result.completed.length > partial.text.length);
  });

  test('Best practices 1-2: shouldUseStreaming, StreamProgress', async () => {
    const { result } = await runExample('progress.mjs');
    assert.equal(result.long, true);
    assert.equal(result.short, false);
    assert.equal(result.items.length, 40);
    assert.equal(result.items.at(-1).progress, 100);
    assert.equal(joinText(result.items), expected('Progress'));
  });

  test('Best practice 3: ResilientStreaming reconnects on ECONNRESET', async () => {
    const { stdout, result } = await runExample('resilient.mjs');
    const text = expected('Reconnect me');
    assert.match(stdout, /Connection reset at position \d+, reconnecting/);
    assert.ok(result.text.endsWith(text) && result.text.length > text.length, result.text);
  });

  test('Best practice 4: MemoryEfficientStreaming', async () => {
    const { result } = await runExample('memory.mjs');
    const chunks = result.items.filter((i) => i.type === 'chunk');
    assert.ok(chunks.length > 1 && chunks.every((i) => i.content.length === 50));
    assert.equal(result.items.at(-1).type, 'final');
    assert.equal(joinText(result.items, 'content'), expected('Memory'));
  });

  test('Best practice 5: StreamTester', async () => {
    const { result } = await runExample('tester.mjs');
    assert.deepEqual(result.results.map((r) => r.success), [true, true, true]);
    assert.deepEqual(result.results.map((r) => r.tokenCount), [10, 40, 40]);
    assert.ok(result.results.every((r) => r.firstTokenTime !== null && r.totalTime >= r.lastTokenTime));
  });

  test('Stream Caching: the second read replays without a request', async () => {
    const { result } = await runExample('cache.mjs');
    assert.deepEqual(result.second, result.first);
    assert.equal(result.same, true);
    assert.equal(result.first.join(''), expected('Cache me'));
    assert.equal(result.requests, 1);
  });

  test('Parallel Streaming', async () => {
    const { result } = await runExample('parallel.mjs');
    assert.deepEqual(
      result.results.map((r) => r.text),
      ['First prompt', 'Second prompt', 'Third prompt'].map((p) => expected(p, 200)),
    );
    assert.deepEqual(result.results.map((r) => r.index), [0, 1, 2]);
    assert.ok(result.results.every((r) => r.tokenCount === 40 && r.duration >= 0));
  });
});
