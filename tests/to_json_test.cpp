// The completion JSON's size hint (JsonSizeHint): what the wasm build reserves before writing it.
// Never below what AppendJson writes for real answers, and near it for long ones.
#include "llmstream/to_json.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace llmstream
