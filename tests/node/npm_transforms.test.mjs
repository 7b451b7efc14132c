// The transforms of the npm package (npm/src/transforms.js) over the second wasm module
// (llmstream_transforms.mjs, the core's C++ transforms) and the local provider: every stage,
// composition with pipe, split invariance of the text transforms, the XSS corpus for
// safeMarkdown, non-text chunks passing in order, the StreamCache, and the opt-in live metrics
// chunks of streamCompletion. Time-based stages run on real timers; the tests synchronise on
// the stream itself (gates the source waits on), never on sleeps.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startServer } from '../../server/lib/server.mjs';
import { replyTokens } from '../../server/lib/textgen.mjs';
import {
  APILoader,
  backpressure,
  batch,
  contentFilter,
  fixedChunks,
  loadTransforms,
  pipe,
  progress,
  renderSafeMarkdown,
  safeMarkdown,
  smooth,
  StreamCache,
  typingEffect,
  wordStream,
} from '../../npm/src/index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(REPO, 'npm', 'dist', 'core');

function requireModules() {
  for (const file of ['llmstream_transforms.wasm', 'llmstream_core.wasm']) {
    assert.ok(existsSync(path.join(DIST, file)), `${file} is not built: run scripts/build-wasm.sh`);
  }
}

let provider;
let base;
before(async () => {
  requireModules();
  provider = await startServer({ port: 0, paceMs: 0 });
  base = provider.url;
});
after(() => provider?.close());

let keys = 0;
const newKey = (label) => `tx-${label}-${process.pid}-${++keys}`;
const scenario = (spec) => ({ 'x-llmstream-scenario': spec });
const loader = () => new APILoader({ provider: 'local', baseURL: base });
const now = () => performance.now();

async function collect(iterable) {
  const out = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

/** A chunk source: text chunks for `parts` (other objects as they are), then done. */
async function* source(parts, { done = true } = {}) {
  for (const part of parts) yield typeof part === 'string' ? { type: 'text', text: part, index: 0 } : part;
  if (done) yield { type: 'done', done: true, finishReason: 'stop' };
}

const texts = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text);
const joined = (chunks) => texts(chunks).join('');

/** Every way to cut `text` into parts at the given cut sets (all 1-cut and 2-cut splits, plus per char). */
function chunkings(text) {
  const chars = Array.from(text);
  const at = (cuts) => {
    const parts = [];
    let last = 0;
    for (const c of cuts) {
      parts.push(chars.slice(last, c).join(''));
      last = c;
    }
    parts.push(chars.slice(last).join(''));
    return parts;
  };
  const out = [[text], chars];
  for (let i = 1; i < chars.length; i++) {
    out.push(at([i]));
    for (let j = i + 1; j < chars.length; j += 3) out.push(at([i, j]));
  }
  return out;
}

