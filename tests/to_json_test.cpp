// The completion JSON's size bound (JsonSizeBound): never below what AppendJson writes, for every
// recorded stream and for hand-built completions made of the bytes that escape the most.
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

TEST(JsonSizeBound, CoversEveryRecordedCompletion) {
  for (const std::string& name : lt::FixtureFiles()) {
    SCOPED_TRACE(name);
    const std::string body = lt::ReadFixture(name);
    const lt::RunResult run =
        lt::RunStream(lt::OptionsForFixture(name), body, lt::Split{"whole", {body.size()}});
    const size_t written = WrittenSize(run.completion);
    EXPECT_GE(JsonSizeBound(run.completion), written);
    // A bound, not a guess: within a few KiB of the truth for small answers.
    EXPECT_LE(JsonSizeBound(run.completion), written + 64 * 1024);
  }
}

TEST(JsonSizeBound, CoversTheWorstEscapes) {
  // Every byte of these strings escapes: control bytes to \u00XX (6x), quotes to \" (2x).
  std::string controls;
  for (int i = 0; i < 4096; ++i) controls.push_back(static_cast<char>(i % 32));
  const std::string quotes(4096, '"');
  Completion completion;
  completion.id = controls;
  completion.metadata.emplace_back(controls, quotes);
  completion.warnings.push_back(controls);
  Choice& choice = completion.choices.emplace_back();
  choice.text = controls + quotes;
  choice.reasoning = controls;
  choice.refusal = quotes;
  choice.citations.push_back(quotes);
  ToolCall& call = choice.tool_calls.emplace_back();
  call.arguments = controls;
  call.name = quotes;
  Block& block = choice.blocks.emplace_back();
  block.text = controls;
  block.data = quotes;
  block.citations.push_back(controls);
  completion.error.code = ErrorCode::kProviderError;
  completion.error.message = controls;
  const size_t written = WrittenSize(completion);
  EXPECT_GE(JsonSizeBound(completion), written);
  EXPECT_GT(written, 6u * 4096 * 6);  // the strings above really were escaped
}

}  // namespace
}  // namespace llmstream
