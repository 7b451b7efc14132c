// The cap on open connections (server/README.md, "Limits").
//
// A connection over the cap first makes room by closing the longest-idle keep-alive connection
// (one that has been answered and has no request in flight); when every connection is busy or
// still sending its first request, the new connection is closed at once. Idle keep-alive
// connections otherwise live for keepAliveTimeout, longer than the clients' own pools keep them,
// so that a client never reuses a connection the server is closing; only at the cap do they go.

const kState = Symbol('llmstream.connection');

/**
 * Applies the cap to the connections `server` accepts; `requestServers` (default: `server`)
 * emit the requests (the HTTP/1.1 and HTTP/2 servers behind lib/h2c.mjs). Returns live counters
 * { open, refused, evicted }. `onRefuse` (optional) is called with the counters after each
 * refused connection.
 */
export function capConnections(server, max, onRefuse = null, requestServers = [server]) {
  const open = new Set(); // oldest first
  const counters = {
    get open() {
      return open.size;
    },
    refused: 0,
    evicted: 0,
  };

  server.on('connection', (socket) => {
    if (open.size >= max) {
      const idle = longestIdle(open);
      if (idle === null) {
        counters.refused++;
        socket.destroy();
        onRefuse?.(counters);
        return;
      }
      counters.evicted++;
      open.delete(idle);
      idle.destroy();
    }
    socket[kState] = { inFlight: 0, idleSince: null };
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });

  const onRequest = (req, res) => {
    // An HTTP/2 request's `socket` is a proxy of its stream: the connection is the session's.
    const socket = req.stream?.session?.socket ?? req.socket;
    const state = socket?.[kState];
    if (state === undefined) return;
    state.inFlight++;
    res.once('close', () => {
      if (--state.inFlight === 0) state.idleSince = performance.now();
    });
  };
  for (const requests of requestServers) requests.on('request', onRequest);

  return counters;
}

/** The open connection idle for the longest time, or null when none is idle. */
function longestIdle(open) {
  let found = null;
  for (const socket of open) {
    const { inFlight, idleSince } = socket[kState];
    if (inFlight > 0 || idleSince === null) continue;
    if (found === null || idleSince < found[kState].idleSince) found = socket;
  }
  return found;
}
