// llmstream: streamed LLM completions (OpenAI, Anthropic, Gemini, Bedrock, Ollama, Cohere,
// Mistral, DeepSeek, Azure OpenAI, xAI, Groq, OpenRouter, OpenAI-compatible servers: the
// provider table, README "Providers") over one WebAssembly core that parses and normalizes the
// provider streams.

export { APILoader } from './api-loader.js';
export { ChunkStream } from './chunk-stream.js';
export { Conversation } from './conversation.js';
export {
  AbortError,
  APIConnectionError,
  APIStatusError,
  AuthenticationError,
  BadRequestError,
  ErrorCode,
  InvalidRequestError,
  PolicyViolationError,
  LLMStreamError,
  ProviderError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TruncatedError,
} from './errors.js';
export { DEFAULT_MODELS, PROVIDERS } from './options.js';
export { DEFAULT_MAX_STEPS } from './tool-loop.js';
export { redactUrl, redactUrlsInText } from './redact-url.js';
export { createRelay } from './relay/handler.js';
export { MemoryStore, StreamUnavailableError } from './relay/store.js';
export {
  backpressure,
  batch,
  contentFilter,
  fixedChunks,
  loadTransforms,
  pipe,
  progress,
  renderSafeMarkdown,
  safeMarkdown,
  smooth,
  StreamCache,
  typingEffect,
  wordStream,
} from './transforms.js';

export const VERSION = '0.1.0';
