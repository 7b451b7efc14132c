// The one normalized event model. Every face of llmstream (C++ iterator and callbacks, the wasm
// boundary, the npm package, the playground) exposes these events; provider dialects produce
// them from wire bytes and the assembler builds a Completion from them.
//
// An Event is a view: its string_views and pointers stay valid until the next call into the
// Stream that produced it (Feed / Finish / Reset). Copy what you keep. This is what lets the hot
// path run without allocating per token.
#pragma once

#include <cstdint>
#include <string_view>

#include "llmstream/error.h"
#include "llmstream/usage.h"

namespace llmstream {

enum class EventKind : uint8_t {
  kText = 0,            // text: a delta of the visible answer
  kReasoning = 1,       // part (ReasoningPart) says what: thinking text, signature, redacted data
  kRefusal = 2,         // text: a delta of a refusal message (OpenAI), kept apart from kText
  kToolCallStart = 3,   // id, name; part = ToolKind. block = the tool call's index / block
  kToolCallDelta = 4,   // text: a fragment of the arguments JSON
  kToolCallEnd = 5,     // id, name; text: the complete arguments JSON ("{}" when none were
                        // sent); part: ToolArguments, whether that text is valid JSON
  kCitation = 6,        // text: one citation / annotation object as JSON (provider shape)
  kMetadata = 7,        // name: key; text: value (part = MetadataFormat). ids, model, extras
  kUsage = 8,           // usage: the usage known so far (a cumulative snapshot, never an increment)
  kCost = 9,            // cost: the cost of the usage known so far
  kKeepAlive = 10,      // text: the SSE comment (": OPENROUTER PROCESSING"), or ping
  kWarning = 11,        // text: something unexpected that did not stop the stream
  kError = 12,          // error: what went wrong. Terminal when it comes from the provider
  kFinish = 13,         // one choice finished. text: normalized reason; id: the provider's own
  kDone = 14,           // the stream ended normally. text: normalized finish reason of choice 0
  kBlockStart = 15,     // a content block / output item opened. name: its type ("text",
                        // "thinking", "web_search_tool_result"...); text: the whole block JSON
                        // for blocks that arrive complete (tool results, redacted thinking)
  kBlockEnd = 16,       // that block closed
  kRetry = 17,          // (Session) an attempt failed and another one follows. error: the
                        // failure; text: why (the retry policy's reason); retry: the attempt
                        // about to start, the delay before it, whether it continues the answer
  kRaw = 18,            // (opt-in: StreamOptions::raw_events) one SSE event as the provider sent
                        // it, before the events decoded from it. text: its data (the JSON the
                        // provider wrote, or "[DONE]"); name: its SSE event type ("message" when
                        // the event had none); id: the SSE last event ID, if any.
                        // Carries nothing the other events lack: the Assembler ignores it
  kPartialObject = 19,  // (opt-in: SessionOptions::partial_objects, or a PartialObjects of
                        // your own) the JSON value streaming in a choice's answer text
                        // (response_format) or a tool call's arguments, as it stands: text is
                        // a valid JSON text (llmstream/partial_objects.h says when one comes);
                        // part = PartialSource; block = the tool call's index (kToolArguments).
                        // A view of the deltas before it: the Assembler ignores it
};

// What a kPartialObject event shows.
enum class PartialSource : uint8_t {
  kText = 0,           // the answer text of choice `choice` (a JSON output)
  kToolArguments = 1,  // the arguments of tool call `block` of choice `choice`
};

// What a kReasoning event carries.
enum class ReasoningPart : uint8_t {
  kText = 0,       // readable thinking text (delta)
  kSignature = 1,  // opaque signature that must be echoed back to the provider (delta)
  kRedacted = 2,   // opaque redacted / encrypted reasoning data (whole)
  kSummary = 3,    // a reasoning summary delta (OpenAI Responses)
};

enum class ToolKind : uint8_t {
  kFunction = 0,  // a tool the caller executes
  kServer = 1,    // a tool the provider executes itself (Anthropic server_tool_use, Groq
                  // executed_tools): informative, nothing to run
};

enum class MetadataFormat : uint8_t {
  kString = 0,  // text is a plain (unescaped) string
  kJson = 1,    // text is a JSON value, passed through as the provider sent it
};

// What a kToolCallEnd's text is.
enum class ToolArguments : uint8_t {
  kInvalidJson = 0,  // not valid JSON (a cut stream, a model's mistake): kept as sent
  kValidJson = 1,
};

// What a kRetry announces.
struct RetryInfo {
  uint32_t attempt = 0;       // the attempt about to start: 1 = the first retry
  uint32_t delay_ms = 0;      // before it starts
  bool continuation = false;  // it continues the partial answer instead of starting over
};

struct Event {
  EventKind kind = EventKind::kText;
  uint8_t part = 0;     // by kind: ReasoningPart (kReasoning), ToolKind (kToolCallStart),
                        // ToolArguments (kToolCallEnd), MetadataFormat (kMetadata),
                        // PartialSource (kPartialObject); else 0
  uint32_t choice = 0;  // OpenAI choices[].index; 0 for providers without choices
  uint32_t block = 0;   // Anthropic content block index, Responses output_index, or the
                        // tool_calls[].index of an OpenAI-style tool call
  std::string_view text;
  std::string_view id;
  std::string_view name;
  const Usage* usage = nullptr;      // kUsage
  const Cost* cost = nullptr;        // kCost
  const Error* error = nullptr;      // kError, kRetry
  const RetryInfo* retry = nullptr;  // kRetry

  ReasoningPart reasoning_part() const { return static_cast<ReasoningPart>(part); }
  ToolKind tool_kind() const { return static_cast<ToolKind>(part); }
  MetadataFormat metadata_format() const { return static_cast<MetadataFormat>(part); }
  PartialSource partial_source() const { return static_cast<PartialSource>(part); }
  bool arguments_valid() const {
    return static_cast<ToolArguments>(part) == ToolArguments::kValidJson;
  }
};

// Output reaching the user: the answer, reasoning, a refusal, or a tool call starting. The first
// such event is where "output started": a failed attempt is then no longer retried from scratch
// (retry_policy.h), the Session's first-output time, the winner of a Race.
constexpr bool IsOutput(EventKind kind) {
  return kind == EventKind::kText || kind == EventKind::kReasoning || kind == EventKind::kRefusal ||
         kind == EventKind::kToolCallStart;
}

// A delta of generated text (answer, reasoning, refusal, tool-call arguments): assembled by
// concatenation.
constexpr bool IsDelta(EventKind kind) {
  return kind == EventKind::kText || kind == EventKind::kReasoning || kind == EventKind::kRefusal ||
         kind == EventKind::kToolCallDelta;
}

// The stable public name of a kind: "text", "reasoning", "tool_call_start", ...; "unknown" for a
// value that is no EventKind (so a caller may walk 0..255 to list them all).
std::string_view EventKindName(EventKind kind);
// "text", "signature", "redacted", "summary"; "unknown" for other values.
std::string_view ReasoningPartName(ReasoningPart part);
// "function", "server"; "unknown" for other values.
std::string_view ToolKindName(ToolKind kind);
// "text", "tool_arguments"; "unknown" for other values.
std::string_view PartialSourceName(PartialSource source);

}  // namespace llmstream
