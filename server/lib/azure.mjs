// Azure OpenAI Chat Completions (docs/wire-formats.md "OpenAI-compatible variants"): the
// deployment path `/openai/deployments/{deployment}/chat/completions?api-version=...` with the
// `api-key` header, as the openai-node AzureOpenAI client calls it. The stream is the Chat
// Completions one (openai-chat.mjs); what differs is the request: the deployment names the model
// when the body does not, the api-version query parameter is required (Azure answers 404
// "Resource not found" without it) and so is a key (401 without `api-key` or an Entra ID
// `Authorization: Bearer` token).

import { openaiChat } from './openai-chat.mjs';
import { RequestError } from './plan.mjs';

// Deployment names are letters, digits, '-', '_' and '.' (Azure's naming rules): nothing to decode.
const PATH_RE = /^\/openai\/deployments\/([\w.-]+)\/chat\/completions$/;

/** The deployment path: { path, params: { deployment } } or null. */
export function matchAzure(pathname) {
  const m = PATH_RE.exec(pathname);
  return m ? { path: pathname, params: { deployment: m[1] } } : null;
}

function parse(body, { params, query, headers = {} }) {
  if (!query.get('api-version')) throw new RequestError('Resource not found', null, 404);
  const bearer = /^Bearer \S/.test(headers.authorization ?? '');
  if (!headers['api-key'] && !bearer) {
    throw new RequestError(
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a ' +
        'valid key for an active subscription and use a correct regional API endpoint for your resource.',
      null,
      401,
    );
  }
  return openaiChat.parse({ ...body, model: body.model || params.deployment });
}

export const azureChat = { ...openaiChat, name: 'azure-openai-chat', parse };