/** A promise with its resolve, for gates the test opens. */
function gate() {
  let open;
  const promise = new Promise((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

// Runs first, before any stage loads the module: the module is loaded lazily, and the
// synchronous renderer says so instead of failing obscurely.
test('the transforms module loads lazily; renderSafeMarkdown needs it loaded', async () => {
  assert.throws(() => renderSafeMarkdown('x'), /loadTransforms/);
  await loadTransforms();
  assert.equal(renderSafeMarkdown('**hi** <b>'), '<p><strong>hi</strong> &lt;b&gt;</p>\n');
});

describe('wordStream', () => {
  test('whole words, the whitespace going with the next word; split invariant', async () => {
    const text = 'Hello wide  world,\nthis is 日本語 text 😀ok ';
    const expected = await collect(pipe(source([text]), wordStream()));
    assert.deepEqual(texts(expected), ['Hello', ' wide', '  world,', '\nthis', ' is', ' 日', '本', '語', ' text', ' 😀ok', ' ']);
    for (const parts of chunkings(text)) {
      assert.deepEqual(texts(await collect(pipe(source(parts), wordStream()))), texts(expected), JSON.stringify(parts));
    }
  });

  test('over a real stream: the same answer, in words', async () => {
    const prompt = 'words please';
    const stream = loader().streamCompletion({ prompt, headers: scenario(`key=${newKey('w')}`) });
    const chunks = await collect(pipe(stream, wordStream()));
    assert.equal(joined(chunks), replyTokens(prompt, 40).join(''));
    for (const piece of texts(chunks)) assert.match(piece, /^\s*\S+$/u);
    assert.equal(chunks.at(-1).type, 'done');
  });
});

describe('safeMarkdown', () => {
  const doc = '# Title\n\nSome *em* and **strong** text with `code` and [a link](https://ok.test/x).\n\n' +
    '- one\n- two\n\n```js\nconst x = 1 < 2;\n```\n\n> quoted <b>html</b>\n\nlast line';

  /** Tags balance (void elements aside): the HTML is well-formed. */
  function assertWellFormed(html) {
    const stack = [];
    for (const m of html.matchAll(/<(\/?)([a-z0-9]+)[^>]*>/g)) {
      if (['br', 'hr'].includes(m[2])) continue;
      if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}> in ${html}`);
      else stack.push(m[2]);
    }
    assert.deepEqual(stack, [], `unclosed tags in ${html}`);
  }

  test('appended html is well-formed at every step, html + tailHtml too; split invariant', async () => {
    const whole = await collect(pipe(source([doc]), safeMarkdown()));
    const final = whole.map((c) => c.html ?? '').join('');
    assert.equal(final, renderSafeMarkdown(doc));
    assert.match(final, /<h1>Title<\/h1>/);
    assert.match(final, /<a href="https:\/\/ok.test\/x" rel="noopener noreferrer nofollow">a link<\/a>/);
    assert.match(final, /<pre><code class="language-js">/);
    for (const parts of chunkings(doc).filter((_, i) => i % 7 === 0)) {
      let html = '';
      const chunks = await collect(pipe(source(parts), safeMarkdown()));
      for (const chunk of chunks) {
        if (chunk.type !== 'text') continue;
        html += chunk.html;
        assertWellFormed(html);
        assertWellFormed(html + chunk.tailHtml);
      }
      assert.equal(html, final, JSON.stringify(parts));
      // The text passes on unchanged.
      assert.equal(joined(chunks), doc);
    }
  });

  test('XSS corpus: no script, no on* attribute, no javascript: in the output', async () => {
    const corpus = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<svg><script>alert(1)</script></svg>',
      '<iframe src="javascript:alert(1)"></iframe>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="jav&#x09;ascript:alert(1)">x</a>',
      '[x](javascript:alert(1))',
      '[x](  javascript:alert(1)  )',
      '[x](<javascript:alert(1)>)',
      '[x](&#106;avascript:alert(1))',
      '[x](java\tscript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](vbscript:msgbox(1))',
      '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[x](https://ok.test "onmouseover=alert(1)")',
      '[x"onmouseover="alert(1)](https://ok.test)',
      '[x](https://ok.test/"onmouseover="alert(1))',
      '<javascript:alert(1)>',
      '![x](javascript:alert(1))',
      '![x" onerror="alert(1)](https://ok.test/i.png)',
      '```"><script>alert(1)</script>\n```',
      '```js" onclick="alert(1)\nx\n```',
      '# <script>alert(1)</script>',
      '- <img src=x onerror=alert(1)>',
      '**<script>**alert(1)',
      'http://x.test/" onmouseover="alert(1)',
      '<x onclick=alert(1)>click',
      'javascript:alert(1)',
      '<scr<script>ipt>alert(1)</script>',
    ];
    const dangerous = (html) => {
      const lower = html.toLowerCase();
      for (const needle of ['<script', 'javascript:', 'vbscript:', 'data:', '<iframe', '<svg', '<img']) {
        if (lower.includes(needle)) return needle;
      }
      return /\son[a-z0-9_]+\s*=/.test(lower) ? 'event handler' : '';
    };
    for (const payload of corpus) {
      assert.equal(dangerous(renderSafeMarkdown(payload)), '', payload);
      // Streamed, cut everywhere: the same safety (and the same HTML).
      for (const parts of chunkings(payload).filter((_, i) => i % 5 === 0)) {
        const chunks = await collect(pipe(source(parts), safeMarkdown()));
        for (const chunk of chunks.filter((c) => c.type === 'text')) {
          assert.equal(dangerous(chunk.html + chunk.tailHtml), '', `${payload} cut as ${JSON.stringify(parts)}`);
        }
        assert.equal(chunks.map((c) => c.html ?? '').join(''), renderSafeMarkdown(payload));
      }
    }
  });

  test('over a real stream with markdown text', async () => {
    const text = '**Bold** answer\n\n<script>alert(1)</script>\n\n- item';
    // The server streams exactly this text (the body's `llmstream` scenario field).
    const stream = loader().streamCompletion({ prompt: 'md', extraBody: { llmstream: { text } } });
    const chunks = await collect(pipe(stream, safeMarkdown()));
    assert.equal(joined(chunks), text);
    assert.ok(texts(chunks).length > 3, 'streamed in several chunks');
    const html = chunks.map((c) => c.html ?? '').join('');
    assert.equal(html, '<p><strong>Bold</strong> answer</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<ul>\n<li>item</li>\n</ul>\n');
    assert.equal(chunks.at(-1).type, 'done');
  });
});

describe('typingEffect', () => {
  test('one character per chunk at charsPerSecond, done after the last one', async () => {
    const text = 'typing 😀 here';
    const started = now();
    const times = [];
    const chunks = [];
    for await (const chunk of pipe(source(['typ', 'ing 😀', ' here']), typingEffect({ charsPerSecond: 250 }))) {
      chunks.push(chunk);
      times.push(now() - started);
    }
    assert.deepEqual(texts(chunks), Array.from(text));
    assert.equal(chunks.at(-1).type, 'done');
    // 14 characters, 4 ms apart: the last one at least 13 * 4 ms after the first.
    const n = Array.from(text).length;
    assert.ok(times[n - 1] - times[0] >= (n - 1) * 4 - 1, `typed in ${times[n - 1] - times[0]} ms`);
  });
});

describe('contentFilter', () => {
  test('patterns split across chunks are replaced; split invariant', async () => {
    const text = 'my secret: Password123 and a SECRET too';
    const filter = () => contentFilter({
      patterns: [{ pattern: 'secret', replacement: '[x]' }, { pattern: 'Password123' }],
      caseInsensitive: true,
    });
    const expected = 'my [x]:  and a [x] too';
    for (const parts of chunkings(text)) {
      assert.equal(joined(await collect(pipe(source(parts), filter()))), expected, JSON.stringify(parts));
    }
  });

  test('text that cannot start a pattern is not held back', async () => {
    const g = gate();
    async function* slow() {
      yield { type: 'text', text: 'hello sec', index: 0 };
      await g.promise;
      yield { type: 'text', text: 'ret', index: 0 };
    }
    const it = pipe(slow(), contentFilter({ patterns: ['secret'], replacement: '***' }))[Symbol.asyncIterator]();
    assert.deepEqual((await it.next()).value.text, 'hello ');
    g.open();
    assert.deepEqual((await it.next()).value.text, '***');
    assert.equal((await it.next()).done, true);
  });
});

describe('batch', () => {
  test('maxChunks and maxChars', async () => {
    assert.deepEqual(texts(await collect(pipe(source(['a', 'b', 'c', 'd', 'e']), batch({ maxChunks: 2, intervalMs: 0 })))), ['ab', 'cd', 'e']);
    assert.deepEqual(texts(await collect(pipe(source(['aa', 'bb', 'c', 'dddd']), batch({ maxChunks: 0, maxChars: 3, intervalMs: 0 })))), ['aabb', 'cdddd']);
  });

  test('intervalMs: an open batch goes out on its deadline, with no new chunk', async () => {
    const g = gate();
    async function* slow() {
      yield { type: 'text', text: 'a', index: 0 };
      yield { type: 'text', text: 'b', index: 0 };
      await g.promise;
      yield { type: 'text', text: 'c', index: 0 };
    }
    const started = now();
    const it = pipe(slow(), batch({ maxChunks: 100, intervalMs: 40 }))[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.value.text, 'ab');
    assert.ok(now() - started >= 39, `released after ${now() - started} ms`);
    g.open();
    assert.equal((await it.next()).value.text, 'c');
    assert.equal((await it.next()).done, true);
  });
});

describe('fixedChunks', () => {
  test('fixed-size pieces, characters never cut; split invariant', async () => {
    const text = 'abcdefgh😀ijk日本';
    const expected = ['abcd', 'efgh', '😀ijk', '日本'];
    for (const parts of chunkings(text)) {
      assert.deepEqual(texts(await collect(pipe(source(parts), fixedChunks({ size: 4 })))), expected);
    }
    assert.deepEqual(texts(await collect(pipe(source(['aé😀b']), fixedChunks({ size: 4, unit: 'bytes' })))), ['aé', '😀', 'b']);
  });
});

describe('smooth', () => {
  test('a burst is spread out, never held longer than maxDelayMs', async () => {
    const g = gate();
    const burst = 'a burst of forty characters, all at once';
    async function* bursty() {
      yield { type: 'text', text: burst, index: 0 };
      await g.promise;
      yield { type: 'done', done: true };
    }
    const started = now();
    const arrivals = [];
    const chunks = [];
    for await (const chunk of pipe(bursty(), smooth({ maxDelayMs: 60 }))) {
      chunks.push(chunk);
      arrivals.push(now() - started);
      if (joined(chunks) === burst) g.open();
    }
    assert.equal(joined(chunks), burst);
    assert.ok(texts(chunks).length > 2, `in ${texts(chunks).length} pieces`);
    // Spread out: the last piece came later than the burst. Released on the stage's own timers:
    // the source stays blocked (the gate) until the whole burst is out, so nothing else could
    // have moved it. How late is the core's decision, tested with explicit times in C++
    // (AdaptiveSmoother.NeverHoldsACharacterLongerThanTheBound); a wall-clock upper bound here only measured the
    // machine's load.
    const lastText = arrivals[texts(chunks).length - 1];
    assert.ok(lastText >= 20, `last character after ${lastText} ms`);
    assert.equal(chunks.at(-1).type, 'done');
  });
});

describe('progress', () => {
  test('chunks gain progress; done completes it; reported usage is used', async () => {
    const chunks = await collect(pipe(source(['aaaa', 'bbbb', { type: 'metadata', metadata: {} }]), progress({ estimatedTokens: 4 })));
    assert.deepEqual(chunks.filter((c) => c.progress).map((c) => [c.progress.done, c.progress.total, c.progress.fraction]), [[1, 4, 0.25], [2, 4, 0.5], [2, 4, 1]]);
    assert.equal(chunks[2].progress, undefined); // metadata untouched
    assert.equal(chunks.at(-1).progress.complete, true);

    const prompt = 'progress please';
    const stream = loader().streamCompletion({ prompt, headers: scenario(`key=${newKey('p')}`) });
    const real = await collect(pipe(stream, progress({ estimatedTokens: 1000 })));
    const done = real.at(-1);
    assert.equal(done.type, 'done');
    assert.equal(done.progress.fraction, 1);
    assert.equal(done.progress.tokensReported, true);
    const fractions = real.filter((c) => c.type === 'text').map((c) => c.progress.fraction);
    assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]));
  });
});

