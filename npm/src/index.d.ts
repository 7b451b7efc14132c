// Types of the llmstream package (hand-written, checked by tests/node/types with tsc --strict),
// except the names the C++ defines (providers, wire APIs, error codes): those come from the
// generated ../dist/core/abi.d.ts.

import type { ErrorCodeName as AnyErrorCodeName, ErrorCodeTable } from '../dist/core/abi.js';
export type { LoopStopName, PartKindName, ProviderAlias, ProviderName, WireApiName } from '../dist/core/abi.js';
import type { LoopStopName, PartKindName, ProviderAlias, ProviderName, WireApiName } from '../dist/core/abi.js';

/** Normalized finish reasons ('stop', 'length', 'tool_calls', 'content_filter', ...). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'refusal' | (string & {});

export type HeadersInit = Record<string, string> | Array<[string, string]> | { entries(): Iterable<[string, string]> };

/** Settings of the transport: on the loader, and per request to override it. */
export interface TransportOptions {
  /** Retries before any output was delivered (default 2). */
  maxRetries?: number;
  /** Milliseconds to the first byte of the response (connect + headers). */
  timeout?: number;
  firstByteTimeoutMs?: number;
  /** Longest silence mid-stream, in ms (SSE comments count as liveness). */
  streamTimeout?: number;
  idleTimeoutMs?: number;
  /** The whole attempt, in ms (0: none): the bound on a server that keeps sending keep-alives. */
  totalTimeoutMs?: number;
  /**
   * Longest gap without output (text, reasoning, tool calls) once the body started, in ms
   * (0: none, the default). Keep-alives do not reset it, unlike idleTimeoutMs.
   */
  outputIdleTimeoutMs?: number;
  /**
   * Most bytes of text, reasoning, refusal and tool arguments one completion may hold (default
   * 64 MiB; 0: none). Past it the stream ends with `completion_too_large`, the partial kept.
   */
  maxCompletionBytes?: number;
  /** First retry delay in ms (exponential backoff with jitter; Retry-After wins). */
  retryDelay?: number;
  retryBaseDelayMs?: number;
  maxRetryDelay?: number;
  retryMaxDelayMs?: number;
  /** Share of each retry delay drawn at random, 0..1. */
  retryJitter?: number;
  /** Yield `keep_alive` chunks for SSE comments and pings. */
  keepAliveEvents?: boolean;
  /** After a mid-stream failure, ask the model to continue the partial answer. */
  continuation?: boolean;
  /** Estimate usage (about 4 characters a token) when the provider reports none. */
  estimateUsage?: boolean;
  /** Seeds the retry jitter. */
  randomSeed?: number;
  unixMsAtZero?: number;
}

/** AWS IAM credentials (the AWS SDK's shape), for provider 'bedrock'. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Only with temporary (STS) credentials. */
  sessionToken?: string;
}

export interface APILoaderOptions extends TransportOptions {
  /**
   * One of PROVIDERS or an alias ('google' for 'gemini'), in any case. Required unless exactly
   * one hosted provider's key variable is set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY,
   * ...; not AWS_ACCESS_KEY_ID) in Node: that provider then. 'local' is the repository's local
   * provider server (http://127.0.0.1:8787/v1). Gemini, Bedrock, Ollama and Cohere streams load
   * the full core module (llmstream_core_full.wasm) on first use.
   */
  provider?: ProviderName | ProviderAlias;
  /**
   * Else read from the provider's key variable (OPENAI_API_KEY, GEMINI_API_KEY, ...; Node). For
   * 'bedrock': a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), sent as `Authorization: Bearer`;
   * pass either it or `credentials`.
   */
  apiKey?: string;
  /**
   * 'bedrock' only: the AWS region ('us-east-1'). Else AWS_REGION or AWS_DEFAULT_REGION (Node).
   * Required with `credentials`, and without `baseURL` (it names the endpoint).
   */
  region?: string;
  /**
   * 'bedrock' only: AWS IAM credentials, as the AWS SDK takes them; each attempt is signed with
   * AWS SigV4 at its own time. Else (Node, without `apiKey` and AWS_BEARER_TOKEN_BEDROCK)
   * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. A plain object only (no
   * credential provider functions). Never logged; masked in errors.
   */
  credentials?: AwsCredentials;
  baseURL?: string;
  headers?: HeadersInit;
  api?: WireApiName;
  /** The model of requests that name none (default: the provider's, e.g. 'gpt-4o-mini'). */
  defaultModel?: string;
  /** A fetch implementation (default globalThis.fetch). */
  fetch?: (input: string, init?: any) => Promise<any>;
  /**
   * Where llmstream_core.wasm is served from, when a bundler or a CDN puts it elsewhere than
   * where the package's code expects it (bundlers that follow `new URL(..., import.meta.url)`,
   * such as Vite and webpack, need nothing).
   */
  wasmURL?: string | URL;
}

export interface ToolCallMessage {
  id: string;
  name?: string;
  arguments?: string;
  type?: 'function';
  function?: { name: string; arguments: string };
}


