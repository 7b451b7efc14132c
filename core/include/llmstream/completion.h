// The assembled result of one streamed completion. It is valid at any moment of the stream, and
// after an error too: what arrived before a failure stays here (partial-response recovery).
// Memory is proportional to the result, never to the wire bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/usage.h"

namespace llmstream {

struct ToolCall {
  uint32_t index = 0;  // tool_calls[].index, Anthropic block index or Responses output index
  ToolKind kind = ToolKind::kFunction;
  std::string id;    // call id ("call_...", "toolu_...", Responses call_id)
  std::string type;  // "function", "tool_use", "server_tool_use", ...
  std::string name;
  std::string arguments;  // the complete arguments JSON once `complete`; "{}" when none were sent
  bool complete = false;  // the provider ended this call
  bool arguments_valid = false;  // complete and `arguments` is valid JSON
};

// Content blocks in arrival order (Anthropic blocks, Responses output items; OpenAI-style
// choices get one text block). `type` is the provider's block type name.
struct Block {
  uint32_t index = 0;
  std::string
      type;  // "text", "thinking", "redacted_thinking", "tool_use", "web_search_tool_result"...
  std::string id;         // the provider's id of the item when the stream names one (Responses
                          // "rs_...", "msg_..."): echoed back on the next turn
  std::string text;       // text / thinking text
  std::string signature;  // thinking signature (opaque, to be echoed back)
  std::string data;       // redacted data, or the whole block JSON of blocks that arrive complete
  std::vector<std::string> citations;  // JSON objects
  int tool_call = -1;  // index into Choice::tool_calls when this block is a tool call
};

struct Choice {
  uint32_t index = 0;
  std::string role;
  std::string text;       // all visible text, concatenated in arrival order
  std::string reasoning;  // all readable reasoning text
  std::string reasoning_signature;
  std::string refusal;
  std::vector<ToolCall> tool_calls;  // in order of first appearance
  std::vector<Block> blocks;
  std::vector<std::string> citations;  // JSON objects (OpenRouter annotations, Anthropic citations)
  std::string finish_reason;  // normalized: stop, length, tool_calls, content_filter, error, ...
  std::string raw_finish_reason;  // as the provider said it (end_turn, max_tokens, ...)
  std::string stop_sequence;      // the matched stop sequence, when the provider reports it
  int64_t logprob_tokens = 0;     // how many tokens carried logprobs
};

struct Completion {
  std::string id;
  std::string model;
  std::string provider;         // upstream provider when a router names it (OpenRouter "provider")
  std::vector<Choice> choices;  // by index; choices[0] always exists once anything arrived
  Usage usage;
  Cost cost;
  // Metadata the stream carried, last value per key (format as in the kMetadata event).
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::string> warnings;
  Error error;             // the first error that ended (or broke) the stream
  bool finished = false;   // the provider's normal terminal signal arrived
  bool truncated = false;  // the body ended without it

  // The text of choice 0 ("" when nothing arrived yet).
  std::string_view text() const { return choices.empty() ? std::string_view() : choices[0].text; }
  const Choice* FindChoice(uint32_t index) const;
  std::string_view Metadata(std::string_view key) const;  // "" when absent
};

}  // namespace llmstream
