#!/usr/bin/env node
// What a browser downloads to stream one completion, as a bundler ships it: a production Vite
// build (minified) of a page that streams with llmstream, and of the same page with the openai
// SDK and with eventsource-parser, side by side. Counts every file the page loads before the
// stream starts (its entry chunk, the chunks that imports, the core's glue chunk and .wasm);
// files loaded only on demand (the transforms module) are listed apart. Sizes: raw and gzipped
// (zlib level 9, as the size budget test measures).
//
//   node bench/js/footprint.mjs            (needs npm/dist/core: scripts/build-wasm.sh)

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { build } = await import('vite');

const APPS = {
  llmstream: `import { APILoader } from 'llmstream';
const ai = new APILoader({ provider: 'openai', apiKey: 'k', baseURL: '/v1' });
let text = '';
for await (const chunk of ai.streamCompletion({ prompt: 'Hi' })) text += chunk.text || '';
document.body.textContent = text;`,
  openai: `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'k', baseURL: location.origin + '/v1', dangerouslyAllowBrowser: true });
let text = '';
const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true });
for await (const chunk of stream) text += chunk.choices[0]?.delta?.content || '';
document.body.textContent = text;`,
  'eventsource-parser': `import { createParser } from 'eventsource-parser';
let text = '';
const parser = createParser({ onEvent: (e) => { if (e.data !== '[DONE]') text += JSON.parse(e.data).choices[0]?.delta?.content || ''; } });
const res = await fetch('/v1/chat/completions', { method: 'POST', body: '{}' });
const decoder = new TextDecoder();
for await (const bytes of res.body) parser.feed(decoder.decode(bytes, { stream: true }));
document.body.textContent = text;`,
};

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmstream-footprint-'));
const rows = [];
try {
  for (const [name, source] of Object.entries(APPS)) {
    const app = path.join(tmp, name);
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    const pkg = name === 'llmstream' ? path.join(REPO, 'npm') : path.join(REPO, 'node_modules', name);
    symlinkSync(pkg, path.join(app, 'node_modules', name), 'dir');
    writeFileSync(path.join(app, 'main.js'), source);
    writeFileSync(path.join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>');
    const out = path.join(app, 'dist');
    const result = await build({ root: app, logLevel: 'error', configFile: false, build: { outDir: out, modulePreload: false } });
    const output = (Array.isArray(result) ? result[0] : result).output;
    // What the page loads before streaming: the entry chunk, its static imports, and (llmstream)
    // the dynamic imports the first stream makes: the core glue and its .wasm.
    const byName = new Map(output.map((o) => [o.fileName, o]));
    const entry = output.find((o) => o.type === 'chunk' && o.isEntry);
    const loaded = new Set();
    const visit = (o, dynamic) => {
      if (!o || loaded.has(o.fileName)) return;
      loaded.add(o.fileName);
      for (const f of o.imports ?? []) visit(byName.get(f), dynamic);
      if (dynamic) for (const f of o.dynamicImports ?? []) if (!/transforms/.test(f)) visit(byName.get(f), dynamic);
    };
    visit(entry, true);
    for (const o of output) if (o.type === 'asset' && /llmstream_core\.wasm$/.test(o.fileName.replace(/-[\w-]+(?=\.wasm$)/, ''))) loaded.add(o.fileName);
    const files = readdirSync(path.join(out, 'assets')).map((f) => `assets/${f}`);
    for (const f of files) {
      const buf = readFileSync(path.join(out, f));
      rows.push({ app: name, file: f, raw: statSync(path.join(out, f)).size, gz: gz(buf), loaded: loaded.has(f) });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

for (const name of Object.keys(APPS)) {
  const mine = rows.filter((r) => r.app === name);
  const loaded = mine.filter((r) => r.loaded);
  console.log(`${name}: ${loaded.reduce((a, r) => a + r.gz, 0)} B gzipped loaded to stream (${loaded.reduce((a, r) => a + r.raw, 0)} raw)`);
  for (const r of mine) {
    console.log(`  ${r.loaded ? 'loads    ' : 'on demand'}  ${r.file.padEnd(48)} ${String(r.raw).padStart(8)} ${String(r.gz).padStart(8)} gz`);
  }
}
