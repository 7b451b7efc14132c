import type { RelayStore } from '../index.js';

/** What RedisStore needs of a client (RedisClient has it; a few lines adapt ioredis). */
export interface RedisCommands {
  send(args: Array<string | Uint8Array>): Promise<unknown>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
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
}

/** A minimal RESP2 client: pipelined commands, pub/sub on a second connection. No reconnect, no TLS. */
export declare class RedisClient implements RedisCommands {
  constructor(options?: RedisConnectionOptions | string);
  send(args: Array<string | Uint8Array>): Promise<unknown>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
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
  });
  open(streamId: string, options?: { resumeWindowMs?: number; maxBytes?: number; onDrop?: (streamId: string, reason: string) => void; onCancel?: (streamId: string) => void }): Promise<void>;
  append(streamId: string, id: number, bytes: string | Uint8Array): Promise<void>;
  end(streamId: string): Promise<void>;
  read(streamId: string, afterId?: number | null): Promise<AsyncIterableIterator<{ id: number; bytes: string | Uint8Array }>>;
  cancel(streamId: string): Promise<boolean>;
  drop(streamId: string): Promise<void>;
  close(): Promise<void>;
}
