// What a browser may ask a relay for (docs/relay-protocol.md, "Starting a stream"): the request
// body read, checked against the relay's policy, and turned into streamCompletion options. A
// refusal is a RelayRefusal carrying the HTTP status and the error code of the protocol's table;
// nothing about the relay's own configuration (key, base URL, headers) ever enters a message.

import { ErrorCode } from '../errors.js';
import { REQUEST_KEYS } from '../options.js';
import { DEFAULT_MAX_STEPS } from '../tool-loop.js';

/**
 * The request fields a body may have (the package's names; seed aliases are the client's
 * business): the request options passed to the driver as they are, and the loop's.
 */
export const RELAY_REQUEST_FIELDS = Object.freeze([...REQUEST_KEYS, 'stop', 'tools', 'toolChoice', 'maxSteps']);

/** Fields that choose where the key goes: a page must never set them. */
const RELAY_OWNED = new Set(['apiKey', 'baseURL', 'headers', 'provider', 'api', 'region', 'credentials', 'fetch', 'extraBody']);

/** What a policy caps when it says nothing (README "Relay"): a browser cannot ask for an unbounded answer. */
export const DEFAULT_MAX_TOKENS_CAP = 4096;

/** A request the relay will not serve: answered as `{error: {code, message, retryable}}` with this status. */
export class RelayRefusal extends Error {
  /**
   * @param {number} status @param {string} code an ErrorCode value @param {string} message
   * @param {{retryAfterMs?: number}} [extra]
   */
  constructor(status, code, message, { retryAfterMs } = {}) {
    super(message);
    this.name = 'RelayRefusal';
    this.status = status;
    this.code = code;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }

  /** The JSON body of the answer. */
  body() {
    const error = { code: this.code, message: this.message, retryable: this.code === ErrorCode.RATE_LIMITED || this.code === ErrorCode.SERVER };
    if (this.retryAfterMs !== undefined) error.retryAfterMs = this.retryAfterMs;
    return { error };
  }
}

const invalid = (message, status = 400) => new RelayRefusal(status, ErrorCode.INVALID_REQUEST, message);
const refuse = (message) => new RelayRefusal(403, ErrorCode.POLICY_VIOLATION, message);

/**
 * The policy as given to createRelay, checked once.
 * @param {any} policy
 */
export function relayPolicy(policy = {}) {
  if (policy === null || typeof policy !== 'object') throw new TypeError('createRelay: policy must be an object');
  const known = ['models', 'maxTokens', 'maxSteps', 'maxChoices', 'authenticate', 'rateLimit', 'check', 'owner'];
  for (const key of Object.keys(policy)) {
    if (!known.includes(key)) throw new TypeError(`createRelay: unknown policy option '${key}' (${known.join(', ')})`);
  }
  const { models, maxTokens = DEFAULT_MAX_TOKENS_CAP, maxSteps = DEFAULT_MAX_STEPS, maxChoices = 1 } = policy;
  if (models !== undefined && models !== '*' && typeof models !== 'function' &&
      !(Array.isArray(models) && models.every((m) => typeof m === 'string'))) {
    throw new TypeError("createRelay: policy.models must be an array of model names, '*' or a function (model, identity) => boolean");
  }
  for (const [name, value] of [['maxTokens', maxTokens], ['maxSteps', maxSteps], ['maxChoices', maxChoices]]) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`createRelay: policy.${name} must be an integer >= 1`);
  }
  for (const hook of ['authenticate', 'rateLimit', 'check', 'owner']) {
    if (policy[hook] !== undefined && typeof policy[hook] !== 'function') throw new TypeError(`createRelay: policy.${hook} must be a function`);
  }
  return {
    models, maxTokens, maxSteps, maxChoices,
    authenticate: policy.authenticate, rateLimit: policy.rateLimit, check: policy.check, owner: policy.owner,
  };
}

/**
 * Who owns the streams a caller starts (a string), or null when they are not bound to anyone
 * (any holder of a stream id may resume or cancel it). policy.owner decides when given; else the
 * identity authenticate returned names it when it is a string or a number, or an object with a
 * string or number `id` or `sub` (a JWT's subject). A relay without authenticate binds nothing.
 * @param {ReturnType<typeof relayPolicy>} policy @param {unknown} identity @param {RelayCaller} caller
 * @returns {Promise<string | null>}
 */
