// The completion JSON's size hint (JsonSizeHint): what the wasm build reserves before writing it.
// Never below what AppendJson writes for real answers, and near it for long ones. And the long
// strings a binding hands over by address (LongStringWriter): which ones, and shared views.
#include "llmstream/to_json.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

size_t WrittenSize(const Completion& completion) {
  std::string out;
  AppendJson(&out, completion);
  return out.size();
}

TEST(JsonSizeHint, CoversEveryRecordedCompletion) {
  for (const std::string& name : lt::FixtureFiles()) {
    SCOPED_TRACE(name);
    const std::string body = lt::ReadFixture(name);
    const lt::RunResult run =
        lt::RunStream(lt::OptionsForFixture(name), body, lt::Split{"whole", {body.size()}});
    const size_t written = WrittenSize(run.completion);
    EXPECT_GE(JsonSizeHint(run.completion), written);
    // Within a few KiB of the truth for small answers.
    EXPECT_LE(JsonSizeHint(run.completion), written + 64 * 1024);
  }
}

TEST(JsonSizeHint, IsNearTheSizeOfALongAnswer) {
  Completion completion;
  Choice& choice = completion.choices.emplace_back();
  for (int i = 0; i < 20000; ++i) choice.text += "a line of text, \"quoted\" once.\n";
  ToolCall& call = choice.tool_calls.emplace_back();
  for (int i = 0; i < 5000; ++i) call.arguments += R"({"key":"value"},)";
  const size_t written = WrittenSize(completion);
  EXPECT_GE(JsonSizeHint(completion), written);
  EXPECT_LE(JsonSizeHint(completion), written + written / 4);
}

// Records every long string it is given and writes "@N" for the N-th, so the test can see which
// strings went by reference and whether two references are one view.
class RecordingWriter final : public LongStringWriter {
 public:
  void Write(std::string* out, std::string_view text) const override {
    out->append("\"@" + std::to_string(written.size()) + "\"");
    written.push_back(text);
  }
  mutable std::vector<std::string_view> written;
};

// AppendJson with a RecordingWriter for strings of `min_bytes` or more: the strings it was given.
std::vector<std::string_view> LongStringsOf(const Completion& completion, size_t min_bytes,
                                            std::string* out, RecordingWriter* writer) {
  writer->min_bytes = min_bytes;
  writer->written.clear();
  AppendJson(out, completion, *writer);
  return writer->written;
}

TEST(LongStringWriter, TakesEveryLongStringAndNothingShorter) {
  const std::string long_text(5000, 't');
  Completion completion;
  completion.id = std::string(5000, 'i');  // not one of the long-string members: quoted
  Choice& choice = completion.choices.emplace_back();
  choice.text = long_text;
  choice.reasoning = std::string(4999, 'r');  // one byte short
  choice.refusal = std::string(6000, 'f');
  choice.reasoning_signature = std::string(7000, 's');
  choice.tool_calls.emplace_back().arguments = std::string(8000, 'a');
  Block& text_block = choice.blocks.emplace_back();
  text_block.text = long_text;  // the same text as the choice's, in its own string
  Block& data_block = choice.blocks.emplace_back();
  data_block.data = std::string(9000, 'd');
  data_block.signature = std::string(9001, 'g');

  std::string out;
  RecordingWriter writer;
  const std::vector<std::string_view> long_strings = LongStringsOf(completion, 5000, &out, &writer);

  // The top-level text (choice 0's), then the choice's text, signature, refusal, arguments, the
  // text block, the data block's signature and data.
  ASSERT_EQ(long_strings.size(), 8u) << out;
  EXPECT_EQ(long_strings[0].data(), choice.text.data());
  EXPECT_EQ(long_strings[1].data(), choice.text.data());
  EXPECT_EQ(long_strings[2].data(), choice.reasoning_signature.data());
  EXPECT_EQ(long_strings[3].data(), choice.refusal.data());
  EXPECT_EQ(long_strings[4].data(), choice.tool_calls[0].arguments.data());
  // The block's text equals its choice's: handed over as the choice's view, one string for JS.
  EXPECT_EQ(long_strings[5].data(), choice.text.data());
  EXPECT_EQ(long_strings[6].data(), data_block.signature.data());
  EXPECT_EQ(long_strings[7].data(), data_block.data.data());
  EXPECT_NE(out.find("\"text\":\"@0\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"reasoning\":\"" + choice.reasoning + "\""), std::string::npos);
  EXPECT_NE(out.find("\"id\":\"" + completion.id + "\""), std::string::npos);
  EXPECT_LT(out.size(), 5000u + 4999u + 4999u + 1024u);  // id and the two reasonings, quoted
  // The size hint counts a reference, not the string.
  EXPECT_GE(JsonSizeHint(completion, &writer), out.size());
  EXPECT_LT(JsonSizeHint(completion, &writer), out.size() + 16 * 1024);
}

TEST(LongStringWriter, ABlockEqualToTheReasoningSharesItsView) {
  Completion completion;
  Choice& choice = completion.choices.emplace_back();
  choice.reasoning = std::string(100, 'r');
  choice.text = std::string(100, 't');
  Block& thinking = choice.blocks.emplace_back();
  thinking.text = choice.reasoning;
  Block& other = choice.blocks.emplace_back();
  other.text = std::string(100, 'x');  // equal to neither: its own view
  std::string out;
  RecordingWriter writer;
  const std::vector<std::string_view> long_strings = LongStringsOf(completion, 100, &out, &writer);
  // top text, top reasoning, choice text, choice reasoning, the thinking block, the other block
  ASSERT_EQ(long_strings.size(), 6u) << out;
  EXPECT_EQ(long_strings[4].data(), choice.reasoning.data());
  EXPECT_EQ(long_strings[5].data(), other.text.data());
}

}  // namespace
}  // namespace llmstream
