// OpenAI Responses API: request parsing and the typed event stream (wire-formats.md 2.8).
// Every event is `event: <type>` + JSON with `type` and an increasing `sequence_number`;
// the stream ends after response.completed / response.incomplete (no [DONE]).

import { openaiErrorBody, openaiHeaders } from './openai-common.mjs';
import { RequestError, makeId, textOf, tokenLimit } from './plan.mjs';
import { linkedId, linkedParent, seal, unseal } from './signatures.mjs';
import { sseEvent } from './sse.mjs';
import { conversationView } from './tool-steps.mjs';

/** A tool output as text: a string, or the text of its content parts. */
const outputText = (output) => (typeof output === 'string' ? output : textOf(output));

/** Encrypted content shown as the API shows it in errors: its ends only ("gAAA...DQ=="). */
const shortened = (data) => (data.length > 8 ? `${data.slice(0, 4)}...${data.slice(-4)}` : data);

/**
 * What the API checks in the items of the next turn: every function_call_output answers an
 * earlier function_call by call_id, every function_call has its output, encrypted reasoning is
 * content this server issued, and a function_call the model made after reasoning comes with that
 * reasoning item (messages as OpenAI words them).
 */
function checkItems(items) {
  const calls = new Set();
  const answered = new Set();
  const reasoning = new Set(); // ids of the reasoning items so far, and of referenced items
  for (const item of items) {
    if (item?.type === 'function_call') {
      requireReasoning(item, reasoning);
      calls.add(item.call_id);
    }
    if (item?.type === 'function_call_output') {
      if (!calls.has(item.call_id)) {
        throw new RequestError(
          `No tool call found for function call output with call_id ${item.call_id}.`,
          'input',
        );
      }
      answered.add(item.call_id);
    }
    if (item?.type === 'reasoning' || item?.type === 'item_reference') reasoning.add(item.id);
    if (item?.type === 'reasoning' && item.encrypted_content != null) {
      if (unseal('encrypted', item.encrypted_content) === null) {
        const shown = shortened(String(item.encrypted_content));
        throw new RequestError(
          `The encrypted content ${shown} could not be verified.`,
          null,
          400,
          'invalid_encrypted_content',
        );
      }
    }
  }
  for (const id of calls) {
    if (!answered.has(id)) {
      throw new RequestError(`No tool output found for function call ${id}.`, 'input');
    }
  }
}

/**
 * A function_call sent back with the id of one the model made after a reasoning item (its id
 * names that item: callId) needs the reasoning item earlier in the input, as in the output it
 * came from. The real API's 400, quoted in VRSEN/agency-swarm#367 and mastra-ai/mastra#8738:
 * {"message": "Item 'fc_...' of type 'function_call' was provided without its required
 * 'reasoning' item: 'rs_...'.", "type": "invalid_request_error", "param": "input", "code": null}.
 * A call without an id (a turn from another provider: TurnParts drops the ids), or with one this
 * server did not link, stands alone.
 */
function requireReasoning(call, reasoning) {
  const needed = linkedParent(call.id, 'fc_', 'rs_');
  if (needed !== null && !reasoning.has(needed)) {
    throw new RequestError(
      `Item '${call.id}' of type 'function_call' was provided without its required ` +
        `'reasoning' item: '${needed}'.`,
      'input',
    );
  }
}

/**
 * The id of the function_call made `index`-th: after a reasoning item it names that item
 * (linkedId), so that the next turn can be checked for it without server state.
 */
function callId(plan, index, reasoningId) {
  if (reasoningId === null) return makeId(plan, 'fc_', `fc/${index}`, 32);
  return linkedId('fc_', reasoningId, makeId(plan, '', `fc/${index}`, 32));
}

/** The turns of the input for the scripted model (tool_steps): a run of calls is one turn. */
function conversationOf(items) {
  const turns = [];
  for (const item of items) {
    if (item?.type === 'function_call') {
      if (turns.at(-1)?.calls > 0) turns.at(-1).calls++;
      else turns.push({ calls: 1 });
    } else if (item?.type === 'function_call_output') {
      turns.push({ results: [outputText(item.output)] });
    } else if (item?.type !== 'reasoning') {
      turns.push({});
    }
  }
  return conversationView(turns);
}

function parse(body) {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new RequestError("Missing required parameter: 'model'.", 'model');
  }
  const { input } = body;
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw new RequestError("Missing required parameter: 'input'.", 'input');
  }
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  checkItems(items);
  const lastUser = items.findLast((item) => item?.role === 'user');
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => t?.type === 'function' && typeof t.name === 'string')
    .map((t) => ({ name: t.name, schema: t.parameters }));
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  return {
    model: body.model,
    stream: body.stream === true,
    prompt: textOf(lastUser?.content),
    inputChars: items.reduce(
      (sum, item) => sum + textOf(item?.content).length,
      instructions.length,
    ),
    maxTokens: tokenLimit(body.max_output_tokens, 'max_output_tokens'),
    stop: [],
    n: 1,
    tools,
    toolChoice: toolChoice(body.tool_choice),
    // A requested reasoning summary is streamed like reasoning=12 unless the scenario says.
    reasoning: body.reasoning?.summary ? 12 : 0,
    conversation: conversationOf(items),
    // include: ["reasoning.encrypted_content"]: reasoning items carry it (sealed by this server)
    encryptedReasoning:
      Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content'),
    body,
  };
}

