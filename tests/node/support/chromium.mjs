// Debian's chromium through playwright-core (shared/docs/toolchain.md), for the browser tests in
// tests/node/ and the e2e suite: one launch recipe, and a static server for test pages.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { MIME_TYPES } from '../../../server/lib/static.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches chromium headless with a throwaway profile; resolves to {context, close()}, close()
 * also removes the profile. `options` go to launchPersistentContext (e.g. a viewport).
 */
export async function launchChromium(options = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'llmstream-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...options,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Serves the files under `root` on 127.0.0.1 (port 0), plus `pages`: {'/index.html': {body,
 * headers}} served from memory. Resolves to the http.Server (close it when done).
 */
export function serveFolder(root, pages = {}) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const pathname = new URL(req.url, 'http://x').pathname;
      const page = pages[pathname];
      if (page) {
        res.writeHead(200, { 'content-type': MIME_TYPES['.html'], ...page.headers }).end(page.body);
        return;
      }
      const file = path.join(root, decodeURIComponent(pathname));
      if (!file.startsWith(root + path.sep) || !existsSync(file)) {
        res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
        return;
      }
      res.writeHead(200, { 'content-type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