/**
 * One piece of an assistant turn as the model produced it, in order: what providers check on
 * the next turn (Anthropic thinking signatures, redacted thinking data, Gemini thought
 * signatures, Responses reasoning items) kept exactly. Built by the core (`completion.message`).
 */
export interface MessagePart {
  type: PartKindName;
  /** 'text', 'reasoning': the text. */
  text?: string;
  /** 'reasoning': the thinking signature; Gemini: the part's thoughtSignature (any type). */
  signature?: string;
  /** 'redacted_reasoning': the opaque data; 'provider_block': the block's JSON. */
  data?: string;
  /** The provider's id of the item ('rs_...'). */
  id?: string;
  /** The provider's name of the block ('thinking', 'tool_use', 'web_search_tool_result' ...). */
  blockType?: string;
  /** 'tool_call': the call. */
  toolCall?: { id: string; name: string; arguments: string };
}

/** Which provider and wire API produced an assistant turn (its parts go back only there). */
export interface MessageOrigin {
  provider: ProviderName;
  api: WireApiName;
}

/**
 * One conversation turn: plain JSON, so a conversation can be stored and sent later. camelCase
 * (`toolCallId`, `toolCalls`) or OpenAI's snake_case (`tool_call_id`, `tool_calls`).
 */
export interface Message {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  /** Text, or the target API's own content array / object, sent as it is. */
  content?: string | null | unknown[] | Record<string, unknown>;
  name?: string;
  /** role 'tool': the call this result answers. */
  toolCallId?: string;
  tool_call_id?: string;
  /** role 'assistant': the calls the model made ({id, name, arguments} or OpenAI's shape). */
  toolCalls?: ToolCallMessage[];
  tool_calls?: ToolCallMessage[];
  /** role 'tool': the tool failed and `content` says why (Anthropic is_error, Bedrock status). */
  isError?: boolean;
  /** role 'assistant': the turn exactly as produced; when present it is what is sent. */
  parts?: MessagePart[];
  origin?: MessageOrigin;
}

/** What `execute` gets besides the arguments. */
export interface ToolExecuteContext {
  /** The id of the call being answered. */
  toolCallId: string;
  /** Aborts when the request's signal fires, the stream is cancelled, or the step failed. */
  signal: AbortSignal;
  /** The messages of the request whose answer made the call. */
  messages: Message[];
}

/** A tool the loop runs: its definition plus `execute`. */
export interface ExecutableTool<Args = any> {
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
  /**
   * Runs one call with the parsed arguments. Its value goes back to the model (a string as it
   * is, anything else as JSON); a throw, or a value JSON cannot hold, goes back as an error
   * result (isError) for the model to read.
   */
  execute: (args: Args, context: ToolExecuteContext) => unknown | Promise<unknown>;
}

/** A call's outcome in a `tool_result` chunk. */
export interface ToolResult {
  toolCallId: string;
  name: string;
  output: string;
  isError: boolean;
}


/** The step limit when `maxSteps` is not given (10, the C++ kDefaultMaxSteps). */
export declare const DEFAULT_MAX_STEPS: number;

/** The turns of a conversation, with the tool-call bookkeeping (the C++ Conversation). */
export declare class Conversation {
  constructor(messages?: Message[]);
  /** The turns (a copy of the list), plain JSON. */
  readonly messages: Message[];
  readonly length: number;
  appendUser(text: string): this;
  appendSystem(text: string): this;
  /** A completion's assistant turn (`completion.message`), or any message as it is. */
  append(completionOrMessage: Completion | Message): this;
  /** The result of a call: a string, or any JSON value (sent as its JSON text). */
  appendToolResult(toolCallId: string, output: unknown, options?: { isError?: boolean }): this;
  /** The calls of the last assistant turn that no result answers yet. */
  pendingToolCalls(): Array<{ id: string; name: string; arguments: string }>;
  toJSON(): Message[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters?: Record<string, unknown>;
}

export interface OpenAIToolDefinition {
  type: 'function';
  function: ToolDefinition;
}

export type ToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | (string & {})
  | { type: 'function'; function: { name: string } }
  | { type: 'tool'; name: string }
  | { type: 'any' | 'auto' | 'none' };

/**
 * JSON output. `json_schema`: JSON matching `schema` (a JSON Schema object); `name` defaults to
 * 'response', `strict` (false) asks for constrained decoding where the API has that switch
 * (OpenAI). OpenAI's own shape, `{type: 'json_schema', json_schema: {name, schema, strict}}`, is
 * accepted too. `json_object`: any JSON object (not on Anthropic or Bedrock, which need a schema).
 */
export type ResponseFormat =
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown> | boolean; strict?: boolean }
  | { type: 'json_schema'; json_schema: { name?: string; schema: Record<string, unknown> | boolean; strict?: boolean } }
  | { type: 'json_object' }
  | { type: 'text' };

