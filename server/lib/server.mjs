// The local provider: an HTTP server speaking OpenAI Chat Completions, OpenAI Responses,
// Anthropic Messages, Google Gemini, AWS Bedrock ConverseStream, Ollama and Cohere v2, with
// scenario-driven pacing and faults and a request log.

import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { anthropicMessages } from './anthropic.mjs';
import { azureChat, matchAzure } from './azure.mjs';
import { capConnections } from './connections.mjs';
import { Delivery } from './delivery.mjs';
import { FixtureStore } from './fixtures.mjs';
import {
  BodyTooLargeError,
  CORS_HEADERS,
  RequestTimeoutError,
  answerPreflight,
  readBody,
  sendJson,
} from './http.mjs';
import { bedrock, matchBedrock } from './bedrock.mjs';
import { cohere, matchCohere } from './cohere.mjs';
import { gemini, matchGemini } from './gemini.mjs';
import { h2cServer } from './h2c.mjs';
import { matchOllama, ollama } from './ollama.mjs';
import { openaiChat } from './openai-chat.mjs';
import { openaiErrorBody } from './openai-common.mjs';
import { openaiResponses } from './openai-responses.mjs';
import { RequestError, buildPlan } from './plan.mjs';
import { jsonOutputOf } from './json-output.mjs';
import { MAX_RECORDS, RequestLog } from './request-log.mjs';
import { sameOriginRefusal } from './same-origin.mjs';
import { FaultBudget, SCENARIO_HEADER, ScenarioError, parseScenario } from './scenario.mjs';
import { staticHandler } from './static.mjs';

const ENDPOINTS = {
  '/v1/chat/completions': openaiChat,
  '/v1/responses': openaiResponses,
  '/v1/messages': anthropicMessages,
};

// The APIs whose paths carry parameters (a model, a method): each matcher returns
// { path (for the request log), params } or null. `dialect.parse(body, { params, query, headers })`.
const MATCHED_ENDPOINTS = [
  [matchGemini, gemini],
  [matchOllama, ollama],
  [matchCohere, cohere],
  [matchBedrock, bedrock],
  [matchAzure, azureChat],
];

/** The dialect serving `pathname`: { dialect, path, params } or null. */
function matchEndpoint(pathname) {
  // The OpenAI / Anthropic paths also work without the /v1 prefix (base URLs written either way).
  const apiPath = `/v1${pathname}` in ENDPOINTS ? `/v1${pathname}` : pathname;
  if (ENDPOINTS[apiPath]) return { dialect: ENDPOINTS[apiPath], path: apiPath, params: {} };
  for (const [match, dialect] of MATCHED_ENDPOINTS) {
    const found = match(pathname);
    if (found) return { dialect, ...found };
  }
  return null;
}

const MODELS = ['local-echo', 'local-fast', 'local-reasoning'];

// The control endpoints (request log, fixture list) live under this prefix; they answer this
// server's own origin only (same-origin.mjs), unlike the API, which any origin may call.
const CONTROL_PREFIX = '/_llmstream';
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

const MAX_WAIT_MS = 120_000;

/** Defaults of the limits (server/README.md, "Limits"); startServer options override them. */
export const LIMITS = {
  // Headers and body of a request must have arrived this long after its first byte.
  requestTimeoutMs: 10_000,
  // Larger request bodies get a 413 (the rest of the body is read and dropped).
  maxBodyBytes: 32 * 1024 * 1024,
  // Open connections; over it the longest-idle keep-alive connection is closed to make room,
  // else the new connection is closed at once.
  maxConnections: 256,
  // Request log records and `times` counters kept (each), the oldest going first. Every string
  // in a record is cut to 256 characters (lib/request-log.mjs).
  maxLogRecords: MAX_RECORDS,
};

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * How a streamed body is framed (docs/wire-formats.md): its headers, and whether SSE comments
 * (`comments=1`) can go in it. A dialect's `framing(request)` names one (default `sse`); a
 * fixture's comes from its file extension (lib/fixtures.mjs).
 */
const FRAMINGS = {
  sse: { headers: SSE_HEADERS, comments: true },
  ndjson: { headers: { 'content-type': 'application/x-ndjson' }, comments: false },
  'event-stream': {
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    comments: false,
  },
  // Gemini's streamed JSON array without alt=sse.
  'json-array': { headers: { 'content-type': 'application/json; charset=UTF-8' }, comments: false },
};

