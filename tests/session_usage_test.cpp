// Usage estimates and per-session usage sums (core/src/session/usage_estimate.h).
#include <gtest/gtest.h>

#include "session/usage_estimate.h"

namespace llmstream::session_internal {
namespace {

TEST(SessionUsage, TokensAreCodePointsOverFourRoundedUp) {
  EXPECT_EQ(CountCodePoints("h\xC3\xA9llo"), 5);  // é is one character
  EXPECT_EQ(CountCodePoints("\xF0\x9F\x98\x80"), 1);
  EXPECT_EQ(TokensForChars(0), 0);
  EXPECT_EQ(TokensForChars(1), 1);
  EXPECT_EQ(TokensForChars(4), 1);
  EXPECT_EQ(TokensForChars(5), 2);
}

TEST(SessionUsage, RequestCharsCountEveryTextPart) {
  CompletionRequest request;
  request.model = "m";
  request.system = "sys";                                                                      // 3
  request.prompt = "prompt";                                                                   // 6
  request.messages.push_back(Message{.role = "user", .content = "hello"});                     // 5
  Message assistant{.role = "assistant", .content = "ok"};                                     // 2
  assistant.tool_calls.push_back(ToolCallRequest{.id = "c", .name = "f", .arguments = "{}"});  // 3
  request.messages.push_back(assistant);
  request.tools.push_back(ToolDefinition{
      .name = "f", .description = "does", .parameters_json = R"({"type":"object"})"});  // 1+4+17
  EXPECT_EQ(RequestChars(request), 3 + 6 + 5 + 2 + 3 + 1 + 4 + 17);
}

TEST(SessionUsage, ContentJsonCountsTextNotImages) {
  CompletionRequest request;
  Message message{.role = "user"};
  message.content_json = R"([{"type":"text","text":"abcd"},)"
                         R"({"type":"image","source":{"type":"base64","data":"AAAAAAAAAAAA"}}])";
  request.messages.push_back(message);
  EXPECT_EQ(RequestChars(request), 4);
}

TEST(SessionUsage, OutputCharsCountGeneratedText) {
  Completion completion;
  Choice& choice = completion.choices.emplace_back();
  choice.text = "abcd";
  choice.reasoning = "think";
  choice.refusal = "no";
  ToolCall& call = choice.tool_calls.emplace_back();
  call.name = "f";
  call.arguments = R"({"a":1})";
  EXPECT_EQ(OutputChars(completion), 4 + 5 + 2 + 1 + 7);
}

TEST(SessionUsage, EstimateKeepsReportedInputAndEstimatesOutput) {
  CompletionRequest request;
  request.prompt = std::string(40, 'x');
  Completion output;
  output.choices.emplace_back().text = std::string(9, 'y');
  output.choices[0].reasoning = "abcde";

  const Usage fresh = EstimateUsage(request, output, Usage{});
  EXPECT_TRUE(fresh.estimated);
  EXPECT_EQ(fresh.input_tokens, 10);
  EXPECT_EQ(fresh.output_tokens, 4);  // 14 chars
  EXPECT_EQ(fresh.reasoning_tokens, 2);
  EXPECT_EQ(fresh.total_tokens, 14);

  Usage reported;
  reported.input_tokens = 100;
  reported.cached_input_tokens = 60;
  reported.output_tokens = 1;  // a placeholder, never kept
  const Usage kept = EstimateUsage(request, output, reported);
  EXPECT_EQ(kept.input_tokens, 100);
  EXPECT_EQ(kept.cached_input_tokens, 60);
  EXPECT_EQ(kept.output_tokens, 4);
}

TEST(SessionUsage, SumsAddFieldByField) {
  Usage a;
  a.input_tokens = 10;
  a.output_tokens = 5;
  a.estimated = true;
  Usage b;
  b.input_tokens = 20;
  b.output_tokens = 7;
  b.cached_input_tokens = 4;
  const Usage sum = AddUsage(a, b);
  EXPECT_EQ(sum.input_tokens, 30);
  EXPECT_EQ(sum.output_tokens, 12);
  EXPECT_EQ(sum.cached_input_tokens, 4);
  EXPECT_FALSE(sum.reasoning_tokens);  // unset + unset stays unset
  EXPECT_EQ(sum.total_tokens, 42);
  EXPECT_TRUE(sum.estimated);
  EXPECT_TRUE(AddUsage(Usage{}, Usage{}).empty());

  Cost x;
  x.total_usd = 1;
  x.source = CostSource::kPriceTable;
  x.price_date = "2025-01-01";
  Cost y;
  y.total_usd = 2;
  y.source = CostSource::kEstimated;
  const Cost total = AddCost(x, y);
  EXPECT_DOUBLE_EQ(total.total_usd, 3);
  EXPECT_EQ(total.source, CostSource::kEstimated);  // only as good as its weakest part
  EXPECT_EQ(total.price_date, "2025-01-01");
  EXPECT_EQ(AddCost(Cost{}, x).source, CostSource::kPriceTable);
}

TEST(SessionUsage, PricesByTheResolvedModelThenTheRequestedOne) {
  Usage usage;
  usage.input_tokens = 1000000;
  usage.output_tokens = 0;
  usage.estimated = true;
  const Cost resolved = PriceUsage(usage, nullptr, "gpt-4o-mini-2024-07-18", "unknown-model");
  EXPECT_DOUBLE_EQ(resolved.total_usd, 0.15);
  EXPECT_EQ(resolved.source, CostSource::kEstimated);
  EXPECT_DOUBLE_EQ(PriceUsage(usage, nullptr, "", "gpt-4o-mini").total_usd, 0.15);
  EXPECT_FALSE(PriceUsage(usage, nullptr, "nope", "unknown-model").known());
  PriceTable table;
  table.Set("house-model", ModelPrice{.input_per_mtok = 2.0, .output_per_mtok = 4.0});
  EXPECT_DOUBLE_EQ(PriceUsage(usage, &table, "", "house-model").total_usd, 2.0);
}

}  // namespace
}  // namespace llmstream::session_internal
