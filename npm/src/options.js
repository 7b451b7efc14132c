// Options: the loader's configuration and one request's options -> the driver's options.
// Names follow the seed API (camelCase); a few seed aliases are accepted (systemPrompt,
// stopSequences, retryDelay...); snake_case keys are provider body fields sent as they are
// (`stream_options`, `seed`, `frequency_penalty`...), through the driver's extraBody.
//
// Values are checked once, by the core (platform/wasm/options.cpp and the request builder): a
// bad one fails the stream at its first read with an InvalidRequestError naming it. This file
// checks only what is JavaScript's own: option names (typos throw at once), aliases, `signal`,
// `fetch`, `raw`, `metricsIntervalMs`, and the provider / key rules that must be said when the
// loader is created.

import { AUTH_HEADERS, PROVIDERS as PROVIDER_TABLE } from '../dist/core/abi.js';
import { isJsonOutput } from './core/load.js';
import { ErrorCode, InvalidRequestError } from './errors.js';
import { urlSecrets } from './redact-url.js';
import { toolSet } from './tool-loop.js';

// One table, the C++'s (llmstream/request.h, through the generated abi.js): names, default
// models, key variables, whether the provider's own server needs a key.
const BY_PROVIDER = new Map(PROVIDER_TABLE.map((p) => [p.name, p]));
// Every name a provider goes by, lower case, as the core's ParseProvider reads them.
const BY_NAME = new Map(
  PROVIDER_TABLE.flatMap((p) => [[p.name, p], ...(p.alias ? [[p.alias, p]] : [])]),
);

/** The provider names ('openai', 'anthropic', 'groq', 'openrouter', 'compatible', 'local', 'gemini', ...). */
export const PROVIDERS = Object.freeze(PROVIDER_TABLE.map((p) => p.name));

/** The model each provider uses when a request names none ('compatible' has none). */
export const DEFAULT_MODELS = Object.freeze(
  Object.fromEntries(PROVIDER_TABLE.filter((p) => p.defaultModel).map((p) => [p.name, p.defaultModel])),
);

// Loader-level settings that a request may override, with their driver names.
const TRANSPORT_KEYS = {
  maxRetries: 'maxRetries',
  retryBaseDelayMs: 'retryBaseDelayMs',
  retryDelay: 'retryBaseDelayMs', // seed name
  retryMaxDelayMs: 'retryMaxDelayMs',
  maxRetryDelay: 'retryMaxDelayMs', // seed name
  retryJitter: 'retryJitter',
  timeout: 'firstByteTimeoutMs', // seed name: milliseconds to the first byte
  firstByteTimeoutMs: 'firstByteTimeoutMs',
  idleTimeoutMs: 'idleTimeoutMs',
  streamTimeout: 'idleTimeoutMs', // seed name: the longest silence mid-stream
  totalTimeoutMs: 'totalTimeoutMs',
  outputIdleTimeoutMs: 'outputIdleTimeoutMs',
  maxCompletionBytes: 'maxCompletionBytes',
  keepAliveEvents: 'keepAliveEvents',
  continuation: 'continuation',
  estimateUsage: 'estimateUsage',
  randomSeed: 'randomSeed',
  unixMsAtZero: 'unixMsAtZero',
};

const LOADER_KEYS = new Set([
  'provider',
  'apiKey',
  'region',
  'credentials',
  'baseURL',
  'headers',
  'api',
  'defaultModel',
  'fetch',
  'wasmURL',
  ...Object.keys(TRANSPORT_KEYS),
]);

// Request keys passed to the driver under the same name (and what a relay request may carry:
// relay/policy.js).
export const REQUEST_KEYS = [
  'model',
  'prompt',
  'system',
  'messages',
  'maxTokens',
  'temperature',
  'topP',
  'n',
  'reasoningEffort',
  'reasoningBudgetTokens',
  // JSON output: {type: 'json_schema', name, schema, strict} | {type: 'json_object'}, checked
  // and written per wire API by the core (platform/wasm/options.cpp, request/response_format.cpp).
  'responseFormat',
  // false: no partialObject on the chunks (the core parses nothing for them).
  'partialObjects',
];