export async function streamOwner(policy, identity, caller) {
  const named = (value) => (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
  let owner = null;
  if (policy.owner) {
    const value = await policy.owner(identity, caller);
    if (value !== null && value !== undefined && !named(value)) {
      throw new TypeError('policy.owner must return a non-empty string, a number, or null (not bound)');
    }
    owner = value ?? null;
  } else if (policy.authenticate) {
    if (named(identity)) owner = identity;
    else if (identity && typeof identity === 'object') owner = [identity.id, identity.sub].find(named) ?? null;
  }
  return owner === null ? null : String(owner);
}

/**
 * Runs the authentication and rate-limit hooks. Resolves to the caller's identity (what
 * authenticate returned; true when there is no hook).
 * @param {ReturnType<typeof relayPolicy>} policy @param {RelayCaller} caller
 */
export async function admit(policy, caller) {
  let identity = true;
  if (policy.authenticate) {
    try {
      identity = await policy.authenticate(caller);
    } catch {
      identity = null; // a hook's own error may say too much: the caller only learns it was refused
    }
    if (identity === null || identity === undefined || identity === false) {
      throw new RelayRefusal(401, ErrorCode.AUTH, 'not authenticated for this relay');
    }
  }
  if (policy.rateLimit) {
    const verdict = await policy.rateLimit(caller, identity);
    if (verdict === false || typeof verdict === 'number' || (verdict && typeof verdict === 'object')) {
      const ms = typeof verdict === 'number' ? verdict : verdict ? verdict.retryAfterMs : undefined;
      const retryAfterMs = Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
      throw new RelayRefusal(429, ErrorCode.RATE_LIMITED,
        `too many requests${retryAfterMs !== undefined ? `: retry in ${retryAfterMs} ms` : ''}`, { retryAfterMs });
    }
  }
  return identity;
}

/**
 * @typedef {object} RelayCaller what the hooks see of an HTTP request
 * @property {string} method
 * @property {URL} url
 * @property {Headers} headers
 * @property {string | undefined} ip the peer's address when the server shape knows it (Node)
 */

/**
 * The streamCompletion options for a request body, or a RelayRefusal.
 * @param {unknown} body the parsed JSON body
 * @param {{policy: ReturnType<typeof relayPolicy>, tools: Record<string, any> | undefined,
 *   defaultModel: string | undefined, identity: unknown, caller: RelayCaller}} relay
 */
export async function relayOptions(body, { policy, tools, defaultModel, identity, caller }) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object (the request)');
  const owned = Object.keys(body).filter((key) => RELAY_OWNED.has(key));
  if (owned.length) {
    throw invalid(`${owned.join(', ')} ${owned.length > 1 ? 'are' : 'is'} chosen by the relay, not by the request`);
  }
  const unknown = Object.keys(body).filter((key) => !RELAY_REQUEST_FIELDS.includes(key));
  if (unknown.length) {
    throw invalid(`unknown request field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} ` +
      `(a relay takes ${RELAY_REQUEST_FIELDS.join(', ')})`);
  }
  /** @type {Record<string, any>} */
  const options = {};
  for (const key of RELAY_REQUEST_FIELDS) if (body[key] !== undefined && body[key] !== null) options[key] = body[key];

  const model = options.model ?? defaultModel;
  if (typeof model !== 'string' || model === '') throw invalid('the request names no model and the relay has no default model');
  // A model name goes into some providers' URL paths (Gemini): no dot segments, no controls.
  if (model.split('/').some((part) => part === '.' || part === '..') || /[\u0000-\u001f\u007f?#\\]/.test(model)) {
    throw invalid(`model '${model.slice(0, 100)}' is not a model name`);
  }
  if (!modelAllowed(policy.models, model, defaultModel, identity)) {
    const list = Array.isArray(policy.models) ? policy.models : defaultModel ? [defaultModel] : [];
    throw refuse(`model '${model}' is not allowed here${list.length && typeof policy.models !== 'function' ? `; allowed: ${list.join(', ')}` : ''}`);
  }
  options.model = model;

  if (options.maxTokens !== undefined) {
    if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) throw invalid('maxTokens must be an integer >= 1');
    if (options.maxTokens > policy.maxTokens) throw refuse(`maxTokens ${options.maxTokens} is more than this relay allows (${policy.maxTokens})`);
  } else {
    options.maxTokens = policy.maxTokens; // the provider's own default may be far larger than the cap
  }

  // What an answer may cost is maxTokens per choice, and the thinking budget on top for some.
  if (options.n !== undefined && options.n !== 1) {
    if (!Number.isInteger(options.n) || options.n < 1) throw invalid('n must be an integer >= 1');
    if (options.n > policy.maxChoices) throw refuse(`n ${options.n} is more than this relay allows (${policy.maxChoices})`);
  }
  if (options.reasoningBudgetTokens !== undefined && options.reasoningBudgetTokens > policy.maxTokens) {
    throw refuse(`reasoningBudgetTokens ${options.reasoningBudgetTokens} is more than this relay allows (${policy.maxTokens})`);
  }

  Object.assign(options, toolOptions(options, tools, policy));
  if (options.tools === undefined) delete options.tools;
  if (options.maxSteps === undefined) delete options.maxSteps;

  if (policy.check) {
    const verdict = await policy.check(options, caller, identity);
    if (typeof verdict === 'string' && verdict !== '') throw refuse(verdict);
    if (verdict === false) throw refuse('the relay refused this request');
  }
  return options;
}