export interface StreamCompletionOptions extends TransportOptions {
  model?: string;
  /** One user message (appended after `messages` when both are given). */
  prompt?: string;
  messages?: Message[];
  system?: string;
  /** Seed name of `system`. */
  systemPrompt?: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /**
   * JSON output instead of text, written as each provider's API takes it: the answer streams as
   * JSON (text chunks carry `partialObject`), the completion has `object`, and an answer that is
   * not JSON matching the schema ends the stream with a `schema_mismatch` error naming the path.
   */
  responseFormat?: ResponseFormat;
  /**
   * false: no `partialObject` on text and tool-call delta chunks (the core then parses nothing
   * for them). Default true.
   */
  partialObjects?: boolean;
  seed?: number;
  user?: string;
  stop?: string | string[];
  stopSequences?: string[];
  /**
   * Definitions the model may call (an array: the calls come back in the stream), or tools with
   * `execute` functions by name: a tool loop (each step streams, calls run in parallel, results
   * go back, until a final answer, `maxSteps`, an abort or an error; README "Tool loop").
   */
  tools?: Array<ToolDefinition | OpenAIToolDefinition> | Record<string, ExecutableTool>;
  /** With executable tools: the most model calls (steps) of the loop; DEFAULT_MAX_STEPS (10). */
  maxSteps?: number;
  toolChoice?: ToolChoice;
  n?: number;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high' | 'none' | (string & {});
  reasoningBudgetTokens?: number;
  /** Merged into the provider request body last (a null removes a key). */
  extraBody?: Record<string, unknown>;
  headers?: HeadersInit;
  /** Aborting it cancels the request; the iteration then throws an AbortError. */
  signal?: AbortSignal;
  /**
   * true: every chunk made from a provider event carries that event's parsed object as `raw`.
   * 'only': the stream yields the provider's own event objects instead of chunks.
   */
  raw?: boolean | 'only';
  /**
   * Live metrics: the stream also yields `{type: 'metrics', metrics}` chunks (the same object as
   * `stream.metrics()`), at most every metricsIntervalMs while output arrives, plus a final one
   * just before the `done` (or `error`) chunk. Off by default.
   */
  metricsIntervalMs?: number;
  /** Always streams; `false` is refused (use complete()). */
  stream?: true;
  /** snake_case keys are provider body fields sent as they are (`stream_options`, `seed`...). */
  [providerBodyField: `${string}_${string}`]: unknown;
}

export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number;
  cachedTokens?: number | null;
  cacheWriteTokens?: number | null;
  reasoningTokens?: number | null;
  /** True when estimated locally (the provider reported none, e.g. after a cancel). */
  estimated: boolean;
}

export type CostSource = 'provider' | 'price_table' | 'estimated' | (string & {});

export interface CostDetails {
  totalUsd: number;
  inputUsd: number;
  cachedInputUsd: number;
  cacheWriteUsd: number;
  outputUsd: number;
  source: CostSource;
  /** True when the token counts were estimated (source 'estimated'). */
  estimated: boolean;
  /** The price table entry's date (YYYY-MM-DD), null for provider-reported costs. */
  priceDate: string | null;
}

export interface FunctionCall {
  /** The tool call's index (OpenAI tool_calls[].index, the Anthropic block, the Responses item). */
  index: number;
  id: string;
  name: string;
  /** The complete arguments JSON text. */
  arguments: string;
  /** Whether `arguments` is valid JSON. */
  argumentsValid: boolean;
  /** 'server' for tools the provider runs itself (informative). */
  kind?: 'function' | 'server' | (string & {});
}

/** Fields absent from a chunk kind, so that `chunk.text` etc. type-check on the union. */
interface Absent {
  text?: undefined;
  reasoning?: undefined;
  refusal?: undefined;
  comment?: undefined;
  toolCall?: undefined;
  function_call?: undefined;
  citation?: undefined;
  metadata?: undefined;
  usage?: undefined;
  cost?: undefined;
  costDetails?: undefined;
  costEstimated?: undefined;
  message?: undefined;
  error?: undefined;
  cause?: undefined;
  finishReason?: undefined;
  done?: undefined;
  partialObject?: undefined;
  toolResult?: undefined;
  /** In a tool loop: the step (1, 2, ...) the chunk belongs to. */
  step?: number;
  /** With `raw: true`: the provider's parsed event this chunk came from. */
  raw?: unknown;
}
type Has<K extends keyof Absent> = Omit<Absent, K>;

