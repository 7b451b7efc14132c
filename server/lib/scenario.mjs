// Per-request scenario: pacing, output shape and fault injection.
//
// Sources, lowest priority first: server defaults, the URL query string, the
// `x-llmstream-scenario` header (`k=v; k=v`) and the JSON body field `llmstream` (an object).
// Every source is validated against KEYS so that a typo fails loudly with a 400 instead of
// silently running a test without its fault.

import { createHash } from 'node:crypto';

const int = (min, max = Number.MAX_SAFE_INTEGER) => ({ kind: 'int', min, max });
const BOOL = { kind: 'bool' };
const STRING = { kind: 'string' };

/** Every scenario key with its type and a one-line description (also used by --help). */
export const KEYS = {
  pace_ms: { ...int(0, 3_600_000), help: 'delay between SSE events' },
  jitter_ms: { ...int(0, 60_000), help: 'adds 0..N ms of deterministic jitter to each delay' },
  fixture: { ...STRING, help: 'replay a recorded fixture (name without .sse)' },
  tokens: { ...int(0, 1_000_000), help: 'number of generated text tokens (default 40)' },
  text: { ...STRING, help: 'stream exactly this text instead of generated prose' },
  reasoning: { ...int(0, 1_000_000), help: 'stream N reasoning tokens before the answer' },
  tool_call: { ...int(0, 16), help: 'stream N tool calls (request must define tools)' },
  tool_steps: {
    ...int(1, 64),
    help: 'scripted tool-calling model: call tools (tool_call=N in parallel, default 1) until the ' +
      'conversation holds K assistant turns with calls, then answer quoting the last results',
  },
  usage: { ...BOOL, help: 'usage=0 leaves usage out of the stream' },
  comments: { ...BOOL, help: 'write a ": keep-alive" comment before every event' },
  slow_bytes: { ...BOOL, help: 'write the body one byte per write' },
  byte_delay_ms: { ...int(0, 60_000), help: 'delay between single-byte writes (default 2)' },
  key: { ...STRING, help: 'label for the request log and the times counter' },
  times: { ...int(0), help: 'faults apply only to the first N requests with this key' },
  status: { ...int(400, 599), help: 'answer with this HTTP error status' },
  retry_after: { kind: 'seconds', help: 'retry-after header (seconds)' },
  retry_after_ms: { ...int(0), help: 'retry-after-ms header' },
  should_retry: { ...BOOL, help: 'x-should-retry header' },
  headers_delay_ms: { ...int(0, 3_600_000), help: 'wait before sending the status line' },
  reset_after: { ...int(0), help: 'TCP reset after N events' },
  close_after: { ...int(0), help: 'end the body cleanly after N events, no terminal signal' },
  stall_after: { ...int(0), help: 'stop writing after N events' },
  stall_ms: { ...int(0, 3_600_000), help: 'how long stall_after stalls (default: forever)' },
  error_after: { ...int(0), help: "send the provider's in-band error after N events" },
  batch_ms: {
    ...int(0, 60_000),
    help: 'write the events that are due together, at most one write per N ms (load tests)',
  },
  stamp: {
    ...BOOL,
    help: 'every text token is " t<ns>": CLOCK_MONOTONIC at write time (latency benchmarks)',
  },
};

/** Keys that `times`/`key` switch off once the key's budget is used up. */
const FAULT_KEYS = [
  'status',
  'retry_after',
  'retry_after_ms',
  'should_retry',
  'headers_delay_ms',
  'reset_after',
  'close_after',
  'stall_after',
  'stall_ms',
  'error_after',
];

// Query parameters the official SDKs add on their own (`?beta=true` for Anthropic beta
// endpoints, `api-version` for Azure-style clients, `alt=sse` for Gemini streams); they are not
// scenario keys.
const SDK_QUERY_PARAMS = new Set(['beta', 'api-version', 'alt']);

export const SCENARIO_HEADER = 'x-llmstream-scenario';

export class ScenarioError extends Error {}

/**
 * Merges the scenario sources of one request into a plain object with only the keys that
 * were set (after defaults). Throws ScenarioError with a message naming the source.
 */