function modelAllowed(models, model, defaultModel, identity) {
  if (models === '*') return true;
  if (typeof models === 'function') return Boolean(models(model, identity));
  if (Array.isArray(models)) return models.includes(model);
  return model === defaultModel; // no list: the relay's own model only
}

/** A tool's name in any of the request's forms: 'name', {name}, {type: 'function', function: {name}}. */
function toolName(entry) {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') return entry.function?.name ?? entry.name;
  return undefined;
}

/**
 * The request's tools against the relay's: with tools configured on the relay, the request may
 * name a subset (no `tools`: all of them; `[]`: none) and gets the relay's definitions and code,
 * as a tool loop capped by policy.maxSteps; without, tool definitions pass to the model as they
 * are (the page runs the calls it gets back itself) and `maxSteps` means nothing.
 */
function toolOptions(options, tools, policy) {
  const requested = options.tools;
  if (!tools) {
    if (options.maxSteps !== undefined) throw invalid('maxSteps needs tools that run on the relay, and this relay has none');
    if (requested !== undefined && !Array.isArray(requested)) {
      if (typeof requested !== 'object') throw invalid('tools must be an array of definitions or an object of them');
      for (const [name, tool] of Object.entries(requested)) {
        if (tool && typeof tool === 'object' && 'execute' in tool) throw invalid(`tools.${name}: a request cannot carry code`);
      }
      // The object form of definitions, as the array form the core reads (an object would mean a loop).
      return { tools: Object.entries(requested).map(([name, tool]) => ({ name, ...(tool ?? {}) })) };
    }
    return {};
  }
  let names;
  if (requested === undefined) names = Object.keys(tools);
  else if (Array.isArray(requested)) names = requested.map(toolName);
  else if (requested && typeof requested === 'object') names = Object.keys(requested);
  else throw invalid('tools must name tools of the relay: an array of names or definitions');
  if (names.some((name) => typeof name !== 'string' || name === '')) throw invalid('each tool of the request must be a name or a definition with a name');
  const missing = names.filter((name) => !Object.hasOwn(tools, name));
  if (missing.length) {
    throw refuse(`this relay has no tool ${missing.map((n) => `'${n}'`).join(', ')} (it has ${Object.keys(tools).join(', ')})`);
  }
  if (names.length === 0) return { tools: undefined, maxSteps: undefined };
  const maxSteps = options.maxSteps ?? policy.maxSteps;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw invalid('maxSteps must be an integer >= 1');
  if (maxSteps > policy.maxSteps) throw refuse(`maxSteps ${maxSteps} is more than this relay allows (${policy.maxSteps})`);
  return { tools: Object.fromEntries(names.map((name) => [name, tools[name]])), maxSteps };
}