/** `$LLMSTREAM_SHARED_DIR/fixtures`, else `<repo>/../shared/fixtures` (from this file). */
export function defaultFixturesDir() {
  if (process.env.LLMSTREAM_SHARED_DIR) {
    return path.join(process.env.LLMSTREAM_SHARED_DIR, 'fixtures');
  }
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return path.resolve(repo, '..', 'shared', 'fixtures');
}

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The static mounts of the web playground: `webDir` at `/`, the npm package's `src/` and
 * `dist/` at `/npm/src/` and `/npm/dist/` (the page imports `/npm/src/index.js`).
 */
export function playgroundMounts(webDir) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return [
    { prefix: '/', dir: webDir },
    { prefix: '/npm/src/', dir: path.join(repo, 'npm', 'src') },
    { prefix: '/npm/dist/', dir: path.join(repo, 'npm', 'dist') },
  ];
}

/**
 * Starts the server. Resolves with { server, host, port, url, close() }.
 * `log` (optional) receives one line per request. `staticMounts` (optional, e.g.
 * `playgroundMounts('web')`) serves files for GET / HEAD paths the API does not use. `apiMounts`
 * (optional, e.g. the playground's relays, lib/relay-mount.mjs): handlers `(req, res, url) =>
 * Promise<boolean>` tried first, in order; true means the request was theirs and is answered.
 * `requestTimeoutMs` bounds the reading of each request (0 = no deadline), `maxBodyBytes` its
 * body, `maxConnections` the open connections (0 = no cap) and `maxLogRecords` the request
 * log and the `times` counters; defaults in LIMITS. The result also has `connections`: live
 * counters { open, refused, evicted }.
 */
export async function startServer({
  port = 8787,
  host = '127.0.0.1',
  paceMs = 25,
  fixturesDir = defaultFixturesDir(),
  allowNonLoopback = false,
  log = null,
  staticMounts = null,
  apiMounts = [],
  requestTimeoutMs = LIMITS.requestTimeoutMs,
  maxBodyBytes = LIMITS.maxBodyBytes,
  maxConnections = LIMITS.maxConnections,
  maxLogRecords = LIMITS.maxLogRecords,
} = {}) {
  if (!isLoopback(host) && !allowNonLoopback) {
    throw new Error(`refusing to listen on non-loopback host ${host} (pass --host explicitly)`);
  }
  const fixtures = new FixtureStore(fixturesDir);
  const requestLog = new RequestLog({
    onFinal: log ? (r) => log(describeRecord(r)) : null,
    maxRecords: maxLogRecords,
  });
  const budget = new FaultBudget({ maxKeys: maxLogRecords });
  const serveStatic = staticMounts ? staticHandler(staticMounts) : null;
  const context = {
    fixtures,
    requestLog,
    budget,
    defaults: { pace_ms: paceMs },
    log,
    serveStatic,
    apiMounts,
    maxBodyBytes,
  };

  // Node checks the request deadlines on an interval (30 s by default); check often enough that
  // a deadline is kept to within a quarter of itself (at most 1 s late).
  const checkMs =
    requestTimeoutMs > 0 ? Math.max(10, Math.min(1000, Math.floor(requestTimeoutMs / 4))) : 30_000;
  const handle = (req, res) => {
    route(context, req, res).catch((err) => {
      if (!res.headersSent) {
        const cors = !isControl(new URL(req.url, 'http://local').pathname);
        sendJson(res, 500, openaiErrorBody(500, { message: String(err) }), {}, { cors });
      } else {
        res.destroy();
      }
      log?.(`internal error: ${err.stack ?? err}`);
    });
  };
  const server = http.createServer({ connectionsCheckingInterval: checkMs }, handle);
  // One port for HTTP/1.1 and cleartext HTTP/2 (the AWS SDK's Bedrock client speaks HTTP/2):
  // `front` listens and hands each connection to `server` or to an HTTP/2 server (lib/h2c.mjs).
  const { front, http2Server, closeAll } = h2cServer({
    http1: server,
    handler: handle,
    deadlineMs: requestTimeoutMs,
  });
  // Set as properties, not createServer options, which Node 18 does not all accept.
  // The deadline covers reading the request (headers + body) only: Node stops the clock once the
  // request is complete, so long streams and stalls in the response are never cut. A request
  // still incomplete at the deadline gets Node's `408` and its socket is closed.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = requestTimeoutMs;
  // Longer than the client pools' idle times (libcurl keeps connections 118 s) so that the
  // client, not the server, closes idle connections: no reuse-after-close races.
  server.keepAliveTimeout = 120_000;
  // Every SSE event must leave at once: without TCP_NODELAY, Nagle holds a small write until the
  // previous one is acknowledged, which the client's delayed ACK can stretch to 40 ms.
  front.on('connection', (socket) => socket.setNoDelay(true));
  // Own counting rather than server.maxConnections, so that idle keep-alive connections can make
  // room (lib/connections.mjs). A large backlog absorbs connection bursts under the cap.
  let lastRefusalLog = 0;
  const connections = capConnections(
    front,
    maxConnections || Infinity,
    (counters) => {
      // At most one line a second, however many connections are refused.
      if (!log || Date.now() - lastRefusalLog < 1000) return;
      lastRefusalLog = Date.now();
      const { open, refused } = counters;
      log(`connection refused: ${open} open (max ${maxConnections}), ${refused} refused so far`);
    },
    [server, http2Server],
  );
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen({ port, host, backlog: 4096 }, () => {
      front.off('error', reject);
      resolve();
    });
  });
  // The HTTP/1.1 server does not listen itself; its request deadlines are checked from its
  // 'listening' event on (Node starts the connections-checking interval there).
  server.emit('listening');
  const actualPort = front.address().port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  context.authorities = ownAuthorities(host, urlHost, actualPort);
  return {
    server,
    http2Server,
    host,
    port: actualPort,
    url: `http://${urlHost}:${actualPort}`,
    connections,
    close: () =>
      new Promise((resolve) => {
        front.close(() => resolve());
        server.close(); // stops its deadline checks; it never listened (no callback needed)
        closeAll();
      }),
  };
}