describe('backpressure', () => {
  test('reads ahead up to the high-water mark, pauses, resumes at the low-water mark', async () => {
    let pulled = 0;
    const reachedHigh = gate();
    async function* counting() {
      for (let i = 0; i < 12; i++) {
        pulled++;
        if (pulled === 5) reachedHigh.open();
        yield { type: 'text', text: String(i), index: 0 };
      }
    }
    const stream = pipe(counting(), backpressure({ highWaterMark: 4, lowWaterMark: 2 }));
    const it = stream[Symbol.asyncIterator]();
    assert.equal((await it.next()).value.text, '0');
    await reachedHigh.promise; // the fifth chunk was read: the buffer reached 4
    await new Promise(setImmediate); // let the reader store it
    assert.deepEqual([stream.status().paused, stream.status().size, pulled], [true, 4, 5]);
    assert.equal((await it.next()).value.text, '1');
    await new Promise(setImmediate);
    assert.equal(pulled, 5, 'paused until the low-water mark');
    assert.equal((await it.next()).value.text, '2'); // size 2: resume
    const rest = [];
    for (let step = await it.next(); !step.done; step = await it.next()) rest.push(step.value.text);
    assert.deepEqual(rest, ['3', '4', '5', '6', '7', '8', '9', '10', '11']);
    assert.ok(stream.status().pauses >= 1);
  });
});

