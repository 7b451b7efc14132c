// loadCore(): the WebAssembly core (llmstream_core.mjs + llmstream_core.wasm in ../../dist/core/,
// built by scripts/build-wasm.sh), loaded once per process / page and shared by every session
// (how: ../wasm-module.js).

import { loadWasmModule } from '../wasm-module.js';

const DEFAULT_MODULE_URL = new URL('../../dist/core/llmstream_core.mjs', import.meta.url);

/** The packed-event protocol this driver speaks (platform/wasm/bind.cpp: protocolVersion). */
export const PROTOCOL_VERSION = 2;
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
 * @property {() => number} handle the session's address for core._llmstream_poll / _on_body
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
 * @property {(handle: number, nowMs: number) => number} _llmstream_poll WasmSession#poll by
 *   handle(), without embind's per-call overhead (the per-read calls)
 * @property {(handle: number, len: number, nowMs: number) => number} _llmstream_on_body
 *   WasmSession#onBody by handle()
 * @property {() => number} recordInts
 * @property {() => number} protocolVersion
 * @property {Uint8Array} HEAPU8 re-read after every call: memory growth replaces it
 * @property {Int32Array} HEAP32
 * @property {Float64Array} HEAPF64
 */

/**
 * Loads (once) and instantiates the wasm core.
 * @param {{moduleUrl?: URL | string}} [options] another build of llmstream_core.mjs (its .wasm
 *   must sit beside it); the default is ../../dist/core/ relative to this file.
 * @returns {Promise<CoreModule>}
 */
export async function loadCore(options = {}) {
  const moduleUrl = new URL(String(options.moduleUrl ?? DEFAULT_MODULE_URL), import.meta.url);
  return loadWasmModule(moduleUrl, 'the WebAssembly core', (/** @type {CoreModule} */ core) => {
    if (core.protocolVersion() !== PROTOCOL_VERSION || core.recordInts() !== RECORD_INTS) {
      throw new Error(
        `llmstream: ${moduleUrl.href} speaks protocol ${core.protocolVersion()} with ` +
          `${core.recordInts()}-int records; this driver expects ${PROTOCOL_VERSION} / ` +
          `${RECORD_INTS}: rebuild it (scripts/build-wasm.sh)`,
      );
    }
    // The glue's export wrappers replace themselves with the raw wasm function on their first
    // call; call the per-read ones once (a zero handle does nothing) so that every later call,
    // and anything that wraps them, sees the raw function.
    core._llmstream_poll(0, 0);
    core._llmstream_on_body(0, 0, 0);
  });
}