// Seed / common names that map onto provider body fields.
const BODY_ALIASES = {
  topK: 'top_k',
  frequencyPenalty: 'frequency_penalty',
  presencePenalty: 'presence_penalty',
  seed: 'seed',
  user: 'user',
};

const REQUEST_ONLY_KEYS = new Set([
  ...REQUEST_KEYS,
  ...Object.keys(BODY_ALIASES),
  'systemPrompt',
  'stop',
  'stopSequences',
  'tools',
  'toolChoice',
  'extraBody',
  'signal',
  'raw',
  'metricsIntervalMs',
  'stream',
  'headers',
  'maxSteps',
]);

function fail(message) {
  throw new InvalidRequestError(message, { code: ErrorCode.INVALID_REQUEST });
}

function checkNumber(name, value, { integer = false, min = -Infinity } = {}) {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value)) || value < min) {
    fail(`${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}`);
  }
}

function headerList(headers, where) {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== 'object') fail(`${where} must be an object of header names to values`);
  const out = {};
  const entries =
    typeof headers.entries === 'function' && !Array.isArray(headers)
      ? [...headers.entries()]
      : Array.isArray(headers)
        ? headers
        : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    out[String(name)] = String(value);
  }
  return out;
}

const env = () => globalThis.process?.env ?? {};

function envKey(provider) {
  return env()[BY_PROVIDER.get(provider).keyVariable] || undefined;
}

/**
 * The provider a loader without one means: the hosted provider whose key variable is the only
 * one set (Node). Anything else is ambiguous: a clear error rather than a guess.
 */
function inferProvider() {
  // Not Bedrock: machines hold AWS credentials for much else (keyNamesProvider).
  const hosted = PROVIDER_TABLE.filter((p) => p.keyRequired && p.keyNamesProvider);
  const set = hosted.filter((p) => env()[p.keyVariable]);
  if (set.length === 1) return set[0].name;
  const names = PROVIDERS.map((p) => `'${p}'`).join(', ');
  const variables = hosted.map((p) => p.keyVariable).join(', ');
  return fail(
    set.length === 0
      ? `APILoader needs a provider: pass {provider: ${names}} (or set exactly one of ${variables})`
      : `APILoader needs a provider: ${set.map((p) => p.keyVariable).join(' and ')} are both set, ` +
          `so pass {provider: ${set.map((p) => `'${p.name}'`).join(' | ')}}`,
  );
}

/**
 * Bedrock's IAM credentials ({accessKeyId, secretAccessKey, sessionToken}, the AWS SDK's shape):
 * the loader's, else (Node) AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, unless
 * a Bedrock API key was given or AWS_BEARER_TOKEN_BEDROCK is set (it goes first, as in the AWS
 * SDKs). Undefined when there are none.
 */
function awsCredentials(config, variable) {
  const given = config.credentials;
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object') fail('credentials must be an object {accessKeyId, secretAccessKey, sessionToken}');
    for (const key of Object.keys(given)) {
      if (!['accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration', 'credentialScope', 'accountId'].includes(key)) {
        fail(`unknown credentials key '${key}' (accessKeyId, secretAccessKey, sessionToken)`);
      }
    }
    for (const key of ['accessKeyId', 'secretAccessKey', 'sessionToken']) {
      if (given[key] !== undefined && typeof given[key] !== 'string') fail(`credentials.${key} must be a string`);
    }
    if (!given.accessKeyId || !given.secretAccessKey) {
      fail('credentials need accessKeyId and secretAccessKey');
    }
    return { accessKeyId: given.accessKeyId, secretAccessKey: given.secretAccessKey,
      ...(given.sessionToken ? { sessionToken: given.sessionToken } : {}) };
  }
  const e = env();
  if (config.apiKey !== undefined || e[variable] || !e.AWS_ACCESS_KEY_ID || !e.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
    ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}) };
}

