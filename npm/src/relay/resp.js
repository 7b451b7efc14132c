// RESP2, the Redis wire protocol, for the relay's own Redis client (./redis-client.js): a
// command is an array of bulk strings; replies are parsed incrementally and bounded. A reply
// larger than `maxReplyBytes` is a protocol failure (the caller fails the connection), never a
// buffer that grows without end. Complete elements of a reply are consumed as they arrive, so a
// reply in many socket chunks is parsed in linear time (a big bulk string waits, unparsed, until
// its announced length is there).

/** An error reply (`-ERR ...`): rejects the command it answers. */
export class RedisReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

const CRLF = Buffer.from('\r\n');
/** Arrays in arrays deeper than this are no reply Redis sends to our commands. */
const MAX_DEPTH = 8;

/**
 * A command on the wire.
 * @param {ReadonlyArray<string | Uint8Array | number>} args
 * @returns {Buffer}
 */
export function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = typeof arg === 'string' || typeof arg === 'number' ? Buffer.from(String(arg)) : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
    parts.push(Buffer.from(`$${data.length}\r\n`), data, CRLF);
  }
  return Buffer.concat(parts);
}

/**
 * Bulk strings become UTF-8 strings, integers numbers, nil null, error replies RedisReplyError
 * values (the connection rejects with them), arrays arrays.
 */
export class RespParser {
  /** @type {Buffer[]} input not parsed yet: at most the start of one element */
  #chunks = [];
  #pending = 0;
  /** Bytes #pending must reach before parsing is worth trying again. */
  #need = 0;
  /** Arrays being filled. @type {{items: unknown[], remaining: number}[]} */
  #stack = [];
  /** Bytes of the current top-level reply already consumed. */
  #replyBytes = 0;

  /**
   * @param {(reply: unknown) => void} onReply
   * @param {{maxReplyBytes: number}} limits
   */
  constructor(onReply, { maxReplyBytes }) {
    this.onReply = onReply;
    this.maxReplyBytes = maxReplyBytes;
  }

  /** Parses the next input; throws on a protocol error or a reply past the cap. */
  push(chunk) {
    this.#chunks.push(chunk);
    this.#pending += chunk.length;
    if (this.#pending < this.#need) {
      this.#checkSize();
      return;
    }
    const buf = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    this.#need = 0;
    let pos = 0;
    for (;;) {
      const element = this.#element(buf, pos);
      if (!element) break;
      this.#replyBytes += element.end - pos;
      pos = element.end;
      if (element.count !== undefined && element.count > 0) {
        if (this.#stack.length >= MAX_DEPTH) throw new Error(`redis: a reply nests arrays deeper than ${MAX_DEPTH}`);
        this.#stack.push({ items: [], remaining: element.count });
        continue;
      }
      this.#deliver(element.count === 0 ? [] : element.value);
    }
    const rest = buf.subarray(pos);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#pending = rest.length;
    this.#checkSize();
  }

  #checkSize() {
    if (this.#pending + this.#replyBytes > this.maxReplyBytes) {
      throw new Error(`redis: a reply passes ${this.maxReplyBytes} bytes (maxReplyBytes)`);
    }
  }

  /** Puts a complete value into the array being filled, or hands a complete reply over. */
  #deliver(value) {
    while (this.#stack.length > 0) {
      const top = this.#stack[this.#stack.length - 1];
      top.items.push(value);
      if (--top.remaining > 0) return;
      this.#stack.pop();
      value = top.items;
    }
    this.#replyBytes = 0;
    this.onReply(value);
  }

  /**
   * The element at pos: {value, end}, or {count, end} for an array header with count > 0 or
   * count 0 (empty), or null when incomplete (then #need says how much input to wait for).
   */
  #element(buf, pos) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd < 0) {
      this.#need = buf.length - pos + 1;
      return null;
    }
    const type = buf[pos];
    const line = buf.toString('utf8', pos + 1, lineEnd);
    const end = lineEnd + 2;
    switch (type) {
      case 0x2b: // +
        return { value: line, end };
      case 0x2d: // -
        return { value: new RedisReplyError(line), end };
      case 0x3a: // :
        return { value: integer(line, -Infinity), end };
      case 0x24: { // $
        const length = integer(line, -1);
        if (length === -1) return { value: null, end };
        // Refused at its header: what the reply will take is known before any byte of it is kept.
        if (this.#replyBytes + end - pos + length + 2 > this.maxReplyBytes) throw new Error(`redis: a reply passes ${this.maxReplyBytes} bytes (maxReplyBytes)`);
        if (buf.length < end + length + 2) {
          this.#need = end + length + 2 - pos;
          return null;
        }
        if (buf[end + length] !== 0x0d || buf[end + length + 1] !== 0x0a) throw new Error('redis: a bulk string does not end with CRLF');
        return { value: buf.toString('utf8', end, end + length), end: end + length + 2 };
      }
      case 0x2a: { // *
        const count = integer(line, -1);
        if (count === -1) return { value: null, end };
        // Each element takes 3 bytes at least: a count past that is a lie, refused before any allocation.
        if (count * 3 > this.maxReplyBytes) throw new Error(`redis: a reply passes ${this.maxReplyBytes} bytes (maxReplyBytes)`);
        return { count, end };
      }
      default:
        throw new Error(`redis: protocol error (reply type byte 0x${(type ?? 0).toString(16)})`);
    }
  }
}

function integer(text, min) {
  const n = Number(text);
  if (text === '' || !Number.isSafeInteger(n) || n < min) throw new Error(`redis: protocol error (bad integer '${text.slice(0, 40)}')`);
  return n;
}
