// One stream panel: its settings, Generate / Stop, the live output (safe markdown), metrics and
// the inter-token latency chart, the wire inspector, fault buttons and fixture replay. The panel
// uses the llmstream package like any application: APILoader + streamCompletion + for await.
// In conversation mode (a checkbox) Generate sends the prompt as the next user turn instead:
// the conversation and its tool loop are the package's (conversation.js starts a turn), the
// transcript and step timeline conversation-view.js's. "Via server" streams through this
// server's relay (connection.js): the same chunks, errors and result, no key in the page.

import { DIRECT, VIA_SERVER, defaultConnection, relayLoader, relayStatus } from './connection.js';
import { conversationAfter, startTurn } from './conversation.js';
import { ConversationView } from './conversation-view.js';
import { DEMO_TOOLS, demoTools } from './demo-tools.js';
import { FAULTS, SAMPLES, fixtureApi } from './faults.js';
import { Inspector } from './inspector.js';
import { renderInto } from './markdown.js';
import { drawChart, metricRows } from './metrics-chart.js';
import { applyTransforms, describeTransforms, readTransformSettings } from './transforms.js';
import { tapFetch } from './wire-tap.js';

// More models to suggest besides each provider's default (which comes from the provider table,
// like the provider list itself: the package's abi.js PROVIDERS).
const MORE_MODELS = {
  local: ['local-fast', 'local-reasoning'],
  openai: ['gpt-4o', 'gpt-4.1-mini', 'gpt-4.1'],
  anthropic: ['claude-sonnet-4-5'],
  groq: ['llama-3.1-8b-instant'],
  openrouter: ['anthropic/claude-haiku-4.5'],
};

const RUNNING = new Set(['connecting', 'streaming']);

const isOutput = (c) =>
  (c.type === 'text' && c.text) || (c.type === 'reasoning' && c.reasoning) ||
  (c.type === 'refusal' && c.refusal) || (c.type === 'tool_call_delta' && c.toolCall?.argumentsDelta);

/** The same-origin local provider (the page is served by it). */
export const localBaseURL = () => `${location.origin}/v1`;

/** Whether a base URL is this page's origin: the local provider, whatever provider speaks to it. */
function isLocalURL(text) {
  try {
    return new URL(text).origin === location.origin;
  } catch {
    return false;
  }
}

export class Panel {
  /**
   * @param {number} n panel number (ids are `p<n>-...`)
   * @param {{llm: any, abi: {PROVIDERS: readonly any[], WIRE_APIS: readonly string[]},
   *   fixtures: string[], relays: Record<string, any>, announce(text: string): void,
   *   onRemove(p: Panel): void}} deps
   *   abi: the package's generated table (/npm/dist/core/abi.js): the provider and API lists
   */
  constructor(n, deps) {
    this.n = n;
    this.deps = deps;
    this.llm = deps.llm;
    const template = /** @type {HTMLTemplateElement} */ (document.getElementById('panel-template'));
    const fragment = template.content.cloneNode(true);
    this.root = /** @type {HTMLElement} */ (fragment.querySelector('.panel'));
    this.el = {};
    for (const node of this.root.querySelectorAll('[data-id]')) {
      const id = node.getAttribute('data-id');
      node.id = `p${n}-${id}`;
      this.el[id] = node;
    }
    for (const label of this.root.querySelectorAll('label[data-for]')) {
      label.htmlFor = `p${n}-${label.getAttribute('data-for')}`;
    }
    this.root.id = `p${n}`;
    for (const radio of [this.el.viaServer, this.el.direct]) radio.name = `p${n}-route`;
    this.root.dataset.panel = String(n);
    this.root.setAttribute('aria-labelledby', this.el.title.id);
    this.el.title.textContent = `Panel ${n}`;
    this.el.remove.setAttribute('aria-label', `Remove panel ${n}`);
    this.providers = new Map(deps.abi.PROVIDERS.map((p) => [p.name, p]));
    this.el.provider.replaceChildren(
      ...deps.abi.PROVIDERS.map((p) => option(p.name, p.alias ? `${p.name} (${p.alias})` : p.name)),
    );
    this.el.api.replaceChildren(
      option('', "provider's own"),
      ...deps.abi.WIRE_APIS.map((api) => option(api, api)),
    );
    this.inspector = new Inspector(this.el.inspector, `p${n}`);
    this.text = '';
    this.reasoning = '';
    this.gaps = [];
    this.runId = 0;
    this.controller = null;
    this.stream = null;
    /** The package's Conversation: the turns so far, as the core built them. */
    this.conversation = new this.llm.Conversation();
    this.chatView = new ConversationView(
      { transcript: this.el.transcript, timeline: this.el.timeline },
      this.llm.renderSafeMarkdown,
    );
    this.#wire();
    this.setFixtures(deps.fixtures);
    this.#setState('idle');
    this.updateMetrics();
  }