async function route(ctx, req, res) {
  const url = new URL(req.url, 'http://local');
  const pathname = url.pathname.replace(/\/+$/, '') || '/';
  const control = isControl(pathname);
  // Mounted handlers (the playground's relays) answer their own paths, preflights included.
  for (const mount of ctx.apiMounts) {
    if (await mount(req, res, url, { authorities: ctx.authorities })) {
      ctx.log?.(`${req.method} ${pathname} ${res.statusCode}`);
      return undefined;
    }
  }
  if (req.method === 'OPTIONS' && !control) return answerPreflight(req, res);
  const endpoint = matchEndpoint(pathname);
  const dialect = endpoint?.dialect;
  // Generation requests are logged from their request-log record when they end; static files
  // (the playground's page, scripts and wasm) are not logged.
  let servedStatic = false;
  if (ctx.log && !dialect) {
    res.on('finish', () => servedStatic || ctx.log(`${req.method} ${pathname} ${res.statusCode}`));
  }

  if (dialect) {
    if (req.method !== 'POST') return sendJson(res, 405, invalidMethod(req, endpoint.path));
    return generate(ctx, req, res, url, endpoint);
  }
  if (control) return controlEndpoint(ctx, req, res, url, pathname);
  switch (`${req.method} ${pathname}`) {
    case 'GET /health':
      return sendJson(res, 200, { ok: true });
    case 'GET /v1/models':
    case 'GET /models':
      return sendJson(res, 200, modelList(req));
    default:
      servedStatic = ctx.serveStatic !== null && (await ctx.serveStatic(req, res, url));
      if (servedStatic) return undefined;
      return sendJson(res, 404, invalidUrl(req, url));
  }
}

