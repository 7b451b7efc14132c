// The relay's own Redis client (npm/src/relay/resp.js, redis-client.js): RESP2 parsed the same
// in any split of its bytes, bounded (a reply past maxReplyBytes, a lying length, arrays nested
// too deep fail instead of buffering); every failure a rejected promise (an error reply, a closed
// or refused connection, a failed AUTH), never an unhandled one; reconnects (bounded queue and
// wait, commands in flight rejected, subscriptions back with onGap, a redis-server killed and
// restarted on its port); pipelining, pub/sub, AUTH and SELECT from a redis:// URL against a
// redis-server the test starts. Fake servers (node:net) play
// the failures a real one will not.

import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';

import { RedisClient, parseRedisUrl } from '../../npm/src/relay/redis-client.js';
import { RedisReplyError, RespParser, encodeCommand } from '../../npm/src/relay/resp.js';
import { findRedisServer, redisForTests } from './support/redis.mjs';

const unhandled = [];
process.on('unhandledRejection', (error) => unhandled.push(error));

/** Every reply of `bytes` fed in pieces of `size` bytes. */
function parse(bytes, size = bytes.length, maxReplyBytes = 1 << 20) {
  const out = [];
  const parser = new RespParser((r) => out.push(r), { maxReplyBytes });
  for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
  return out;
}

describe('RESP2 parser', () => {
  const wire = Buffer.concat([
    Buffer.from('+OK\r\n-ERR wrong\r\n:42\r\n:-3\r\n$-1\r\n*-1\r\n*0\r\n'),
    Buffer.from('$8\r\nh\u00e9\r\nl\u00f6\r\n'), // 8 UTF-8 bytes, a CRLF inside
    Buffer.from('*3\r\n*1\r\n:1\r\n$3\r\nabc\r\n*2\r\n$0\r\n\r\n+x\r\n'),
  ]);
  const expected = ['OK', new RedisReplyError('ERR wrong'), 42, -3, null, null, [], 'h\u00e9\r\nl\u00f6', [[1], 'abc', ['', 'x']]];

  test('the same replies whole, byte by byte, and in every piece size', () => {
    for (let size = 1; size <= wire.length; size++) {
      const got = parse(wire, size);
      assert.equal(got.length, expected.length, `pieces of ${size}`);
      got.forEach((value, i) => {
        if (value instanceof RedisReplyError) assert.equal(value.message, expected[i].message);
        else assert.deepEqual(value, expected[i], `pieces of ${size}, reply ${i}`);
      });
    }
  });

  test('encodes commands as arrays of bulk strings, bytes as given', () => {
    const bytes = encodeCommand(['SET', 'k\u00e9', new Uint8Array([0, 13, 10]), 7]);
    assert.equal(bytes.toString('latin1'), '*4\r\n$3\r\nSET\r\n$3\r\nk\u00c3\u00a9\r\n$3\r\n\u0000\r\n\r\n$1\r\n7\r\n');
  });

  test('bounded: a reply past the cap, a lying length or count, deep nesting, bad bytes fail', () => {
    const fails = (text, pattern, max = 64) => assert.throws(() => parse(Buffer.from(text), 1, max), pattern, JSON.stringify(text));
    fails('$65\r\n', /passes 64 bytes/); // refused at the header, before any byte of it is kept
    fails(`*3\r\n$20\r\n${'a'.repeat(20)}\r\n$20\r\n${'b'.repeat(20)}\r\n$20\r\n`, /passes 64 bytes/); // the sum
    fails('*1000\r\n', /passes 64 bytes/);
    fails(`+${'x'.repeat(100)}`, /passes 64 bytes/); // a line without end
    fails('*1\r\n'.repeat(9), /nests arrays deeper/, 1000);
    fails('!3\r\n', /protocol error/);
    fails(':12x\r\n', /bad integer/);
    fails('$3\r\nabcde\r\n', /does not end with CRLF/);
    assert.deepEqual(parse(Buffer.from(`$57\r\n${'a'.repeat(57)}\r\n+ok\r\n`), 7, 64), ['a'.repeat(57), 'ok'], 'at the cap (framing counted), and the cap is per reply');
  });
});

