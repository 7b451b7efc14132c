// What the two OpenAI APIs (Chat Completions and Responses) share: error bodies and
// response headers (wire-formats.md sections 2.7 and 6.1).

// Realistic error messages/types/codes per status; other statuses get a generic entry.
const ERRORS = {
  400: [
    'invalid_request_error',
    null,
    'Invalid request (injected by the llmstream local provider).',
  ],
  401: [
    'invalid_request_error',
    'invalid_api_key',
    'Incorrect API key provided: sk-local. You can find your API key at ' +
      'https://platform.openai.com/account/api-keys.',
  ],
  403: [
    'invalid_request_error',
    'unsupported_country_region_territory',
    'Country, region, or territory not supported',
  ],
  404: [
    'invalid_request_error',
    'model_not_found',
    'The model does not exist or you do not have access to it.',
  ],
  408: ['server_error', null, 'Request timed out.'],
  409: ['invalid_request_error', null, 'Conflict.'],
  422: ['invalid_request_error', null, 'Unprocessable entity.'],
  429: [
    'requests',
    'rate_limit_exceeded',
    'Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. ' +
      'Please try again in 6ms.',
  ],
  500: [
    'server_error',
    null,
    'The server had an error while processing your request. Sorry about that!',
  ],
  502: ['server_error', null, 'Bad gateway.'],
  503: ['server_error', null, 'The engine is currently overloaded, please try again later.'],
  504: ['server_error', null, 'Gateway timeout.'],
};

/** `{"error":{message,type,param,code}}` for an HTTP status; `message`/`param` override. */
export function openaiErrorBody(status, { message, param = null, code } = {}) {
  const [type, defaultCode, defaultMessage] = ERRORS[status] ?? [
    status >= 500 ? 'server_error' : 'invalid_request_error',
    null,
    `HTTP ${status} (injected by the llmstream local provider).`,
  ];
  return {
    error: {
      message: message ?? defaultMessage,
      type,
      param,
      code: code === undefined ? defaultCode : code,
    },
  };
}

/** The in-stream error payload (section 2.7), as openai-python expects it. */
export const OPENAI_STREAM_ERROR = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
};

/** x-request-id, processing time, version and x-ratelimit-* headers (section 6.1). */
export function openaiHeaders(requestId, { limited = false, promptTokens = 0 } = {}) {
  return {
    'x-request-id': requestId,
    'openai-processing-ms': '3',
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-requests': limited ? '0' : '9999',
    'x-ratelimit-remaining-tokens': String(limited ? 0 : 30000000 - promptTokens),
    'x-ratelimit-reset-requests': limited ? '1s' : '6ms',
    'x-ratelimit-reset-tokens': '0s',
  };
}
