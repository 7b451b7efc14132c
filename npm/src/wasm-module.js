// loadWasmModule(): loads (once per URL) and instantiates one of the package's emscripten modules
// (the streaming core, the transforms). Browsers let the module fetch its .wasm next to the .mjs
// itself (new URL(..., import.meta.url); the server must send application/wasm). Node: the
// modules are web builds (toolchain.md pitfall 3), so the bytes are read here with fs and handed
// over as `wasmBinary` (pitfall 4: Node's global fetch cannot load file: URLs).

/** @type {Map<string, Promise<any>>} */
const cache = new Map();

const isNode =
  typeof process === 'object' &&
  process !== null &&
  typeof process.versions === 'object' &&
  typeof process.versions.node === 'string' &&
  typeof window === 'undefined';

/**
 * @template M
 * @param {URL} moduleUrl the .mjs (its .wasm sits beside it)
 * @param {string} what what it is, for error messages ("the WebAssembly core")
 * @param {(module: M) => void} check throws when the module speaks another protocol
 * @returns {Promise<M>} the same promise for the same URL; a failed load is not cached, so a
 *   later call (after building) tries again
 */
export function loadWasmModule(moduleUrl, what, check) {
  const key = moduleUrl.href;
  let promise = cache.get(key);
  if (!promise) {
    promise = instantiate(moduleUrl, what, check);
    cache.set(key, promise);
    promise.catch(() => cache.delete(key));
  }
  return promise;
}

/**
 * @template M
 * @param {URL} moduleUrl
 * @param {string} what
 * @param {(module: M) => void} check
 * @returns {Promise<M>}
 */
async function instantiate(moduleUrl, what, check) {
  const wasmUrl = new URL(moduleUrl.href.replace(/\.m?js$/, '.wasm'));
  /** @type {any} */
  let factoryModule;
  /** @type {Record<string, unknown>} */
  const settings = {};
  try {
    if (isNode) {
      const { readFile } = await import(/* webpackIgnore: true */ 'node:fs/promises');
      settings.wasmBinary = await readFile(wasmUrl);
    }
    factoryModule = await import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl.href);
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e && (e.code === 'ENOENT' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new Error(
        `llmstream: ${what} is not built (${e.path ?? moduleUrl.href} is missing); ` +
          'run scripts/build-wasm.sh (npm run build in npm/)',
        { cause: error },
      );
    }
    throw error;
  }
  const module = /** @type {M} */ (await factoryModule.default(settings));
  check(module);
  return module;
}
