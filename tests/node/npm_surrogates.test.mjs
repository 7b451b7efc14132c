// Text cut anywhere in UTF-16 (issue 13, item 8): a JS chunk may end between the two halves of a
// surrogate pair (an emoji), and text may hold lone surrogates. Every text transform
// (wordStream, safeMarkdown, typingEffect, contentFilter, batch, fixedChunks, smooth), progress()
// and renderSafeMarkdown must give for any cut what they give for the whole string, and a lone
// surrogate is U+FFFD (as TextEncoder makes it), never half of a pair with the next character.
//
// Hand-written cases with literal expected output first, then a property test over seeded random
// documents (astral characters, Markdown / HTML specials, lone surrogates) cut at every code
// unit, at random code units and right after each high surrogate. LLMSTREAM_SURROGATE_DOCS sets
// the number of random documents (default 300); LLMSTREAM_SURROGATE_SEED the seed.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  batch,
  contentFilter,
  fixedChunks,
  loadTransforms,
  pipe,
  progress,
  renderSafeMarkdown,
  safeMarkdown,
  smooth,
  typingEffect,
  wordStream,
} from '../../npm/src/index.js';
import { replaceLoneSurrogates, SurrogateJoiner } from '../../npm/src/utf16.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRANSFORMS_WASM = path.join(REPO, 'npm', 'dist', 'core', 'llmstream_transforms.wasm');

before(async () => {
  assert.ok(existsSync(TRANSFORMS_WASM), 'llmstream_transforms.wasm is not built: run scripts/build-wasm.sh');
  await loadTransforms();
});

const HIGH = '\uD83D'; // the first half of U+1F600 (😀) and of U+1F680 (🚀)
const LOW = '\uDE00'; // the second half of U+1F600
const FFFD = '\uFFFD';