function isControl(pathname) {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

/**
 * The control endpoints, for tests and the playground on this server's own origin: no CORS
 * headers (a page elsewhere cannot read them, and its preflights, e.g. for DELETE, are refused)
 * and a 403 for any request that says it comes from elsewhere, since a browser sends "simple"
 * cross-origin requests (an <img> GET, a form POST) without asking first.
 */
async function controlEndpoint(ctx, req, res, url, pathname) {
  const send = (status, value) => sendJson(res, status, value, {}, { cors: false });
  const refusal = sameOriginRefusal(req, ctx.authorities, '/_llmstream/');
  if (refusal !== null) return send(403, { error: refusal });
  switch (`${req.method} ${pathname}`) {
    case 'GET /_llmstream/fixtures':
      // ?all=1 adds the recordings in subfolders (more-providers/NAME).
      return send(200, await ctx.fixtures.list({ all: url.searchParams.get('all') === '1' }));
    case 'GET /_llmstream/requests':
      return send(200, ctx.requestLog.list(url.searchParams.get('key') ?? undefined));
    case 'GET /_llmstream/requests/wait':
      return waitForRecord(ctx, res, url, send);
    case 'DELETE /_llmstream/requests':
      ctx.requestLog.clear();
      ctx.budget.clear();
      return send(200, { ok: true });
    default:
      return send(404, invalidUrl(req, url));
  }
}

/**
 * The `host:port` values of the Host header this server answers control requests for: the
 * loopback names and the bound address. Null when bound to a wildcard address (any name may
 * reach it; the Host header is then taken as given).
 */
function ownAuthorities(host, urlHost, port) {
  if (WILDCARD_HOSTS.has(host)) return null;
  const out = new Set();
  for (const name of new Set([...LOOPBACK_NAMES, urlHost.toLowerCase()])) {
    out.add(`${name}:${port}`);
    if (port === 80) out.add(name);
  }
  return out;
}

function invalidUrl(req, url) {
  return openaiErrorBody(404, {
    message: `Invalid URL (${req.method} ${url.pathname})`,
    code: null,
  });
}

function invalidMethod(req, pathname) {
  return openaiErrorBody(405, { message: `Invalid method for URL (${req.method} ${pathname})` });
}

/** The model list; Anthropic's shape when the client sent `anthropic-version`. */
function modelList(req) {
  if (req.headers['anthropic-version']) {
    const data = MODELS.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }));
    return { data, has_more: false, first_id: data[0].id, last_id: data.at(-1).id };
  }
  return {
    object: 'list',
    data: MODELS.map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'llmstream' })),
  };
}

async function waitForRecord(ctx, res, url, send) {
  const q = url.searchParams;
  const timeoutMs = Math.min(Number(q.get('timeout_ms') ?? 5000) || 0, MAX_WAIT_MS);
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  const record = await ctx.requestLog.wait({
    key: q.get('key') ?? undefined,
    outcome: q.get('outcome') ?? undefined,
    timeoutMs,
    signal: aborted.signal,
  });
  if (res.destroyed) return undefined;
  if (record) return send(200, record);
  const wanted = `key=${q.get('key')} outcome=${q.get('outcome') ?? '(any final)'}`;
  return send(408, { error: `no record with ${wanted} within ${timeoutMs} ms` });
}

