// Endpoints for this server's own pages only (the /_llmstream/ controls, the playground's relays,
// which spend the server's keys): a request is refused unless its Host is one of the server's
// own names (DNS rebinding: a page of another site resolved to 127.0.0.1 would send its own
// Host), its Origin (when sent) is that host, and Sec-Fetch-Site (when sent) says same-origin.
// Preflights are refused too: no CORS for these.

/**
 * Why `req` is refused, or null.
 * @param {import('node:http').IncomingMessage} req
 * @param {Set<string> | null} authorities the server's own host:port names (null: any)
 * @param {string} what what is answering, for the message ('/_llmstream/', 'the relays')
 */
export function sameOriginRefusal(req, authorities, what) {
  if (req.method === 'OPTIONS') return `cross-origin requests to ${what} are not allowed`;
  const host = req.headers.host?.toLowerCase();
  if (authorities !== null && host !== undefined && !authorities.has(host)) {
    return `Host '${host}' is not this server; ${what} answers its own origin only`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && (host === undefined || origin.toLowerCase() !== `http://${host}`)) {
    return `Origin '${origin}' is not this server's; ${what} answers its own origin only`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `a ${site} request; ${what} answers its own origin only`;
  }
  return null;
}
