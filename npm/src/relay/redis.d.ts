import type { RelayStore } from '../index.js';

/** What RedisStore needs of a client (RedisClient has it; a few lines adapt ioredis). */
export interface RedisCommands {
  send(args: Array<string | Uint8Array>): Promise<unknown>;
  /** onGap (optional): called after a reconnect subscribed the channel again (messages in between were lost). */
  subscribe(channel: string, onMessage: (message: string) => void, onGap?: () => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
}

export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** A reply larger than this fails the connection (64 MiB). */
  maxReplyBytes?: number;
  /** How long a command waits for a connection while the client reconnects (5 s), then rejects. */
  maxWaitMs?: number;
  /** Commands that may wait for a connection at once (10 000); past it a command rejects at once. */
  maxQueue?: number;
  /** With commands in flight and no byte from Redis for this long, the connection is dropped (10 s). */
  commandTimeoutMs?: number;
}

/**
 * A minimal RESP2 client: pipelined commands, pub/sub on a second connection. Reconnects with a
 * bounded backoff: commands in flight when a connection dies reject (they may or may not have
 * run); later ones wait for the next connection (bounded); subscriptions come back, then their
 * onGap runs. No TLS.
 */
export declare class RedisClient implements RedisCommands {
  constructor(options?: RedisConnectionOptions | string);
  send(args: Array<string | Uint8Array>): Promise<unknown>;
  subscribe(channel: string, onMessage: (message: string) => void, onGap?: () => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The relay's resume store in Redis: several relay processes resume each other's streams (the
 * holder of the upstream appends; any process serves a resume), and a DELETE that lands on any
 * of them cancels the upstream.
 */
export declare class RedisStore implements RelayStore {
  constructor(options?: RedisConnectionOptions & {
    client?: RedisCommands;
    url?: string;
    resumeWindowMs?: number;
    maxStreamBytes?: number;
    /** How long a reader holds a stream without renewing (15 s). */
    leaseMs?: number;
    /**
     * How long the process holding a stream's upstream holds it without an append or a renewal
     * (15 s): past it, readers end the stream with the retryable "stream lost" error.
     */
    holderLeaseMs?: number;
  });
  open(streamId: string, options?: { resumeWindowMs?: number; maxBytes?: number; onDrop?: (streamId: string, reason: string) => void; onCancel?: (streamId: string) => void }): Promise<void>;
  append(streamId: string, id: number, bytes: string | Uint8Array): Promise<void>;
  /** Several next events in one script call (a batch past 256 events or 1 MiB is split, in order). */
  appendMany(streamId: string, firstId: number, list: Array<string | Uint8Array>): Promise<void>;
  end(streamId: string): Promise<void>;
  read(streamId: string, afterId?: number | null): Promise<AsyncIterableIterator<{ id: number; bytes: string | Uint8Array }>>;
  cancel(streamId: string): Promise<boolean>;
  drop(streamId: string): Promise<void>;
  close(): Promise<void>;
}
