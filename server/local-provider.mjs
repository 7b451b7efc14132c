#!/usr/bin/env node
// llmstream local provider: a deterministic OpenAI / Anthropic / Gemini / Bedrock / Ollama / Cohere
// streaming server on loopback.
// Usage and endpoints: server/README.md, or `node server/local-provider.mjs --help`.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { KEYS } from './lib/scenario.mjs';
import { LIMITS, defaultFixturesDir, playgroundMounts, startServer } from './lib/server.mjs';

const USAGE = `Usage: node server/local-provider.mjs [options]

  --port N        port to listen on (default 8787; 0 picks a free port)
  --host H        address to bind (default 127.0.0.1; only loopback unless given)
  --pace-ms N     default delay between SSE events (default 25)
  --fixtures DIR  recorded fixtures: .sse, and subfolders of .sse / .ndjson / .eventstream /
                  .json recordings (default ${defaultFixturesDir()})
  --web DIR       also serve the web playground: DIR at /, the npm package at /npm/src/ and
                  /npm/dist/ (GET / HEAD only, same origin as the API), and its backend: the
                  package's relays at /api/relay/<provider>, keys from this environment
                  (LLMSTREAM_RELAY_* settings: server/README.md, "Relays")
  --request-timeout-ms N
                  headers + body of a request must arrive within N ms, else 408 and the
                  socket is closed; responses are not limited (default ${LIMITS.requestTimeoutMs},
                  env LLMSTREAM_REQUEST_TIMEOUT_MS; 0 = no deadline)
  --max-connections N
                  open connections (default ${LIMITS.maxConnections}, env LLMSTREAM_MAX_CONNECTIONS;
                  0 = no cap); over it the longest-idle keep-alive connection is closed to make
                  room, else the new connection
  --quiet         no per-request log lines on stderr
  --help          this text

Endpoints: POST /v1/chat/completions, /v1/responses, /v1/messages (also without /v1),
/v1beta/models/{model}:streamGenerateContent[?alt=sse] and :generateContent (Gemini),
/model/{modelId}/converse-stream and /converse (Bedrock, also over cleartext HTTP/2),
/api/chat, /api/generate (Ollama NDJSON), /v2/chat (Cohere);
GET /v1/models, /health, /_llmstream/fixtures[?all=1], /_llmstream/requests[?key=K],
/_llmstream/requests/wait?key=K&outcome=O&timeout_ms=N, DELETE /_llmstream/requests.

Scenario keys (query string, x-llmstream-scenario header "k=v; k=v", or body "llmstream"):
${Object.entries(KEYS)
  .map(([name, spec]) => `  ${name.padEnd(17)}${spec.help}`)
  .join('\n')}
`;

function fail(message) {
  process.stderr.write(`local-provider: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function nonNegativeInt(name, text) {
  if (!/^\d+$/.test(text)) fail(`--${name} needs a non-negative integer, got '${text}'`);
  return Number(text);
}

/** A limit from `--name`, else from the environment variable `env`, else its default. */
function limit(name, env, fallback) {
  if (args[name] !== undefined) return nonNegativeInt(name, args[name]);
  const text = process.env[env];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) fail(`${env} needs a non-negative integer, got '${text}'`);
  return Number(text);
}

let args;
try {
  args = parseArgs({
    options: {
      // No `default:` fields: parseArgs accepts them only from Node 18.11.
      port: { type: 'string' },
      host: { type: 'string' },
      'pace-ms': { type: 'string' },
      fixtures: { type: 'string' },
      web: { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'max-connections': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const quiet = args.quiet === true;
if (args.web !== undefined && !existsSync(path.join(args.web, 'index.html'))) {
  fail(`--web ${args.web}: no index.html there`);
}
// The relays stream from this server too ('local'): they learn its URL once it listens.
let selfURL = null;
const provider = await startServer({
  port: nonNegativeInt('port', args.port ?? '8787'),
  host: args.host ?? '127.0.0.1',
  // Binding beyond loopback is allowed only when asked for by name.
  allowNonLoopback: args.host !== undefined,
  paceMs: nonNegativeInt('pace-ms', args['pace-ms'] ?? '25'),
  fixturesDir: args.fixtures ?? defaultFixturesDir(),
  log: quiet ? null : (line) => process.stderr.write(`${line}\n`),
  staticMounts: args.web === undefined ? null : playgroundMounts(path.resolve(args.web)),
  // The playground's relays need the npm package and its built wasm core: imported only with
  // --web, so the provider itself starts from a checkout where nothing is built yet (the native
  // tests start it before the wasm stage; tests/node/server_imports.test.mjs holds this).
  apiMounts: args.web === undefined ? [] : [(await import('./lib/relay-mount.mjs')).relayMount({ selfURL: () => selfURL })],
  requestTimeoutMs: limit(
    'request-timeout-ms',
    'LLMSTREAM_REQUEST_TIMEOUT_MS',
    LIMITS.requestTimeoutMs,
  ),
  maxConnections: limit('max-connections', 'LLMSTREAM_MAX_CONNECTIONS', LIMITS.maxConnections),
}).catch((err) => fail(err.message));
selfURL = provider.url;

// Scripts and tests read the port from this exact line.
process.stdout.write(`llmstream local provider listening on ${provider.url}\n`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (!quiet) process.stderr.write(`local-provider: ${signal}, shutting down\n`);
  provider.close().then(() => process.exit(0));
  // Open streams are destroyed by close(); never hang on shutdown.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
