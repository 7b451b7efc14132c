// A relay process that holds a stream, for relay_store_redis.test.mjs: opens it in a Redis store
// of its own with a holder lease, appends `count` events ("e0", "e1", ...), prints "ready", then
// keeps holding it (renewing its lease) until it is killed: the test kills it with SIGKILL.
//   node relay_store_holder.mjs <redis URL> <stream id> <holder lease ms> <count>

import { RedisStore } from '../../../npm/src/relay/redis-store.js';

const [url, streamId, holderLeaseMs, count] = process.argv.slice(2);
const store = new RedisStore({ url, holderLeaseMs: Number(holderLeaseMs) });
await store.open(streamId);
for (let id = 0; id < Number(count); id++) await store.append(streamId, id, `e${id}`);
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30); // holds until killed (the store's own timers do not keep it alive)