function toolChoice(choice) {
  if (choice === 'required') return { mode: 'any' };
  if (choice === 'none') return { mode: 'none' };
  if (choice?.type === 'function' && choice.name) return { mode: 'tool', name: choice.name };
  return { mode: 'auto' };
}

/** The `response` object; `status` and `output` change as the stream goes. */
function responseObject(plan, req, status, output) {
  const body = req.body;
  const finished = status !== 'in_progress';
  return {
    id: makeId(plan, 'resp_', 'response', 32),
    object: 'response',
    created_at: plan.created,
    status,
    background: false,
    completed_at: finished ? plan.created : null, // no second clock read: same bytes per request
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: plan.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    service_tier: 'default',
    store: body.store ?? false,
    temperature: body.temperature ?? 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1.0,
    truncation: 'disabled',
    usage: finished && plan.usage ? usageOf(plan) : null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

function usageOf(plan) {
  return {
    input_tokens: plan.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.completionTokens,
    output_tokens_details: { reasoning_tokens: plan.reasoningTokens },
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

/** The output items of the plan's only choice, complete (as in output_item.done). */
function outputItems(plan, req) {
  const choice = plan.choices[0];
  const items = [];
  const reasoningId = choice.reasoning.length ? makeId(plan, 'rs_', 'reasoning', 32) : null;
  if (reasoningId !== null) {
    const text = choice.reasoning.join('');
    const item = {
      id: reasoningId,
      type: 'reasoning',
      summary: [{ type: 'summary_text', text }],
    };
    if (req?.encryptedReasoning) item.encrypted_content = seal('encrypted', text);
    items.push(item);
  }
  if (choice.text.length || !choice.toolCalls.length) {
    items.push({
      id: makeId(plan, 'msg_', 'message', 32),
      type: 'message',
      status: choice.finish === 'length' ? 'incomplete' : 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: choice.text.join('') }],
      role: 'assistant',
    });
  }
  for (const call of choice.toolCalls) {
    items.push({
      id: callId(plan, call.index, reasoningId),
      type: 'function_call',
      status: 'completed',
      arguments: call.arguments,
      call_id: makeId(plan, 'call_', `call/${call.index}`),
      name: call.name,
    });
  }
  return items;
}

function* streamEvents(plan, req) {
  let seq = 0;
  const event = (payload) => sseEvent({ ...payload, sequence_number: seq++ });
  const choice = plan.choices[0];
  const items = outputItems(plan, req);
  let calls = 0;
  yield event({ type: 'response.created', response: responseObject(plan, req, 'in_progress', []) });
  yield event({
    type: 'response.in_progress',
    response: responseObject(plan, req, 'in_progress', []),
  });
  for (const [output_index, item] of items.entries()) {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      const { encrypted_content: _sealed, ...added } = item; // it comes with the done item
      yield event({
        type: 'response.output_item.added',
        item: { ...added, summary: [] },
        output_index,
      });
      const part = { type: 'summary_text', text: '' };
      const at = { item_id, output_index, summary_index: 0 };
      yield event({ type: 'response.reasoning_summary_part.added', ...at, part });
      for (const delta of choice.reasoning) {
        yield event({ type: 'response.reasoning_summary_text.delta', ...at, delta });
      }
      const text = item.summary[0].text;
      yield event({ type: 'response.reasoning_summary_text.done', ...at, text });
      yield event({ type: 'response.reasoning_summary_part.done', ...at, part: { ...part, text } });
    } else if (item.type === 'message') {
      const added = { ...item, status: 'in_progress', content: [] };
      yield event({ type: 'response.output_item.added', item: added, output_index });
      const at = { content_index: 0, item_id, output_index };
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      yield event({ type: 'response.content_part.added', ...at, part });
      for (const delta of choice.text) {
        yield event({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
      }
      const text = item.content[0].text;
      yield event({ type: 'response.output_text.done', ...at, logprobs: [], text });
      yield event({ type: 'response.content_part.done', ...at, part: { ...part, text } });
    } else {
      const added = { ...item, status: 'in_progress', arguments: '' };
      yield event({ type: 'response.output_item.added', item: added, output_index });
      const call = choice.toolCalls[calls++]; // function_call items come last, in call order
      for (const delta of call.fragments) {
        yield event({
          type: 'response.function_call_arguments.delta',
          delta,
          item_id,
          output_index,
        });
      }
      yield event({
        type: 'response.function_call_arguments.done',
        arguments: item.arguments,
        item_id,
        output_index,
      });
    }
    yield event({ type: 'response.output_item.done', item, output_index });
  }
  const status = choice.finish === 'length' ? 'incomplete' : 'completed';
  const response = responseObject(plan, req, status, items);
  yield event({ type: `response.${status}`, response });
}

function completeBody(plan, req) {
  const status = plan.choices[0].finish === 'length' ? 'incomplete' : 'completed';
  return responseObject(plan, req, status, outputItems(plan, req));
}

/** The in-band `error` event (ResponseErrorEvent); its sequence number continues the stream's. */
function inbandError(eventsSent) {
  return [
    sseEvent({
      type: 'error',
      code: 'server_error',
      message: 'The server had an error while processing your request. Sorry about that!',
      param: null,
      sequence_number: eventsSent,
    }),
  ];
}

export const openaiResponses = {
  name: 'openai-responses',
  parse,
  streamEvents,
  completeBody,
  inbandError,
  errorBody: openaiErrorBody,
  headers: openaiHeaders,
};
