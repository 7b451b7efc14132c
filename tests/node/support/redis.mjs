// Test support: a redis-server of the test's own (Debian's, scripts/setup.sh installs it), on a
// free port, without persistence, in a temporary directory. Started when its log says it is
// ready, never after a sleep; stopped (and its directory removed) by stop().

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

import { RedisClient } from '../../../npm/src/relay/redis-client.js';

/** The redis-server binary, or null when there is none (the tests then say why they skip). */
export function findRedisServer() {
  const candidates = [process.env.REDIS_SERVER, '/usr/bin/redis-server', 'redis-server'].filter(Boolean);
  for (const bin of candidates) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return bin;
  }
  return null;
}

/** A port nobody listens on now (redis has no --port 0): bound by the kernel's choice, then freed. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {{bin: string, args?: string[], deadlineMs?: number}} options
 * @returns {Promise<{port: number, url: string, stop: () => Promise<void>, kill: () => Promise<void>, restart: () => Promise<void>}>}
 *   kill(): the server dies (SIGKILL), its directory stays; restart(): kill() if it runs, then a
 *   new one on the same port and directory (what persistence args keep survives), resolved once
 *   it is ready
 */
export async function startRedis({ bin, args = [], deadlineMs = 10_000 }) {
  // Another process may take the freed port before redis binds it: then try another one.
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'llmstream-redis-'));
    try {
      return await launch(bin, port, dir, args, deadlineMs);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      lastError = error;
      if (!/in use/i.test(error.message)) throw error;
    }
  }
  throw lastError;
}

function launch(bin, port, dir, args, deadlineMs) {
  /** @type {any} */
  let current;
  const handle = {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await current.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => current.kill(),
    restart: async () => {
      await current.kill();
      current = await once(bin, port, dir, args, deadlineMs);
    },
  };
  return once(bin, port, dir, args, deadlineMs).then((first) => {
    current = first;
    return handle;
  });
}

/** One redis-server process: resolves to {kill} once ready. */
function once(bin, port, dir, args, deadlineMs) {
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop().then(() => reject(new Error(`redis-server not ready after ${deadlineMs} ms:\n${log}`)));
    }, deadlineMs);
    const onData = (d) => {
      log += d;
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining its log, so it never blocks on a full pipe
        resolve({ kill: stop });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (d) => (log += d));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`));
    });
  });
}

/**
 * Hooks for the current suite (or file): a redis-server started before its tests and stopped
 * after them, and a RedisClient on it (the tests' own look at Redis).
 * @param {string} bin
 * @returns {{server: Awaited<ReturnType<typeof startRedis>> | null, client: RedisClient | null}}
 */
export function redisForTests(bin) {
  const handle = { server: null, client: null };
  before(async () => {
    handle.server = await startRedis({ bin });
    handle.client = new RedisClient(handle.server.url);
  });
  after(async () => {
    await handle.client?.close();
    await handle.server?.stop();
  });
  return handle;
}