async function collect(iterable) {
  const out = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

/** Text chunks for `parts`, then done (unless done: false: plain `{text}` objects, as the guide's generators yield). */
async function* source(parts, { done = true } = {}) {
  for (const text of parts) yield done ? { type: 'text', text, index: 0 } : { text };
  if (done) yield { type: 'done', done: true, finishReason: 'stop' };
}

const texts = (chunks) => chunks.filter((c) => c.type === 'text').map((c) => c.text);
const htmlOf = (chunks) => chunks.map((c) => c.html ?? '').join('');

/** `text` cut at the given UTF-16 offsets (sorted, within the string). */
function cutAt(text, cuts) {
  const parts = [];
  let last = 0;
  for (const c of cuts) {
    parts.push(text.slice(last, c));
    last = c;
  }
  parts.push(text.slice(last));
  return parts;
}

/** Every single cut, and one code unit per part. */
function everyCut(text) {
  const out = [];
  for (let i = 1; i < text.length; i++) out.push(cutAt(text, [i]));
  out.push(text.split(''));
  return out;
}

// Time-based stages at rates that release everything within a few milliseconds.
const FAST_TYPING = { charsPerSecond: 1e9 };
const FAST_SMOOTH = { maxDelayMs: 1 };

describe('hand-written cuts between the halves of a pair', () => {
  test("renderSafeMarkdown / safeMarkdown: '😀<b>' cut between the surrogates is the whole render", async () => {
    const doc = '😀<b>';
    const expected = '<p>😀&lt;b&gt;</p>\n';
    assert.equal(renderSafeMarkdown(doc), expected);
    for (const parts of [[HIGH, `${LOW}<b>`], [HIGH, LOW, '<b>'], doc.split(''), ['', HIGH, '', LOW, '<', 'b>']]) {
      const chunks = await collect(pipe(source(parts), safeMarkdown()));
      assert.equal(htmlOf(chunks), expected, JSON.stringify(parts));
      assert.equal(texts(chunks).join(''), doc, 'the text passes on as it came');
    }
  });

  test('wordStream: the emoji stays whole, the next character survives', async () => {
    const parts = ['a ', HIGH, `${LOW}<b c`];
    assert.deepEqual(texts(await collect(pipe(source(parts), wordStream()))), ['a', ' 😀<b', ' c']);
  });

  test('typingEffect: one chunk per character, the emoji one of them', async () => {
    const chunks = await collect(pipe(source(['x', HIGH, LOW, '<']), typingEffect(FAST_TYPING)));
    assert.deepEqual(texts(chunks), ['x', '😀', '<']);
  });

  test('fixedChunks: characters, not code units', async () => {
    const chunks = await collect(pipe(source(['😀', HIGH, `${LOW}ab`]), fixedChunks({ size: 2 })));
    assert.deepEqual(texts(chunks), ['😀😀', 'ab']);
  });

  test('contentFilter: a pattern with an emoji matches across the cut', async () => {
    const filter = contentFilter({ patterns: [{ pattern: '😀<', replacement: '[smile]' }] });
    assert.equal(texts(await collect(pipe(source(['say ', HIGH, `${LOW}<b`]), filter))).join(''), 'say [smile]b');
  });

  test('batch and smooth: the same text', async () => {
    const parts = ['1', HIGH, `${LOW}<2`];
    assert.equal(texts(await collect(pipe(source(parts), batch({ maxChunks: 1, intervalMs: 0 })))).join(''), '1😀<2');
    assert.equal(texts(await collect(pipe(source(parts), smooth(FAST_SMOOTH)))).join(''), '1😀<2');
  });

  test('progress counts the cut emoji as one character', async () => {
    const chunks = await collect(pipe(source(['a', HIGH, LOW, 'b']), progress({ unit: 'chars', estimatedTokens: 10 })));
    assert.equal(chunks.at(-1).progress.chars, 3);
  });
});

describe('lone surrogates are U+FFFD, whole or cut', () => {
  test('renderSafeMarkdown: a lone half does not swallow the next character', () => {
    assert.equal(renderSafeMarkdown(`a${HIGH}<b`), `<p>a${FFFD}&lt;b</p>\n`);
    assert.equal(renderSafeMarkdown(`a${LOW}<b`), `<p>a${FFFD}&lt;b</p>\n`);
    assert.equal(renderSafeMarkdown(`a${HIGH}`), `<p>a${FFFD}</p>\n`);
    assert.equal(renderSafeMarkdown(`${LOW}${HIGH}`), `<p>${FFFD}${FFFD}</p>\n`);
  });

  test('a high half at the end of the stream, or before a boundary chunk, is U+FFFD', async () => {
    assert.deepEqual(texts(await collect(pipe(source(['ab', HIGH]), wordStream()))), [`ab${FFFD}`]);
    assert.deepEqual(texts(await collect(pipe(source(['x', HIGH]), typingEffect(FAST_TYPING)))), ['x', FFFD]);
    // A source that just ends (no done chunk).
    const bare = (chunks) => chunks.map((c) => c.text);
    assert.deepEqual(bare(await collect(pipe(source(['ab', HIGH], { done: false }), wordStream()))), [`ab${FFFD}`]);
    assert.deepEqual(bare(await collect(pipe(source(['x', HIGH], { done: false }), typingEffect(FAST_TYPING)))), ['x', FFFD]);
    const mdBare = await collect(pipe(source(['*a*', HIGH], { done: false }), safeMarkdown({ tail: false })));
    assert.equal(htmlOf(mdBare), `<p><em>a</em>${FFFD}</p>\n`);
    const md = await collect(pipe(source([`*a*${HIGH}`]), safeMarkdown()));
    assert.equal(htmlOf(md), `<p><em>a</em>${FFFD}</p>\n`);
    // A tool call starts between the halves: the text before it ends there.
    async function* split() {
      yield { type: 'text', text: `a${HIGH}`, index: 0 };
      yield { type: 'tool_call_start', index: 0, toolCall: { index: 0, id: 'c', name: 'f' } };
      yield { type: 'text', text: `${LOW}b`, index: 0 };
      yield { type: 'done', done: true };
    }
    const chunks = await collect(pipe(split(), wordStream()));
    assert.deepEqual(chunks.map((c) => c.text ?? c.type), [`a${FFFD}`, 'tool_call_start', `${FFFD}b`, 'done']);
  });

  test('contentFilter: a pattern with a lone half matches the lone half of the text, and the other patterns still apply', async () => {
    const filter = () => contentFilter({ patterns: ['secret', { pattern: `bad${HIGH}`, replacement: '#' }] });
    const text = `x secret y bad${HIGH} z`;
    assert.equal(texts(await collect(pipe(source([text]), filter()))).join(''), 'x  y # z');
    for (const parts of everyCut(text)) {
      assert.equal(texts(await collect(pipe(source(parts), filter()))).join(''), 'x  y # z', JSON.stringify(parts));
    }
  });

  test('a chunk that is not text between the halves does not part them', async () => {
    async function* split() {
      yield { type: 'text', text: `a${HIGH}`, index: 0 };
      yield { type: 'metadata', metadata: { model: 'm' } };
      yield { type: 'text', text: `${LOW}b`, index: 0 };
      yield { type: 'done', done: true };
    }
    assert.equal(texts(await collect(pipe(split(), wordStream()))).join(''), 'a😀b');
    assert.equal(texts(await collect(pipe(split(), typingEffect(FAST_TYPING)))).join(''), 'a😀b');
  });
});

// ---- property test ----------------------------------------------------------------------------

/** `text` through TextEncoder and TextDecoder: lone surrogates become U+FFFD, nothing else changes. */
const utf8RoundTrip = (text) => new TextDecoder().decode(new TextEncoder().encode(text));

/** mulberry32: a small seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces documents are made of: Markdown and HTML specials, BMP and astral characters, lone
// halves, and whole constructs (a list item, a fence, a link, an autolinked URL).
const ATOMS = [
  'a', 'b', 'x', ' ', ' ', ' ', '\n', '\n\n', '<', '>', '&', '*', '**', '_', '`', '```', '#', '# ', '- ',
  '1. ', '> ', '[', ']', '(', ')', '"', "'", '\\', '!', '|', 'é', '日本', '😀', '🚀', '𝄞', '👍🏽',
  HIGH, LOW, `${HIGH}<`, `${LOW}<`, '<b>', '</b>', '<script>', '&amp;', '[x](https://ok.test/😀)',
  'https://ok.test/a', '```js\n', '\n```\n', 'word', ' the ', '\t',
];

function randomDoc(rand) {
  const n = 1 + Math.floor(rand() * 24);
  let doc = '';
  for (let i = 0; i < n; i++) doc += ATOMS[Math.floor(rand() * ATOMS.length)];
  return doc;
}

/** A few cuttings of `doc`: one code unit per part, random cuts, a cut after every high half. */
function cuttings(doc, rand) {
  const out = [doc.split('')];
  for (let k = 0; k < 2; k++) {
    const cuts = new Set();
    const count = 1 + Math.floor(rand() * Math.min(6, doc.length));
    for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(rand() * Math.max(1, doc.length - 1)));
    out.push(cutAt(doc, [...cuts].filter((c) => c < doc.length).sort((x, y) => x - y)));
  }
  const afterHigh = [];
  for (let i = 0; i < doc.length - 1; i++) {
    const c = doc.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) afterHigh.push(i + 1);
  }
  if (afterHigh.length) out.push(cutAt(doc, afterHigh));
  return out;
}

