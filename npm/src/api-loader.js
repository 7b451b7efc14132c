// APILoader: the seed guide's entry point. One loader per provider configuration; each
// streamCompletion() is one independent stream (one driver session over the wasm core).

import { createChunkStream } from './chunk-stream.js';
import { loadCore, needsFullCore } from './core/load.js';
import { openSession } from './core/session.js';
import { loaderConfig, requestOptions, secretsOf } from './options.js';
import { redactUrl } from './redact-url.js';
import { isRelay, relayLoaderConfig, relayRequest } from './relay/loader.js';
import { LoopSession } from './tool-loop.js';

/** @internal What a loader must never show (createRelay masks it in everything it sends). */
export const LOADER_SECRETS = Symbol('loaderSecrets');

export class APILoader {
  #config;

  /**
   * @param {object} [config] provider ('local' by default: the local provider server at
   *   http://127.0.0.1:8787/v1), apiKey (else OPENAI_API_KEY / ANTHROPIC_API_KEY / ... from
   *   the environment in Node), baseURL, headers, api, defaultModel, maxRetries (2), timeout
   *   (ms to the first byte), streamTimeout / idleTimeoutMs, totalTimeoutMs, retryDelay /
   *   retryBaseDelayMs, maxRetryDelay / retryMaxDelayMs, keepAliveEvents, continuation,
   *   estimateUsage, fetch, wasmURL (where llmstream_core.wasm is served from, when a bundler or
   *   a CDN puts it elsewhere than beside the package's dist/core/llmstream_core.mjs).
   */
  constructor(config = {}) {
    // provider 'relay': the app's own server streams from the provider (relay/loader.js).
    this.#config = isRelay(config) ? relayLoaderConfig(config) : loaderConfig(config);
  }

  /** The provider name ('openai', 'anthropic', ..., 'local'). */
  get provider() {
    return this.#config.provider;
  }

  /** The base URL given, or undefined for the provider's default. */
  get baseURL() {
    return this.#config.baseURL;
  }

  /** The model used when a request names none. */
  get defaultModel() {
    return this.#config.defaultModel;
  }

  /**
   * Loads and compiles the wasm core now (it is otherwise loaded by the first stream).
   * @param {{wasmURL?: string | URL, full?: boolean}} [options] wasmURL: where llmstream_core.wasm
   *   is served from, as the loader option of that name; full: the full core module instead
   *   (llmstream_core_full.wasm beside it), which the streams of Gemini, Bedrock, Ollama and
   *   Cohere (and any `api` the core module leaves out) load on first use
   */
  static async preload(options = {}) {
    await loadCore({ wasmUrl: options.wasmURL, full: options.full === true });
  }

  /**
   * Starts a streamed completion. Returns the stream at once (awaiting it is harmless, as the
   * guide does); the request is sent when the stream is first read. Invalid options throw an
   * InvalidRequestError here. With `tools` as an object of tools with `execute` functions it is
   * a tool loop (README "Tool loop"): steps stream one after the other, each chunk with its
   * `step`, tool results as `tool_result` chunks, up to `maxSteps` model calls.
   */
  streamCompletion(options = {}) {
    if (this.#config.provider === 'relay') return createChunkStream(relayRequest(this.#config, options));
    const { driver, rawMode, signal, secrets, fetch, metricsIntervalMs, jsonOutput, loop } =
      requestOptions(this.#config, options);
    const fetchImpl = fetch ?? globalThis.fetch?.bind(globalThis);
    const openStep = async (stepDriver) => {
      const core = await loadCore({ wasmUrl: this.#config.wasmURL, full: needsFullCore(stepDriver) });
      return openSession(core, stepDriver, { fetch: fetchImpl, signal, raw: rawMode, secrets, jsonOutput });
    };
    return createChunkStream({
      model: driver.model,
      rawMode,
      secrets,
      metricsIntervalMs,
      jsonOutput,
      // With tools that execute: one core session per step (tool-loop.js).
      open: loop
        ? async () => new LoopSession({ driver, toolSet: loop.toolSet, maxSteps: loop.maxSteps, signal, openStep })
        : () => openStep(driver),
    });
  }

  /** Streams to the end and resolves to the completion (`completion.text` ...). */
  complete(options = {}) {
    return this.streamCompletion(options).complete();
  }

  /** @internal */
  [LOADER_SECRETS]() {
    return this.#config.provider === 'relay' ? [] : secretsOf(this.#config);
  }

  /** Keys stay out of logs: `console.log(loader)` and JSON show no apiKey, and the base URL redacted. */
  toJSON() {
    const { provider, baseURL, defaultModel } = this.#config;
    return { provider, baseURL: baseURL === undefined ? undefined : redactUrl(baseURL), defaultModel };
  }
}
