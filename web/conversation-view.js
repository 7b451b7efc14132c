// The conversation mode's view: the transcript (user and assistant turns; per step the answer
// as safe markdown and the tool calls, their arguments filling in as the deltas arrive, then
// their results) and the step timeline (per step: start, first token, tool calls, results, end,
// usage; times from the start of the turn). Reads the package's chunks: a tool loop's (each with
// its `step`; step_start, tool_result {toolResult}, step_finish) or one plain stream's.
// Model output and tool arguments are untrusted: text nodes, or the package's safe HTML.

import { renderInto } from './markdown.js';

const OUTPUT = new Set(['text', 'reasoning', 'refusal', 'tool_call_start', 'tool_call_delta']);

export class ConversationView {
  /**
   * @param {{transcript: HTMLElement, timeline: HTMLElement}} el
   * @param {((text: string) => string) | undefined} renderMarkdown the package's renderSafeMarkdown
   */
  constructor(el, renderMarkdown) {
    this.el = el;
    this.renderMarkdown = renderMarkdown;
    this.reset();
  }

  reset() {
    this.el.transcript.replaceChildren();
    this.el.timeline.replaceChildren();
    this.turn = null;
    this.turnCount = 0;
  }

  /** A user turn, then the (empty) assistant turn that answers it. */
  beginTurn(text) {
    this.turnCount++;
    const user = item('turn', { 'data-role': 'user' });
    user.append(heading(`You (turn ${this.turnCount})`), Object.assign(document.createElement('p'), { textContent: text }));
    const assistant = item('turn', { 'data-role': 'assistant', 'aria-busy': 'true' });
    assistant.append(heading('Assistant'));
    this.el.transcript.append(user, assistant);
    const timeline = document.createElement('li');
    timeline.append(heading(`Turn ${this.turnCount}`, 'h4'));
    const steps = document.createElement('ol');
    steps.className = 'steps';
    timeline.append(steps);
    this.el.timeline.append(timeline);
    this.turn = { root: assistant, steps, t0: performance.now(), step: null, byStep: new Map() };
    scrollToEnd(this.el.transcript);
  }

  /** One chunk of the turn's stream. */
  onChunk(chunk) {
    if (!this.turn) return;
    const s = this.#step(chunk.step ?? 1, chunk.type === 'step_start');
    switch (chunk.type) {
      case 'step_start':
        break;
      case 'reasoning':
        if (chunk.index || chunk.part === 'signature' || chunk.part === 'redacted') break;
        s.reasoningBox.hidden = false;
        s.reasoning.textContent += chunk.reasoning;
        break;
      case 'text':
        if (chunk.index) break;
        s.text += chunk.text;
        this.#scheduleText(s);
        break;
      case 'tool_call_start': {
        const call = this.#call(s, chunk.toolCall.index);
        call.id = chunk.toolCall.id;
        call.name.textContent = chunk.toolCall.name;
        call.root.dataset.callId = chunk.toolCall.id ?? '';
        break;
      }
      case 'tool_call_delta': {
        const call = this.#call(s, chunk.toolCall.index);
        call.args.textContent += chunk.toolCall.argumentsDelta;
        break;
      }
      case 'tool_call_end': {
        const { index, id, name, arguments: args } = chunk.toolCall;
        const call = this.#call(s, index);
        call.id = id;
        call.root.dataset.callId = id ?? '';
        call.name.textContent = name;
        call.args.textContent = args;
        setCallState(call, 'running', 'running…');
        this.#event(s, 'tool-call', `tool call ${name}(${args})`);
        break;
      }
      case 'tool_result': {
        const { name, output, isError } = chunk.toolResult;
        const call = this.#answered(s, chunk.toolResult);
        call.result.textContent = output;
        call.result.hidden = false;
        setCallState(call, isError ? 'error' : 'done', isError ? 'error result' : 'result');
        this.#event(s, isError ? 'tool-error' : 'tool-result', `${isError ? 'error result' : 'result'} ${name}: ${clip(output)}`);
        break;
      }
      case 'usage': {
        const u = chunk.usage ?? {};
        const cost = chunk.costDetails ? ` · $${chunk.cost.toFixed(6)}` : '';
        this.#event(s, 'usage', `usage ${u.promptTokens ?? '?'} in · ${u.completionTokens ?? '?'} out${u.estimated ? ' (estimated)' : ''}${cost}`);
        break;
      }
      case 'step_finish': // a loop's step (after its results); its last one is followed by `done`
      case 'done':
        if (s.ended) break;
        s.ended = true;
        this.#event(s, 'end', `end: ${chunk.finishReason ?? 'no finish reason'}`);
        s.root.dataset.finish = chunk.finishReason ?? '';
        break;
      default:
        break;
    }
    if (OUTPUT.has(chunk.type) && !s.firstToken) {
      s.firstToken = true;
      this.#event(s, 'first-token', 'first token');
    }
  }