export interface TextChunk extends Has<'text' | 'partialObject'> {
  type: 'text';
  text: string;
  /** The choice (OpenAI n > 1); 0 otherwise. */
  index: number;
  block?: number;
  /**
   * With `responseFormat`: the answer so far, parsed (complete members never change later; the
   * last string or container grows). On some text chunks only: at most one per network read,
   * when the answer grew by a quarter since the last one, and always once it is complete.
   */
  partialObject?: unknown;
}
export interface ReasoningChunk extends Has<'reasoning'> {
  type: 'reasoning';
  reasoning: string;
  index: number;
  /** 'text', 'summary', 'signature' or 'redacted'. */
  part?: string | number;
}
export interface RefusalChunk extends Has<'refusal'> {
  type: 'refusal';
  refusal: string;
  index: number;
}
export interface ToolCallStartChunk extends Has<'toolCall'> {
  type: 'tool_call_start';
  index: number;
  toolCall: { index: number; id: string; name: string; kind?: string };
}
export interface ToolCallDeltaChunk extends Has<'toolCall' | 'partialObject'> {
  type: 'tool_call_delta';
  index: number;
  toolCall: { index: number; argumentsDelta: string };
  /** The call's arguments so far, parsed (as TextChunk's `partialObject`). */
  partialObject?: unknown;
}
/** A completed tool call: `toolCall`, also named `function_call` (the seed guide's name). */
export interface ToolCallEndChunk extends Has<'toolCall' | 'function_call'> {
  type: 'tool_call_end';
  index: number;
  toolCall: FunctionCall;
  /** The same object as `toolCall`. */
  function_call: FunctionCall;
}
/** @deprecated the chunk's type is 'tool_call_end'; the name kept for code that imports it. */
export type FunctionCallChunk = ToolCallEndChunk;
export interface CitationChunk extends Has<'citation'> {
  type: 'citation';
  index: number;
  citation: unknown;
}
export interface MetadataChunk extends Has<'metadata'> {
  type: 'metadata';
  metadata: Record<string, unknown>;
}
export interface UsageChunk extends Has<'usage' | 'cost' | 'costDetails' | 'costEstimated'> {
  type: 'usage';
  usage: Usage;
  /** Dollars for this usage; 0 when the model has no price (costDetails null). */
  cost: number;
  costDetails: CostDetails | null;
  costEstimated: boolean;
}
export interface CostChunk extends Has<'cost' | 'costDetails'> {
  type: 'cost';
  cost: number;
  costDetails: CostDetails | null;
}
export interface KeepAliveChunk extends Has<'comment'> {
  type: 'keep_alive';
  comment?: string;
}
export interface WarningChunk extends Has<'message'> {
  type: 'warning';
  message: string;
}
export interface RetryChunk extends Has<'cause'> {
  type: 'retry';
  /** The attempt about to start (1 = first retry). */
  attempt: number;
  delayMs: number;
  reason: string;
  /** True when the next attempt continues the partial answer (option `continuation`). */
  continuation: boolean;
  cause?: LLMStreamError;
}
export interface ErrorChunk extends Has<'error'> {
  type: 'error';
  error: LLMStreamError;
}
export interface FinishChunk extends Has<'finishReason'> {
  type: 'finish';
  index: number;
  finishReason: FinishReason;
}
export interface DoneChunk extends Has<'done' | 'finishReason'> {
  type: 'done';
  done: true;
  finishReason: FinishReason | null;
  /** In a tool loop: why it stopped. */
  stopReason?: LoopStopName;
}
/** In a tool loop: a call's outcome, as soon as it is known. */
export interface ToolResultChunk extends Has<'toolResult'> {
  type: 'tool_result';
  step: number;
  toolResult: ToolResult;
}
/** In a tool loop: step `step` is about to be requested (the first chunk of each step). */
export interface StepStartChunk extends Absent {
  type: 'step_start';
  step: number;
}
/** In a tool loop: a step ended (after its tool results); `toolCalls` is how many it made. */
export interface StepFinishChunk extends Has<'finishReason'> {
  type: 'step_finish';
  step: number;
  finishReason: FinishReason | null;
  toolCalls: number;
}
export interface BlockChunk extends Absent {
  type: 'block_start' | 'block_end';
  index: number;
  block: number;
  /** The block's type: 'text', 'thinking', 'tool_use', 'web_search_tool_result'... */
  blockType: string;
  /** The whole block, for blocks that arrive complete (tool results, redacted thinking). */
  data?: unknown;
}

/** With `metricsIntervalMs`: a live snapshot of the stream's metrics. */
export interface MetricsChunk extends Absent {
  type: 'metrics';
  metrics: StreamMetrics;
}

export type Chunk =
  | MetricsChunk
  | TextChunk
  | ReasoningChunk
  | RefusalChunk
  | ToolCallStartChunk
  | ToolCallDeltaChunk
  | ToolCallEndChunk
  | CitationChunk
  | MetadataChunk
  | UsageChunk
  | CostChunk
  | KeepAliveChunk
  | WarningChunk
  | RetryChunk
  | ErrorChunk
  | FinishChunk
  | DoneChunk
  | ToolResultChunk
  | StepStartChunk
  | StepFinishChunk
  | BlockChunk;

/** A provider's own event object (with `raw: 'only'`), e.g. an OpenAI chat.completion.chunk. */
export type ProviderEvent = { [key: string]: any };

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  argumentsValid: boolean;
  kind?: string;
}

export interface Choice {
  index: number;
  text: string;
  /** With `responseFormat`: `text` parsed (undefined while it is not complete JSON). */
  object?: unknown;
  reasoning: string;
  refusal: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
}

