// A relay process that only serves a resume, for relay_store_redis.test.mjs: reads one stream
// from a Redis store of its own after an id, prints "ready" once the resume is accepted, then each
// event as a JSON line, and exits after the stream's end.
//   node relay_store_reader.mjs <redis URL> <stream id> <after id> <lease ms>

import { RedisStore } from '../../../npm/src/relay/redis-store.js';

const [url, streamId, after, leaseMs] = process.argv.slice(2);
const store = new RedisStore({ url, leaseMs: Number(leaseMs) });
const reader = await store.read(streamId, Number(after));
process.stdout.write('ready\n');
for await (const event of reader) process.stdout.write(`${JSON.stringify(event)}\n`);
await store.close();