describe('pipe and non-text chunks', () => {
  test('non-text chunks keep their order; held text is flushed before done', async () => {
    const chunks = await collect(pipe(
      source(['Hel', { type: 'metadata', metadata: { id: 1 } }, 'lo wor', { type: 'usage', usage: { completionTokens: 2 } }, 'ld']),
      wordStream(),
    ));
    assert.deepEqual(chunks.map((c) => c.type === 'text' ? c.text : c.type), ['metadata', 'Hello', 'usage', ' world', 'done']);
  });

  test('typing waits: a non-text chunk comes after the text before it', async () => {
    const chunks = await collect(pipe(source(['abc', { type: 'metadata', metadata: {} }, 'de']), typingEffect({ charsPerSecond: 1000 })));
    assert.deepEqual(chunks.map((c) => c.type === 'text' ? c.text : c.type), ['a', 'b', 'c', 'metadata', 'd', 'e', 'done']);
  });

  test('filter, words and batch composed over a real stream', async () => {
    const prompt = 'compose these stages';
    const answer = replyTokens(prompt, 40).join('');
    const word = answer.split(/\s+/).find((w) => /^[a-z]{4,}$/.test(w));
    const stream = loader().streamCompletion({ prompt, headers: scenario(`key=${newKey('c')}`) });
    const chunks = await collect(pipe(
      stream,
      contentFilter({ patterns: [{ pattern: word, replacement: '#' }] }),
      wordStream(),
      batch({ maxChunks: 3, intervalMs: 0 }),
    ));
    assert.equal(joined(chunks), answer.split(word).join('#'));
    assert.equal(chunks.at(-1).type, 'done');
    assert.ok(chunks.some((c) => c.type === 'usage'));
  });

  test('break stops the source', async () => {
    let finished = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield { type: 'text', text: `w${i} `, index: 0 };
      } finally {
        finished = true;
      }
    }
    for await (const chunk of pipe(endless(), wordStream())) if (chunk.text === ' w3') break;
    assert.equal(finished, true);
  });
});

