// How a panel reaches its provider: "via server" (the default for a hosted provider the server
// can relay) streams from this server's relay, /api/relay/<provider>, which holds the key in its
// environment: the page never sees it (issue 16). "direct" calls the provider from the page with
// a key typed here (the local provider needs none). The server says which providers it can relay
// (GET /api/relay/providers: a key set, or none needed) and whether a relay's upstream is the
// local provider (then the page's scenarios apply to it).

export const VIA_SERVER = 'server';
export const DIRECT = 'direct';

/** The server's relay table {provider: {available, local?, reason?}}; {} if it has none. */
export async function loadRelays() {
  try {
    const res = await fetch('/api/relay/providers');
    return res.ok ? (await res.json()).providers ?? {} : {};
  } catch {
    return {};
  }
}

/** What the page says about relaying `provider`, and whether it can. */
export function relayStatus(relays, provider) {
  const relay = relays[provider];
  if (!relay) return { available: false, local: false, text: 'this server has no relays (started without --web?)' };
  if (!relay.available) return { available: false, local: false, text: `the server cannot relay ${provider}: ${relay.reason}` };
  const local = Boolean(relay.local);
  const key = provider === 'local' ? 'no key needed' : local ? 'pointed at the local provider' : 'the server has the key';
  return { available: true, local, text: `via server available for ${provider} (${key})` };
}

/**
 * The default connection for `provider` (its abi.js facts): via server when the provider needs
 * a key and the server relays it, so no key is typed into the page; direct otherwise: the local
 * provider and keyless ones like Ollama have no key to protect (and direct, the wire inspector
 * shows the provider's own bytes), and a provider the server cannot relay needs the page's key.
 */
export function defaultConnection(relays, facts) {
  return facts?.keyRequired && relayStatus(relays, facts.name).available ? VIA_SERVER : DIRECT;
}

/** The loader of a via-server request: the package's relay client, nothing secret in it. */
export function relayLoader(llm, provider, { maxRetries, fetch }) {
  return new llm.APILoader({ provider: 'relay', baseURL: `/api/relay/${encodeURIComponent(provider)}`, maxRetries, fetch });
}
