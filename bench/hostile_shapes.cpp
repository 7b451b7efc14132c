// Hostile stream shapes against the core: each adversarial shape is generated at the same size
// as a benign stream of its dialect and fed through a Session (the native client's and the wasm
// build's path) in 1-16 KiB reads. Prints time per byte, its ratio to the benign stream's, and
// the peak heap against the size of the assembled content. The target (issue 13): every shape
// costs time linear in its bytes, at most ~2x a benign stream of the same size, and peak memory
// at most ~2x the assembled text and tool arguments. Then SafeMarkdown: the hostile Markdown
// shapes of its cost test (tests/support/markdown_shapes.h: closers that never come, deep
// nesting), N/8 MiB each, rendered at once, next to benign prose of the same size. Never asserts:
// figures go to bench/README.md ("Hostile shapes").
//
//   hostile_shapes [--mib N] [--only NAME]     (default 4 MiB per stream; --only markdown: all
//                                               the Markdown shapes)
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "llmstream/session.h"
#include "llmstream/transforms/safe_markdown.h"
#include "support/markdown_shapes.h"

namespace {

// Live and peak heap bytes, counted in operator new / delete.
size_t g_live = 0;
size_t g_peak = 0;

using Generator = std::function<std::string(size_t bytes)>;

struct Shape {
  const char* name;
  llmstream::WireApi api;
  const char* benign;  // the shape of the same dialect it is compared with
  Generator generate;
};

std::string Event(std::string_view data) {
  std::string out = "data: ";
  out.append(data);
  out.append("\n\n");
  return out;
}

std::string AnthropicEvent(std::string_view type, std::string_view data) {
  std::string out = "event: ";
  out.append(type);
  out.append("\ndata: ");
  out.append(data);
  out.append("\n\n");
  return out;
}

// Repeats make(i) until `bytes`, then appends `tail`.
std::string Repeat(size_t bytes, const std::function<std::string(size_t)>& make,
                   std::string_view head, std::string_view tail) {
  std::string out(head);
  for (size_t i = 0; out.size() < bytes; ++i) out += make(i);
  out.append(tail);
  return out;
}

const char* kChatDone = "data: [DONE]\n\n";
const char* kChunkHead = R"({"id":"c1","object":"chat.completion.chunk","model":"m","choices":[)";

std::string ChatText(size_t bytes) {
  return Repeat(
      bytes,
      [](size_t) {
        return Event(std::string(kChunkHead) + R"({"index":0,"delta":{"content":"word "}}]})");
      },
      "",
      Event(std::string(kChunkHead) + R"({"index":0,"delta":{},"finish_reason":"stop"}]})") +
          kChatDone);
}

std::string ChatToolArgs(size_t bytes) {
  std::string head = Event(
      std::string(kChunkHead) +
      R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]})");
  return Repeat(
      bytes,
      [](size_t) {
        return Event(
            std::string(kChunkHead) +
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1} "}}]}}]})");
      },
      head,
      Event(std::string(kChunkHead) + R"({"index":0,"delta":{},"finish_reason":"tool_calls"}]})") +
          kChatDone);
}

// One event carrying all the text: the benign shape of the same size as one huge hostile event.
std::string ChatTextOneEvent(size_t bytes) {
  std::string text;
  while (text.size() + 128 < bytes) text += "word ";
  return Event(std::string(kChunkHead) + R"({"index":0,"delta":{"content":")" + text +
               R"("},"finish_reason":"stop"}]})") +
         kChatDone;
}

// One event with as many distinct unknown top-level keys as fit.
std::string ChatManyKeysOneEvent(size_t bytes) {
  std::string data = R"({"id":"c1","object":"chat.completion.chunk","choices":[])";
  for (size_t i = 0; data.size() + 16 < bytes; ++i) data += ",\"k" + std::to_string(i) + "\":0";
  data += "}";
  return Event(data) + kChatDone;
}