test('every wasm handle is deleted when its stage ends: completed, broken out of, failed', { timeout: 30_000 }, async () => {
  const mod = await loadTransforms();
  const baseline = mod.liveHandles();
  const words = (n) => Array.from({ length: n }, (_, i) => ({ type: 'text', text: `**w${i}** `, index: 0 }));
  // `closed` resolves when the source's own cleanup ran. A stage stopped with a read pending
  // does not wait for its upstream (a network read may never settle): the stages below it stop
  // when that read settles, each freeing its handle before stopping its upstream, so once the
  // source is closed every stage has freed its handle.
  let closed;
  async function* source(chunks, failAt = -1) {
    let close;
    closed = new Promise((resolve) => (close = resolve));
    try {
      for (let i = 0; i < chunks.length; i++) {
        if (i === failAt) throw new Error('source failed');
        yield chunks[i];
      }
      yield { type: 'done', done: true, finishReason: 'stop' };
    } finally {
      close();
    }
  }
  const stages = () => [
    wordStream(),
    contentFilter({ patterns: ['w3'] }),
    batch({ maxChunks: 2 }),
    fixedChunks({ size: 5 }),
    smooth({ maxDelayMs: 1 }),
    typingEffect({ charsPerSecond: 1e6 }),
    progress({ estimatedTokens: 20 }),
    safeMarkdown(),
  ];

  const all = await collect(pipe(source(words(12)), ...stages()));
  assert.equal(all.at(-1).type, 'done');
  assert.equal(mod.liveHandles(), baseline, 'after a completed pipe');

  let seen = 0;
  for await (const chunk of pipe(source(words(50)), ...stages())) if (chunk.type === 'text' && ++seen === 3) break;
  await closed;
  assert.equal(mod.liveHandles(), baseline, 'after break');

  await assert.rejects(collect(pipe(source(words(12), 6), ...stages())), /source failed/);
  assert.equal(mod.liveHandles(), baseline, 'after the source threw');

  const cache = new StreamCache({ maxEntries: 2 });
  assert.equal(await cache.has('none'), false);
  assert.equal(mod.liveHandles(), baseline + 1, 'a cache holds one handle for its lifetime');
});