export interface Completion {
  id?: string;
  model?: string;
  provider?: string;
  choices: Choice[];
  /** Choice 0's fields, for the usual n = 1. */
  text: string;
  /** With `responseFormat`: choice 0's `object`, the answer parsed. */
  object?: unknown;
  reasoning: string;
  refusal: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason | null;
  usage: Usage | null;
  /** Dollars; 0 when unknown (costDetails null). */
  cost: number;
  costDetails: CostDetails | null;
  metadata?: Record<string, unknown>;
  warnings?: string[];
  /** How the stream ended when it failed (plain object), else null. */
  error?: { code: string; message: string; status: number | null; providerType: string | null; retryAfterMs: number | null } | null;
  finished?: boolean;
  truncated?: boolean;
  /** The assistant turn for the next request (Conversation#append), built by the core. */
  message?: Message;
  /** Tool loop: each step's completion; the top-level usage and cost are their sums. */
  steps?: Completion[];
  /** Tool loop: every turn so far, results included (kept after an abort or an error). */
  conversation?: Message[];
  /** Tool loop: why it stopped. */
  stopReason?: LoopStopName;
  [key: string]: unknown;
}

/** The seed guide's benchmark keys, plus more. Durations in ms. */
export interface StreamMetrics {
  firstTokenLatency: number | null;
  averageInterTokenLatency: number;
  totalTokens: number;
  tokensPerSecond: number;
  /** Of the gaps between output chunks, in ms; coefficientOfVariation in percent. */
  consistency: { mean: number; standardDeviation: number; coefficientOfVariation: number };
  timeToFirstByte: number | null;
  totalTime: number;
  outputChunks: number;
  chunks: number;
  chunksPerSecond: number;
  maxInterTokenLatency: number;
  ended: boolean;
  /** Request start to the response headers (of the attempt that answered). */
  timeToHeaders: number | null;
  /** Gaps between output chunks: population statistics, percentiles interpolated. */
  interTokenLatency: {
    count: number;
    mean: number;
    standardDeviation: number;
    /** Percent. */
    coefficientOfVariation: number;
    min: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
  };
  /** Gaps longer than `threshold` ms (1000). */
  stalls: { count: number; longest: number; threshold: number };
  /** Response body bytes read (every attempt). */
  bytes: number;
  /** The last usage chunk's usage (reported or estimated), null before one. */
  usage: Usage | null;
  /** The last cost chunk's details, null before one. */
  cost: CostDetails | null;
}

/**
 * One streamed completion: an async iterable of chunks (single consumer: use tee() to share).
 * A failed stream yields an `error` chunk, then the next pull throws that error.
 */
export declare class ChunkStream<T = Chunk> implements AsyncIterableIterator<T> {
  private constructor();
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
  next(): Promise<IteratorResult<T, undefined>>;
  return(value?: unknown): Promise<IteratorResult<T, undefined>>;
  throw(error?: unknown): Promise<IteratorResult<T, undefined>>;
  /** Reads to the end; resolves to the completion, rejects with the stream's error. */
  complete(): Promise<Completion>;
  /**
   * Cancels the request (once every tee branch stopped); the iteration ends quietly. Resolves
   * once the request is cancelled and `result` / `usage` are final.
   */
  cancel(): Promise<void>;
  /** A pull-based WHATWG ReadableStream of the chunks. */
  toReadableStream(): ReadableStream<T>;
  /**
   * This stream as a relay response (docs/relay-protocol.md: text/event-stream, one event per
   * chunk) for a fetch-style server; no policy and no resume (createRelay has those).
   */
  toSSEResponse(init?: { headers?: Record<string, string> }): Response;
  /** Two independent streams, each seeing every chunk. */
  tee(): [ChunkStream<T>, ChunkStream<T>];
  /** The completion so far (partial while running or after a failure); null before the request. */
  readonly result: Completion | null;
  readonly usage: Usage | null;
  readonly cost: number;
  readonly error: LLMStreamError | null;
  readonly finished: boolean;
  readonly attempts: number;
  metrics(): StreamMetrics;
}

export declare class APILoader {
  constructor(options?: APILoaderOptions | RelayLoaderOptions);
  readonly provider: ProviderName | 'relay';
  readonly baseURL: string | undefined;
  readonly defaultModel: string | undefined;
  /** full: the full core module (Gemini, Bedrock, Ollama, Cohere) instead of the core module. */
  static preload(options?: { wasmURL?: string | URL; full?: boolean }): Promise<void>;
  streamCompletion(options: StreamCompletionOptions & { raw: 'only' }): ChunkStream<ProviderEvent>;
  streamCompletion(options: StreamCompletionOptions): ChunkStream<Chunk>;
  complete(options: StreamCompletionOptions): Promise<Completion>;
  toJSON(): { provider: ProviderName | 'relay'; baseURL: string | undefined; defaultModel: string | undefined };
}