// Every event a new unknown key.
std::string ChatNewKeyPerEvent(size_t bytes) {
  return Repeat(
      bytes,
      [](size_t i) {
        return Event(std::string(R"({"id":"c1","object":"chat.completion.chunk","x)") +
                     std::to_string(i) + R"(":1,"choices":[{"index":0,"delta":{"content":"w"}}]})");
      },
      "", kChatDone);
}

// Every event a new choice index.
std::string ChatNewChoicePerEvent(size_t bytes) {
  return Repeat(
      bytes,
      [](size_t i) {
        return Event(std::string(kChunkHead) + R"({"index":)" + std::to_string(i) +
                     R"(,"delta":{"content":"w"}}]})");
      },
      "", kChatDone);
}

// Every event a new tool call, then (same stream) deltas to the first one.
std::string ChatNewToolCallPerEvent(size_t bytes) {
  std::string out = Repeat(
      bytes / 2,
      [](size_t i) {
        return Event(std::string(kChunkHead) + R"({"index":0,"delta":{"tool_calls":[{"index":)" +
                     std::to_string(i) +
                     R"(,"id":"c","function":{"name":"f","arguments":"{"}}]}}]})");
      },
      "", "");
  out += Repeat(
      bytes - out.size(),
      [](size_t) {
        return Event(
            std::string(kChunkHead) +
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1"}}]}}]})");
      },
      "", "");
  return out + kChatDone;
}

const char* kAnthropicHead =
    "event: message_start\ndata: "
    R"({"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":1,"output_tokens":1}}})"
    "\n\n";
const char* kAnthropicTail =
    "event: message_delta\ndata: "
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}})"
    "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

std::string AnthropicText(size_t bytes) {
  std::string head =
      std::string(kAnthropicHead) +
      AnthropicEvent(
          "content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
  return Repeat(
      bytes,
      [](size_t) {
        return AnthropicEvent(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word "}})");
      },
      head, kAnthropicTail);
}

// Blocks opened and never stopped, then deltas to the first one.
std::string AnthropicOpenBlocks(size_t bytes) {
  std::string out = Repeat(
      bytes / 2,
      [](size_t i) {
        return AnthropicEvent("content_block_start",
                              R"({"type":"content_block_start","index":)" + std::to_string(i) +
                                  R"(,"content_block":{"type":"text","text":""}})");
      },
      kAnthropicHead, "");
  out += Repeat(
      bytes - out.size(),
      [](size_t) {
        return AnthropicEvent(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word "}})");
      },
      "", "");
  return out + kAnthropicTail;
}

// Every delta a new unknown delta type.
std::string AnthropicNewDeltaTypes(size_t bytes) {
  std::string head =
      std::string(kAnthropicHead) +
      AnthropicEvent(
          "content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
  return Repeat(
      bytes,
      [](size_t i) {
        return AnthropicEvent("content_block_delta",
                              R"({"type":"content_block_delta","index":0,"delta":{"type":"t)" +
                                  std::to_string(i) + R"(","text":"w"}})");
      },
      head, kAnthropicTail);
}

const char* kResponsesTail =
    "event: response.completed\ndata: "
    R"({"type":"response.completed","response":{"id":"r1","status":"completed","usage":{"input_tokens":1,"output_tokens":2}}})"
    "\n\n";

std::string ResponsesText(size_t bytes) {
  std::string head = AnthropicEvent(
      "response.output_item.added",
      R"({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"i0"}})");
  return Repeat(
      bytes,
      [](size_t) {
        return AnthropicEvent(
            "response.output_text.delta",
            R"({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"word "})");
      },
      head, kResponsesTail);
}