/**
 * What each stage gives for a cutting, in a form that must not depend on the cutting: the
 * pieces where the stage promises them (words, per-character typing, fixed chunks), else the
 * joined text; safeMarkdown's appended HTML.
 */
const sameText = (sound, chunks) => ({ got: texts(chunks).join(''), want: sound });
const STAGES = {
  wordStream: { make: () => wordStream(), view: texts, expect: sameText },
  safeMarkdown: { make: () => safeMarkdown({ tail: false }), view: htmlOf },
  typingEffect: {
    make: () => typingEffect(FAST_TYPING),
    view: texts,
    // one chunk per character (code point)
    expect: (sound, chunks) => ({ got: texts(chunks), want: Array.from(sound) }),
  },
  contentFilter: {
    make: () => contentFilter({ patterns: [{ pattern: '😀<', replacement: '[E]' }, { pattern: FFFD, replacement: '?' }, '*b'] }),
    view: (chunks) => texts(chunks).join(''),
  },
  batch: { make: () => batch({ maxChunks: 3, intervalMs: 0 }), view: (chunks) => texts(chunks).join(''), expect: sameText },
  fixedChunks: { make: () => fixedChunks({ size: 3 }), view: texts, expect: sameText },
  smooth: { make: () => smooth(FAST_SMOOTH), view: (chunks) => texts(chunks).join(''), expect: sameText },
  progress: {
    make: () => progress({ unit: 'chars', estimatedTokens: 50 }),
    view: (chunks) => chunks.at(-1).progress.chars,
    expect: (sound, chunks) => ({ got: chunks.at(-1).progress.chars, want: Array.from(sound).length }),
  },
};