/**
 * A loader that streams from the app's own relay (createRelay on the server) instead of a
 * provider: the key stays on the server. The same chunks, errors and result as a direct stream;
 * a cut connection resumes by itself; break / cancel() / the signal cancel the upstream.
 */
export interface RelayLoaderOptions {
  provider: 'relay';
  /** The relay's URL ('/api/chat'; relative URLs resolve against the page). */
  baseURL: string | URL;
  /** Sent to the relay with every request (the app's own authentication). */
  headers?: Record<string, string>;
  fetch?: (input: string, init?: any) => Promise<any>;
  /** The model asked for when a request names none (else the relay's). */
  defaultModel?: string;
  /** Reconnections in a row without a new event before a cut stream fails (5). */
  maxRetries?: number;
  /** The wait before a reconnection, ms (the relay's `retry:`, 1000). */
  retryBaseDelayMs?: number;
  retryDelay?: number;
  /**
   * The longest silence on a connection to the relay, keep-alives counted (45 s: three of the
   * relay's 15 s keep-alives; 0: none). A silent connection is dropped and resumed; a POST not
   * answered in time fails with `timeout`. Also per request.
   */
  idleTimeoutMs?: number;
  streamTimeout?: number;
  /** The most output (text, reasoning, refusal, tool arguments) kept of one stream (64 MiB; 0: none). Also per request. */
  maxCompletionBytes?: number;
}

/** What the policy hooks see of an HTTP request. */
export interface RelayCaller {
  method: string;
  url: URL;
  headers: Headers;
  /** The peer's address (Node's server shape only). */
  ip: string | undefined;
}

export interface RelayPolicy {
  /** Models a request may name ('*': any). Default: only the relay's default model. */
  models?: readonly string[] | '*' | ((model: string, identity: unknown) => boolean);
  /** The largest maxTokens a request may ask; requests without one get it (default 4096). */
  maxTokens?: number;
  /** The largest maxSteps of a tool loop (default DEFAULT_MAX_STEPS). */
  maxSteps?: number;
  /** The caller's identity, or null / false / undefined to refuse (401). */
  authenticate?: (caller: RelayCaller) => unknown;
  /** true / undefined: go on; false, a number of ms or {retryAfterMs}: 429. */
  rateLimit?: (caller: RelayCaller, identity: unknown) => unknown;
  /** A last word on the options about to be streamed: a string (the reason) or false refuses (403). */
  check?: (options: StreamCompletionOptions, caller: RelayCaller, identity: unknown) => unknown;
  /**
   * Who owns the streams a caller starts: only the same owner may resume or cancel them (another
   * caller gets 409). null: not bound. Default: the identity authenticate returned, when it is a
   * string or number, or an object with a string / number `id` or `sub`; nothing without authenticate.
   */
  owner?: (identity: unknown, caller: RelayCaller) => string | number | null | undefined | Promise<string | number | null | undefined>;
}

/** Where a relay keeps each stream's recent events for resumes (MemoryStore; a Redis store). */
export interface RelayStore {
  open(streamId: string, options?: { resumeWindowMs?: number; maxBytes?: number; onDrop?: (streamId: string, reason: string) => void; onCancel?: (streamId: string) => void }): Promise<void>;
  append(streamId: string, id: number, bytes: string | Uint8Array): Promise<void>;
  /** Optional: several next events at once (ids firstId, firstId + 1, ...), one wake-up for readers. */
  appendMany?(streamId: string, firstId: number, list: Array<string | Uint8Array>): Promise<void>;
  end(streamId: string): Promise<void>;
  read(streamId: string, afterId?: number | null): Promise<AsyncIterableIterator<{ id: number; bytes: string | Uint8Array }>>;
  /** Optional: asks the holder of the stream's upstream (in any process) to cancel it (its onCancel runs). Resolves to whether one heard. */
  cancel?(streamId: string): Promise<boolean>;
}

export declare class MemoryStore implements RelayStore {
  constructor(options?: { resumeWindowMs?: number; maxStreamBytes?: number; maxStreams?: number });
  readonly size: number;
  open(streamId: string, options?: { resumeWindowMs?: number; maxBytes?: number; onDrop?: (streamId: string, reason: string) => void; onCancel?: (streamId: string) => void }): Promise<void>;
  cancel(streamId: string): Promise<boolean>;
  append(streamId: string, id: number, bytes: string | Uint8Array): Promise<void>;
  appendMany(streamId: string, firstId: number, list: Array<string | Uint8Array>): Promise<void>;
  end(streamId: string): Promise<void>;
  read(streamId: string, afterId?: number | null): Promise<AsyncIterableIterator<{ id: number; bytes: string | Uint8Array }>>;
}

export interface RelayOptions extends APILoaderOptions {
  /** An APILoader instead of its options. */
  loader?: APILoader;
  policy?: RelayPolicy;
  /** Tools that run on the relay; a request names the ones it wants (all by default). */
  tools?: Record<string, ExecutableTool>;
  store?: RelayStore;
  /** How long a stream's events are kept after its last client left (30 s). */
  resumeWindowMs?: number;
  /** The keep-alive comment's interval while nothing else is sent (15 s). */
  keepAliveMs?: number;
  /** The largest request body (4 MiB). */
  maxBodyBytes?: number;
  /** How long a response may stay unwritable (a client that stopped reading) before it is closed (30 s). */
  writeTimeoutMs?: number;
}

