// HTTP/1.1 and cleartext HTTP/2 (h2c, "prior knowledge") on one port.
//
// The AWS SDK's Bedrock Runtime client speaks HTTP/2 only (its default request handler is
// NodeHttp2Handler, also for http:// endpoints), so the server answers both: a plain TCP server
// listens, reads the first bytes of each connection and hands the socket to the HTTP/1.1 server
// or to an HTTP/2 server. An HTTP/2 client starts with the connection preface
// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`; no HTTP/1 request line starts with `PRI `.
// Both servers call the same request handler; HTTP/2 answers go through the compatibility API
// (Http2ServerRequest / Http2ServerResponse), with hop-by-hop headers dropped.

import http2 from 'node:http2';
import net from 'node:net';

const SIGNATURE = Buffer.from('PRI ');
// Node's own answer to a connection whose request does not arrive within the deadline.
const TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
// Connection-specific headers, which HTTP/2 forbids (RFC 9113 8.2.2).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * A TCP server for `http1` (an http.Server that does not listen itself) and HTTP/2 with
 * `handler(req, res)`. `deadlineMs` (0: none): a connection that sends nothing gets Node's 408
 * and is closed then, as the HTTP/1.1 server's request deadline does. Returns
 * { front (net.Server: listen, address), http2Server, closeAll() }.
 */
export function h2cServer({ http1, handler, deadlineMs }) {
  const http2Server = http2.createServer({}, (req, res) => handler(req, adapt(res)));
  const sockets = new Set();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    sniff(socket, deadlineMs, (isHttp2) => (isHttp2 ? http2Server : http1).emit('connection', socket));
  });
  return {
    front,
    http2Server,
    closeAll() {
      http1.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Waits for enough first bytes to tell the protocols apart, then calls `dispatch(isHttp2)`. */
function sniff(socket, deadlineMs, dispatch) {
  let head = Buffer.alloc(0);
  const timer =
    deadlineMs > 0
      ? setTimeout(() => {
          socket.off('data', onData);
          socket.end(TIMEOUT_ANSWER);
          socket.destroySoon?.();
        }, deadlineMs)
      : null;
  const onData = (chunk) => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    const n = Math.min(head.length, SIGNATURE.length);
    const maybeHttp2 = head.subarray(0, n).equals(SIGNATURE.subarray(0, n));
    if (maybeHttp2 && head.length < SIGNATURE.length) return; // "P", "PR": wait for more
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    socket.unshift(head);
    dispatch(maybeHttp2);
    if (!maybeHttp2) socket.resume();
  };
  socket.on('data', onData);
  socket.once('close', () => clearTimeout(timer));
}

/** An HTTP/2 response that takes HTTP/1.1-style headers and can be reset on its own. */
function adapt(res) {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, headers = {}) => {
    const kept = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
    }
    return writeHead(status, kept);
  };
  // Headers go out with writeHead on HTTP/2.
  if (typeof res.flushHeaders !== 'function') res.flushHeaders = () => {};
  return res;
}

/**
 * Cuts one response abruptly: HTTP/2 resets its stream (RST_STREAM INTERNAL_ERROR; the other
 * streams of the connection go on), HTTP/1.1 its connection with a TCP RST. Returns nothing.
 */
export function resetResponse(res) {
  if (typeof res.stream?.close === 'function') {
    res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const socket = res.socket;
  // resetAndDestroy (Node >= 18.3) sends a TCP RST; destroy() is a plain close.
  if (typeof socket?.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket?.destroy();
}