/** One generation request: body, scenario, then an error, a fixture replay or a plan. */
async function generate(ctx, req, res, url, { dialect, path: pathname, params }) {
  const requestId = `req_${randomUUID().replaceAll('-', '')}`;
  const record = ctx.requestLog.start({ method: req.method, path: pathname, requestId });
  const providerHeaders = (extra) => ({ ...CORS_HEADERS, ...dialect.headers(requestId, extra) });
  const reject = (status, message, param = null, code = undefined) => {
    record.status = status;
    sendJson(
      res,
      status,
      dialect.errorBody(status, { message, param, requestId, code }),
      dialect.headers(requestId, { status }),
    );
    ctx.requestLog.setOutcome(record, 'bad_request');
  };

  let raw;
  try {
    raw = await readBody(req, ctx.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return reject(413, err.message);
    if (err instanceof RequestTimeoutError) {
      record.status = 408; // Node wrote the 408 and closed the socket
      return ctx.requestLog.setOutcome(record, 'bad_request');
    }
    return ctx.requestLog.setOutcome(record, 'client_disconnected');
  }
  // Bedrock: a request signed with the local test credentials must be signed right (AWS's 403).
  const refused = dialect.verifyAuth?.(req, raw);
  if (refused) {
    record.status = refused.status;
    sendJson(res, refused.status, { message: refused.message }, dialect.headers(requestId, refused));
    return ctx.requestLog.setOutcome(record, 'bad_request');
  }
  let body = {};
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return reject(400, `We could not parse the JSON body of your request. (${err.message})`);
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return reject(400, 'The request body must be a JSON object.');
  }
  // Some APIs name the model in the path, or stream unless told not to.
  ctx.requestLog.setRequest(
    record,
    dialect.describe ? dialect.describe(body, params) : { model: body.model, stream: body.stream },
    body,
  );

  let scenario;
  try {
    scenario = parseScenario({
      defaults: ctx.defaults,
      query: url.searchParams,
      header: req.headers[SCENARIO_HEADER],
      bodyField: body.llmstream,
    });
  } catch (err) {
    if (err instanceof ScenarioError) return reject(400, err.message, 'llmstream');
    throw err;
  }
  ctx.requestLog.setKey(record, scenario.key ?? null);
  scenario = ctx.budget.apply(scenario);

  const seed = createHash('sha256').update(pathname).update(raw).digest('hex');
  const deliver = (options) =>
    new Delivery({
      res,
      record,
      log: ctx.requestLog,
      scenario,
      jitterSeed: parseInt(seed.slice(0, 8), 16),
      ...options,
      headers: { ...options.headers, ...retryHeaders(scenario) },
    }).start();
  // A stream in its framing; SSE comments go into SSE bodies only.
  const deliverStream = (headers, events, framing) =>
    deliver({
      status: 200,
      headers: { ...headers, ...FRAMINGS[framing].headers },
      events,
      inbandError: (n) => dialect.inbandError(n, { framing }),
      outcome: 'completed',
      ...(FRAMINGS[framing].comments ? {} : { scenario: { ...scenario, comments: false } }),
    });
  // A JSON body goes out as a single "event" (faults still apply), never with comments.
  const deliverJson = (status, headers, value, outcome) =>
    deliver({
      status,
      headers: { ...headers, ...JSON_HEADERS },
      events: [JSON.stringify(value)].values(),
      outcome,
      scenario: { ...scenario, comments: false },
    });

  if (scenario.status !== undefined) {
    const headers = providerHeaders({ limited: scenario.status === 429, status: scenario.status });
    const error = dialect.errorBody(scenario.status, { requestId });
    return deliverJson(scenario.status, headers, error, 'error_status');
  }
  if (scenario.fixture !== undefined) {
    const fixture = await ctx.fixtures.fixture(scenario.fixture);
    if (!fixture) {
      const all = await ctx.fixtures.list({ all: true });
      const names = all.join(', ') || `(none in ${ctx.fixtures.dir})`;
      return reject(404, `unknown fixture '${scenario.fixture}'; available: ${names}`, 'fixture');
    }
    record.stream = true;
    return deliverStream(providerHeaders(), fixture.blocks.values(), fixture.framing);
  }

  let request;
  let plan;
  try {
    const { llmstream: _scenario, ...fields } = body; // the scenario is not part of the request
    request = dialect.parse(fields, { params, query: url.searchParams, headers: req.headers });
    request.jsonOutput = jsonOutputOf(dialect.name, fields);
    plan = buildPlan(request, scenario, seed);
  } catch (err) {
    if (err instanceof RequestError) return reject(err.status, err.message, err.param, err.code);
    throw err;
  }
  const headers = providerHeaders({ promptTokens: plan.promptTokens });
  if (request.stream) {
    const framing = dialect.framing?.(request) ?? 'sse';
    return deliverStream(headers, dialect.streamEvents(plan, request), framing);
  }
  return deliverJson(200, headers, dialect.completeBody(plan, request), 'completed');
}

function retryHeaders(scenario) {
  const out = {};
  if (scenario.retry_after !== undefined) out['retry-after'] = scenario.retry_after;
  if (scenario.retry_after_ms !== undefined) {
    out['retry-after-ms'] = String(scenario.retry_after_ms);
  }
  if (scenario.should_retry !== undefined) out['x-should-retry'] = String(scenario.should_retry);
  return out;
}

function describeRecord(r) {
  const key = r.key === null ? '' : ` key=${r.key}`;
  const ms = (r.ended_ms ?? Date.now()) - r.started_ms;
  const sent = `events=${r.events_sent} bytes=${r.bytes_sent}`;
  return `${r.method} ${r.path} ${r.status ?? '-'} ${r.outcome} ${sent} ${ms}ms${key}`;
}
