// Recorded provider responses (shared/fixtures/*.sse), replayed event by event.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { splitEvents } from './sse.mjs';

export class FixtureStore {
  #dir;
  #cache = new Map(); // name -> Buffer[] (one per SSE block)

  constructor(dir) {
    this.#dir = dir;
  }

  get dir() {
    return this.#dir;
  }

  /** Fixture names (file names without .sse), sorted; empty when the folder is missing. */
  async list() {
    try {
      const files = await readdir(this.#dir);
      return files
        .filter((f) => f.endsWith('.sse'))
        .map((f) => f.slice(0, -4))
        .sort();
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
  }

  /** The fixture's SSE blocks (their concatenation is the file), or null if unknown. */
  async events(name) {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    // Only plain names: a fixture is never looked up outside the folder.
    if (!/^[\w.-]+$/.test(name) || !(await this.list()).includes(name)) return null;
    const blocks = splitEvents(await readFile(path.join(this.#dir, `${name}.sse`)));
    this.#cache.set(name, blocks);
    return blocks;
  }
}