  /** Settings of a new panel (the second one gets another model to compare). */
  init({ provider = 'local', model } = {}) {
    this.el.provider.value = provider;
    this.#onProvider();
    if (model) this.el.model.value = model;
    return this;
  }

  #wire() {
    const { el } = this;
    el.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.generate();
    });
    el.stop.addEventListener('click', () => this.stop());
    el.replay.addEventListener('click', () => {
      if (el.fixture.value) this.generate({ fixture: el.fixture.value });
    });
    el.remove.addEventListener('click', () => this.deps.onRemove(this));
    el.provider.addEventListener('change', () => this.#onProvider());
    el.api.addEventListener('change', () => this.#onThinking());
    el.reasoningEffort.addEventListener('input', () => this.#onThinking());
    el.temperature.setAttribute('aria-describedby', el.temperatureNote.id);
    el.baseURL.addEventListener('input', () => this.#onBaseURL());
    for (const radio of [el.viaServer, el.direct]) radio.addEventListener('change', () => this.#onRoute());
    for (const fault of FAULTS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = fault.label;
      b.title = fault.hint;
      b.setAttribute('data-testid', `fault-${fault.id}`);
      b.addEventListener('click', () => {
        el.scenario.value = fault.scenario;
        this.generate();
      });
      el.faults.append(b);
    }
    for (const b of this.root.querySelectorAll('[data-sample]')) {
      b.addEventListener('click', () => {
        el.script.value = SAMPLES[b.getAttribute('data-sample')] ?? '';
      });
    }
    const datalist = document.createElement('datalist');
    datalist.id = `p${this.n}-models`;
    this.root.append(datalist);
    el.model.setAttribute('list', datalist.id);
    this.datalist = datalist;
    for (const [name, tool] of Object.entries(DEMO_TOOLS)) {
      const label = document.createElement('label');
      label.title = tool.description;
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: true, value: name });
      box.setAttribute('data-testid', `tool-${name}`);
      label.append(box, ` ${name}`);
      el.chatTools.append(label);
      el.failTool.append(option(name, name));
    }
    el.chatMode.addEventListener('change', () => this.#onMode());
    el.resetChat.addEventListener('click', () => this.resetConversation());
    this.resizeObserver = new ResizeObserver(() => drawChart(el.chart, this.gaps));
    this.resizeObserver.observe(el.chart);
  }

  #onProvider() {
    const { el } = this;
    const provider = el.provider.value;
    const facts = this.providers.get(provider);
    const local = provider === 'local';
    el.model.value = facts?.defaultModel ?? '';
    el.model.placeholder = facts?.defaultModel ? '' : 'required';
    el.baseURL.value = local ? localBaseURL() : '';
    el.baseURL.placeholder = facts?.baseUrl
      ? `${facts.baseUrl} (the provider's default)`
      : `required, e.g. ${location.origin} (this local provider)`;
    const models = [facts?.defaultModel, ...(MORE_MODELS[provider] ?? [])].filter(Boolean);
    this.datalist.replaceChildren(...models.map((m) => option(m, m)));
    this.#onBaseURL();
    el.apiKey.placeholder = local
      ? 'not needed for the local provider'
      : facts?.keyRequired
        ? `needed for this provider (${facts.keyVariable})`
        : 'optional for this provider';
    const relay = relayStatus(this.deps.relays, provider);
    el.viaServer.disabled = !relay.available;
    el.relayNote.textContent = relay.text;
    (defaultConnection(this.deps.relays, facts) === VIA_SERVER ? el.viaServer : el.direct).checked = true;
    this.#onRoute();
    this.#onThinking();
  }

  /** Whether requests go through this server's relay (the key stays there). */
  get viaServer() {
    return this.el.viaServer.checked && !this.el.viaServer.disabled;
  }

  /**
   * Via server, the relay decides the base URL, the API and the key, and takes no scripted reply
   * or failing tool (a request carries only the protocol's fields): those fields are off, and
   * the key field is not there at all, so a key cannot be typed into the page by habit.
   */
  #onRoute() {
    const { el } = this;
    const server = this.viaServer;
    el.apiKeyField.hidden = server;
    el.apiKey.disabled = server;
    if (server) el.apiKey.value = '';
    el.baseURL.disabled = server;
    el.api.disabled = server;
    el.failTool.disabled = server;
    this.root.dataset.connection = server ? VIA_SERVER : DIRECT;
    // Direct to a hosted provider: its key and base URL are the page's, so show them.
    if (!server && el.provider.value !== 'local') el.connection.open = true;
    this.#onBaseURL();
  }

  /**
   * Whether the request asks Anthropic Messages for extended thinking (Reasoning set, not
   * 'none'): Anthropic then refuses any temperature but 1 (400), and so does the core before
   * sending, so the panel leaves the temperature out.
   */
  get #anthropicThinking() {
    const { el } = this;
    const api = el.api.value || this.providers.get(el.provider.value)?.api;
    const effort = el.reasoningEffort.value.trim();
    return api === 'anthropic_messages' && effort !== '' && effort !== 'none';
  }

  #onThinking() {
    const { el } = this;
    const thinking = this.#anthropicThinking;
    el.temperature.disabled = thinking;
    el.temperatureNote.hidden = !thinking;
    el.temperatureNote.textContent = thinking
      ? 'not sent: Anthropic takes no temperature but 1 while it thinks (Reasoning is set)'
      : '';
  }

  get conversationMode() {
    return this.el.chatMode.checked;
  }

  #onMode() {
    const { el } = this;
    const chat = this.conversationMode;
    if (this.running) this.stop();
    el.chatOptions.hidden = !chat;
    el.conversation.hidden = !chat;
    el.output.hidden = chat;
    el.tools.hidden = chat || el.tools.childElementCount === 0;
    el.replay.disabled = chat;
    el.fixture.disabled = chat;
    el.generate.textContent = chat ? 'Send' : 'Generate';
    el.prompt.previousElementSibling.textContent = chat ? 'Message' : 'Prompt';
    this.deps.announce(`Panel ${this.n}: ${chat ? 'conversation mode' : 'single completions'}`);
  }

  /** Forgets the conversation (stops a turn first). */
  resetConversation() {
    this.stop();
    this.runId++;
    this.conversation = new this.llm.Conversation();
    this.chatView.reset();
    this.#resetView();
    this.#setState('idle', 'Conversation reset: the next message starts a new one.');
    this.deps.announce(`Panel ${this.n}: conversation reset`);
  }

  /**
   * Whether requests go to the local provider: provider 'local', a base URL on this origin, or
   * via server a relay whose upstream is the local provider.
   */
  get #local() {
    if (this.viaServer) return relayStatus(this.deps.relays, this.el.provider.value).local;
    return this.el.provider.value === 'local' || isLocalURL(this.el.baseURL.value.trim());
  }

  #onBaseURL() {
    // Scenarios and scripted replies are the local provider's; a hosted one would refuse them.
    // A relay passes the scenario header on, not a scripted reply (it is not a request field).
    const local = this.#local;
    for (const node of [this.el.scenario, ...this.el.faults.querySelectorAll('button')]) node.disabled = !local;
    this.el.script.disabled = !local || this.viaServer;
  }

  setFixtures(names) {
    const first = option('', names.length ? '(choose a recording)' : '(no fixtures served)');
    this.el.fixture.replaceChildren(first, ...names.map((name) => option(name, name)));
  }

  get running() {
    return RUNNING.has(this.root.dataset.state);
  }

  focusPrompt() {
    this.el.prompt.focus();
  }

  #setState(state, note) {
    this.root.dataset.state = state;
    this.el.state.textContent = state;
    this.el.stop.disabled = !RUNNING.has(state);
    if (note !== undefined) this.el.note.textContent = note;
  }

  stop() {
    if (!this.controller || !this.running) return;
    this.controller.abort();
    this.#setState('stopped', 'Stopped: the request was aborted (the partial answer stays).');
    this.deps.announce(`Panel ${this.n}: stopped`);
  }

  /** The panel's loader and request options (everything but prompt / messages / signal). */
  #request(run, fixture) {
    // A fixture is a recording on this server: replayed direct, whatever the connection.
    if (!fixture && this.viaServer) return this.#relayRequest(run);
    const { el, llm } = this;
    const provider = fixture ? 'local' : el.provider.value;
    const local = fixture || this.#local;
    const scenario = fixture ? `fixture=${fixture}` : el.scenario.value.trim();
    const loader = new llm.APILoader({
      provider,
      ...(fixture ? { api: fixtureApi(fixture), baseURL: localBaseURL() } : {}),
      ...(!fixture && el.api.value ? { api: el.api.value } : {}),
      ...(!fixture && el.baseURL.value.trim() ? { baseURL: el.baseURL.value.trim() } : {}),
      ...(!fixture && el.apiKey.value ? { apiKey: el.apiKey.value } : {}),
      // Anthropic answers browsers only with this header (the key is the user's own here).
      ...(provider === 'anthropic' ? { headers: { 'anthropic-dangerous-direct-browser-access': 'true' } } : {}),
      maxRetries: intOr(el.retries.value, 2),
      fetch: tapFetch(this.#wireSink(run), llm),
    });
    const options = {
      raw: true,
      ...(el.model.value.trim() ? { model: el.model.value.trim() } : {}),
      ...(el.maxTokens.value ? { maxTokens: intOr(el.maxTokens.value, 256) } : {}),
      ...(el.temperature.value !== '' && !this.#anthropicThinking ? { temperature: Number(el.temperature.value) } : {}),
      // Extended thinking for Anthropic (a budget the core derives), an effort for the others.
      ...(el.reasoningEffort.value.trim() ? { reasoningEffort: el.reasoningEffort.value.trim() } : {}),
    };
    if (local && scenario) options.headers = { 'x-llmstream-scenario': scenario };
    if (local && !fixture && el.script.value) options.extraBody = { llmstream: { text: el.script.value } };
    return { loader, options, provider };
  }

  /**
   * Via server: the package's relay client to /api/relay/<provider>. Only what the relay
   * protocol lets a page choose; `tools: []` asks for a plain answer (the relay has the demo
   * tools and would offer all of them to a request that names none).
   */
  #relayRequest(run) {
    const { el, llm } = this;
    const provider = el.provider.value;
    const loader = relayLoader(llm, provider, { maxRetries: intOr(el.retries.value, 2), fetch: tapFetch(this.#wireSink(run), llm) });
    const options = {
      tools: [],
      ...(el.model.value.trim() ? { model: el.model.value.trim() } : {}),
      ...(el.maxTokens.value ? { maxTokens: intOr(el.maxTokens.value, 256) } : {}),
      ...(el.temperature.value !== '' && !this.#anthropicThinking ? { temperature: Number(el.temperature.value) } : {}),
      ...(el.reasoningEffort.value.trim() ? { reasoningEffort: el.reasoningEffort.value.trim() } : {}),
    };
    const scenario = el.scenario.value.trim();
    if (this.#local && scenario) options.headers = { 'x-llmstream-scenario': scenario };
    return { loader, options, provider: `${provider} (via server)`, relay: true };
  }

  /**
   * Streams one completion into the panel (`fixture`: replay that recording instead); in
   * conversation mode, sends the prompt as the next user turn.
   */
  async generate({ fixture } = {}) {
    if (this.conversationMode && !fixture) return this.#converse();
    if (this.running) this.stop();
    const { el, llm } = this;
    const run = ++this.runId;
    const transformSettings = readTransformSettings();
    this.#resetView();

    const controller = new AbortController();
    this.controller = controller;
    let stream;
    let provider;
    try {
      let loader;
      let options;
      ({ loader, options, provider } = this.#request(run, fixture));
      options.prompt = el.prompt.value || ' ';
      options.signal = controller.signal;
      try {
        // Live {type: 'metrics'} chunks where the package has them (else stream.metrics() only).
        stream = loader.streamCompletion({ ...options, metricsIntervalMs: 250 });
      } catch {
        stream = loader.streamCompletion(options);
      }
    } catch (error) {
      this.#showError(error);
      this.#setState('error', '');
      return;
    }
    this.stream = stream;
    const what = fixture ? `replaying fixture ${fixture}` : `${provider} ${el.model.value}`;
    const transforms = describeTransforms(transformSettings);
    this.#setState('connecting', `Connecting: ${what}${transforms ? ` · transforms: ${transforms}` : ''}`);
    this.deps.announce(`Panel ${this.n}: generating (${what})`);
    const timer = setInterval(() => this.#tick(run), 200);
    try {
      const source = this.#observe(stream, run);
      for await (const chunk of applyTransforms(llm, source, transformSettings, { markdown: true })) {
        if (run !== this.runId || controller.signal.aborted) break;
        this.#onChunk(chunk);
      }
      if (run === this.runId && !controller.signal.aborted) {
        this.#setState('done', `Done: ${what}.`);
        this.updateMetrics();
        this.deps.announce(`Panel ${this.n}: done, ${this.metricsText()}`);
      }
    } catch (error) {
      if (run === this.runId) this.#failed(error, controller, 'Stopped: the request was aborted (the partial answer stays).');
    } finally {
      clearInterval(timer);
      if (run === this.runId) {
        this.#render();
        this.updateMetrics();
        this.inspector.result(safeResult(stream));
      }
    }
  }

  /**
   * Conversation mode: the prompt as the next user turn, streamed step by step with the checked
   * demo tools by the package's tool loop.
   */
  async #converse() {
    if (this.running) this.stop();
    const { el, llm } = this;
    const text = el.prompt.value.trim();
    if (!text) {
      this.#setState(this.root.dataset.state, 'Type a message first.');
      return;
    }
    const run = ++this.runId;
    this.#resetView();
    const controller = new AbortController();
    this.controller = controller;
    const names = [...el.chatTools.querySelectorAll('input:checked')].map((b) => b.value);
    const maxSteps = Math.max(1, intOr(el.maxSteps.value, 5));
    let setup;
    try {
      setup = this.#request(run);
    } catch (error) {
      this.#showError(error);
      this.#setState('error', '');
      return;
    }
    this.chatView.beginTurn(text);
    el.prompt.value = '';
    const what = `${setup.provider} ${el.model.value}`;
    this.#setState('connecting', `Conversation turn ${this.chatView.turnCount}: ${what}, at most ${maxSteps} steps`);
    this.deps.announce(`Panel ${this.n}: sending turn ${this.chatView.turnCount} (${what})`);
    const timer = setInterval(() => this.#tick(run), 200);
    let turn = null;
    let last = null;
    let steps = 0;
    try {
      turn = startTurn({
        loader: setup.loader,
        conversation: this.conversation,
        text,
        request: { ...setup.options, metricsIntervalMs: 250 },
        // Via server the relay runs the demo tools: the turn names them (it cannot send code).
        tools: setup.relay ? names : demoTools(names, { failing: el.failTool.value }),
        maxSteps,
        signal: controller.signal,
      });
      this.stream = turn.stream;
      // Read to the end after a Stop too: the loop then answers the calls it cut ("cancelled")
      // and throws the AbortError, and the view shows what goes into the conversation.
      for await (const chunk of this.#observe(turn.stream, run)) {
        if (run !== this.runId) break;
        this.chatView.onChunk(chunk);
        steps = Math.max(steps, chunk.step ?? 1);
        if (chunk.type === 'done') last = chunk;
        if (chunk.type === 'step_start' && chunk.step > 1 && !controller.signal.aborted) this.#setState('connecting');
      }
      if (run === this.runId && !controller.signal.aborted) {
        const limited = last?.stopReason === 'step_limit';
        this.chatView.endTurn(limited ? 'step-limit' : 'answer');
        this.#setState('done', `Done: turn ${this.chatView.turnCount}, ${steps} step${steps === 1 ? '' : 's'}${limited ? ' (the step limit)' : ''}.`);
        this.deps.announce(`Panel ${this.n}: turn done, ${steps} steps`);
      }
    } catch (error) {
      if (run === this.runId) {
        const how = this.#failed(error, controller, 'Stopped: the turn was aborted (its finished steps stay in the conversation).');
        this.chatView.endTurn(how, `${error?.name ?? 'Error'}: ${error?.message ?? error}`);
      }
    } finally {
      clearInterval(timer);
      if (run === this.runId) {
        if (turn) this.conversation = conversationAfter(llm.Conversation, turn.messages, turn.stream);
        if (this.chatView.turn) this.chatView.endTurn('stopped');
        this.updateMetrics();
        this.inspector.result(safeResult(this.stream));
      }
    }
  }

  /** A stream or a turn threw: stopped (it was aborted) or an error, shown; returns which. */
  #failed(error, controller, stoppedNote) {
    if (controller.signal.aborted || error?.name === 'AbortError') {
      this.#setState('stopped', stoppedNote);
      return 'stopped';
    }
    this.#showError(error);
    this.#setState('error', '');
    this.deps.announce(`Panel ${this.n}: error ${error?.name ?? ''}: ${error?.message ?? error}`);
    return 'error';
  }

  #resetView() {
    const { el } = this;
    this.text = '';
    this.reasoning = '';
    this.gaps = [];
    this.bytes = 0;
    this.lastOutput = null;
    this.usage = null;
    this.stream = null;
    this.toolCalls = [];
    this.incremental = null;
    el.output.replaceChildren();
    el.reasoning.textContent = '';
    el.reasoningBox.hidden = true;
    el.tools.replaceChildren();
    el.tools.hidden = true;
    el.error.hidden = true;
    el.error.replaceChildren();
    this.inspector.reset();
    this.updateMetrics();
  }

  /** The package's chunks before any transform: events tab, timing, usage, retries. */
  async *#observe(stream, run) {
    for await (const chunk of stream) {
      if (run !== this.runId) return;
      const t = performance.now();
      if (chunk.type === 'step_start') {
        // A step of the tool loop, before its request goes out: a heading in the inspector, and
        // no token gap measured across two requests.
        this.inspector.section(`step ${chunk.step}`);
        this.lastOutput = null;
      } else if (this.root.dataset.state === 'connecting' && chunk.type !== 'retry') {
        this.#setState('streaming');
      }
      this.inspector.event(chunk);
      if (isOutput(chunk)) {
        if (this.lastOutput !== null) this.gaps.push(t - this.lastOutput);
        this.lastOutput = t;
      }
      if (chunk.type === 'usage') this.usage = chunk;
      if (chunk.type === 'metrics') this.updateMetrics();
      if (chunk.type === 'retry') {
        const cause = chunk.cause ? `${chunk.cause.name}: ${chunk.cause.message}` : chunk.reason;
        this.#setState('connecting', `Retry ${chunk.attempt} in ${Math.round(chunk.delayMs)} ms (${cause})`);
      }
      yield chunk;
    }
  }

  #onChunk(chunk) {
    switch (chunk.type) {
      case 'text':
        this.text += chunk.text;
        if (typeof chunk.html === 'string') this.#appendHtml(chunk.html, chunk.tailHtml);
        else if (!this.incremental) this.#scheduleRender();
        break;
      case 'reasoning':
        if (chunk.part === 'signature' || chunk.part === 'redacted') break;
        this.reasoning += chunk.reasoning;
        this.el.reasoningBox.hidden = false;
        this.el.reasoning.textContent = this.reasoning;
        break;
      case 'refusal':
        this.text += chunk.refusal;
        this.#scheduleRender();
        break;
      case 'tool_call_end': {
        const { name, arguments: args } = chunk.toolCall;
        const line = document.createElement('pre');
        line.textContent = `tool call: ${name}(${args})`;
        this.el.tools.append(line);
        this.el.tools.hidden = false;
        break;
      }
      default:
        break;
    }
  }

  /**
   * The package's safeMarkdown() stage: `html` is finished blocks (append), `tailHtml` the open
   * block (replace). Both are the package's escaped, safe HTML.
   */
  #appendHtml(html, tailHtml) {
    if (!this.incremental) {
      this.incremental = { blocks: document.createElement('div'), tail: document.createElement('div') };
      this.incremental.tail.className = 'tail';
      this.el.output.replaceChildren(this.incremental.blocks, this.incremental.tail);
    }
    if (html) this.incremental.blocks.insertAdjacentHTML('beforeend', html);
    this.incremental.tail.innerHTML = tailHtml ?? '';
    this.el.output.scrollTop = this.el.output.scrollHeight;
    if (!this.metricsPending) {
      this.metricsPending = true;
      requestAnimationFrame(() => {
        this.metricsPending = false;
        this.updateMetrics();
      });
    }
  }

  #scheduleRender() {
    if (this.renderPending) return;
    this.renderPending = true;
    requestAnimationFrame(() => {
      this.renderPending = false;
      this.#render();
      this.updateMetrics();
    });
  }

  #render() {
    if (this.incremental) return; // rendered chunk by chunk
    renderInto(this.el.output, this.text, this.llm.renderSafeMarkdown);
    this.el.output.scrollTop = this.el.output.scrollHeight;
  }

  #tick(run) {
    if (run !== this.runId || !this.running) return;
    this.updateMetrics();
    if (this.root.dataset.state === 'streaming' && this.lastOutput !== null) {
      const idle = performance.now() - this.lastOutput;
      if (idle > 1000) this.el.note.textContent = `Streaming · no token for ${(idle / 1000).toFixed(1)} s`;
      else if (this.el.note.textContent.startsWith('Streaming · no token')) this.el.note.textContent = 'Streaming';
    }
  }

  #wireSink(run) {
    const live = () => run === this.runId;
    return {
      onRequest: (r) => live() && this.inspector.request(r),
      onResponse: (r) => live() && this.inspector.response(r),
      onBytes: (b) => {
        if (!live()) return;
        this.bytes += b.byteLength;
        this.inspector.bytes(b);
      },
      onEnd: (e) => live() && this.inspector.end(e),
    };
  }

  #metrics() {
    try {
      return this.stream?.metrics() ?? null;
    } catch {
      return null;
    }
  }

  updateMetrics() {
    const rows = metricRows(this.#metrics(), this.gaps, {
      usage: this.usage?.usage ?? null,
      cost: this.usage?.cost ?? 0,
      priced: Boolean(this.usage?.costDetails),
      costEstimated: this.usage?.costEstimated ?? false,
      bytes: this.bytes ?? 0,
    });
    const nodes = [];
    for (const [key, label, value] of rows) {
      const wrap = document.createElement('div');
      const dt = Object.assign(document.createElement('dt'), { textContent: label });
      const dd = Object.assign(document.createElement('dd'), { textContent: value });
      dd.setAttribute('data-testid', `metric-${key}`);
      wrap.append(dt, dd);
      nodes.push(wrap);
    }
    this.el.metrics.replaceChildren(...nodes);
    drawChart(this.el.chart, this.gaps);
  }

  metricsText() {
    return [...this.el.metrics.querySelectorAll('div')]
      .map((d) => `${d.firstChild.textContent} ${d.lastChild.textContent}`)
      .join(', ');
  }

  #showError(error) {
    const e = /** @type {any} */ (error ?? {});
    const box = this.el.error;
    const title = document.createElement('strong');
    const status = e.status ? `, HTTP ${e.status}` : '';
    title.textContent = `${e.name ?? 'Error'}${e.code ? ` (${e.code}${status})` : ''}`;
    const message = document.createElement('p');
    message.textContent = e.message ?? String(error);
    const facts = document.createElement('ul');
    const add = (text) => facts.append(Object.assign(document.createElement('li'), { textContent: text }));
    if (e.retryAfter !== undefined && e.retryAfter !== null) {
      add(`Retry-After: ${e.retryAfter} s (the server asks to wait before retrying)`);
    } else if (e.retryAfterMs !== undefined && e.retryAfterMs !== null) {
      add(`Retry after ${e.retryAfterMs} ms`);
    }
    if (e.providerType) add(`provider error type: ${e.providerType}`);
    if (e.retryable !== undefined) {
      add(e.retryable ? 'retryable: sending the request again may succeed' : 'not retryable as is');
    }
    if (this.stream?.attempts > 1) add(`attempts: ${this.stream.attempts}`);
    if (this.text) add(`the partial answer (${this.text.length} characters) is kept above`);
    box.replaceChildren(title, message, facts);
    box.hidden = false;
  }
}

function option(value, text) {
  return Object.assign(document.createElement('option'), { value, textContent: text });
}

function intOr(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function safeResult(stream) {
  try {
    return stream?.result ?? null;
  } catch {
    return null;
  }
}
