// loadCore(): the WebAssembly core (llmstream_core.mjs + llmstream_core.wasm in ../../dist/core/,
// built by scripts/build-wasm.sh), loaded once per process / page and shared by every session.
//
// Browsers: the emscripten module fetches the .wasm next to the .mjs itself (new URL(...,
// import.meta.url); the server must send application/wasm). Node: the module is a web build
// (toolchain.md pitfall 3), so its bytes are read here with fs and handed over as `wasmBinary`
// (pitfall 4: Node's global fetch cannot load file: URLs).

const DEFAULT_MODULE_URL = new URL('../../dist/core/llmstream_core.mjs', import.meta.url);

/** The packed-event protocol this driver speaks (platform/wasm/bind.cpp: protocolVersion). */
export const PROTOCOL_VERSION = 1;
/** int32 fields per packed event record (platform/wasm/packer.h: kRecordInts). */
export const RECORD_INTS = 12;

/**
 * @typedef {object} WasmSession The embind class (platform/wasm/wasm_session.h).
 * @property {(nowMs: number) => number} poll
 * @property {() => number} wakeAtMs
 * @property {() => number} attempt
 * @property {() => number} attempts
 * @property {() => string} httpRequestJson
 * @property {(status: number, headersJson: string, nowMs: number) => number} onResponse
 * @property {(len: number) => number} inputBuffer
 * @property {(len: number, nowMs: number) => number} onBody
 * @property {(nowMs: number) => number} onEnd
 * @property {(code: number, message: string, platformCode: string, nowMs: number) => number} onTransportError
 * @property {(nowMs: number) => number} cancel
 * @property {() => number} eventCount
 * @property {() => number} recordsPtr
 * @property {() => number} textPtr
 * @property {() => number} textLen
 * @property {() => number} statePtr
 * @property {() => string} sideJson
 * @property {() => string} resultJson
 * @property {() => number} packResultJson resultJson() into a buffer: its byte length
 * @property {() => number} resultJsonPtr where packResultJson() put the bytes
 * @property {() => string} errorJson
 * @property {() => boolean} done
 * @property {() => void} delete
 */

/**
 * @typedef {object} CoreModule The instantiated emscripten module.
 * @property {new (optionsJson: string) => WasmSession} WasmSession
 * @property {() => number} liveSessions WasmSession objects not yet deleted
 * @property {() => number} recordInts
 * @property {() => number} protocolVersion
 * @property {Uint8Array} HEAPU8 re-read after every call: memory growth replaces it
 * @property {Int32Array} HEAP32
 * @property {Float64Array} HEAPF64
 */

/** @type {Map<string, Promise<CoreModule>>} */
const cache = new Map();

const isNode =
  typeof process === 'object' &&
  process !== null &&
  typeof process.versions === 'object' &&
  typeof process.versions.node === 'string' &&
  typeof window === 'undefined';

/**
 * Loads (once) and instantiates the wasm core.
 * @param {{moduleUrl?: URL | string}} [options] another build of llmstream_core.mjs (its .wasm
 *   must sit beside it); the default is ../../dist/core/ relative to this file.
 * @returns {Promise<CoreModule>}
 */
export async function loadCore(options = {}) {
  const moduleUrl = new URL(String(options.moduleUrl ?? DEFAULT_MODULE_URL), import.meta.url);
  const key = moduleUrl.href;
  let promise = cache.get(key);
  if (!promise) {
    promise = instantiate(moduleUrl);
    cache.set(key, promise);
    // A failed load is not cached: a later call (after building the core) tries again.
    promise.catch(() => cache.delete(key));
  }
  return promise;
}

/** @param {URL} moduleUrl */
async function instantiate(moduleUrl) {
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
        `llmstream: the WebAssembly core is not built (${e.path ?? moduleUrl.href} is missing); ` +
          'run scripts/build-wasm.sh (npm run build in npm/)',
        { cause: error },
      );
    }
    throw error;
  }
  const core = /** @type {CoreModule} */ (await factoryModule.default(settings));
  if (core.protocolVersion() !== PROTOCOL_VERSION || core.recordInts() !== RECORD_INTS) {
    throw new Error(
      `llmstream: ${moduleUrl.href} speaks protocol ${core.protocolVersion()} with ` +
        `${core.recordInts()}-int records; this driver expects ${PROTOCOL_VERSION} / ` +
        `${RECORD_INTS}: rebuild it (scripts/build-wasm.sh)`,
    );
  }
  return core;
}
