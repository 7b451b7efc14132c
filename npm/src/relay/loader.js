// `new APILoader({provider: 'relay', baseURL: '/api/chat'})`: the options of a loader that
// streams from a relay (docs/relay-protocol.md) instead of a provider, and of its requests. The
// relay decides the provider, key, model defaults and upstream retries; the page says what it
// asks for (the protocol's request fields) and how its own connection to the relay behaves.

import { isJsonOutput } from '../core/load.js';
import { ErrorCode, InvalidRequestError } from '../errors.js';
import { RelaySession } from './client.js';
import { RELAY_REQUEST_FIELDS } from './policy.js';

const fail = (message) => {
  throw new InvalidRequestError(message, { code: ErrorCode.INVALID_REQUEST });
};

/** Loader options of provider 'relay', with what each means here. */
const LOADER_KEYS = {
  provider: 'relay',
  baseURL: "the relay's URL ('/api/chat')",
  headers: 'headers sent to the relay (your app\'s own auth: a cookie goes by itself)',
  fetch: 'the fetch used',
  defaultModel: 'the model asked for when a request names none (else the relay\'s)',
  maxRetries: 'reconnections in a row without a new event before a cut stream fails',
  idleTimeoutMs: 'the longest silence on a connection (keep-alives count) before it is dropped and resumed',
  streamTimeout: 'the longest silence on a connection (ms)',
  maxCompletionBytes: 'the most output the page keeps of one stream (bytes; 0: no bound)',
  retryBaseDelayMs: 'the wait before a reconnection (ms)',
  retryDelay: 'the wait before a reconnection (ms)',
};

/** True when a loader's options name the relay. */
export function isRelay(config) {
  return typeof config?.provider === 'string' && config.provider.toLowerCase() === 'relay';
}

/** A relay loader's configuration, checked (throws InvalidRequestError). */
export function relayLoaderConfig(config) {
  for (const key of Object.keys(config)) {
    if (!(key in LOADER_KEYS)) {
      fail(`'${key}' is not an option of provider 'relay': the relay server decides it (a relay loader takes ${Object.keys(LOADER_KEYS).join(', ')})`);
    }
  }
  const { baseURL } = config;
  if (typeof baseURL !== 'string' && !(baseURL instanceof URL)) fail("provider 'relay' needs baseURL: the relay's URL ('/api/chat')");
  if (config.fetch !== undefined && typeof config.fetch !== 'function') fail('fetch must be a function');
  const headers = {};
  if (config.headers !== undefined && config.headers !== null) {
    if (typeof config.headers !== 'object') fail('headers must be an object of header names to values');
    for (const [name, value] of Object.entries(config.headers)) if (value !== undefined && value !== null) headers[name] = String(value);
  }
  const maxResumes = config.maxRetries;
  if (maxResumes !== undefined && (!Number.isInteger(maxResumes) || maxResumes < 0)) fail('maxRetries must be an integer >= 0');
  const resumeDelayMs = config.retryBaseDelayMs ?? config.retryDelay;
  if (resumeDelayMs !== undefined && (typeof resumeDelayMs !== 'number' || !(resumeDelayMs >= 0))) fail('retryBaseDelayMs must be a number >= 0');
  return { provider: 'relay', baseURL, headers, fetch: config.fetch, defaultModel: config.defaultModel, maxResumes, resumeDelayMs,
    ...connectionLimits(config) };
}

/** idleTimeoutMs (or streamTimeout) and maxCompletionBytes, checked; undefined: the default. */
function connectionLimits(options) {
  const idleTimeoutMs = options.idleTimeoutMs ?? options.streamTimeout;
  if (idleTimeoutMs !== undefined && !(Number.isFinite(idleTimeoutMs) && idleTimeoutMs >= 0)) fail('idleTimeoutMs must be a number >= 0 (0: none)');
  const { maxCompletionBytes } = options;
  if (maxCompletionBytes !== undefined && !(Number.isInteger(maxCompletionBytes) && maxCompletionBytes >= 0)) fail('maxCompletionBytes must be an integer >= 0 (0: no bound)');
  return { idleTimeoutMs, maxCompletionBytes };
}

/** Request options that are the page's own, not sent to the relay. */
const LOCAL_KEYS = new Set(['signal', 'metricsIntervalMs', 'headers', 'systemPrompt', 'stopSequences', 'stream',
  'idleTimeoutMs', 'streamTimeout', 'maxCompletionBytes']);

/**
 * One request's {open, jsonOutput, metricsIntervalMs, secrets}: what createChunkStream needs.
 * @param {ReturnType<typeof relayLoaderConfig>} loader @param {Record<string, any>} options
 */
export function relayRequest(loader, options = {}) {
  if (options === null || typeof options !== 'object') fail('streamCompletion options must be an object');
  for (const key of Object.keys(options)) {
    if (!RELAY_REQUEST_FIELDS.includes(key) && !LOCAL_KEYS.has(key)) {
      fail(`'${key}' cannot be sent to a relay (it takes ${RELAY_REQUEST_FIELDS.join(', ')})`);
    }
  }
  if (options.stream === false) fail('streamCompletion always streams: use complete() for the whole answer');
  const body = {};
  for (const key of RELAY_REQUEST_FIELDS) if (options[key] !== undefined && options[key] !== null) body[key] = options[key];
  if (body.system === undefined && options.systemPrompt !== undefined) body.system = options.systemPrompt;
  if (body.stop === undefined && options.stopSequences !== undefined) body.stop = options.stopSequences;
  if (body.model === undefined && loader.defaultModel !== undefined) body.model = loader.defaultModel;
  const tools = body.tools;
  if (tools && typeof tools === 'object' && !Array.isArray(tools)) {
    for (const [name, tool] of Object.entries(tools)) {
      if (tool && typeof tool.execute === 'function') {
        fail(`tools.${name}.execute: with provider 'relay' tools run on the relay server; name them (tools: ['${name}'])`);
      }
    }
  }
  try {
    JSON.stringify(body);
  } catch (error) {
    fail(`the request cannot be sent as JSON: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
  const signal = options.signal ?? undefined;
  if (signal !== undefined && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) fail('signal must be an AbortSignal');
  const metricsIntervalMs = options.metricsIntervalMs ?? undefined;
  if (metricsIntervalMs !== undefined && !(typeof metricsIntervalMs === 'number' && metricsIntervalMs >= 0)) {
    fail('metricsIntervalMs must be a number >= 0');
  }
  const jsonOutput = isJsonOutput(body);
  const fetchImpl = loader.fetch ?? globalThis.fetch?.bind(globalThis);
  const headers = { ...loader.headers };
  if (options.headers) for (const [name, value] of Object.entries(options.headers)) headers[name] = String(value);
  const limits = connectionLimits(options);
  return {
    model: body.model,
    jsonOutput,
    metricsIntervalMs,
    open: async () => new RelaySession({ url: loader.baseURL, body, fetch: fetchImpl, headers, signal, jsonOutput,
      maxResumes: loader.maxResumes, resumeDelayMs: loader.resumeDelayMs,
      idleTimeoutMs: limits.idleTimeoutMs ?? loader.idleTimeoutMs, maxCompletionBytes: limits.maxCompletionBytes ?? loader.maxCompletionBytes }),
  };
}