test('redis:// URLs', () => {
  assert.deepEqual(parseRedisUrl('redis://u%40x:p%3Aw@example.com:6380/2'), {
    host: 'example.com',
    port: 6380,
    username: 'u@x',
    password: 'p:w',
    db: 2,
  });
  assert.deepEqual(parseRedisUrl('redis://[::1]'), { host: '::1', port: 6379, username: undefined, password: undefined, db: undefined });
  assert.throws(() => parseRedisUrl('rediss://h'), /only redis:\/\//);
  assert.throws(() => parseRedisUrl('redis://h/x'), /no database number/);
});

/** A fake Redis: `onData(socket, text)` answers as the test wants. */
async function fakeServer(onData) {
  const server = net.createServer((socket) => socket.setEncoding('latin1').on('data', (d) => onData(socket, d)));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('redis client: failures are rejected promises, and it reconnects', { timeout: 20_000 }, () => {
  test('a connection refused: a command waits at most maxWaitMs, rejects with why; a server that comes up serves the next one', async () => {
    const { port, close } = await fakeServer(() => {});
    await close(); // nobody listens there now
    const client = new RedisClient({ port, maxWaitMs: 150 });
    const started = Date.now();
    await assert.rejects(client.send(['PING']), /no connection within 150 ms \(last error: .*ECONNREFUSED/);
    assert.ok(Date.now() - started >= 140, 'it waited for a connection');
    await assert.rejects(client.send(['PING']), /ECONNREFUSED/);
    const again = net.createServer((socket) => socket.setEncoding('latin1').on('data', () => socket.write('+PONG\r\n')));
    await new Promise((resolve) => again.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await client.send(['PING']), 'PONG', 'reconnected');
    } finally {
      await client.close();
      await new Promise((resolve) => again.close(resolve));
    }
  });

  test('a connection closed mid-reply rejects what is in flight (it may have run); the next command reconnects', async () => {
    let connections = 0;
    const { port, close } = await fakeServer((socket) => {
      if (socket.first === undefined) socket.first = ++connections === 1;
      socket.write(socket.first ? '$10\r\nabc' : '+OK\r\n');
      if (socket.first) socket.end();
    });
    const client = new RedisClient({ port });
    const pending = [client.send(['GET', 'a']), client.send(['GET', 'b'])];
    for (const p of pending) await assert.rejects(p, /connection closed \(commands in flight may or may not have run\)/);
    assert.equal(await client.send(['PING']), 'OK');
    assert.equal(connections, 2);
    await client.close();
    await close();
  });

  test('commands wait for a connection in a bounded queue: past maxQueue one rejects at once', async () => {
    const { port, close } = await fakeServer(() => {});
    await close();
    const client = new RedisClient({ port, maxQueue: 2, maxWaitMs: 300 });
    const waiting = [client.send(['PING']), client.send(['PING'])];
    await assert.rejects(client.send(['PING']), /2 commands wait for a connection already \(maxQueue\)/);
    for (const p of waiting) await assert.rejects(p, /no connection within 300 ms/);
    await client.close();
  });

  test('a connection that stops answering fails after commandTimeoutMs', async () => {
    const { port, close } = await fakeServer(() => {}); // reads, never answers (a partition)
    const client = new RedisClient({ port, commandTimeoutMs: 100 });
    await assert.rejects(client.send(['PING']), /no reply in 100 ms \(commandTimeoutMs\)/);
    await client.close();
    await close();
  });

  test('close() rejects the commands waiting for a connection and every later one', async () => {
    const { port, close } = await fakeServer(() => {});
    await close();
    const client = new RedisClient({ port, maxWaitMs: 10_000 });
    const waiting = assert.rejects(client.send(['PING']), /closed by close\(\)/);
    await client.close();
    await waiting;
    await assert.rejects(client.send(['PING']), /closed by close\(\)/);
  });

  test('a reply past maxReplyBytes fails the connection', async () => {
    const { port, close } = await fakeServer((socket) => socket.write(`$100\r\n${'a'.repeat(100)}\r\n`));
    const client = new RedisClient({ port, maxReplyBytes: 50 });
    await assert.rejects(client.send(['GET', 'big']), /passes 50 bytes/);
    await assert.rejects(client.send(['PING']), /passes 50 bytes/, 'the next connection gets the same');
    await client.close();
    await close();
  });

  test('a reply to no command fails the connection; the next command gets a new one', async () => {
    let connections = 0;
    const { port, close } = await fakeServer((socket) => {
      if (!socket.counted) {
        socket.counted = true;
        connections++;
      }
      socket.write('+OK\r\n+OK\r\n');
    });
    const client = new RedisClient({ port });
    assert.equal(await client.send(['PING']), 'OK');
    assert.equal(await client.send(['PING']), 'OK');
    assert.equal(connections, 2, 'the first connection failed on the reply to no command');
    await client.close();
    await close();
  });
});

const BIN = findRedisServer();
describe('redis client: against redis-server', { skip: BIN ? false : 'no redis-server (scripts/setup.sh installs it)' }, () => {
  const redis = redisForTests(BIN);

  test('commands sent in one tick are pipelined and answered in order', async () => {
    const replies = await Promise.all(Array.from({ length: 500 }, () => redis.client.send(['INCR', 'n'])));
    assert.deepEqual(replies, Array.from({ length: 500 }, (_, i) => i + 1));
  });

  test('an error reply rejects its command only', async () => {
    const [bad, good] = await Promise.allSettled([redis.client.send(['NOPE']), redis.client.send(['PING'])]);
    assert.ok(bad.status === 'rejected' && bad.reason instanceof RedisReplyError && /unknown command/.test(bad.reason.message));
    assert.deepEqual(good, { status: 'fulfilled', value: 'PONG' });
  });

  test('a subscriber connection that goes silent (half-open) is noticed by its PING: it comes back, onGap, messages flow', { timeout: 10_000 }, async () => {
    // A front whose first connections freeze on demand (bytes dropped, sockets kept open).
    const target = new URL(redis.server.url);
    const frozen = new Set();
    const all = [];
    const front = net.createServer((c) => {
      const u = net.connect(Number(target.port), target.hostname);
      const pair = { c, u };
      all.push(pair);
      c.on('data', (d) => !frozen.has(pair) && u.write(d));
      u.on('data', (d) => !frozen.has(pair) && c.write(d));
      for (const s of [c, u]) s.on('error', () => {});
      c.on('close', () => u.destroy());
      u.on('close', () => c.destroy());
    });
    await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
    const client = new RedisClient({ host: '127.0.0.1', port: front.address().port, commandTimeoutMs: 200 });
    try {
      let gap = () => {};
      await client.subscribe('frozen', () => {}, () => gap());
      // The live connections go silent; a gap after that is the connection coming back.
      const gapped = new Promise((resolve) => (gap = resolve));
      for (const pair of all) frozen.add(pair);
      await gapped;
      assert.ok(all.length >= 2, 'a new connection was opened');
      let heard;
      const message = new Promise((resolve) => (heard = resolve));
      await client.subscribe('frozen', (m) => heard(m));
      assert.equal(await redis.client.send(['PUBLISH', 'frozen', 'after']), 1);
      assert.equal(await message, 'after');
    } finally {
      await client.close();
      for (const { c, u } of all) c.destroy(), u.destroy();
      await new Promise((resolve) => front.close(resolve));
    }
  });

  test('pub/sub on its own connection while commands go on', async () => {
    const got = [];
    let onMessage;
    const twoMessages = new Promise((resolve) => (onMessage = resolve));
    await redis.client.subscribe('ch', (m) => {
      got.push(m);
      if (got.length === 2) onMessage();
    });
    assert.equal(await redis.client.send(['PUBLISH', 'ch', 'h\u00e9']), 1);
    assert.equal(await redis.client.send(['PUBLISH', 'ch', 'two']), 1);
    await twoMessages;
    assert.deepEqual(got, ['h\u00e9', 'two']);
    await redis.client.unsubscribe('ch');
    assert.equal(await redis.client.send(['PUBLISH', 'ch', 'three']), 0);
  });

  test('AUTH (an ACL user) and SELECT from the URL; a wrong password rejects every command', async () => {
    await redis.client.send(['ACL', 'SETUSER', 'relay', 'on', '>s:cret', '~*', '&*', '+@all']);
    const url = redis.server.url.replace('redis://', 'redis://relay:s%3Acret@');
    const db2 = new RedisClient(`${url}/2`);
    assert.equal(await db2.send(['SET', 'k', 'v']), 'OK');
    const db0 = new RedisClient(url);
    assert.equal(await db0.send(['GET', 'k']), null, 'db 0 has no k');
    await db0.close();
    const again = new RedisClient({ ...parseRedisUrl(redis.server.url), username: 'relay', password: 's:cret', db: 2 });
    assert.equal(await again.send(['GET', 'k']), 'v');
    await again.close();
    await db2.close();
    const wrong = new RedisClient(redis.server.url.replace('redis://', 'redis://relay:nope@'));
    await assert.rejects(wrong.send(['PING']), /AUTH failed|WRONGPASS/);
    await assert.rejects(wrong.send(['PING']), /AUTH failed/);
    await wrong.close();
  });
});

describe('redis client: a redis-server restarted on the same port', { timeout: 30_000, skip: BIN ? false : 'no redis-server (scripts/setup.sh installs it)' }, () => {
  const redis = redisForTests(BIN);

  test('a command sent while it is down waits and runs; subscriptions come back, then onGap; messages flow again', async () => {
    const client = new RedisClient({ port: redis.server.port, maxWaitMs: 10_000 });
    try {
      const messages = [];
      let gap;
      const gapped = new Promise((resolve) => (gap = resolve));
      await client.subscribe('ch', (m) => messages.push(m), () => gap());
      assert.equal(await client.send(['SET', 'k', 'v']), 'OK');
      await redis.server.kill();
      // No server now. The client may not have seen its connection close yet: a command written
      // to it rejects (it may have run); the next one waits for the next connection.
      const during = client.send(['PING']).catch((error) => {
        assert.match(error.message, /may or may not have run/);
        return client.send(['PING']);
      });
      await redis.server.restart();
      assert.equal(await during, 'PONG');
      await gapped; // subscribed again on the new connection
      let got;
      const message = new Promise((resolve) => (got = resolve));
      client.subscribe('ch2', (m) => got(m));
      await until(async () => (await client.send(['PUBSUB', 'NUMSUB', 'ch2']))[1] === 1);
      assert.equal(await client.send(['PUBLISH', 'ch', 'after']), 1, 'ch subscribed again');
      assert.equal(await client.send(['PUBLISH', 'ch2', 'new']), 1);
      assert.equal(await message, 'new');
      assert.deepEqual(messages, ['after']);
    } finally {
      await client.close();
    }
  });
});

/** Polls until done() holds, or fails at the deadline (an observation, not a sleep). */
async function until(done, deadlineMs = 5000) {
  const start = Date.now();
  while (!(await done())) {
    assert.ok(Date.now() - start < deadlineMs, 'not reached before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('no promise was left rejected without a handler', async () => {
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});