/** A relay handler: Node's `(req, res)`, and `fetch(request)` for fetch-style servers. */
export interface Relay {
  (req: any, res: any): Promise<void>;
  fetch(request: Request): Promise<Response>;
  /** Cancels every upstream this process holds (shutdown). */
  cancelAll(): void;
  readonly store: RelayStore;
}

/** The server side of `provider: 'relay'` (docs/relay-protocol.md). */
export declare function createRelay(options: RelayOptions): Relay;

/** The core's stable codes (llmstream/error.h): `ErrorCode.RATE_LIMITED` is 'rate_limited'. */
export declare const ErrorCode: Omit<ErrorCodeTable, 'NONE'>;
export type ErrorCodeName = Exclude<AnyErrorCodeName, 'none'>;

export declare class LLMStreamError extends Error {
  /** Our code; for network errors the platform's code when there is one ('ECONNRESET'). */
  code: string;
  /** Always our code. */
  llmstreamCode: ErrorCodeName;
  status: number | undefined;
  /** The provider's error type ('rate_limit_exceeded', 'overloaded_error', ...). */
  providerType: string | undefined;
  /** Seconds, from Retry-After. */
  retryAfter: number | undefined;
  retryAfterMs: number | undefined;
  /** Whether re-sending the same request may succeed. */
  retryable: boolean;
  /** What was assembled before the failure. */
  partial: Completion | null;
  cause?: unknown;
}
export declare class APIStatusError extends LLMStreamError {}
export declare class AuthenticationError extends APIStatusError {}
export declare class RateLimitError extends APIStatusError {}
export declare class ServerError extends APIStatusError {}
export declare class BadRequestError extends APIStatusError {}
export declare class APIConnectionError extends LLMStreamError {}
export declare class TimeoutError extends LLMStreamError {}
export declare class AbortError extends LLMStreamError {
  name: 'AbortError';
}
export declare class ProviderError extends LLMStreamError {}
export declare class TruncatedError extends LLMStreamError {}
export declare class InvalidRequestError extends LLMStreamError {}
/** A relay's policy refused the request (HTTP 403). */
export declare class PolicyViolationError extends APIStatusError {}
/** A resume the relay store cannot serve (unknown, expired or trimmed stream): HTTP 409. */
export declare class StreamUnavailableError extends InvalidRequestError {
  readonly streamId: string;
  readonly reason: 'unknown' | 'trimmed' | 'ahead' | 'bad_id' | 'dropped' | 'ended';
}

export declare const PROVIDERS: readonly ProviderName[];
export declare const DEFAULT_MODELS: Readonly<Record<Exclude<ProviderName, 'compatible'>, string>>;
export declare const VERSION: string;

// ---- Transforms (npm/src/transforms.js; the core's C++ transforms in a lazily loaded module) ----

/** A stage: an async iterable of chunks in, an async iterable of chunks out. */
export type Stage<In = any, Out = any> = (source: AsyncIterable<In>) => AsyncIterable<Out>;

/** A text chunk a transform released (a word, a character, a batch ...). */
export interface TransformedTextChunk {
  type: 'text';
  text: string;
  index: number;
  block?: number;
}

/** What text stages yield: released text chunks and the source's other chunks, unchanged. */
export type TransformedChunk<T = Chunk> = TransformedTextChunk | Exclude<T, TextChunk>;

/** A text chunk after safeMarkdown(): `html` to append, `tailHtml` for the open block. */
export type MarkdownChunk<T = Chunk> =
  | (TextChunk & { html: string; tailHtml?: string })
  | Exclude<T, TextChunk>;

export interface ProgressInfo {
  /** Counted so far, in the unit (tokens: reported usage once known, else ceil(chars / 4)). */
  done: number;
  /** The estimate. */
  total: number;
  /** 0..1; 1 once the stream ended normally. */
  fraction: number;
  percent: number;
  /** Estimated ms to reach the estimate; 0 at or past it; -1 while unknown or once ended. */
  etaMs: number;
  ratePerSecond: number;
  elapsedMs: number;
  chunks: number;
  chars: number;
  tokensReported: boolean;
  ended: boolean;
  complete: boolean;
}

export interface BackpressureStatus {
  size: number;
  paused: boolean;
  pressure: number;
  pauses: number;
  highWaterMark: number;
  lowWaterMark: number;
}

/** `pipe(source, a, b)` is `b(a(source))`. */
export declare function pipe<T>(source: AsyncIterable<T>): AsyncIterable<T>;
export declare function pipe<T, A>(source: AsyncIterable<T>, a: Stage<T, A>): AsyncIterable<A>;
export declare function pipe<T, A, B>(source: AsyncIterable<T>, a: Stage<T, A>, b: Stage<A, B>): AsyncIterable<B>;
export declare function pipe<T, A, B, C>(
  source: AsyncIterable<T>, a: Stage<T, A>, b: Stage<A, B>, c: Stage<B, C>): AsyncIterable<C>;
