// What the playground's relays may do, read from the server's environment (server/README.md,
// "Relays"): which providers can be relayed (a key here, or none needed), each upstream's base
// URL, and the policy. Each provider's key is its usual variable (abi.js keyVariable, the one the
// package's loader reads); it goes to that provider's relay only, never into an answer.

import { PROVIDERS } from '../../npm/dist/core/abi.js';

/** The playground's cap: generous for a demo, bounded so that one click cannot run up a bill. */
export const DEFAULT_MAX_TOKENS = 4096;

/** `LLMSTREAM_RELAY_X_OPENAI`, else `LLMSTREAM_RELAY_X` (one value for every provider). */
function setting(env, name, provider) {
  const own = env[`LLMSTREAM_RELAY_${name}_${provider.toUpperCase()}`];
  return own !== undefined && own !== '' ? own : env[`LLMSTREAM_RELAY_${name}`] || undefined;
}

/**
 * The relay configuration of `name` (a provider of abi.js), or {available: false, reason}.
 * `selfURL`: this server's own URL, which `{self}` in a base URL names (tests point a hosted
 * provider's relay at the local provider without knowing the port beforehand).
 */
export function relayConfig(name, { env = process.env, selfURL }) {
  const facts = PROVIDERS.find((p) => p.name === name);
  if (!facts) return { available: false, reason: `no provider '${name}'` };
  const configured = setting(env, 'BASE_URL', name)?.replaceAll('{self}', selfURL);
  const baseURL = configured ?? (name === 'local' ? `${selfURL}/v1` : facts.baseUrl || undefined);
  if (!baseURL) return { available: false, reason: `${name} needs a base URL: set LLMSTREAM_RELAY_BASE_URL_${name.toUpperCase()} on the server` };
  if (facts.keyRequired && name !== 'local' && !env[facts.keyVariable]) {
    return { available: false, reason: `the server has no ${facts.keyVariable}` };
  }
  const models = setting(env, 'MODELS', name);
  const maxTokens = Number(setting(env, 'MAX_TOKENS', name) ?? DEFAULT_MAX_TOKENS);
  if (!Number.isInteger(maxTokens) || maxTokens <= 0) {
    return { available: false, reason: `LLMSTREAM_RELAY_MAX_TOKENS must be a positive integer` };
  }
  return {
    available: true,
    provider: name,
    baseURL,
    apiKey: env[facts.keyVariable] || undefined,
    // The local provider (this server) takes the page's scenario header; a hosted one would not.
    upstreamIsSelf: new URL(baseURL).origin === new URL(selfURL).origin,
    policy: {
      // Any model by default: the playground is for trying models; a list narrows it.
      models: models === undefined || models === '*' ? '*' : models.split(',').map((m) => m.trim()).filter(Boolean),
      maxTokens,
    },
  };
}

/**
 * Every provider's availability, for GET /api/relay/providers (no key, no URL in it). `local`:
 * the relay streams from this server's local provider, so the page's scenarios apply.
 */
export function relayProviders(options) {
  return Object.fromEntries(PROVIDERS.map(({ name }) => {
    const config = relayConfig(name, options);
    return [name, config.available
      ? { available: true, local: config.upstreamIsSelf, models: config.policy.models, maxTokens: config.policy.maxTokens }
      : { available: false, reason: config.reason }];
  }));
}