// Items opened and never closed, then deltas to the first one.
std::string ResponsesOpenItems(size_t bytes) {
  std::string out = Repeat(
      bytes / 2,
      [](size_t i) {
        return AnthropicEvent("response.output_item.added",
                              R"({"type":"response.output_item.added","output_index":)" +
                                  std::to_string(i) + R"(,"item":{"type":"message","id":"i"}})");
      },
      "", "");
  out += Repeat(
      bytes - out.size(),
      [](size_t) {
        return AnthropicEvent(
            "response.output_text.delta",
            R"({"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":"word "})");
      },
      "", "");
  return out + kResponsesTail;
}

const Shape kShapes[] = {
    {"chat-text", llmstream::WireApi::kChatCompletions, "chat-text", ChatText},
    {"chat-tool-args", llmstream::WireApi::kChatCompletions, "chat-text", ChatToolArgs},
    {"chat-text-one-event", llmstream::WireApi::kChatCompletions, "chat-text-one-event",
     ChatTextOneEvent},
    {"chat-many-keys-one-event", llmstream::WireApi::kChatCompletions, "chat-text-one-event",
     ChatManyKeysOneEvent},
    {"chat-new-key-per-event", llmstream::WireApi::kChatCompletions, "chat-text",
     ChatNewKeyPerEvent},
    {"chat-new-choice-per-event", llmstream::WireApi::kChatCompletions, "chat-text",
     ChatNewChoicePerEvent},
    {"chat-new-tool-call-per-event", llmstream::WireApi::kChatCompletions, "chat-text",
     ChatNewToolCallPerEvent},
    {"anthropic-text", llmstream::WireApi::kAnthropicMessages, "anthropic-text", AnthropicText},
    {"anthropic-open-blocks", llmstream::WireApi::kAnthropicMessages, "anthropic-text",
     AnthropicOpenBlocks},
    {"anthropic-new-delta-types", llmstream::WireApi::kAnthropicMessages, "anthropic-text",
     AnthropicNewDeltaTypes},
    {"responses-text", llmstream::WireApi::kResponses, "responses-text", ResponsesText},
    {"responses-open-items", llmstream::WireApi::kResponses, "responses-text", ResponsesOpenItems},
};

struct Run {
  double ns_per_byte = 0;
  size_t peak_heap = 0;
  size_t content = 0;  // assembled text + reasoning + tool arguments
  std::string ending;  // the error code that ended it, or "done"
};

Run Feed(const Shape& shape, const std::string& body) {
  llmstream::SessionOptions options;
  options.provider.provider = shape.api == llmstream::WireApi::kAnthropicMessages
                                  ? llmstream::Provider::kAnthropic
                                  : llmstream::Provider::kOpenAI;
  options.provider.api_key = "bench";
  options.provider.api = shape.api;
  options.request.model = "bench";
  options.request.prompt = "bench";
  const size_t live_before = g_live;
  g_peak = g_live;
  const auto start = std::chrono::steady_clock::now();
  Run run;
  {
    llmstream::Session session(std::move(options));
    session.Poll(0);
    session.OnResponse(200, {{"content-type", "text/event-stream"}}, 0);
    uint32_t state = 12345;
    for (size_t at = 0; at < body.size();) {
      state = state * 1103515245u + 12345u;
      size_t n = std::min<size_t>(body.size() - at, 1024 + (state >> 8) % (15 * 1024));
      session.OnBody(std::string_view(body).substr(at, n), 1);
      at += n;
    }
    session.OnEnd(2);
    session.Poll(2);
    const llmstream::Completion& result = session.result();
    for (const llmstream::Choice& choice : result.choices) {
      run.content += choice.text.size() + choice.reasoning.size();
      for (const llmstream::ToolCall& call : choice.tool_calls)
        run.content += call.arguments.size();
    }
    run.ending = result.error.code != llmstream::ErrorCode::kNone
                     ? std::string(llmstream::ErrorCodeName(result.error.code))
                     : "done";
    run.peak_heap = g_peak - live_before;
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  run.ns_per_byte = ns / static_cast<double>(body.size());
  return run;
}

Run Best(const Shape& shape, const std::string& body, int runs) {
  Run best = Feed(shape, body);
  for (int i = 1; i < runs; ++i) {
    Run run = Feed(shape, body);
    if (run.ns_per_byte < best.ns_per_byte) best = run;
  }
  return best;
}

// The text rendered at once, best of `runs`.
Run RenderMarkdown(const std::string& text, int runs) {
  Run best;
  for (int i = 0; i < runs; ++i) {
    const size_t live_before = g_live;
    g_peak = g_live;
    const auto start = std::chrono::steady_clock::now();
    Run run;
    {
      llmstream::SafeMarkdown markdown;
      llmstream::TextChunks out;
      markdown.Push(text, 0, &out);
      markdown.Flush(0, &out);
      run.content = out.text().size();
      run.peak_heap = g_peak - live_before;
    }
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    run.ns_per_byte = ns / static_cast<double>(text.size());
    if (i == 0 || run.ns_per_byte < best.ns_per_byte) best = run;
  }
  return best;
}

}  // namespace

