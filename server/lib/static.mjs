// Static files for the web playground: GET / HEAD of files under a few mounted folders
// (web/ at `/`, the npm package's src/ and dist/ at `/npm/src/` and `/npm/dist/`), so that the
// page imports the real package from the same origin as the provider, with no bundler.
//
// Only regular files inside a mount are served: the URL path is decoded once, `..` segments,
// backslashes and NUL bytes are refused, and the resolved real path (symlinks followed) must
// still lie inside the mount's real folder. Everything else is "not mine" (the caller 404s).

import { realpath, stat, readFile } from 'node:fs/promises';
import path from 'node:path';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

// Pages may run the package's wasm (and nothing inline): even if untrusted model output got
// into the DOM as markup, no inline script, event handler or javascript: URL could run.
// connect-src stays open: the playground may call a hosted provider's base URL.
const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  'connect-src *',
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Builds the handler. `mounts`: [{prefix: '/npm/src/', dir}] (a prefix ends with '/'; '/' is the
 * root mount). Returns `async (req, res, url) => boolean` (true when it answered).
 */
export function staticHandler(mounts) {
  // Longest prefix first, so /npm/src/ wins over /.
  const sorted = mounts
    .map((m) => ({ prefix: m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`, dir: path.resolve(m.dir) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const roots = new Map(); // dir -> Promise<real dir | null>

  const realRoot = (dir) => {
    if (!roots.has(dir)) roots.set(dir, realpath(dir).catch(() => null));
    return roots.get(dir);
  };

  return async function serveStatic(req, res, url) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = await resolveFile(sorted, realRoot, url.pathname);
    if (!file) return false;
    const body = req.method === 'HEAD' ? null : await readFile(file.path);
    const type = MIME_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    const headers = {
      'content-type': type,
      'content-length': file.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (type.startsWith('text/html')) headers['content-security-policy'] = HTML_CSP;
    res.writeHead(200, headers);
    res.end(body);
    return true;
  };
}

/** The real path and size of the file a URL path names, or null (never outside a mount). */
export async function resolveFile(mounts, realRoot, rawPathname) {
  let pathname;
  try {
    pathname = decodeURIComponent(rawPathname);
  } catch {
    return null; // malformed %-escapes
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const mount = mounts.find((m) => pathname === m.prefix.slice(0, -1) || pathname.startsWith(m.prefix));
  if (!mount) return null;
  const rest = pathname.slice(mount.prefix.length);
  const segments = rest.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const root = await realRoot(mount.dir);
  if (!root) return null;
  let candidate = path.join(root, ...segments.filter((s) => s !== ''));
  try {
    let info = await stat(candidate);
    if (info.isDirectory()) {
      candidate = path.join(candidate, 'index.html');
      info = await stat(candidate);
    }
    if (!info.isFile()) return null;
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return null; // a symlink out
    return { path: real, size: info.size };
  } catch {
    return null;
  }
}
