// JSON of the library's values, in the shapes the npm package's chunks use (camelCase keys):
// what the wasm build hands to JS, what the CLI prints with --json, what metrics embed. Strings
// are repaired to valid UTF-8, so the output always parses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/request.h"
#include "llmstream/usage.h"

namespace llmstream {

// {promptTokens, completionTokens, totalTokens, cachedTokens, cacheWriteTokens, reasoningTokens,
//  estimated}; unknown counts are null, totalTokens is always a number.
void AppendJson(std::string* out, const Usage& usage);
// {totalUsd, inputUsd, cachedInputUsd, cacheWriteUsd, outputUsd, source, estimated, priceDate};
// source is "provider", "price_table", "estimated" or "none"; priceDate null when unknown.
void AppendJson(std::string* out, const Cost& cost);
// {code, message, status, providerType, retryAfterMs}; code is ErrorCodeName, status null when
// there was no HTTP status.
void AppendJson(std::string* out, const Error& error);
// The assembled completion: {id, model, provider, text, reasoning, finishReason, choices: [...],
// usage, cost, metadata, warnings, error, finished, truncated} (npm/src/core/README.md).
void AppendJson(std::string* out, const Completion& completion);

// How a binding that can hand bytes over by address writes the long strings of a completion
// (the wasm build: a [pointer, length] pair that JS decodes straight from wasm memory, instead of
// a quoted copy that a heap which never shrinks would keep for good). Applies to the text,
// reasoning, refusal and signature strings, tool-call arguments, and block text and data of at
// least `min_bytes`. A block's text the writer calls the Same as its choice's text (or
// reasoning) is passed as the choice's, so equal views mean one string for the reader.
class LongStringWriter {
 public:
  virtual ~LongStringWriter() = default;
  // Appends one JSON value, of at most ReferenceBytes(text), that stands for `text`.
  virtual void Write(std::string* out, std::string_view text) const = 0;
  virtual size_t ReferenceBytes(std::string_view /*text*/) const { return 32; }
  // Whether two long strings hold the same value (a writer that knows more of a string than its
  // view compares that too).
  virtual bool Same(std::string_view a, std::string_view b) const { return a == b; }

  size_t min_bytes = 0;
};
void AppendJson(std::string* out, const Completion& completion,
                const LongStringWriter& long_strings);

// About the size AppendJson(out, completion[, *long_strings]) appends (a little more unless the
// text is full of escapes): reserving it first means one allocation of the final size instead of
// a doubling series, whose freed steps a wasm heap cannot give back.
size_t JsonSizeHint(const Completion& completion, const LongStringWriter* long_strings = nullptr);
// {method, url, headers: [[name, value], ...], body}
void AppendJson(std::string* out, const HttpRequest& request);
// One event, as the CLI prints it with --json: {type, choice, block, text?, id?, name?, usage?,
// cost?, error?} (type is EventKindName; a retry adds attempt and delayMs); a raw provider event
// (kRaw) is {type: "raw", event, data}.
void AppendJson(std::string* out, const Event& event);
// One conversation turn in the npm package's message shape (npm/src/index.d.ts, Message):
// {role, content, name?, toolCallId?, toolCalls?: [{id, name, arguments}], isError?,
//  parts?: [{type, text?, signature?, data?, id?, blockType?, toolCall?}],
//  origin?: {provider, api}}. `type` is PartKindName, `origin` ProviderName / WireApiName;
// empty members are left out (role and content never), `arguments` is the JSON text as the model
// wrote it. platform/wasm/options.cpp reads the same shape back (`messages`).
void AppendJson(std::string* out, const Message& message);
// The same, with content, part text / signature / data and arguments of at least
// `long_strings.min_bytes` written by `long_strings` (LongStringWriter, above).
void AppendJson(std::string* out, const Message& message, const LongStringWriter& long_strings);

}  // namespace llmstream
