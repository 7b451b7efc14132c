// The playground's backend (only with --web): the package's relay (createRelay) for every
// provider the server can stream from, at /api/relay/<provider>, so that the page streams
// "via server" and never holds a provider key (issue 16). Not part of the provider emulation:
// the relays are clients of the providers (the local one included, this same server).
//
//   GET  /api/relay/providers        which providers can be relayed here, and the policy
//   POST /api/relay/<provider>       a stream (docs/relay-protocol.md); GET / DELETE ?stream=
//
// Keys come from this process's environment (relay-config.mjs); the page's requests cannot name
// a key, provider or base URL (the relay refuses them).

import { AsyncLocalStorage } from 'node:async_hooks';

import { createRelay } from '../../npm/src/index.js';
import { DEMO_TOOLS } from '../../web/demo-tools.js';
import { sendJson } from './http.mjs';
import { sameOriginRefusal } from './same-origin.mjs';
import { relayConfig, relayProviders } from './relay-config.mjs';
import { cutAfter, cutAfterBytes } from './relay-fault.mjs';
import { SCENARIO_HEADER } from './scenario.mjs';

export const RELAY_PREFIX = '/api/relay/';

/**
 * The mount: `(req, res, url) => Promise<boolean>` (false: not a relay path). `selfURL()`: this
 * server's URL, known once it listens.
 */
export function relayMount({ env = process.env, selfURL }) {
  const relays = new Map(); // one per provider, made on first use: bounded by the provider table
  // The page's scenario header of the request being served, for the upstream fetch of a relay
  // whose upstream is this server. The relay starts its upstream while handling the POST, so the
  // upstream's fetches (its retries too) run in that request's async context: one relay per
  // provider still gives each stream its own scenario, and resumes and cancels find their stream.
  const scenarioOf = new AsyncLocalStorage();
  const scenarioFetch = (input, init = {}) => {
    const scenario = scenarioOf.getStore();
    if (!scenario) return fetch(input, init);
    const headers = new Headers(init.headers);
    headers.set(SCENARIO_HEADER, scenario);
    return fetch(input, { ...init, headers });
  };

  const relayFor = (name) => {
    if (relays.has(name)) return relays.get(name);
    const config = relayConfig(name, { env, selfURL: selfURL() });
    if (!config.available) return config;
    let relay;
    try {
      relay = createRelay({
        provider: config.provider,
        baseURL: config.baseURL,
        ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        ...(config.upstreamIsSelf ? { fetch: scenarioFetch } : {}),
        policy: config.policy,
        // The page's demo tools run here in via-server mode: a request names the ones it wants.
        tools: DEMO_TOOLS,
      });
    } catch (error) {
      return { available: false, reason: `the relay cannot be set up: ${error.message}` };
    }
    relays.set(name, relay);
    return relay;
  };

  // The relays spend this server's keys: its own pages only (same-origin.mjs, DNS rebinding too).
  return async (req, res, url, { authorities = null } = {}) => {
    if (!url.pathname.startsWith(RELAY_PREFIX)) return false;
    const refusal = sameOriginRefusal(req, authorities, 'the relays');
    if (refusal) {
      sendJson(res, 403, { error: { code: 'policy_violation', message: refusal, retryable: false } }, {}, { cors: false });
      return true;
    }
    const name = url.pathname.slice(RELAY_PREFIX.length).replace(/\/+$/, '');
    if (name === 'providers' && req.method === 'GET') {
      sendJson(res, 200, { providers: relayProviders({ env, selfURL: selfURL() }) }, {}, { cors: false });
      return true;
    }
    const relay = relayFor(name);
    if (typeof relay !== 'function') {
      sendJson(res, 404, { error: { code: 'invalid_request', message: relay.reason, retryable: false } }, {}, { cors: false });
      return true;
    }
    const cut = cutAfterBytes(req, env);
    if (cut !== null) cutAfter(res, cut);
    const scenario = req.headers[SCENARIO_HEADER];
    await scenarioOf.run(typeof scenario === 'string' ? scenario : undefined, () => relay(req, res));
    return true;
  };
}

