#!/usr/bin/env node
// Minifies an emscripten JS glue file (llmstream_core.mjs / llmstream_transforms.mjs) with terser:
// emscripten 3.1.6 only strips whitespace when closure is not used (and Debian's closure is
// unusable: docs/toolchain.md pitfall 14), so the glue keeps every long local name. Mangling and
// compressing it takes about a third off the glue's gzipped size (the size budget is on what a
// page downloads). The tests and the e2e run on the minified files.
//
//   node scripts/minify-glue.mjs IN.mjs OUT.mjs
import { readFileSync, writeFileSync } from 'node:fs';

let minify;
try {
  ({ minify } = await import('terser'));
} catch {
  console.error('minify-glue: terser is missing: run scripts/setup.sh (npm ci) first');
  process.exit(1);
}
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/minify-glue.mjs IN.mjs OUT.mjs');
  process.exit(2);
}
const result = await minify(readFileSync(input, 'utf8'), {
  module: true,
  ecma: 2020,
  compress: { passes: 2 },
  mangle: { toplevel: true },
});
writeFileSync(output, result.code);
