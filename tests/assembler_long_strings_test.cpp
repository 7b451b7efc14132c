// Long strings in the Assembler (issue 13 item 2): past Assembler::kInlineBytes a string grows
// in pieces instead of doubling, and result() completes it. Oracle: the deltas joined by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "assembler/assembler.h"
#include "stream/emitter.h"

namespace llmstream {
namespace {

constexpr size_t kInline = Assembler::kInlineBytes;

// Deltas of 1..4999 bytes (multi-byte UTF-8 included, cut anywhere), `total` bytes in all.
std::vector<std::string> Deltas(size_t total, uint32_t seed) {
  static const std::string alphabet = "abc \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n\"{}";
  std::vector<std::string> deltas;
  size_t made = 0;
  while (made < total) {
    seed = seed * 1664525u + 1013904223u;
    const size_t size = std::min<size_t>(total - made, 1 + (seed >> 8) % 4999);
    std::string delta;
    for (size_t i = 0; i < size; ++i) delta.push_back(alphabet[(seed + i * 7) % alphabet.size()]);
    made += size;
    deltas.push_back(std::move(delta));
  }
  return deltas;
}

Event Delta(EventKind kind, std::string_view text, uint32_t block = 0) {
  Event event;
  event.kind = kind;
  event.block = block;
  event.text = text;
  return event;
}

size_t PendingCount(const Assembler& assembler) {
  size_t count = 0;
  assembler.ForEachPending([&](const std::string&, const TextPieces&) { ++count; });
  return count;
}

TEST(AssemblerLongStrings, TextPastTheInlineSizeGrowsInPiecesAndIsCompletedOnRequest) {
  Assembler assembler;
  std::string want;
  for (const std::string& delta : Deltas(3 * kInline + 12345, 1)) {
    assembler.Apply(Delta(EventKind::kText, delta));
    want += delta;
  }
  // Inline: exactly kInlineBytes, never doubled past it; the rest is one tail of full pieces.
  const std::string& inline_text = assembler.facts().choices[0].text;
  EXPECT_EQ(inline_text, want.substr(0, kInline));
  EXPECT_LT(inline_text.capacity(), 2 * kInline);  // a doubling string would be at 4 MiB
  size_t tails = 0;
  assembler.ForEachPending([&](const std::string& string, const TextPieces& tail) {
    ++tails;
    EXPECT_EQ(&string, &assembler.facts().choices[0].text);
    std::string joined;
    for (const std::string& piece : tail.pieces()) {
      if (&piece != &tail.pieces().back()) {
        EXPECT_EQ(piece.size(), TextPieces::kPieceBytes);
      }
      EXPECT_LT(piece.capacity(), TextPieces::kPieceBytes + 64);  // libc++ rounds up to 16
      joined += piece;
    }
    EXPECT_EQ(joined, want.substr(kInline));
    EXPECT_EQ(tail.size(), want.size() - kInline);
  });
  EXPECT_EQ(tails, 1u);

  EXPECT_EQ(assembler.result().text(), want);  // completed
  EXPECT_EQ(PendingCount(assembler), 0u);
  // Deltas after that keep their order (a new tail after the completed string).
  for (const std::string& delta : Deltas(kInline / 2, 2)) {
    assembler.Apply(Delta(EventKind::kText, delta));
    want += delta;
  }
  EXPECT_EQ(PendingCount(assembler), 1u);
  EXPECT_EQ(assembler.result().text(), want);
}

TEST(AssemblerLongStrings, ADeltaCrossingTheInlineSizeIsCutThere) {
  Assembler assembler;
  const std::string first(kInline - 3, 'a');
  const std::string crossing = "bbbbbbbb";  // 3 bytes fit inline, 5 go to the tail
  assembler.Apply(Delta(EventKind::kText, first));
  assembler.Apply(Delta(EventKind::kText, crossing));
  assembler.Apply(Delta(EventKind::kText, "c"));  // would fit inline by size if not filled
  EXPECT_EQ(assembler.facts().choices[0].text.size(), kInline);
  EXPECT_EQ(assembler.result().text(), first + crossing + "c");
}

TEST(AssemblerLongStrings, ReasoningAndBlockTextsHaveTheirOwnTails) {
  Assembler assembler;
  Event thinking;
  thinking.kind = EventKind::kBlockStart;
  thinking.block = 0;
  thinking.name = "thinking";
  assembler.Apply(thinking);
  Event text_block = thinking;
  text_block.block = 1;
  text_block.name = "text";
  std::string reasoning, text;
  for (const std::string& delta : Deltas(kInline + 777, 3)) {
    Event event = Delta(EventKind::kReasoning, delta, 0);
    event.part = static_cast<uint8_t>(ReasoningPart::kText);
    assembler.Apply(event);
    reasoning += delta;
  }
  assembler.Apply(text_block);
  for (const std::string& delta : Deltas(2 * kInline + 5, 4)) {
    assembler.Apply(Delta(EventKind::kText, delta, 1));
    text += delta;
  }
  EXPECT_EQ(PendingCount(assembler), 4u);  // reasoning, block 0, text, block 1
  const Completion& result = assembler.result();
  EXPECT_EQ(result.choices[0].reasoning, reasoning);
  EXPECT_EQ(result.choices[0].text, text);
  ASSERT_EQ(result.choices[0].blocks.size(), 2u);
  EXPECT_EQ(result.choices[0].blocks[0].text, reasoning);
  EXPECT_EQ(result.choices[0].blocks[1].text, text);
}

TEST(AssemblerLongStrings, AToolCallEndCarriesItsWholeArguments) {
  for (bool whole_from_provider : {false, true}) {
    Assembler assembler;
    Event start;
    start.kind = EventKind::kToolCallStart;
    start.block = 4;
    start.id = "call_1";
    start.name = "f";
    assembler.Apply(start);
    std::string arguments = "[";
    assembler.Apply(Delta(EventKind::kToolCallDelta, "[", 4));
    for (const std::string& delta : Deltas(kInline + kInline / 3, 5)) {
      assembler.Apply(Delta(EventKind::kToolCallDelta, delta, 4));
      arguments += delta;
    }
    EXPECT_EQ(PendingCount(assembler), 1u);
    Emitter out;
    if (whole_from_provider) {
      // A provider that sends the whole arguments at the end: they replace the deltas', the
      // pending tail included.
      out.EmitToolCallEnd(0, 4, "call_1", "f", R"({"a":1})");
      assembler.Apply(out.events().back());
      EXPECT_EQ(assembler.result().choices[0].tool_calls[0].arguments, R"({"a":1})");
      continue;
    }
    out.EmitToolCallEnd(0, 4, "call_1", "f");
    Event end = out.events().back();
    EXPECT_FALSE(assembler.ResolveToolCallEnd(end, out));  // "[..." is not JSON
    EXPECT_EQ(end.text, arguments);                        // the whole, in one view
    assembler.Apply(end);
    EXPECT_EQ(PendingCount(assembler), 0u);
    EXPECT_EQ(assembler.facts().choices[0].tool_calls[0].arguments, arguments);
  }
}

TEST(AssemblerLongStrings, ResetForgetsTheTails) {
  Assembler assembler;
  for (const std::string& delta : Deltas(kInline + 10, 6)) {
    assembler.Apply(Delta(EventKind::kText, delta));
  }
  assembler.Reset();
  EXPECT_EQ(PendingCount(assembler), 0u);
  assembler.Apply(Delta(EventKind::kText, "fresh"));
  EXPECT_EQ(assembler.result().text(), "fresh");
}

}  // namespace
}  // namespace llmstream
