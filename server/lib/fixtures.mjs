// Recorded provider responses, replayed event by event.
//
// The fixtures folder holds `.sse` files (OpenAI, Anthropic, ...) and subfolders of recordings
// in other framings (`more-providers/`: Gemini `.sse` with CRLF and `.json` streamed arrays,
// Bedrock `.eventstream`, Ollama `.ndjson`, Cohere `.sse`). A top-level file is named by its
// file name without `.sse`; a file in a subfolder by `SUB/NAME` (no extension), or by `NAME`
// alone when no top-level fixture has that name and only one subfolder does.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { splitMessages } from './event-stream.mjs';
import { splitElements } from './json-array.mjs';
import { splitLines } from './ndjson.mjs';
import { splitEvents } from './sse.mjs';

/** Framing of a fixture file by its extension: how to split it, what content type it has. */
export const FIXTURE_FRAMINGS = {
  '.sse': { framing: 'sse', split: splitEvents },
  '.ndjson': { framing: 'ndjson', split: splitLines },
  '.eventstream': { framing: 'event-stream', split: splitMessages },
  '.json': { framing: 'json-array', split: splitElements },
};

// Files in subfolders that are not recordings.
const NOT_FIXTURES = new Set(['expected.json', 'sse-cases.json']);
const NAME_RE = /^(?:[\w.-]+\/)?[\w.-]+$/;

export class FixtureStore {
  #dir;
  #cache = new Map(); // name -> { blocks: Buffer[], framing }

  constructor(dir) {
    this.#dir = dir;
  }

  get dir() {
    return this.#dir;
  }

  /**
   * Fixture names, sorted; empty when the folder is missing. By default the top-level `.sse`
   * files only (file names without `.sse`); with `all`, also `SUB/NAME` for every recording in
   * a subfolder.
   */
  async list({ all = false } = {}) {
    const files = await this.#files();
    return files
      .filter((f) => all || !f.name.includes('/'))
      .map((f) => f.name)
      .sort();
  }

  /** The fixture's SSE blocks (their concatenation is the file), or null if unknown. */
  async events(name) {
    return (await this.fixture(name))?.blocks ?? null;
  }

  /**
   * The fixture: { name, blocks (the file split into events / lines / messages / elements, whose
   * concatenation is the file), framing ('sse' | 'ndjson' | 'event-stream' | 'json-array') },
   * or null if unknown.
   */
  async fixture(name) {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    // Only plain names: a fixture is never looked up outside the folder.
    if (!NAME_RE.test(name) || name.split('/').some((p) => p === '.' || p === '..')) return null;
    const files = await this.#files();
    let file = files.find((f) => f.name === name);
    if (!file && !name.includes('/')) {
      const matches = files.filter((f) => f.name.endsWith(`/${name}`));
      if (matches.length === 1) file = matches[0];
    }
    if (!file) return null;
    const { framing, split } = FIXTURE_FRAMINGS[path.extname(file.path)];
    const fixture = {
      name: file.name,
      blocks: split(await readFile(path.join(this.#dir, file.path))),
      framing,
    };
    this.#cache.set(name, fixture);
    return fixture;
  }

  /** [{ name, path (relative to the folder) }]: top-level `.sse`, subfolder recordings. */
  async #files() {
    let entries;
    try {
      entries = await readdir(this.#dir, { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
    const out = [];
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith('.sse')) {
        out.push({ name: entry.name.slice(0, -4), path: entry.name });
      } else if (entry.isDirectory()) {
        let inner;
        try {
          inner = await readdir(path.join(this.#dir, entry.name), { withFileTypes: true });
        } catch {
          continue;
        }
        for (const file of inner) {
          const ext = path.extname(file.name);
          if (!file.isFile() || !FIXTURE_FRAMINGS[ext] || NOT_FIXTURES.has(file.name)) continue;
          const name = `${entry.name}/${file.name.slice(0, -ext.length)}`;
          if (NAME_RE.test(name)) out.push({ name, path: `${entry.name}/${file.name}` });
        }
      }
    }
    return out;
  }
}
