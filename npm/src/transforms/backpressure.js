// backpressure(): a bounded read-ahead buffer between a chunk source and a slower consumer, with
// the core's WaterMarks deciding (the seed guide's BackpressureManager): the stage reads the
// source ahead of the consumer until highWaterMark chunks wait, pauses reading (the source's
// next network read waits: the package's streams are pull-based), and resumes once the consumer
// has drained the buffer down to lowWaterMark. `status()` is the guide's getStatus().

import { loadTransforms } from './load.js';

class BackpressureStream {
  #source;
  #high;
  #low;
  #iterator = null;
  #gauge = null;
  #queue = [];
  #ended = false;
  #failure = null;
  #pumping = null;
  #wakeConsumer = null;
  #final = null;

  constructor(source, high, low) {
    this.#source = source;
    this.#high = high;
    this.#low = low;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** {size, paused, pressure, pauses, highWaterMark, lowWaterMark}. */
  status() {
    if (this.#final) return { ...this.#final, size: this.#queue.length };
    const g = this.#gauge;
    return {
      size: this.#queue.length,
      paused: g ? g.paused() : false,
      pressure: g ? g.pressure() : 0,
      pauses: g ? g.pauses() : 0,
      highWaterMark: g ? g.highWaterMark() : this.#high,
      lowWaterMark: g ? g.lowWaterMark() : this.#low ?? Math.floor(this.#high / 2),
    };
  }

  // Reads the source while the water marks allow.
  #pump() {
    this.#pumping ??= (async () => {
      try {
        while (!this.#ended && !this.#final && !this.#gauge.paused()) {
          const step = await this.#iterator.next();
          if (step.done) {
            this.#ended = true;
          } else {
            this.#queue.push(step.value);
            if (!this.#final) this.#gauge.add(1);
          }
          this.#wakeConsumer?.();
        }
      } catch (error) {
        this.#failure = { error };
        this.#ended = true;
        this.#wakeConsumer?.();
      } finally {
        this.#pumping = null;
      }
    })();
  }

  async next() {
    if (!this.#gauge) {
      const mod = await loadTransforms();
      this.#gauge ??= new mod.WaterMarks(this.#high, this.#low ?? -1);
      this.#iterator = this.#source[Symbol.asyncIterator]();
    }
    for (;;) {
      if (this.#queue.length) {
        const value = this.#queue.shift();
        if (!this.#final) {
          this.#gauge.remove(1);
          if (!this.#gauge.paused() && !this.#ended) this.#pump();
        }
        return { value, done: false };
      }
      if (this.#ended) {
        this.#release();
        if (this.#failure) {
          const { error } = this.#failure;
          this.#failure = null;
          throw error;
        }
        return { value: undefined, done: true };
      }
      this.#pump();
      await new Promise((resolve) => {
        this.#wakeConsumer = resolve;
      });
      this.#wakeConsumer = null;
    }
  }

  async return(value) {
    this.#queue = [];
    const wasEnded = this.#ended;
    this.#ended = true;
    this.#release();
    if (!wasEnded) await this.#iterator?.return?.();
    return { value, done: true };
  }

  // Frees the wasm object once the stream ended; status() keeps its last numbers.
  #release() {
    if (!this.#gauge || this.#final) return;
    this.#final = { ...this.status(), paused: false };
    this.#gauge.delete();
  }
}

/**
 * @param {{highWaterMark?: number, lowWaterMark?: number}} [options] in chunks; defaults 100
 *   and highWaterMark / 2 (the guide's).
 */
export function backpressure(options = {}) {
  const high = Math.max(1, Math.floor(Number(options.highWaterMark ?? 100)));
  const low = options.lowWaterMark === undefined ? undefined : Math.max(0, Math.floor(Number(options.lowWaterMark)));
  return (source) => new BackpressureStream(source, high, low);
}
