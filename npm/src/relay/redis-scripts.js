// The Redis store's Lua scripts (./redis-store.js): each store call is one script, so what it
// checks and what it changes happen atomically, whichever relay process runs it. Every script
// takes the stream's three keys: KEYS[1] the hash meta {window, cap, first, next, bytes, ended,
// holder, hold}, KEYS[2] the list of stored events (event `first` at index 0), KEYS[3] the sorted
// set of the readers' leases (member: a reader token, score: when its lease ends, Redis time in ms).
//
// Expiry is Redis's: after each script the three keys carry one TTL, computed by `settle`. While
// a reader's lease runs the stream is held: its TTL runs to the end of the longest lease plus the
// window, and each reader renews its lease (heartbeat) well before it ends, so a process that dies
// holding a stream lets it go a lease later instead of never. Without readers the TTL is the
// window from when it was armed (open, end, last reader left), as MemoryStore's deadline.
//
// The holder's lease: meta's `holder` is when the lease of the process that appends (the one
// holding the upstream) ends, Redis time in ms; `hold` its length. OPEN takes it, every APPEND and
// the holder's HOLD (a timer, every hold / 3) renew it. A FETCH that finds nothing after the last
// event of a stream that has not ended and whose holder's lease ran out ends the stream itself,
// with the event it is given (the relay's "stream lost" error, for that id): readers never wait
// for a dead holder. It does not keep the stream alive (only readers do: a stream nobody reads
// expires while its holder runs, and the holder's onDrop cancels the upstream).

import { createHash } from 'node:crypto';

const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function settle(arm)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local window = tonumber(redis.call('HGET', KEYS[1], 'window'))
  local top = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  local ttl
  if top[2] then ttl = tonumber(top[2]) - now + window
  elseif arm then ttl = window
  else
    ttl = redis.call('PTTL', KEYS[1])
    if ttl == -1 then ttl = window end -- someone removed the TTL: never keep a stream for ever
  end
  if ttl < 1 then ttl = 1 end
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
  return ttl
end
`;

/** ARGV: window, cap, hold (the holder's lease). 0 if the stream exists, else its TTL. */
const OPEN = `${SETTLE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'window', ARGV[1], 'cap', ARGV[2], 'first', 0, 'next', 0, 'bytes', 0, 'ended', 0,
  'holder', now + tonumber(ARGV[3]), 'hold', ARGV[3])
return settle(true)
`;

/**
 * Puts ARGV[from..to] at the tail (KEYS[2]), counts their bytes, and drops the oldest
 * past the cap, never the newest (readers waiting for it must get it). Returns the new byte count
 * and how many were dropped from the head.
 */
const PUSH = `
local function push(from, to, bytes, cap)
  for i = from, to do
    redis.call('RPUSH', KEYS[2], ARGV[i])
    bytes = bytes + #ARGV[i]
  end
  local dropped = 0
  while bytes > cap and redis.call('LLEN', KEYS[2]) > 1 do
    bytes = bytes - #redis.call('LPOP', KEYS[2])
    dropped = dropped + 1
  end
  return bytes, dropped