/** Validated loader configuration (throws InvalidRequestError). */
export function loaderConfig(config = {}) {
  if (config === null || typeof config !== 'object') fail('APILoader options must be an object');
  for (const key of Object.keys(config)) {
    if (!LOADER_KEYS.has(key) && !key.includes('_')) fail(`unknown APILoader option '${key}'`);
  }
  const named = config.provider ?? inferProvider();
  const provider = typeof named === 'string' ? BY_NAME.get(named.toLowerCase())?.name : undefined;
  if (provider === undefined) {
    fail(`unknown provider '${named}' (one of ${PROVIDERS.join(', ')})`);
  }
  if (config.fetch !== undefined && typeof config.fetch !== 'function') fail('fetch must be a function');
  if (config.wasmURL !== undefined && typeof config.wasmURL !== 'string' && !(config.wasmURL instanceof URL)) {
    fail('wasmURL must be a string or a URL');
  }
  const transport = {};
  for (const [key, driverKey] of Object.entries(TRANSPORT_KEYS)) {
    if (config[key] !== undefined) transport[driverKey] = config[key];
  }
  const bedrock = provider === 'bedrock';
  if (!bedrock && (config.region !== undefined || config.credentials !== undefined)) {
    fail(`region and credentials are AWS Bedrock's options, not ${provider}'s`);
  }
  if (config.region !== undefined && typeof config.region !== 'string') fail('region must be a string');
  if (config.apiKey !== undefined && config.credentials !== undefined) {
    fail('pass either apiKey (a Bedrock API key) or credentials (AWS IAM), not both');
  }
  const credentials = bedrock ? awsCredentials(config, BY_PROVIDER.get(provider).keyVariable) : undefined;
  const apiKey = config.apiKey ?? (credentials ? undefined : envKey(provider));
  const region = bedrock ? config.region || env().AWS_REGION || env().AWS_DEFAULT_REGION || undefined : undefined;
  const headers = headerList(config.headers, 'headers');
  // The core's rule (request.cpp, Validate), on the core's data, checked here too so that a
  // missing key is reported now, naming the variable, not at the first read: a hosted provider
  // at its own URL needs a key unless an auth header carries one.
  if (!apiKey && !credentials && BY_PROVIDER.get(provider).keyRequired && config.baseURL === undefined &&
      !Object.keys(headers).some((name) => AUTH_HEADERS.includes(name.toLowerCase()))) {
    const variable = BY_PROVIDER.get(provider).keyVariable;
    fail(bedrock
      ? `no credentials for provider 'bedrock': pass {credentials: {accessKeyId, secretAccessKey, sessionToken}} ` +
          `or {apiKey} (a Bedrock API key), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ${variable}`
      : `no API key for provider '${provider}': pass {apiKey} or set ${variable}`);
  }
  // The core's rule too (bedrock_request.cpp): the region names the endpoint and scopes the signature.
  if (bedrock && !region && (credentials || config.baseURL === undefined)) {
    fail("provider 'bedrock' needs an AWS region: pass {region: 'us-east-1'} or set AWS_REGION");
  }
  return {
    provider,
    apiKey: apiKey ? String(apiKey) : undefined,
    region,
    credentials,
    baseURL: config.baseURL,
    headers,
    api: config.api,
    defaultModel: config.defaultModel ?? DEFAULT_MODELS[provider],
    fetch: config.fetch,
    wasmURL: config.wasmURL,
    transport,
  };
}

/**
 * The options reach the core as JSON: what JSON cannot carry is refused here, naming it, rather
 * than silently changed (JSON.stringify writes NaN and Infinity as null, which the core reads
 * as an absent option) or thrown as a TypeError (a cycle, a BigInt).
 */
