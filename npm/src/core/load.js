// loadCore(): the WebAssembly core (llmstream_core.mjs + llmstream_core.wasm in ../../dist/core/,
// built by scripts/build-wasm.sh), loaded once per process / page and shared by every session
// (how: ../wasm-module.js).

import { ABI_FINGERPRINT, CORE_MODULE_APIS, PROVIDERS, WIRE_API_SPELLINGS } from '../../dist/core/abi.js';
import { loadWasmModule, sourceAt } from '../wasm-module.js';

/** The package's own builds: literal paths, so that bundlers carry the files into an app. */
const PACKAGED = {
  // A name only (a `new URL` here would make bundlers copy the glue a second time, as an asset).
  glue: 'llmstream/dist/core/llmstream_core.mjs',
  importGlue: () => import('../../dist/core/llmstream_core.mjs'),
  wasmUrl: new URL('../../dist/core/llmstream_core.wasm', import.meta.url),
};
// The full core: the same exports and ABI, and every wire API (CORE_MODULE_APIS lists what the
// core module reads); loaded instead of the core module, on first use, for the others.
const PACKAGED_FULL = {
  glue: 'llmstream/dist/core/llmstream_core_full.mjs',
  importGlue: () => import('../../dist/core/llmstream_core_full.mjs'),
  wasmUrl: new URL('../../dist/core/llmstream_core_full.wasm', import.meta.url),
};
const FULL_WASM_NAME = 'llmstream_core_full.wasm';

const CORE_APIS = new Set(CORE_MODULE_APIS);
const API_OF_PROVIDER = new Map(PROVIDERS.map((p) => [p.name, p.api]));

/**
 * Whether a stream needs the full core module: its wire API (the `api` option, else the
 * provider's own) is one the core module leaves out to stay small (Gemini, Bedrock, Ollama,
 * Cohere), or it asks for JSON output or has tools (partial objects; not with partialObjects:
 * false). An `api` no module takes goes to the core module, which reports it.
 * @param {{provider?: unknown, api?: unknown, responseFormat?: any}} options the session's
 *   options (provider: a name from PROVIDERS)
 */
export function needsFullCore(options) {
  // JSON output (its request fields and the schema check) and partial objects are in the full
  // module only (platform/wasm/sse_only_json.cpp: the core module's size budget): a JSON output,
  // and tools unless partialObjects is false (tool-call deltas carry partialObject).
  if (isJsonOutput(options)) return true;
  // Conversations too (CMakeLists.txt): their message parts are read, and each completion's
  // `message` built, by the full module alone.
  if (Array.isArray(options.messages) && options.messages.length > 0) return true;
  if (Array.isArray(options.tools) && options.tools.length > 0 && options.partialObjects !== false) return true;
  const api =
    options.api === undefined
      ? API_OF_PROVIDER.get(String(options.provider))
      : WIRE_API_SPELLINGS[String(options.api)];
  return api !== undefined && !CORE_APIS.has(api);
}

/** Whether session options ask for JSON output (`responseFormat` json_schema or json_object). */
export function isJsonOutput(options) {
  const type = options.responseFormat?.type;
  return type === 'json_schema' || type === 'json_object';
}

/**
 * @typedef {object} WasmSession The embind class (platform/wasm/wasm_session.h).
 * @property {() => number} handle the session's address for core._llmstream_poll / _on_body
 * @property {() => number} statePtr the PackHeader (abi.js: Header)
 * @property {() => string} httpRequestJson
 * @property {(status: number, headersJson: string, nowMs: number) => number} onResponse
 * @property {(len: number) => number} inputBuffer
 * @property {(nowMs: number) => number} onEnd
 * @property {(code: number, message: string, platformCode: string, nowMs: number) => number} onTransportError
 * @property {(nowMs: number) => number} cancel
 * @property {() => string} sideJson
 * @property {() => number} packResultJson the result JSON into a buffer: its byte length
 * @property {() => number} resultJsonPtr where packResultJson() put the bytes
 * @property {() => string} errorJson
 * @property {() => boolean} done
 * @property {() => number} attempts
 * @property {() => void} delete
 */

/**
 * @typedef {object} CoreModule The instantiated emscripten module.
 * @property {new (optionsJson: string) => WasmSession} WasmSession
 * @property {(handle: number, nowMs: number) => number} _llmstream_poll the session's next
 *   action (abi.js SessionAction), by handle(), without embind's per-call overhead
 * @property {(handle: number, len: number, nowMs: number) => number} _llmstream_on_body
 *   the body bytes at inputBuffer(), by handle(): the number of events packed
 * @property {() => number} abiFingerprint the fingerprint of the abi.js it was built with
 * @property {Uint8Array} HEAPU8 re-read after every call: memory growth replaces it
 * @property {Int32Array} HEAP32
 * @property {Float64Array} HEAPF64
 */

/**
 * Loads (once per source) and instantiates the wasm core.
 * @param {{moduleUrl?: URL | string, wasmUrl?: URL | string, full?: boolean}} [options]
 *   moduleUrl: another build of llmstream_core.mjs (its .wasm beside it unless wasmUrl says
 *   where); wasmUrl alone: where this package's llmstream_core.wasm is served from (a CDN, a
 *   bundler setup that does not copy it); the default is ../../dist/core/, relative to this file
 *   or as the bundler placed it. full: the full core module (llmstream_core_full.mjs) instead;
 *   with wasmUrl, its .wasm is llmstream_core_full.wasm beside that URL.
 * @returns {Promise<CoreModule>} rejects with an LLMStreamError, code 'module_load'
 */
export async function loadCore(options = {}) {
  const base = globalThis.location?.href ?? import.meta.url;
  const packaged = options.full ? PACKAGED_FULL : PACKAGED;
  let wasmUrl = options.wasmUrl === undefined ? undefined : new URL(String(options.wasmUrl), base);
  // wasmUrl names the core module's .wasm: the full one is served beside it.
  if (wasmUrl && options.full && !options.moduleUrl) wasmUrl = new URL(FULL_WASM_NAME, wasmUrl);
  const source = options.moduleUrl
    ? sourceAt(new URL(String(options.moduleUrl), base), wasmUrl)
    : wasmUrl
      ? { ...packaged, wasmUrl }
      : packaged;
  const what = options.full ? 'the full WebAssembly core' : 'the WebAssembly core';
  return loadWasmModule(source, what, (/** @type {CoreModule} */ core) => {
    checkFingerprint(core, source.glue);
    // The glue's export wrappers replace themselves with the raw wasm function on their first
    // call; call the per-read ones once (a zero handle does nothing) so that every later call,
    // and anything that wraps them, sees the raw function.
    core._llmstream_poll(0, 0);
    core._llmstream_on_body(0, 0, 0);
  });
}

/**
 * Throws when the module was built from other C++ than the abi.js this code imports (a stale
 * dist/, or moduleUrl naming another version's build): every number read across the boundary
 * would be wrong.
 * @param {{abiFingerprint?: () => number}} core @param {string} where
 */
export function checkFingerprint(core, where) {
  const got = typeof core.abiFingerprint === 'function' ? core.abiFingerprint() : undefined;
  if (got !== ABI_FINGERPRINT) {
    throw new Error(
      `llmstream: ${where} was built with ABI ${got ?? '(none)'}, this package's abi.js is ` +
        `${ABI_FINGERPRINT}: rebuild both together (scripts/build-wasm.sh)`,
    );
  }
}