end
`;

/**
 * ARGV: firstId, channel, bytes... (one event or a batch: ids firstId, firstId + 1, ...).
 * {'ok', ttl} | {'unknown'} | {'ended'} | {'expects', next}. Renews the holder's lease. Publishes
 * "id\nbytes" per event, in order: a reader waiting for exactly that id takes it without a round
 * trip.
 */
const APPEND = `${SETTLE}${PUSH}
local m = redis.call('HMGET', KEYS[1], 'next', 'ended', 'cap', 'bytes', 'hold')
if not m[1] then return {'unknown'} end
if m[2] == '1' then return {'ended'} end
if m[1] ~= ARGV[1] then return {'expects', m[1]} end
local next = tonumber(m[1])
local bytes, dropped = push(3, #ARGV, tonumber(m[4]), tonumber(m[3]))
redis.call('HSET', KEYS[1], 'next', next + #ARGV - 2, 'bytes', bytes)
if m[5] then redis.call('HSET', KEYS[1], 'holder', now + tonumber(m[5])) end
if dropped > 0 then redis.call('HINCRBY', KEYS[1], 'first', dropped) end
local ttl = settle(false)
for i = 3, #ARGV do redis.call('PUBLISH', ARGV[2], (next + i - 3) .. '\\n' .. ARGV[i]) end
return {'ok', ttl}
`;

/** ARGV: hold. The holder's lease renewed: 1, or 0 when the stream is gone or ended (nothing to hold). */
const HOLD = `${SETTLE}
local ended = redis.call('HGET', KEYS[1], 'ended')
if ended ~= '0' then return 0 end
redis.call('HSET', KEYS[1], 'holder', now + tonumber(ARGV[1]))
return 1
`;

/** ARGV: channel. {'ok', ttl} | {'unknown'}; a second end changes nothing. */
const END = `${SETTLE}
local ended = redis.call('HGET', KEYS[1], 'ended')
if not ended then return {'unknown'} end
if ended == '1' then return {'ok', redis.call('PTTL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'ended', 1)
local ttl = settle(true)
redis.call('PUBLISH', ARGV[1], 'end')
return {'ok', ttl}
`;

/**
 * ARGV: afterId, token, leaseMs. Checks the resume can be served, then takes a lease.
 * {'ok'} | {'unknown'} | {'trimmed', first, cap} | {'ahead', next}.
 */
const JOIN = `${SETTLE}
local m = redis.call('HMGET', KEYS[1], 'first', 'next', 'cap', 'ended')
if not m[1] then return {'unknown'} end
local after = tonumber(ARGV[1])
if after + 1 < tonumber(m[1]) then return {'trimmed', m[1], m[3]} end
if after >= tonumber(m[2]) then return {'ahead', m[2]} end
if m[4] == '1' and after + 1 >= tonumber(m[2]) then return {'ended'} end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[2])
settle(false)
return {'ok'}
`;

/**
 * ARGV: fromId, maxEvents, maxBytes, lost, channel. The stored events from fromId on, as many as
 * fit the budget (one at least): {'ok', next, ended, {events}, holderLeft, hold} | {'dropped'} |
 * {'trimmed', first, cap}. holderLeft: the ms left of the holder's lease (negative: it ran out; -1
 * without one). A reader that has every event of a stream that has not ended and whose holder's
 * lease ran out gets `lost` (the relay's "stream lost" error event for id fromId) as the stream's
 * terminal event: stored, published, and the stream ended, as an append and an end would.
 */
const FETCH = `${SETTLE}${PUSH}
local m = redis.call('HMGET', KEYS[1], 'first', 'next', 'ended', 'cap', 'holder', 'hold', 'bytes')
if not m[1] then return {'dropped'} end
local from = tonumber(ARGV[1])
local first = tonumber(m[1])
if from < first then return {'trimmed', m[1], m[4]} end
local left = -1
if m[5] then left = tonumber(m[5]) - now end
if m[3] ~= '1' and m[5] and left < 0 and from == tonumber(m[2]) then
  local bytes, dropped = push(4, 4, tonumber(m[7]), tonumber(m[4]))
  redis.call('HSET', KEYS[1], 'next', from + 1, 'bytes', bytes, 'ended', 1)
  if dropped > 0 then redis.call('HINCRBY', KEYS[1], 'first', dropped) end
  settle(true)
  redis.call('PUBLISH', ARGV[5], from .. '\\n' .. ARGV[4])
  redis.call('PUBLISH', ARGV[5], 'end')
  return {'ok', from + 1, '1', {ARGV[4]}, left, m[6]}
end
local events = redis.call('LRANGE', KEYS[2], from - first, from - first + tonumber(ARGV[2]) - 1)
local budget = tonumber(ARGV[3])
local out = {}
for i, e in ipairs(events) do
  budget = budget - #e
  if i > 1 and budget < 0 then break end
  out[i] = e
end
return {'ok', m[2], m[3], out, left, m[6] or -1}
`;

/** ARGV: token, leaseMs. 1, or 0 when the stream is gone. */
const RENEW = `${SETTLE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
settle(false)
return 1
`;

/** ARGV: token. The window starts if it was the last lease. */
const LEAVE = `${SETTLE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
settle(true)
return 1
`;

/** A script sent by its SHA1 (EVALSHA), and in full once when Redis does not have it yet. */
class Script {
  constructor(source) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * @param {{send: (args: Array<string | Uint8Array>) => Promise<unknown>}} client
   * @param {string[]} keys
   * @param {Array<string | Uint8Array>} argv
   * @returns {Promise<any>} the script's reply (each script above says its shape)
   */
  async run(client, keys, argv) {
    try {
      return await client.send(['EVALSHA', this.sha, String(keys.length), ...keys, ...argv]);
    } catch (error) {
      if (!String(/** @type {any} */ (error)?.message).startsWith('NOSCRIPT')) throw error;
      return client.send(['EVAL', this.source, String(keys.length), ...keys, ...argv]);
    }
  }
}

export const scripts = {
  open: new Script(OPEN),
  append: new Script(APPEND),
  hold: new Script(HOLD),
  end: new Script(END),
  join: new Script(JOIN),
  fetch: new Script(FETCH),
  renew: new Script(RENEW),
  leave: new Script(LEAVE),
};