export function parseScenario({ defaults, query, header, bodyField }) {
  const scenario = { ...defaults };
  if (query) {
    for (const [name, value] of query) {
      if (SDK_QUERY_PARAMS.has(name)) continue;
      setKey(scenario, name, value, 'query string');
    }
  }
  if (header) {
    for (const part of header.split(';')) {
      const item = part.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      if (eq < 0) {
        throw new ScenarioError(`${SCENARIO_HEADER} header: expected key=value, got '${item}'`);
      }
      setKey(
        scenario,
        item.slice(0, eq).trim(),
        item.slice(eq + 1).trim(),
        `${SCENARIO_HEADER} header`,
      );
    }
  }
  if (bodyField !== undefined) {
    if (bodyField === null || typeof bodyField !== 'object' || Array.isArray(bodyField)) {
      throw new ScenarioError('body field "llmstream" must be an object of scenario keys');
    }
    for (const [name, value] of Object.entries(bodyField)) {
      setKey(scenario, name, value, 'body field "llmstream"');
    }
  }
  if (scenario.times !== undefined && scenario.key === undefined) {
    throw new ScenarioError('scenario key "times" needs "key" (the counter is per key)');
  }
  return scenario;
}

function setKey(scenario, name, raw, source) {
  const spec = KEYS[name];
  if (!spec) {
    throw new ScenarioError(
      `unknown scenario key '${name}' in ${source}; known keys: ${Object.keys(KEYS).join(', ')}`,
    );
  }
  const value = coerce(spec, raw);
  if (value === undefined) {
    const got = JSON.stringify(raw);
    throw new ScenarioError(`scenario key '${name}' in ${source}: ${got} is not ${describe(spec)}`);
  }
  scenario[name] = value;
}

function coerce(spec, raw) {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.kind) {
    case 'int': {
      const n = typeof text === 'number' ? text : /^\d+$/.test(text) ? Number(text) : NaN;
      return Number.isInteger(n) && n >= spec.min && n <= spec.max ? n : undefined;
    }
    case 'seconds': {
      // retry-after may be fractional; keep the caller's spelling for the header.
      const n = typeof text === 'number' ? text : /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) && n >= 0 ? String(text) : undefined;
    }
    case 'bool':
      if (text === true || text === 1 || text === '1' || text === 'true') return true;
      if (text === false || text === 0 || text === '0' || text === 'false') return false;
      return undefined;
    default:
      return typeof raw === 'string' ? raw : undefined;
  }
}

function describe(spec) {
  if (spec.kind === 'int') return `an integer from ${spec.min} to ${spec.max}`;
  if (spec.kind === 'seconds') return 'a number of seconds';
  if (spec.kind === 'bool') return 'true/false or 1/0';
  return 'a string';
}

/**
 * Per-key request counters for `times`: "fail the first N requests with this key, then
 * serve normally" is how retry tests are written. Every request carrying a key counts.
 * At most `maxKeys` counters are kept (the least recently used go first) and each holds at most
 * 71 characters of its key (a digest for long keys), so their memory is bounded too.
 */
export class FaultBudget {
  #counts = new Map(); // counter id -> count, least recently used first
  #maxKeys;

  constructor({ maxKeys = 10_000 } = {}) {
    this.#maxKeys = maxKeys;
  }

  /** Counts this request and strips the fault keys when the key's budget is used up. */
  apply(scenario) {
    if (scenario.key === undefined) return scenario;
    const id = counterId(scenario.key);
    const count = (this.#counts.get(id) ?? 0) + 1;
    this.#counts.delete(id);
    this.#counts.set(id, count);
    while (this.#counts.size > this.#maxKeys) this.#counts.delete(this.#counts.keys().next().value);
    if (scenario.times === undefined || count <= scenario.times) return scenario;
    const served = { ...scenario };
    for (const name of FAULT_KEYS) delete served[name];
    return served;
  }

  clear() {
    this.#counts.clear();
  }
}

/** A short key, copied (not a slice that keeps the whole header or body alive), or a digest. */
function counterId(key) {
  if (key.length > 64) return `sha256:${createHash('sha256').update(key).digest('hex')}`;
  return Buffer.from(key, 'utf16le').toString('utf16le');
}
