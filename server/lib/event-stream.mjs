// AWS event-stream framing (docs/wire-formats.md "AWS event-stream"): the binary messages of
// `application/vnd.amazon.eventstream` (Bedrock ConverseStream), with both CRC32s, and the
// splitting of a recorded body back into its messages.
//
// Message: total length u32, headers length u32, prelude CRC u32 (of the 8 bytes before it),
// headers, payload, message CRC u32 (of every byte before it); all big-endian.

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** CRC-32/ISO-HDLC (zlib's crc32), as an unsigned number. */
export function crc32(bytes, start = 0, end = bytes.length) {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const STRING_TYPE = 7;

/**
 * One message. `headers` is an object of string values (type 7, the only kind Bedrock sends);
 * `payload` a Buffer, a string (UTF-8) or an object (written as JSON).
 */
export function encodeMessage(headers, payload = Buffer.alloc(0)) {
  const body =
    Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const parts = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name);
    const valueBytes = Buffer.from(String(value));
    const head = Buffer.alloc(1 + nameBytes.length + 3);
    head[0] = nameBytes.length;
    nameBytes.copy(head, 1);
    head[1 + nameBytes.length] = STRING_TYPE;
    head.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    parts.push(head, valueBytes);
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out, 0, 8), 8);
  headerBytes.copy(out, 12);
  body.copy(out, 12 + headerBytes.length);
  out.writeUInt32BE(crc32(out, 0, total - 4), total - 4);
  return out;
}

/** An `event` message: `:event-type` NAME, JSON payload (the header order Bedrock uses). */
export function eventMessage(type, payload) {
  return encodeMessage(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    payload,
  );
}

/** An `exception` message (a modeled error such as `throttlingException`), JSON `{message}`. */
export function exceptionMessage(type, payload) {
  return encodeMessage(
    { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
    payload,
  );
}

/**
 * Splits a recorded body into its messages by their total lengths (the concatenation is the
 * body). Bytes that do not make a whole message (a cut tail) form a last piece.
 */
export function splitMessages(body) {
  const out = [];
  let at = 0;
  while (at < body.length) {
    const total = body.length - at >= 4 ? body.readUInt32BE(at) : 0;
    const end = total >= 16 && at + total <= body.length ? at + total : body.length;
    out.push(body.subarray(at, end));
    at = end;
  }
  return out;
}

/**
 * Decodes one message (tests, tooling): { headers, payload } or throws on a bad CRC / length.
 */
export function decodeMessage(bytes) {
  const total = bytes.readUInt32BE(0);
  const headersLength = bytes.readUInt32BE(4);
  if (total !== bytes.length) throw new Error(`message length ${total} != ${bytes.length}`);
  if (crc32(bytes, 0, 8) !== bytes.readUInt32BE(8)) throw new Error('bad prelude CRC');
  if (crc32(bytes, 0, total - 4) !== bytes.readUInt32BE(total - 4)) throw new Error('bad message CRC');
  const headers = {};
  let p = 12;
  while (p < 12 + headersLength) {
    const nameLength = bytes[p];
    const name = bytes.toString('utf8', p + 1, p + 1 + nameLength);
    p += 1 + nameLength;
    const type = bytes[p++];
    if (type !== STRING_TYPE) throw new Error(`header ${name}: type ${type} not decoded here`);
    const length = bytes.readUInt16BE(p);
    headers[name] = bytes.toString('utf8', p + 2, p + 2 + length);
    p += 2 + length;
  }
  return { headers, payload: bytes.subarray(12 + headersLength, total - 4) };
}
