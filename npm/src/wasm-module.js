// loadWasmModule(): loads (once per source) and instantiates one of the package's emscripten
// modules (the streaming core, the transforms), in the way bundlers understand: the glue by a
// literal dynamic import, the .wasm by a literal `new URL(..., import.meta.url)` (both in the
// callers, core/load.js and transforms/load.js), so that a production build of an app (Vite,
// webpack) carries both. Browsers compile the .wasm while it downloads (instantiateStreaming;
// the server must send application/wasm). Node: the modules are web builds (toolchain.md pitfall
// 3), so the bytes are read here with fs and handed over as `wasmBinary` (pitfall 4).

import { ErrorCode, LLMStreamError, scrubErrorChain } from './errors.js';
import { redactUrl, redactUrlsInText } from './redact-url.js';

/** @type {Map<string, Promise<any>>} */
const cache = new Map();

// The smallest module using what the package's .wasm needs beyond wasm 1.0: a v128.const
// (SIMD128) and a memory.copy (bulk memory). platform/wasm/CMakeLists.txt says why.
const FEATURE_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: () -> ()
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // one memory of one page
  0x0a, 0x21, 0x01, 0x1f, 0x00, // code: one body of 31 bytes, no locals
  0xfd, 0x0c, ...new Array(16).fill(0), 0x1a, // v128.const 0, drop
  0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, // memory.copy 0 0 0
  0x0b, // end
]);

/**
 * Why this engine cannot run the package's WebAssembly, or null when it can. Without it the
 * module fails to compile with an engine-specific CompileError that names neither the feature
 * nor a version.
 * @param {(bytes: Uint8Array) => boolean} [validate] WebAssembly.validate (a parameter for tests)
 * @returns {string | null}
 */
export function missingWasmFeatures(validate = (bytes) => WebAssembly.validate(bytes)) {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) {
    return 'this JavaScript engine has no WebAssembly';
  }
  if (!validate(FEATURE_PROBE)) {
    return (
      'this JavaScript engine lacks WebAssembly SIMD or bulk memory, which llmstream needs ' +
      '(Chrome / Edge 91+, Firefox 89+, Safari 16.4+, Node 18+)'
    );
  }
  return null;
}

const isNode =
  typeof process === 'object' &&
  process !== null &&
  typeof process.versions === 'object' &&
  typeof process.versions.node === 'string' &&
  typeof window === 'undefined';

/**
 * @typedef {object} ModuleSource where one of the package's modules comes from
 * @property {string} glue names the JS glue, for the cache and messages (a URL)
 * @property {() => Promise<any>} importGlue imports the glue: a literal `import('../../dist/...')`
 *   for the package's own build, which bundlers follow (the glue becomes a chunk of the app), or
 *   an import of a URL the caller gave
 * @property {URL} wasmUrl the .wasm: for the package's own build a literal
 *   `new URL('../../dist/....wasm', import.meta.url)`, which bundlers (Vite, webpack, Parcel)
 *   emit as an asset and rewrite to its final URL
 */

/**
 * @template M
 * @param {ModuleSource} source
 * @param {string} what what it is, for error messages ("the WebAssembly core")
 * @param {(module: M) => void} check throws when the module speaks another protocol
 * @returns {Promise<M>} the same promise for the same glue and .wasm; a failed load is not
 *   cached, so a later call (after building) tries again
 */
export function loadWasmModule(source, what, check) {
  const key = `${source.glue} ${source.wasmUrl.href}`;
  let promise = cache.get(key);
  if (!promise) {
    promise = instantiate(source, what, check);
    cache.set(key, promise);
    promise.catch(() => cache.delete(key));
  }
  return promise;
}

/**
 * The source of a build the caller names: its glue at `moduleUrl`, its .wasm at `wasmUrl` or
 * beside the glue.
 * @param {URL} moduleUrl @param {URL | string | undefined} wasmUrl
 * @returns {ModuleSource}
 */