void* operator new(size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (!p) std::abort();
  g_live += malloc_usable_size(p);
  g_peak = std::max(g_peak, g_live);
  return p;
}
void operator delete(void* p) noexcept {
  if (p) g_live -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

int main(int argc, char** argv) {
  size_t mib = 4;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mib") == 0 && i + 1 < argc) {
      mib = std::strtoul(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: hostile_shapes [--mib N] [--only NAME]\n");
      return 2;
    }
  }
  const size_t bytes = mib << 20;
  // Markdown: the benign prose first, the hostile shapes compared with it.
  std::vector<llmstream::testing::HostileMarkdownShape> markdown = {
      {"markdown prose", "Some *words*, `code` and a [link](https://x.test/a \"t\").\n"}};
  for (const auto& shape : llmstream::testing::HostileMarkdownShapes()) {
    if (only.empty() || only == "markdown" || only == shape.name) markdown.push_back(shape);
  }
  const bool streams = only.empty() || markdown.size() == 1;
  std::printf("%-30s %10s %9s %8s %10s %10s %s\n", "shape", "bytes", "ns/byte", "x benign",
              "peak MiB", "content", "ended");
  std::vector<std::pair<std::string, double>> benign;
  for (const Shape& shape : kShapes) {
    if (!streams) break;
    if (!only.empty() && only != shape.name && std::strcmp(shape.benign, shape.name) != 0) continue;
    const std::string body = shape.generate(bytes);
    const Run run = Best(shape, body, 3);
    double base = run.ns_per_byte;
    for (const auto& [name, value] : benign) {
      if (name == shape.benign) base = value;
    }
    if (std::strcmp(shape.benign, shape.name) == 0)
      benign.emplace_back(shape.name, run.ns_per_byte);
    std::printf("%-30s %10zu %9.2f %8.2f %10.2f %10zu %s\n", shape.name, body.size(),
                run.ns_per_byte, run.ns_per_byte / base,
                static_cast<double>(run.peak_heap) / (1 << 20), run.content, run.ending.c_str());
    std::fflush(stdout);
  }
  if (markdown.size() == 1) return 0;
  std::printf("\n%-40s %10s %9s %8s %10s %10s\n", "markdown shape", "bytes", "ns/byte", "x prose",
              "peak MiB", "html");
  double prose = 0;
  for (const auto& shape : markdown) {
    const std::string text = shape.Make(bytes / 8);
    const Run run = RenderMarkdown(text, 3);
    if (prose == 0) prose = run.ns_per_byte;
    std::printf("%-40s %10zu %9.2f %8.2f %10.2f %10zu\n", shape.name, text.size(), run.ns_per_byte,
                run.ns_per_byte / prose, static_cast<double>(run.peak_heap) / (1 << 20),
                run.content);
    std::fflush(stdout);
  }
  return 0;
}