describe('StreamCache', () => {
  test('keys leave the API key out; get / put; record then replay a real stream', async () => {
    const cache = new StreamCache({ maxEntries: 2 });
    const config = { provider: 'local', baseURL: base };
    const k1 = await cache.key({ ...config, apiKey: 'sk-one' }, { prompt: 'cached' });
    assert.equal(k1, await cache.key({ ...config, apiKey: 'sk-two' }, { prompt: 'cached' }));
    assert.notEqual(k1, await cache.key(config, { prompt: 'other' }));
    assert.match(k1, /^llmstream-req-v1:[0-9a-f]{64}$/);

    const label = newKey('cache');
    const factory = () => loader().streamCompletion({ prompt: 'cached', headers: scenario(`key=${label}`) });
    const first = await collect(cache.getCachedOrStream(k1, factory));
    const second = await collect(cache.getCachedOrStream(k1, factory));
    assert.deepEqual(second, JSON.parse(JSON.stringify(first)));
    const log = await (await fetch(`${base}/_llmstream/requests?key=${label}`)).json();
    assert.equal(log.length, 1, 'the second stream came from the cache');
    assert.deepEqual(await cache.get(k1), second);
    assert.equal(await cache.get('absent'), undefined);

    // Incomplete streams are not stored; LRU eviction keeps maxEntries.
    assert.equal(await cache.put('partial', [{ type: 'text', text: 'x' }]), false);
    assert.equal(await cache.put('a', [{ type: 'done' }]), true);
    assert.equal(await cache.put('b', [{ type: 'done' }]), true);
    assert.equal(await cache.has(k1), false);
    assert.equal(cache.stats().evictions, 1);
  });

  test('replay keeps the recorded pace (speed 1) or none (speed 0)', async () => {
    const cache = new StreamCache();
    const g = gate();
    async function* paced() {
      yield { type: 'text', text: 'a', index: 0 };
      await g.promise;
      yield { type: 'done', done: true };
    }
    const recording = cache.record('paced', paced());
    const it = recording[Symbol.asyncIterator]();
    await it.next();
    const timer = setTimeout(g.open, 50); // the recorded gap
    const rest = [];
    for (let step = await it.next(); !step.done; step = await it.next()) rest.push(step.value);
    clearTimeout(timer);
    let started = now();
    await collect(cache.replay('paced', { speed: 1 }));
    assert.ok(now() - started >= 45, `replayed in ${now() - started} ms`);
    started = now();
    assert.equal((await collect(cache.replay('paced', { speed: 0 }))).length, 2);
  });
});

describe('streamCompletion({metricsIntervalMs})', () => {
  test('without the option: no metrics chunks', async () => {
    const stream = loader().streamCompletion({ prompt: 'plain', headers: scenario(`key=${newKey('m0')}`) });
    const chunks = await collect(stream);
    assert.ok(!chunks.some((c) => c.type === 'metrics'));
  });

  test('live metrics chunks at most every interval, and a final one before done', async () => {
    const stream = loader().streamCompletion({
      prompt: 'metrics please',
      metricsIntervalMs: 30,
      headers: scenario(`key=${newKey('m1')}; pace_ms=5; tokens=30`),
    });
    const chunks = await collect(stream);
    const metrics = chunks.filter((c) => c.type === 'metrics');
    assert.ok(metrics.length >= 2, `${metrics.length} metrics chunks`);
    assert.equal(chunks.at(-1).type, 'done');
    assert.equal(chunks.at(-2).type, 'metrics');
    const final = chunks.at(-2).metrics;
    assert.equal(final.ended, true);
    assert.deepEqual(Object.keys(final), Object.keys(stream.metrics()));
    assert.equal(final.outputChunks, stream.metrics().outputChunks);
    const live = metrics.slice(0, -1).map((c) => c.metrics);
    assert.ok(live.every((m) => !m.ended));
    for (let i = 1; i < live.length; i++) {
      assert.ok(live[i].totalTime - live[i - 1].totalTime >= 30 - 0.001, 'at most every 30 ms');
    }
  });
});

test('break during a timed stage cancels the real request', async () => {
  const label = newKey('break');
  const stream = loader().streamCompletion({ prompt: 'long answer', headers: scenario(`key=${label}; pace_ms=20; tokens=200`) });
  let seen = 0;
  for await (const chunk of pipe(stream, typingEffect({ charsPerSecond: 500 }))) {
    if (chunk.type === 'text' && ++seen === 5) break;
  }
  const res = await fetch(`${base}/_llmstream/requests/wait?key=${encodeURIComponent(label)}&outcome=client_disconnected&timeout_ms=5000`);
  assert.equal(res.status, 200, 'the server saw the client disconnect');
});

test('metricsIntervalMs: a failed stream gets its final metrics chunk before the error chunk', async () => {
  const stream = loader().streamCompletion({
    prompt: 'fails',
    maxRetries: 0,
    metricsIntervalMs: 1000,
    headers: scenario(`key=${newKey('m2')}; error_after=4`),
  });
  const chunks = [];
  await assert.rejects(async () => {
    for await (const chunk of stream) chunks.push(chunk);
  });
  assert.equal(chunks.at(-1).type, 'error');
  assert.equal(chunks.at(-2).type, 'metrics');
  assert.equal(chunks.at(-2).metrics.ended, true);
  // One live snapshot (the first output) and the final one: the interval is longer than the stream.
  assert.equal(chunks.filter((c) => c.type === 'metrics').length, 2);
});