function checkJson(driver) {
  try {
    JSON.stringify(driver, function replacer(key, value) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        fail(`${key || 'an option'} must be a finite number (got ${value})`);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof InvalidRequestError) throw error;
    fail(`the options cannot be sent as JSON: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
}

/**
 * What must never be shown (errors are scrubbed of it): the key, the AWS credentials, secret
 * header values, and the base URL's password, signature ... (a server may echo one without the
 * URL around it).
 * @param {ReturnType<typeof loaderConfig>} loader @param {Record<string, string>} [headers] the request's headers
 * @returns {string[]}
 */
export function secretsOf(loader, headers = loader.headers) {
  const aws = loader.credentials ?? {};
  return [loader.apiKey, aws.accessKeyId, aws.secretAccessKey, aws.sessionToken, ...Object.entries(headers ?? {})
    .filter(([name]) => /key|token|secret|auth|cookie/i.test(name))
    .map(([, value]) => value), ...(loader.baseURL ? urlSecrets(loader.baseURL) : [])].filter(Boolean);
}

/**
 * The driver options and the JS-side settings of one streamCompletion() call.
 * Returns {driver, rawMode, signal, secrets, fetch, metricsIntervalMs, jsonOutput, loop} (loop:
 * the tool loop's {toolSet, maxSteps} when `tools` is the object form, else null).
 */
export function requestOptions(loader, options = {}) {
  if (options === null || typeof options !== 'object') fail('streamCompletion options must be an object');
  const extraBody = {};
  for (const key of Object.keys(options)) {
    if (key.includes('_')) {
      extraBody[key] = options[key]; // a provider body field, as is
    } else if (!REQUEST_ONLY_KEYS.has(key) && !(key in TRANSPORT_KEYS)) {
      fail(`unknown streamCompletion option '${key}'`);
    }
  }
  if (options.stream === false) fail('streamCompletion always streams: use complete() for the whole answer');
  const driver = {
    provider: loader.provider,
    ...(loader.apiKey ? { apiKey: loader.apiKey } : {}),
    ...(loader.baseURL ? { baseURL: loader.baseURL } : {}),
    ...(loader.region ? { region: loader.region } : {}),
    ...(loader.credentials ? { credentials: loader.credentials } : {}),
    ...(loader.api ? { api: loader.api } : {}),
    ...loader.transport,
  };
  const headers = { ...loader.headers, ...headerList(options.headers, 'headers') };
  if (Object.keys(headers).length) driver.headers = headers;
  for (const key of REQUEST_KEYS) {
    if (options[key] !== undefined && options[key] !== null) driver[key] = options[key];
  }
  driver.model ??= loader.defaultModel;
  if (options.systemPrompt !== undefined && driver.system === undefined) driver.system = options.systemPrompt;
  const stop = options.stop ?? options.stopSequences;
  if (stop !== undefined && stop !== null) driver.stop = stop;
  // tools as an object {name: {description, parameters, execute}}: a tool loop (tool-loop.js).
  const loop = toolSet(options.tools);
  if (loop) driver.tools = loop.definitions;
  else if (options.tools !== undefined && options.tools !== null) driver.tools = options.tools;
  const maxSteps = options.maxSteps ?? undefined;
  if (maxSteps !== undefined && !loop) fail('maxSteps needs tools as an object whose tools have execute functions');
  checkNumber('maxSteps', maxSteps, { integer: true, min: 1 });
  if (options.toolChoice !== undefined && options.toolChoice !== null) driver.toolChoice = options.toolChoice;
  for (const [key, field] of Object.entries(BODY_ALIASES)) {
    if (options[key] !== undefined) extraBody[field] = options[key];
  }
  if (options.extraBody !== undefined) {
    // Merged here with the snake_case keys and the aliases, so it must be an object.
    if (options.extraBody === null || typeof options.extraBody !== 'object') fail('extraBody must be an object');
    Object.assign(extraBody, options.extraBody);
  }
  if (Object.keys(extraBody).length) driver.extraBody = extraBody;
  for (const [key, driverKey] of Object.entries(TRANSPORT_KEYS)) {
    if (options[key] !== undefined) driver[driverKey] = options[key];
  }

  checkJson(driver);

  const raw = options.raw ?? false;
  if (raw !== false && raw !== true && raw !== 'only') fail("raw must be true, false or 'only'");
  if (raw) driver.rawEvents = true;
  const signal = options.signal ?? undefined;
  if (signal !== undefined && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    fail('signal must be an AbortSignal');
  }
  const metricsIntervalMs = options.metricsIntervalMs ?? undefined;
  checkNumber('metricsIntervalMs', metricsIntervalMs, { min: 0 });
  const secrets = secretsOf(loader, headers);
  // The answer is JSON: the completion then carries it parsed (`object`).
  const jsonOutput = isJsonOutput(driver);
  if (loop && raw === 'only') fail("raw: 'only' yields provider events, which a tool loop cannot read: use raw: true");
  return { driver, rawMode: raw, signal, secrets, fetch: loader.fetch, metricsIntervalMs, jsonOutput,
    loop: loop ? { toolSet: loop, maxSteps } : null };
}
