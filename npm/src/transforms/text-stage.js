// The runner behind every text transform stage (wordStream, safeMarkdown, typingEffect,
// contentFilter, batch, fixedChunks, smooth): an async iterable of chunks in, an async iterable
// of chunks out, over one core TextTransform in the transforms wasm module (TextStage).
//
// One wasm call per input chunk (push), per wake-up (tick) and per boundary (flush); the text
// it releases comes back as one string and the piece lengths are read from the wasm memory.
// Time: the core never reads a clock. This runner passes performance.now() in and, when the
// core says it wants to be called again (the header's wakeAtMs), arms one real timer and races
// it against the next source chunk.
//
// Non-text chunks pass through unchanged, in order among themselves. Relative to held text:
//  - 'pass' stages (words, markdown, filter, chunks, batch) hold text only until more text
//    arrives, so a non-text chunk goes out at once, ahead of the held part of a word, line or
//    pattern; before a boundary chunk (done, error, finish, tool_call_start, tool_call_end) and
//    at the end of the source, the stage is flushed first;
//  - 'drain' stages (typing, smooth) release text over time: a non-text chunk, and the end,
//    wait until the text before it has been released.
// Text goes in well-formed (../utf16.js): a chunk that ends with the first half of a surrogate
// pair keeps it back for the next text chunk (a non-text chunk in between does not part the
// pair); before a boundary chunk and at the end of the source a half still held is U+FFFD. So
// any cut of the text gives what the whole text gives.

import { isBoundary, isText, now } from './chunk-kinds.js';
import { loadTransforms } from './load.js';
import { SurrogateJoiner, wellFormed } from '../utf16.js';

/**
 * @typedef {object} StageConfig
 * @property {string} kind TextStage kind (platform/wasm/transforms/text_stage.h)
 * @property {object} options its options (camelCase)
 * @property {'pass' | 'drain'} policy see above
 * @property {'pieces' | 'annotate'} output 'pieces': one text chunk per released piece;
 *   'annotate': each input text chunk is passed on with what its push released (safeMarkdown)
 * @property {(handle: any, released: string, chunk: any) => any} [annotate] builds the chunk
 */

/**
 * A stage factory's result: (source) => async iterable.
 * @param {StageConfig} config
 */
export function textStage(config) {
  // Strings well-formed too: JSON.stringify writes a lone surrogate as a \udxxx escape, which the
  // core's JSON parser refuses, and a stage whose options do not parse runs with none (a
  // contentFilter with such a pattern filtered nothing). As U+FFFD, the pattern matches what
  // the text's lone halves become.
  const optionsJson = JSON.stringify(config.options ?? {}, (key, value) =>
    typeof value === 'string' ? wellFormed(value) : value,
  );
  return (source) => ({
    [Symbol.asyncIterator]() {
      const holder = { handle: null };
      const iterator = run(source, config, optionsJson, holder);
      // An iterator dropped without being finished or returned never reaches its `finally`:
      // free the wasm object when it is collected.
      abandoned.register(iterator, holder);
      return iterator;
    },
  });
}

const abandoned = new FinalizationRegistry((holder) => {
  holder.handle?.delete();
  holder.handle = null;
});

/** The text chunk a released piece becomes: choice 0's fields kept, the text replaced. */
function pieceChunk(template, text) {
  const out = { type: 'text', text, index: template?.index ?? 0 };
  if (template?.block !== undefined) out.block = template.block;
  return out;
}

async function* run(source, config, optionsJson, holder) {
  const mod = await loadTransforms();
  const handle = new mod.TextStage(config.kind, optionsJson);
  holder.handle = handle;
  const statePtr = handle.statePtr();
  const iterator = source[Symbol.asyncIterator]();
  const drain = config.policy === 'drain';
  const annotate = config.output === 'annotate';
  /** @type {Promise<IteratorResult<any>> | null} */
  let pending = null;
  let sourceDone = false;
  let completed = false;
  let template = null; // the latest text chunk (its index / block go on released pieces)
  const inbox = []; // source chunks not handled yet (drain: waiting behind held text)
  const joiner = new SurrogateJoiner(); // the text's trailing first half of a pair, held back

  const wakeAt = () => mod.HEAPF64[statePtr >> 3];
  const held = () => mod.HEAPF64[(statePtr >> 3) + 1];

  // The chunks one call released (`text`: what the call returned).
  function released(text, chunk) {
    if (annotate) return text || chunk ? [config.annotate(handle, text, chunk ?? pieceChunk(template, ''))] : [];
    if (!text) return [];
    const count = mod.HEAPU32[(statePtr >> 2) + 4];
    if (count <= 1) return [pieceChunk(template, text)];
    const lengths = mod.HEAPU32.subarray(mod.HEAPU32[(statePtr >> 2) + 5] >> 2).subarray(0, count);
    const out = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      out.push(pieceChunk(template, text.slice(offset, offset + lengths[i])));
      offset += lengths[i];
    }
    // Defensive: the lengths assume valid UTF-8 (what goes in is: see SurrogateJoiner); on a
    // mismatch the whole release goes out as one piece rather than cut wrongly.
    return offset === text.length ? out : [pieceChunk(template, text)];
  }

  try {
    for (;;) {
      // Hand the inbox to the core, in order.
      while (inbox.length) {
        const chunk = inbox[0];
        if (isText(chunk)) {
          inbox.shift();
          template = chunk;
          yield* released(handle.push(joiner.take(chunk.text), now()), annotate ? chunk : undefined);
          continue;
        }
        // The text stops here: a first half still held back is a lone one.
        if (joiner.pending && isBoundary(chunk)) yield* released(handle.push(joiner.end(), now()));
        if (held() > 0 && (drain ? wakeAt() < 0 : isBoundary(chunk))) {
          // Held text that no timer will release (drain: an incomplete character) or that must
          // not pass a boundary.
          yield* released(handle.flush(now()));
        } else if (drain && held() > 0) {
          break; // wait for the timer to release the text before this chunk
        }
        inbox.shift();
        yield chunk;
      }
      if (sourceDone && !inbox.length && joiner.pending) yield* released(handle.push(joiner.end(), now()));
      if (sourceDone && !inbox.length && !(drain && held() > 0 && wakeAt() >= 0)) {
        yield* released(handle.flush(now()));
        completed = true;
        return;
      }
      // Wait for whichever comes first: the next source chunk (when nothing waits in the inbox)
      // or the core's wake-up time.
      const wake = wakeAt();
      let timer;
      const racers = [];
      if (!sourceDone && !inbox.length) {
        pending ??= iterator.next();
        racers.push(pending);
      }
      if (wake >= 0) {
        racers.push(
          new Promise((resolve) => {
            timer = setTimeout(resolve, Math.max(0, Math.ceil(wake - now())), TICK);
          }),
        );
      }
      const step = await Promise.race(racers);
      clearTimeout(timer);
      if (step === TICK) {
        yield* released(handle.tick(now()));
        continue;
      }
      pending = null;
      if (step.done) sourceDone = true;
      else inbox.push(step.value);
    }
  } finally {
    holder.handle = null;
    handle.delete();
    // Stopped early (break, or the consumer threw): stop the source too. With a read still
    // pending, an async generator would only act on return() after that read settles: do not
    // wait for it then.
    if (!completed && !sourceDone) {
      const stopped = Promise.resolve(iterator.return?.()).catch(() => {});
      if (!pending) await stopped;
    }
  }
}

const TICK = Symbol('tick');
