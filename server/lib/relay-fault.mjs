// A dev-only fault for the playground's relays: `x-llmstream-relay-fault: cut_after_bytes=N` on
// the request that starts a stream cuts that response's connection after N body bytes, so that
// tests can watch the client resume (GET ?stream= with Last-Event-ID). Only honoured when the
// server runs with LLMSTREAM_RELAY_FAULTS=1, and only on the first response (a POST): the resume
// carries the page's headers again and must go through.

export const FAULT_HEADER = 'x-llmstream-relay-fault';

/** The byte count the request asks to cut after, or null (no fault, or faults not enabled). */
export function cutAfterBytes(req, env = process.env) {
  if (env.LLMSTREAM_RELAY_FAULTS !== '1' || req.method !== 'POST') return null;
  const m = /^\s*cut_after_bytes=(\d{1,9})\s*$/.exec(req.headers[FAULT_HEADER] ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * Makes `res` write at most `limit` body bytes, then destroys its socket once they are flushed:
 * the client sees a connection that ends without a terminal event, mid-event if N says so.
 */
export function cutAfter(res, limit) {
  let sent = 0;
  const write = res.write.bind(res);
  res.write = (chunk, encoding, callback) => {
    if (sent >= limit || res.destroyed) return false;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk);
    if (sent + bytes.length < limit) {
      sent += bytes.length;
      return write(bytes, typeof encoding === 'function' ? encoding : callback);
    }
    const head = bytes.subarray(0, limit - sent);
    sent = limit;
    if (head.length) write(head, () => res.socket?.destroy());
    else res.socket?.destroy();
    return false; // the relay waits for 'drain' or 'close': the close comes
  };
}
