// A fetch wrapper handed to APILoader ({fetch}) that shows the wire: the request (secret headers
// redacted, the URL through the package's redactUrl so that a base URL's password, signature or
// key never shows; nothing stored) and every response byte as it reaches the package. The body
// is passed through pull by pull (no extra buffering, no eager reads) and cancelling it cancels
// the real response, so Stop still closes the connection.

const SECRET_HEADER = /authorization|api-key|x-api-key|token|secret|cookie|key/i;

/**
 * @param {{onRequest(r: {method: string, url: string, headers: [string, string][], body: string}): void,
 *   onResponse(r: {status: number, statusText: string, headers: [string, string][]}): void,
 *   onBytes(bytes: Uint8Array): void, onEnd(error?: unknown): void}} sink
 * @param {{redactUrl(url: string): string, redactUrlsInText(text: string): string}} redact the
 *   package's (the core's rule)
 * @returns {typeof fetch}
 */
export function tapFetch(sink, { redactUrl, redactUrlsInText }) {
  return async function tappedFetch(url, init = {}) {
    const headers = Array.from(new Headers(init.headers ?? {})).map(([name, value]) => [
      name,
      SECRET_HEADER.test(name) && name !== 'x-llmstream-scenario' ? '[redacted]' : value,
    ]);
    sink.onRequest({
      method: init.method ?? 'GET',
      url: redactUrl(String(url)),
      headers,
      body: typeof init.body === 'string' ? init.body : '',
    });
    const res = await fetch(url, init);
    sink.onResponse({ status: res.status, statusText: res.statusText, headers: Array.from(res.headers) });
    if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream(
      {
        async pull(controller) {
          let r;
          try {
            r = await reader.read();
          } catch (error) {
            sink.onEnd(redactUrlsInText(String(error))); // a message may quote the URL
            throw error; // the package sees the same network error (and redacts it itself)
          }
          if (r.done) {
            sink.onEnd();
            controller.close();
          } else {
            sink.onBytes(r.value);
            controller.enqueue(r.value);
          }
        },
        cancel(reason) {
          sink.onEnd('cancelled');
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
