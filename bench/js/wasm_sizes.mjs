#!/usr/bin/env node
// Where the bytes of a .wasm go: its sections, and its code section by function, grouped by what
// the function belongs to (the name section of a profiling link names them). For the footprint
// table in bench/README.md:
//
//   cmake --preset wasm -B build/wasm-prof "-DLLMSTREAM_WASM_LINK_OPT=-Oz;--profiling-funcs"
//   cmake --build build/wasm-prof --target llmstream_core_wasm
//   node bench/js/wasm_sizes.mjs build/wasm-prof/platform/wasm/llmstream_core.wasm [--top 30]
//
// Sizes are raw bytes of function bodies; the module's gzipped total is printed beside them.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: wasm_sizes.mjs FILE.wasm [--top N]');
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const bytes = readFileSync(file);

let at = 8; // magic + version
function uleb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error(`malformed LEB128 at ${at}`);
    const b = bytes[at++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
    shift += 7;
  }
}
const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start',
  'element', 'code', 'data', 'datacount'];
const sections = [];
let importedFunctions = 0;
const bodies = []; // sizes, by defined function index
const names = new Map(); // function index -> name
while (at < bytes.length) {
  const id = bytes[at++];
  const size = uleb();
  const start = at;
  let name = SECTION_NAMES[id] ?? `section ${id}`;
  if (id === 0) {
    const n = uleb();
    name = `custom "${bytes.subarray(at, at + n).toString()}"`;
    at += n;
    if (name === 'custom "name"') {
      while (at < start + size) {
        const sub = bytes[at++];
        const subSize = uleb();
        const subEnd = at + subSize;
        if (sub === 1) {
          const count = uleb();
          for (let i = 0; i < count; i++) {
            const index = uleb();
            const len = uleb();
            names.set(index, bytes.subarray(at, at + len).toString());
            at += len;
          }
        }
        at = subEnd;
      }
    }
  } else if (id === 2) {
    const count = uleb();
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < 2; j++) {
        const n = uleb(); // module, then field name
        at += n;
      }
      const kind = bytes[at++];
      if (kind === 0) {
        uleb();
        importedFunctions++;
      } else if (kind === 1) {
        at++;
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 2) {
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 3) {
        at += 2;
      }
    }
  } else if (id === 10) {
    const count = uleb();
    for (let i = 0; i < count; i++) {
      const len = uleb();
      bodies.push(len);
      at += len;
    }
  }
  sections.push({ name, size });
  at = start + size;
}

// What a function belongs to, by its name (first match wins).
const GROUPS = [
  ['nlohmann::json', /nlohmann/],
  ['embind', /emscripten::|embind|_embind_|EmscriptenBindingInitializer/],
  ['libc printf / strtod / long double', /printf|fmt_fp|strtod|strtof|strtold|scanf|__floatscan|__intscan|__shgetc|long double|__addtf3|__multf3|__divtf3|__subtf3|__trunctfdf2|__extenddftf2|__fixtfsi|__floatsitf|__eqtf2|__netf2|__getf2|__lttf2|__letf2|__gttf2|__unordtf2|frexpl|scalbnl|copysignl|fmodl/],
  ['libc / libc++ other', /^(std::|__|mem|str|malloc|free|realloc|calloc|emmalloc|dlmalloc|sbrk|abort|operator new|operator delete)/],
  ['wasm session glue (platform/wasm)', /llmstream::wasm::|llmstream_poll|llmstream_on_body/],
  ['request building', /llmstream::request_internal|BuildRequest|llmstream::\(anonymous namespace\)::(Chat|Anthropic|Responses)Body|BuildHeaders|Redact|ResolveApi|ParseProvider|DefaultBaseUrl|ParseWireApi/],
  ['providers (dialects)', /llmstream::(OpenAiChat|Anthropic|OpenAiResponses|Dialect|ChatDialect|MessagesDialect|ResponsesDialect|MakeDialect|MetadataTracker)|providers/],
  ['SSE parser', /SseParser|llmstream::sse::/],
  ['JSON reader / writer / templates', /llmstream::json::|ChunkTemplate|PartialJson/],
  ['session', /llmstream::Session|RetryPolicy|Decide|HttpError|ClassifyResponse|Splicer|UsageEstimate|Continuation/],
  ['stream / assembler / pricing', /llmstream::(Stream|Assembler|Completion|PriceTable|ComputeCost|Emitter)/],
  ['other llmstream', /llmstream/],
];
const groups = new Map(GROUPS.map(([g]) => [g, { bytes: 0, count: 0 }]));
groups.set('unnamed / other', { bytes: 0, count: 0 });
const all = [];
for (let i = 0; i < bodies.length; i++) {
  const name = names.get(importedFunctions + i) ?? `(function ${importedFunctions + i})`;
  all.push({ name, size: bodies[i] });
  const group = GROUPS.find(([, re]) => re.test(name))?.[0] ?? 'unnamed / other';
  const g = groups.get(group);
  g.bytes += bodies[i];
  g.count++;
}
const code = bodies.reduce((a, b) => a + b, 0);
console.log(`${file}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped (zlib -9)`);
console.log('\nsections');
for (const s of sections) console.log(`  ${s.name.padEnd(28)} ${String(s.size).padStart(8)}`);
console.log(`\ncode by group (${bodies.length} functions, ${code} bytes of bodies)`);
for (const [name, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
  if (g.count === 0) continue;
  console.log(`  ${name.padEnd(38)} ${String(g.bytes).padStart(8)}  ${((g.bytes / code) * 100).toFixed(1).padStart(5)}%  ${g.count} functions`);
}
console.log(`\nlargest ${top} functions`);
for (const f of all.sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`  ${String(f.size).padStart(7)}  ${f.name.slice(0, 110)}`);
}
