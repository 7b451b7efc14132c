// loadTransforms(): the second WebAssembly module of the package (llmstream_transforms.mjs +
// .wasm in ../../dist/core/, built by scripts/build-wasm.sh from platform/wasm/transforms/):
// the core's text transforms and stream utilities. Loaded once per process / page, and only when
// a transform is used, so that streaming alone never downloads it.
//
// Loaded like the streaming core (../wasm-module.js).

import { loadWasmModule, sourceAt } from '../wasm-module.js';

/** The package's own build: literal paths, so that bundlers carry both files into an app. */
const PACKAGED = {
  // A name only (a `new URL` here would make bundlers copy the glue a second time, as an asset).
  glue: 'llmstream/dist/core/llmstream_transforms.mjs',
  importGlue: () => import('../../dist/core/llmstream_transforms.mjs'),
  wasmUrl: new URL('../../dist/core/llmstream_transforms.wasm', import.meta.url),
};

/** The protocol this JS speaks (platform/wasm/transforms/bind.cpp: protocolVersion). */
export const TRANSFORMS_PROTOCOL_VERSION = 1;

/**
 * @typedef {object} TextStageHandle platform/wasm/transforms/text_stage.h. Header at statePtr():
 *   f64 wakeAtMs, f64 heldBytes, u32 pieces, u32 address of the pieces' UTF-16 lengths.
 * @property {(text: string, nowMs: number) => string} push
 * @property {(nowMs: number) => string} tick
 * @property {(nowMs: number) => string} flush
 * @property {() => void} reset
 * @property {() => boolean} ok
 * @property {() => number} statePtr
 * @property {() => string} tailHtml
 * @property {() => void} delete
 */

/**
 * @typedef {object} TransformsModule The instantiated emscripten module.
 * @property {new (kind: string, optionsJson: string) => TextStageHandle} TextStage
 * @property {new (estimate: number, unit: number) => any} ProgressTracker
 * @property {new (high: number, low: number) => any} WaterMarks
 * @property {new (startMs: number) => any} ChunkRecording
 * @property {new (maxEntries: number, maxBytes: number, keepIncomplete: boolean) => any} ChunkCache
 * @property {(markdown: string, hardBreaks: boolean) => string} renderSafeMarkdown
 * @property {() => number} protocolVersion
 * @property {() => number} liveHandles objects JS holds handles to and has not deleted yet
 * @property {Uint32Array} HEAPU32 re-read after every call: memory growth replaces it
 * @property {Float64Array} HEAPF64
 */

/** @type {TransformsModule | null} the default module once loaded (for synchronous helpers) */
let loadedDefault = null;

/**
 * Loads (once) and instantiates the transforms module.
 * @param {{moduleUrl?: URL | string}} [options] another build of llmstream_transforms.mjs (its
 *   .wasm beside it); the default is ../../dist/core/ relative to this file.
 * @returns {Promise<TransformsModule>}
 */
export function loadTransforms(options = {}) {
  const base = globalThis.location?.href ?? import.meta.url;
  const source = options.moduleUrl ? sourceAt(new URL(String(options.moduleUrl), base)) : PACKAGED;
  const promise = loadWasmModule(
    source,
    'the transforms module',
    (/** @type {TransformsModule} */ mod) => {
      if (mod.protocolVersion() !== TRANSFORMS_PROTOCOL_VERSION) {
        throw new Error(
          `llmstream: ${source.glue} speaks transforms protocol ${mod.protocolVersion()}, ` +
            `this package ${TRANSFORMS_PROTOCOL_VERSION}: rebuild it (scripts/build-wasm.sh)`,
        );
      }
    },
  );
  if (source === PACKAGED && loadedDefault === null) {
    promise.then(
      (m) => {
        loadedDefault = m;
      },
      () => {},
    );
  }
  return promise;
}

/** The default module if it finished loading, else null (synchronous helpers need it). */
export function loadedTransforms() {
  return loadedDefault;
}