  /** The turn ended: 'answer', 'step-limit', 'stopped' or 'error' (`detail` for the last two). */
  endTurn(how, detail = '') {
    const turn = this.turn;
    if (!turn) return;
    for (const s of turn.byStep.values()) {
      this.#renderText(s);
      for (const call of s.calls.values()) {
        if (call.root.dataset.state === 'streaming' || call.root.dataset.state === 'running') {
          setCallState(call, 'cancelled', how === 'stopped' ? 'stopped: not run' : 'not run');
        }
      }
      if (!s.ended && (how === 'stopped' || how === 'error')) {
        this.#event(s, how === 'stopped' ? 'stopped' : 'error', how === 'stopped' ? 'stopped' : `error: ${detail}`);
      }
    }
    const note = {
      answer: null,
      'step-limit': `Stopped at the step limit (${turn.byStep.size} steps): the tool results above are in the conversation, the model has not answered them yet.`,
      stopped: 'Stopped: the partial answer stays in the conversation.',
      error: `The turn failed: ${detail}`,
    }[how];
    if (note) {
      const p = Object.assign(document.createElement('p'), { className: 'turn-note', textContent: note });
      p.setAttribute('data-testid', 'turn-note');
      turn.root.append(p);
    }
    turn.root.dataset.outcome = how;
    turn.root.removeAttribute('aria-busy');
    this.turn = null;
  }

  #step(n, starting) {
    const turn = this.turn;
    let s = turn.byStep.get(n);
    if (s) return s;
    const root = item('step', { 'data-step': String(n) });
    root.append(heading(`Step ${n}`, 'h4'));
    const reasoningBox = Object.assign(document.createElement('details'), { className: 'reasoning', hidden: true });
    const reasoning = document.createElement('div');
    reasoning.setAttribute('data-testid', 'step-reasoning');
    reasoningBox.append(Object.assign(document.createElement('summary'), { textContent: 'Reasoning' }), reasoning);
    const answer = document.createElement('div');
    answer.className = 'answer';
    answer.setAttribute('data-testid', 'answer');
    const calls = document.createElement('ul');
    calls.className = 'tool-calls';
    calls.setAttribute('aria-label', `Tool calls of step ${n}`);
    calls.hidden = true;
    root.append(reasoningBox, answer, calls);
    turn.root.append(root);
    const entry = item('step', { 'data-step': String(n) });
    entry.append(heading(`Step ${n}`, 'h5'));
    const events = document.createElement('ol');
    events.className = 'events';
    entry.append(events);
    turn.steps.append(entry);
    s = { n, root, reasoningBox, reasoning, answer, callsEl: calls, calls: new Map(), text: '', events, firstToken: false, ended: false };
    turn.byStep.set(n, s);
    this.#event(s, 'start', starting ? 'start: request sent' : 'start');
    return s;
  }

  #call(s, index) {
    let call = s.calls.get(index);
    if (call) return call;
    const root = item('tool-call', { 'data-state': 'streaming', 'data-index': String(index) });
    const name = Object.assign(document.createElement('strong'), { className: 'tool-name' });
    name.setAttribute('data-testid', 'tool-name');
    const args = document.createElement('code');
    args.setAttribute('data-testid', 'tool-args');
    const status = Object.assign(document.createElement('span'), { className: 'tool-status', textContent: 'arguments streaming…' });
    status.setAttribute('data-testid', 'tool-status');
    const result = document.createElement('pre');
    result.setAttribute('data-testid', 'tool-result');
    result.hidden = true;
    root.append(name, document.createTextNode('('), args, document.createTextNode(') '), status, result);
    s.callsEl.append(root);
    s.callsEl.hidden = false;
    call = { root, name, args, status, result, id: null, answered: false };
    s.calls.set(index, call);
    return call;
  }

  /**
   * The call a result answers, by its id. A call the stream named no id for (Gemini) gets one
   * only in the turn the core builds (`completion.message`), which the stream's chunks never
   * show: then the step's first id-less call of that name still without a result.
   */
  #answered(s, { toolCallId, name }) {
    const calls = [...s.calls.values()];
    const call = calls.find((c) => c.id && c.id === toolCallId) ??
      calls.find((c) => !c.id && !c.answered && c.name.textContent === name);
    if (call) {
      call.answered = true;
      return call;
    }
    const orphan = this.#call(s, `result-${toolCallId}`); // not in the stream: shown all the same
    orphan.name.textContent = name;
    return orphan;
  }

  #event(s, kind, text) {
    const li = item('step-event', { 'data-kind': kind });
    const t = Object.assign(document.createElement('span'), {
      className: 'at',
      textContent: `+${Math.round(performance.now() - this.turn.t0)} ms`,
    });
    li.append(t, document.createTextNode(` ${text}`));
    s.events.append(li);
  }

  #scheduleText(s) {
    if (s.renderPending) return;
    s.renderPending = true;
    requestAnimationFrame(() => {
      s.renderPending = false;
      this.#renderText(s);
    });
  }

  #renderText(s) {
    if (s.rendered === s.text) return;
    s.rendered = s.text;
    renderInto(s.answer, s.text, this.renderMarkdown);
    scrollToEnd(this.el.transcript);
  }
}

function item(testid, attrs = {}) {
  const li = document.createElement('li');
  li.setAttribute('data-testid', testid);
  for (const [k, v] of Object.entries(attrs)) li.setAttribute(k, v);
  return li;
}

function heading(text, tag = 'h3') {
  return Object.assign(document.createElement(tag), { textContent: text });
}

function setCallState(call, state, label) {
  call.root.dataset.state = state;
  call.status.textContent = label;
}

function clip(text, max = 120) {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function scrollToEnd(el) {
  el.scrollTop = el.scrollHeight;
}
