// `llmstream/redis`: the relay's resume store in Redis (./redis-store.js) and the small RESP2
// client it uses (./redis-client.js), for several relay processes behind one load balancer.
// A subpath of its own because it needs Node's `net`: the package's main entry stays loadable
// in browsers and bundlers.
export { RedisStore } from './redis-store.js';
export { RedisClient } from './redis-client.js';