export function sourceAt(moduleUrl, wasmUrl) {
  return {
    glue: moduleUrl.href,
    importGlue: () => import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl.href),
    wasmUrl: new URL(String(wasmUrl ?? moduleUrl.href.replace(/\.m?js$/, '.wasm'))),
  };
}

/**
 * @template M
 * @param {ModuleSource} source
 * @param {string} what
 * @param {(module: M) => void} check
 * @returns {Promise<M>} rejects with an LLMStreamError, code 'module_load', the cause attached
 */
async function instantiate(source, what, check) {
  try {
    return await instantiateOrThrow(source, what, check);
  } catch (error) {
    if (error instanceof LLMStreamError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // The .wasm may be served from a signed URL (a CDN's ?X-Amz-Signature=...): redacted, in the
    // message and in the cause that quotes it.
    scrubErrorChain(error, []);
    throw new LLMStreamError(
      redactUrlsInText(
        message.startsWith('llmstream:') ? message : `llmstream: cannot load ${what} (${redactUrl(source.wasmUrl.href)}): ${message}`,
      ),
      { code: ErrorCode.MODULE_LOAD, cause: error },
    );
  }
}

/**
 * @template M
 * @param {ModuleSource} source
 * @param {string} what
 * @param {(module: M) => void} check
 * @returns {Promise<M>}
 */
async function instantiateOrThrow(source, what, check) {
  const missing = missingWasmFeatures();
  if (missing !== null) throw new Error(`llmstream: cannot load ${what}: ${missing}`);
  const wasmUrl = source.wasmUrl;
  /** @type {(error: unknown) => void} */
  let fail = () => {};
  /** @type {Promise<never>} rejects when the .wasm cannot be fetched or compiled */
  const failure = new Promise((_, reject) => {
    fail = reject;
  });
  failure.catch(() => {});
  /** @type {any} */
  let factoryModule;
  /** @type {Record<string, unknown>} */
  const settings = {};
  try {
    if (isNode && wasmUrl.protocol === 'file:') {
      // Node's fetch cannot load file: URLs (toolchain.md pitfall 4): the bytes, read here.
      const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
      settings.wasmBinary = await readFile(wasmUrl);
    } else {
      // Downloaded and compiled from now on (streaming compilation where the server says
      // application/wasm), while the glue is imported, instead of after it; the glue's
      // instantiateWasm hook then only instantiates.
      const compiled = compileFrom(wasmUrl, what);
      compiled.catch(() => {}); // reported through `failure` below
      settings.instantiateWasm = (/** @type {any} */ imports, /** @type {Function} */ receive) => {
        compiled.then((m) => WebAssembly.instantiate(m, imports)).then((instance) => receive(instance), fail);
        return {};
      };
      compiled.catch(fail);
    }
    factoryModule = await source.importGlue();
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e && (e.code === 'ENOENT' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new Error(
        `llmstream: ${what} is not built (${e.path ?? source.glue} is missing); ` +
          'run scripts/build-wasm.sh (npm run build in npm/)',
        { cause: error },
      );
    }
    throw error;
  }
  const module = /** @type {M} */ (await Promise.race([factoryModule.default(settings), failure]));
  check(module);
  return module;
}

/**
 * Fetches and compiles a .wasm, with a message that says what went wrong when the server sent
 * something else (a 404, an app's fallback page).
 * @param {URL} url @param {string} what
 * @returns {Promise<WebAssembly.Module>}
 */
async function compileFrom(url, what) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new Error(`llmstream: cannot load ${what}: ${url.href} answered HTTP ${response.status} (set wasmURL where the package's .wasm is served)`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error(
      `llmstream: cannot load ${what}: ${url.href} is not a WebAssembly module (${type || 'no content type'}; ` +
        "an app's fallback page? serve the package's dist/core/*.wasm there, or set wasmURL)",
    );
  }
  return WebAssembly.compile(bytes);
}
