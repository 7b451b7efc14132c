// Huge events (a base64 image, one giant delta) that straddle reads: the Stream keeps the SSE
// parser's buffer for the batch instead of copying it (SseParser::TakeEventData,
// Emitter::Hold). Whatever the split, the events and the result must be those of the whole body,
// raw events included; the expected texts are built here, not read back from the code.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

std::string ChatText(const std::string& text) {
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
         "\"delta\":{\"content\":\"" +
         text + "\"}}]}\n\n";
}

TEST(StreamHugeEvents, EverySplitGivesTheWholeBodysEventsAndText) {
  const std::string first(200 * 1024, 'a');
  const std::string second(100 * 1024, 'b');
  const std::string body = ChatText("start ") + ChatText(first) + ChatText(second) +
                           ChatText(" end") + "data: [DONE]\n\n";
  StreamOptions options;
  options.api = WireApi::kChatCompletions;
  for (const bool raw : {false, true}) {
    SCOPED_TRACE(raw ? "raw events" : "no raw events");
    options.raw_events = raw;
    const lt::RunResult run = lt::RunEverySplit(options, body);
    EXPECT_EQ(run.completion.text(), "start " + first + second + " end");
    // The same in reads of 1000 bytes, where both huge events straddle many reads.
    std::vector<size_t> sizes(body.size() / 1000, 1000);
    sizes.push_back(body.size() % 1000);
    const lt::RunResult split = lt::RunStream(options, body, lt::Split{"1000", sizes});
    EXPECT_EQ(split.completion.text(), run.completion.text());
    if (raw) {
      size_t huge_raw = 0;
      for (const lt::OwnedEvent& event : split.events) {
        if (event.kind == EventKind::kRaw && event.text.size() > first.size()) ++huge_raw;
      }
      EXPECT_EQ(huge_raw, 1u);  // the first huge event's data, whole
    }
  }
}

}  // namespace
}  // namespace llmstream