test('property: every cutting of random documents gives the whole-string output, for every stage', async () => {
  const docs = Number(process.env.LLMSTREAM_SURROGATE_DOCS ?? 300);
  const seed = Number(process.env.LLMSTREAM_SURROGATE_SEED ?? 0x13_08);
  const rand = prng(seed);
  const failures = [];
  const fail = (what) => {
    if (failures.length < 8) failures.push(what);
  };
  let differing = 0;
  for (let d = 0; d < docs; d++) {
    const doc = randomDoc(rand);
    let bad = false;
    const whole = renderSafeMarkdown(doc);
    // What the platform's own UTF-8 conversion makes of the document: each lone half U+FFFD.
    const sound = utf8RoundTrip(doc);
    if (whole !== renderSafeMarkdown(sound)) {
      bad = true;
      fail(`renderSafeMarkdown(${JSON.stringify(doc)}) is not the render of ${JSON.stringify(sound)}`);
    }
    const cuts = cuttings(doc, rand);
    for (const [name, stage] of Object.entries(STAGES)) {
      const wholeChunks = await collect(pipe(source([doc]), stage.make()));
      const expected = stage.view(wholeChunks);
      const independent = stage.expect?.(sound, wholeChunks);
      if (independent !== undefined && JSON.stringify(independent.got) !== JSON.stringify(independent.want)) {
        bad = true;
        fail(`${name} of ${JSON.stringify(doc)} whole: ${JSON.stringify(independent.got)}, not ${JSON.stringify(independent.want)}`);
      }
      if (name === 'safeMarkdown' && expected !== whole) {
        bad = true;
        fail(`safeMarkdown of ${JSON.stringify(doc)} whole: ${JSON.stringify(expected)} != renderSafeMarkdown ${JSON.stringify(whole)}`);
      }
      for (const parts of cuts) {
        const got = stage.view(await collect(pipe(source(parts), stage.make())));
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          bad = true;
          fail(`${name} of ${JSON.stringify(parts)}: ${JSON.stringify(got)}, whole ${JSON.stringify(expected)}`);
        }
      }
    }
    if (bad) differing++;
  }
  assert.equal(differing, 0, `${differing} of ${docs} documents (seed ${seed}) differ when cut:\n${failures.join('\n')}`);
});

test('the fallback for engines without toWellFormed (Node 18) agrees with TextEncoder', () => {
  const rand = prng(18);
  for (let d = 0; d < 2000; d++) {
    const doc = randomDoc(rand);
    assert.equal(replaceLoneSurrogates(doc), utf8RoundTrip(doc), JSON.stringify(doc));
  }
  assert.equal(replaceLoneSurrogates(`${LOW}${HIGH}${HIGH}${LOW}${HIGH}`), `${FFFD}${FFFD}😀${FFFD}`);
  const text = 'plain ascii';
  assert.equal(replaceLoneSurrogates(text), text);
});

test('SurrogateJoiner: the pieces of any cut join to the well-formed whole', () => {
  const rand = prng(7);
  for (let d = 0; d < 500; d++) {
    const doc = randomDoc(rand);
    for (const parts of cuttings(doc, rand)) {
      const joiner = new SurrogateJoiner();
      const out = parts.map((p) => joiner.take(p));
      out.push(joiner.end());
      assert.equal(out.join(''), utf8RoundTrip(doc), JSON.stringify(parts));
      assert.ok(out.every((p) => p === utf8RoundTrip(p)), `every piece well-formed: ${JSON.stringify(out)}`);
    }
  }
});

test('property: short documents cut at every code unit', async () => {
  const docs = ['😀<b>', `*${HIGH}*`, `\`😀\`${LOW}`, '- 🚀\n- 𝄞<', `[😀](https://ok.test/${HIGH})`, '👍🏽 &lt;'];
  for (const doc of docs) {
    for (const [name, stage] of Object.entries(STAGES)) {
      const expected = stage.view(await collect(pipe(source([doc]), stage.make())));
      for (const parts of everyCut(doc)) {
        const got = stage.view(await collect(pipe(source(parts), stage.make())));
        assert.deepEqual(got, expected, `${name} of ${JSON.stringify(parts)}`);
      }
    }
  }
});