export declare function pipe<T, A, B, C, D>(
  source: AsyncIterable<T>, a: Stage<T, A>, b: Stage<A, B>, c: Stage<B, C>, d: Stage<C, D>): AsyncIterable<D>;
export declare function pipe(source: AsyncIterable<any>, ...stages: Stage[]): AsyncIterable<any>;

/** Whole words (the whitespace before a word goes with it); split invariant. */
export declare function wordStream<T = Chunk>(options?: { splitCjk?: boolean; maxWordChars?: number }): Stage<T, TransformedChunk<T>>;
/** Untrusted Markdown to safe HTML, incrementally: text chunks gain `html` (to append) and `tailHtml`. */
export declare function safeMarkdown<T = Chunk>(options?: {
  tail?: boolean;
  hardBreaks?: boolean;
  autolinkBareUrls?: boolean;
  maxNesting?: number;
}): Stage<T, MarkdownChunk<T>>;
/** charsPerSecond characters per second (30), one chunk per character. */
export declare function typingEffect<T = Chunk>(options?: { charsPerSecond?: number; piecePerChar?: boolean }): Stage<T, TransformedChunk<T>>;
/** Literal patterns replaced (replacement '' by default: dropped), also across chunk boundaries. */
export declare function contentFilter<T = Chunk>(options: {
  patterns: Array<string | { pattern: string; replacement?: string }>;
  replacement?: string;
  caseInsensitive?: boolean;
}): Stage<T, TransformedChunk<T>>;
/** Batches of maxChunks chunks (10), maxChars UTF-8 bytes (0: none) or intervalMs (100; 0: none). */
export declare function batch<T = Chunk>(options?: { maxChunks?: number; maxChars?: number; intervalMs?: number }): Stage<T, TransformedChunk<T>>;
/** Pieces of `size` characters (1000) or UTF-8 bytes, the last one shorter. */
export declare function fixedChunks<T = Chunk>(options?: { size?: number; unit?: 'chars' | 'bytes' }): Stage<T, TransformedChunk<T>>;
/** Bursty text evened out at its arrival rate, never held longer than maxDelayMs (250). */
export declare function smooth<T = Chunk>(options?: { maxDelayMs?: number; window?: number }): Stage<T, TransformedChunk<T>>;
/** Output chunks and the done / error chunk gain `progress`. */
export declare function progress<T = Chunk>(options?: {
  estimatedTokens?: number;
  unit?: 'tokens' | 'chars' | 'chunks';
}): Stage<T, T & { progress?: ProgressInfo }>;
/** A read-ahead buffer paused at highWaterMark (100) chunks, resumed at lowWaterMark (high / 2). */
export declare function backpressure<T = Chunk>(options?: {
  highWaterMark?: number;
  lowWaterMark?: number;
}): (source: AsyncIterable<T>) => AsyncIterableIterator<T> & { status(): BackpressureStatus };
/**
 * A URL safe to show: the userinfo's password (a userinfo without ':' whole), the values of
 * secret-named query parameters (sig, key, api_key, token, X-Amz-Signature ...) and the fragment
 * become "[redacted]". The core's rule (llmstream/url_redaction.h). Never throws.
 */
export declare function redactUrl(url: string | URL): string;
/** Free text with every `scheme://...` URL and relative `?query` in it passed through redactUrl. */
export declare function redactUrlsInText(text: string): string;
/** Loads the transforms module now (stages load it on first use; renderSafeMarkdown needs it). */
export declare function loadTransforms(options?: { moduleUrl?: URL | string }): Promise<unknown>;
/** One-shot safe Markdown rendering; throws unless the transforms module is loaded. */
export declare function renderSafeMarkdown(markdown: string, options?: { hardBreaks?: boolean }): string;

/** Records, keeps (LRU, byte budget) and replays streams; keys leave the API key out. */
export declare class StreamCache {
  constructor(options?: { maxEntries?: number; maxBytes?: number; keepIncomplete?: boolean });
  key(config: APILoaderOptions, options: StreamCompletionOptions, extra?: { salt?: string }): Promise<string>;
  has(key: string): Promise<boolean>;
  get(key: string): Promise<any[] | undefined>;
  put(key: string, chunks: Iterable<unknown>): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  stats(): { size: number; bytes: number; hits: number; misses: number; evictions: number };
  replay(key: string, options?: { speed?: number }): AsyncIterable<any>;
  record<T>(key: string, source: AsyncIterable<T>): AsyncIterable<T>;
  getCachedOrStream<T>(
    key: string,
    streamFactory: () => AsyncIterable<T> | Promise<AsyncIterable<T>>,
    options?: { speed?: number },
  ): AsyncIterable<T>;
}
