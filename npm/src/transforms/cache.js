// StreamCache: the core's StreamCache / StreamRecorder / Replay / RequestKey for the package's
// chunks (the seed guide's getCachedOrStream, with an LRU and byte budget, the recorded pace on
// replay, and a key that leaves the API key out). Chunks are stored as their JSON text (the
// core keeps each one's time offset); a replay yields parsed copies. Only streams that ended
// with a `done` chunk are stored unless keepIncomplete is set.

import { loaderConfig, requestOptions } from '../options.js';
import { now } from './chunk-kinds.js';
import { loadTransforms } from './load.js';

/** Chunk kind codes of ChunkRecording.add (platform/wasm/transforms/chunk_cache.h). */
const kindOf = (chunk) => (chunk?.type === 'done' ? 1 : chunk?.type === 'error' ? 2 : 0);

function serialize(chunk) {
  if (chunk?.type !== 'error' || !(chunk.error instanceof Error)) return JSON.stringify(chunk);
  const { error } = chunk;
  return JSON.stringify({ ...chunk, error: { name: error.name, message: error.message, code: error.code } });
}

export class StreamCache {
  #options;
  #handle = null;
  #mod = null;

  /**
   * @param {{maxEntries?: number, maxBytes?: number, keepIncomplete?: boolean}} [options]
   *   at most maxEntries streams (64) and maxBytes bytes (16 MiB), least recently used evicted.
   */
  constructor(options = {}) {
    this.#options = options;
  }

  async #cache() {
    if (!this.#handle) {
      const mod = await loadTransforms();
      if (!this.#handle) {
        this.#mod = mod;
        const { maxEntries = 64, maxBytes = 16 * 1024 * 1024, keepIncomplete = false } = this.#options;
        this.#handle = new mod.ChunkCache(maxEntries, maxBytes, Boolean(keepIncomplete));
      }
    }
    return this.#handle;
  }

  /**
   * The cache key of a request: the same for requests that send the same thing to the same
   * place; the API key and secret headers are left out (llmstream/transforms/request_key.h).
   * @param {object} config the APILoader options (provider, baseURL, headers, ...)
   * @param {object} options the streamCompletion options
   * @param {{salt?: string}} [extra] a user / tenant id that keeps caches apart
   * @returns {Promise<string>}
   */
  async key(config, options, { salt = '' } = {}) {
    const cache = await this.#cache();
    const { driver } = requestOptions(loaderConfig(config ?? {}), options ?? {});
    return cache.key(JSON.stringify(driver), String(salt));
  }

  /** Whether `key` is cached (no hit or miss counted). */
  async has(key) {
    return (await this.#cache()).has(String(key));
  }

  /**
   * The cached chunks of `key` (parsed copies, all at once), or undefined.
   * @returns {Promise<object[] | undefined>}
   */
  async get(key) {
    const cache = await this.#cache();
    const replay = cache.replay(String(key), 0, 0);
    try {
      if (!replay.found()) return undefined;
      return parse(replay.poll(0));
    } finally {
      replay.delete();
    }
  }

  /**
   * Stores chunks under `key` (all at offset 0: a replay at any speed yields them at once).
   * Resolves to whether they were stored (not when the last one is no `done` chunk and
   * keepIncomplete is off, or when they alone exceed maxBytes).
   */
  async put(key, chunks) {
    const cache = await this.#cache();
    const recording = new this.#mod.ChunkRecording(0);
    try {
      for (const chunk of chunks) recording.add(serialize(chunk), kindOf(chunk), 0);
      return cache.put(String(key), recording);
    } finally {
      recording.delete();
    }
  }

  /** Removes `key`; resolves to whether it was cached. */
  async delete(key) {
    return (await this.#cache()).erase(String(key));
  }

  async clear() {
    (await this.#cache()).clear();
  }

  /** {size, bytes, hits, misses, evictions}. */
  stats() {
    const c = this.#handle;
    if (!c) return { size: 0, bytes: 0, hits: 0, misses: 0, evictions: 0 };
    return { size: c.size(), bytes: c.bytes(), hits: c.hits(), misses: c.misses(), evictions: c.evictions() };
  }

  /**
   * Replays a cached stream: an async iterable of its chunks at the recorded pace (speed 1),
   * faster (2 ...) or all at once (0). Throws when `key` is not cached.
   * @param {string} key
   * @param {{speed?: number}} [options]
   */
  replay(key, { speed = 1 } = {}) {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const cache = await self.#cache();
        const replay = cache.replay(String(key), now(), Number(speed));
        try {
          if (!replay.found()) throw new Error(`llmstream: StreamCache has no entry for ${key}`);
          while (!replay.done()) {
            const wake = replay.wakeAtMs();
            if (wake > now()) await sleepUntil(wake);
            yield* parse(replay.poll(now()));
          }
        } finally {
          replay.delete();
        }
      },
    };
  }

  /**
   * Passes `source`'s chunks through and records them (with their times); at the end, the
   * recording is stored under `key` (if complete, see put()).
   */
  record(key, source) {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const cache = await self.#cache();
        const recording = new self.#mod.ChunkRecording(now());
        try {
          for await (const chunk of source) {
            recording.add(serialize(chunk), kindOf(chunk), now());
            yield chunk;
          }
          cache.put(String(key), recording);
        } finally {
          recording.delete();
        }
      },
    };
  }

  /**
   * The seed guide's getCachedOrStream: replays `key` when cached, else streams
   * `await streamFactory()` and records it.
   */
  getCachedOrStream(key, streamFactory, { speed = 0 } = {}) {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        if (await self.has(key)) {
          yield* self.replay(key, { speed });
        } else {
          yield* self.record(key, await streamFactory());
        }
      },
    };
  }
}

function parse(text) {
  return text ? text.split('\n').map((line) => JSON.parse(line)) : [];
}

function sleepUntil(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(ms - now()))));
}
