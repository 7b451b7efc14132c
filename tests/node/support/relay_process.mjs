// A relay process for the cross-process tests (tests/node/relay_redis.test.mjs): createRelay on
// a loopback port with a RedisStore, upstream the local provider. Prints one line,
// "relay listening on URL", once it serves; SIGTERM stops it.
//   node relay_process.mjs REDIS_URL PROVIDER_BASE_URL SCENARIO [STORE_OPTIONS_JSON]

import http from 'node:http';

import { createRelay } from '../../../npm/src/index.js';
import { RedisStore } from '../../../npm/src/relay/redis.js';

const [redisUrl, baseURL, scenario, storeOptions = '{}'] = process.argv.slice(2);
const store = new RedisStore({ url: redisUrl, resumeWindowMs: 10_000, ...JSON.parse(storeOptions) });
const relay = createRelay({
  provider: 'local', baseURL, apiKey: 'sk-relay-process', maxRetries: 0,
  headers: { 'x-llmstream-scenario': scenario }, policy: { models: '*' }, store,
});
const server = http.createServer(relay);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`relay listening on http://127.0.0.1:${server.address().port}/api/chat\n`);
});
process.on('SIGTERM', async () => {
  relay.cancelAll();
  server.closeAllConnections?.();
  server.close();
  await store.close();
  process.exit(0);
});
