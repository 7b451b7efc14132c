// JS text on its way into the wasm modules. A JS string is UTF-16 and may hold lone surrogates:
// a chunk cut between the two halves of an emoji, or text that was broken to begin with. The
// emscripten glue converts strings to UTF-8 by reading a surrogate as the first half of a pair
// with whatever code unit follows, so a lone half became another character and swallowed the
// next one (U+1F600 cut after its first half came out as U+1F400, and the `<` after it
// vanished). So text goes in well-formed (a lone surrogate is U+FFFD, as TextEncoder makes it),
// and a stream of pieces holds a trailing first half back until the next piece: any cut of the
// text then gives what the whole text gives.

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;
const nativeToWellFormed = String.prototype.toWellFormed; // Node 20+, current browsers

/** `text` with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed). */
export function wellFormed(text) {
  return nativeToWellFormed ? nativeToWellFormed.call(text) : replaceLoneSurrogates(text);
}

/** wellFormed() where the engine lacks toWellFormed (Node 18, older browsers). */
export function replaceLoneSurrogates(text) {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (isHigh(code) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      i++; // a pair
      continue;
    }
    out += text.slice(from, i) + '\uFFFD';
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * The pieces of one text stream, made well-formed without changing what their concatenation
 * says: a piece that ends with the first half of a pair keeps it back and puts it before the
 * next piece; if the text ends there (end()), the half is a lone one, U+FFFD.
 */
export class SurrogateJoiner {
  #high = '';

  /** What to pass on for `piece`: well-formed, without a trailing first half. */
  take(piece) {
    let text = this.#high ? this.#high + piece : piece;
    this.#high = '';
    if (text.length > 0 && isHigh(text.charCodeAt(text.length - 1))) {
      this.#high = text.slice(-1);
      text = text.slice(0, -1);
    }
    return wellFormed(text);
  }

  /** Whether a first half is held back. */
  get pending() {
    return this.#high !== '';
  }

  /** The text ends: the held half as U+FFFD, or '' when none is held. */
  end() {
    const rest = this.#high ? '\uFFFD' : '';
    this.#high = '';
    return rest;
  }
}
