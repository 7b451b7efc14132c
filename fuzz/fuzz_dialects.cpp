// Differential fuzz target for the dialects: arbitrary bytes are fed to every wire API, whole and
// in reads cut by the first input byte, with the chunk-template shortcut on and off. The event
// sequences must be identical (split invariance + shortcut == full parse), and nothing may crash.
// Besides the SSE APIs: Gemini's streamed JSON array and Bedrock's event-stream, whose framers
// hand payloads to the template directly (framing::PayloadShortcut).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/stream.h"

namespace {

struct Owned {
  llmstream::EventKind kind;
  uint8_t part;
  uint32_t choice, block;
  std::string text, id, name;
  bool operator==(const Owned&) const = default;
};

std::vector<Owned> Run(const llmstream::StreamOptions& options, std::string_view body,
                       size_t read_size) {
  llmstream::Stream stream(options);
  std::vector<Owned> events;
  auto keep = [&](std::span<const llmstream::Event> batch) {
    for (const llmstream::Event& e : batch) {
      events.push_back({e.kind, e.part, e.choice, e.block, std::string(e.text), std::string(e.id),
                        std::string(e.name)});
    }
  };
  for (size_t at = 0; at < body.size(); at += read_size)
    keep(stream.Feed(body.substr(at, read_size), 0));
  keep(stream.Finish(0));
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t read_size = 1 + data[0] % 64;
  using llmstream::Framing;
  using llmstream::WireApi;
  static constexpr std::pair<WireApi, Framing> kWires[] = {
      {WireApi::kChatCompletions, Framing::kSse},
      {WireApi::kAnthropicMessages, Framing::kSse},
      {WireApi::kResponses, Framing::kSse},
      {WireApi::kGeminiGenerateContent, Framing::kJsonArray},
      {WireApi::kBedrockConverse, Framing::kAwsEventStream}};
  const auto [api, framing] = kWires[data[1] % std::size(kWires)];
  std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  llmstream::StreamOptions fast;
  fast.api = api;
  fast.framing = framing;
  llmstream::StreamOptions slow = fast;
  slow.chunk_templates = false;
  const std::vector<Owned> reference = Run(slow, body, body.size() + 1);
  if (Run(fast, body, body.size() + 1) != reference) std::abort();
  const std::vector<Owned> split = Run(fast, body, read_size);
  if (split != reference) {
    for (size_t i = 0; i < std::max(split.size(), reference.size()); ++i) {
      if (i >= split.size() || i >= reference.size() || !(split[i] == reference[i])) {
        auto show = [](const Owned& e) {
          return std::to_string(int(e.kind)) + "/" + std::to_string(e.choice) + "/" +
                 std::to_string(e.block) + "/" + e.id + "/" + e.name + "/" + e.text;
        };
        std::fprintf(stderr, "read size %zu api %d: event %zu differs: %s vs %s\n", read_size,
                     int(api), i, i < split.size() ? show(split[i]).c_str() : "(none)",
                     i < reference.size() ? show(reference[i]).c_str() : "(none)");
        break;
      }
    }
    std::abort();
  }
  return 0;
}
