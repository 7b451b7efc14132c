#include "llmstream/pricing.h"

#include <gtest/gtest.h>

#include <string>

#include "support/pricing_helpers.h"

namespace llmstream {
namespace {

using test::ExpectSaneAndDated;
using test::KeyOf;

Usage Tokens(int64_t input, int64_t output) {
  Usage usage;
  usage.input_tokens = input;
  usage.output_tokens = output;
  return usage;
}

ModelPrice Price(double input, double output) {
  ModelPrice price;
  price.input_per_mtok = input;
  price.output_per_mtok = output;
  price.as_of = "2025-01-01";
  return price;
}

// ---- Units: dollars per MILLION tokens ----------------------------------------------------------

TEST(PricingUnits, OneMillionInputTokensCostThePerMillionPrice) {
  const ModelPrice* gpt4o = PriceTable::Default().Find("gpt-4o");
  ASSERT_NE(gpt4o, nullptr);
  EXPECT_EQ(gpt4o->input_per_mtok, 2.50);
  EXPECT_EQ(gpt4o->output_per_mtok, 10.00);
  const Cost cost = ComputeCost(Tokens(1'000'000, 0), gpt4o);
  EXPECT_EQ(cost.total_usd, 2.50);
  EXPECT_EQ(cost.input_usd, 2.50);
  EXPECT_EQ(ComputeCost(Tokens(0, 1'000'000), gpt4o).total_usd, 10.00);
}

TEST(PricingUnits, OneTokenCostsPriceOverAMillionNotOverAThousand) {
  const ModelPrice* gpt4o = PriceTable::Default().Find("gpt-4o");
  ASSERT_NE(gpt4o, nullptr);
  const Cost cost = ComputeCost(Tokens(1, 0), gpt4o);
  EXPECT_DOUBLE_EQ(cost.total_usd, 2.50 / 1e6);
  EXPECT_NE(cost.total_usd, 2.50 / 1e3);
  EXPECT_DOUBLE_EQ(ComputeCost(Tokens(0, 1), gpt4o).total_usd, 0.00001);
}

TEST(PricingUnits, TypicalRequest) {
  // 1,234 prompt + 567 completion tokens of gpt-4o-mini (0.15 / 0.60).
  const Cost cost = ComputeCost(Tokens(1234, 567), PriceTable::Default().Find("gpt-4o-mini"));
  EXPECT_DOUBLE_EQ(cost.total_usd, 1234 * 0.15 / 1e6 + 567 * 0.60 / 1e6);
  EXPECT_NEAR(cost.total_usd, 0.0005253, 1e-12);
  EXPECT_EQ(cost.source, CostSource::kPriceTable);
  EXPECT_EQ(cost.price_date, "2024-10-02");
}

// ---- Splits -------------------------------------------------------------------------------------

TEST(PricingSplits, CachedReadsAtTheirOwnPrice) {
  Usage usage = Tokens(1'000'000, 0);
  usage.cached_input_tokens = 400'000;
  const Cost cost = ComputeCost(usage, PriceTable::Default().Find("gpt-4o"));
  EXPECT_DOUBLE_EQ(cost.input_usd, 600'000 * 2.50 / 1e6);
  EXPECT_DOUBLE_EQ(cost.cached_input_usd, 400'000 * 1.25 / 1e6);
  EXPECT_DOUBLE_EQ(cost.total_usd, 1.5 + 0.5);
}

TEST(PricingSplits, AnthropicCacheWritesAndReads) {
  // Normalized usage: input counts everything (see usage.h).
  Usage usage = Tokens(10'000 + 50'000 + 20'000, 1'000);
  usage.cached_input_tokens = 50'000;
  usage.cache_write_tokens = 20'000;
  const Cost cost = ComputeCost(usage, PriceTable::Default().Find("claude-sonnet-4-5"));
  EXPECT_DOUBLE_EQ(cost.input_usd, 10'000 * 3.00 / 1e6);
  EXPECT_DOUBLE_EQ(cost.cached_input_usd, 50'000 * 0.30 / 1e6);
  EXPECT_DOUBLE_EQ(cost.cache_write_usd, 20'000 * 3.75 / 1e6);
  EXPECT_DOUBLE_EQ(cost.output_usd, 1'000 * 15.00 / 1e6);
  EXPECT_DOUBLE_EQ(cost.total_usd,
                   cost.input_usd + cost.cached_input_usd + cost.cache_write_usd + cost.output_usd);
}

TEST(PricingSplits, MissingCacheRatesFallBackToTheInputPrice) {
  const ModelPrice price = Price(2.0, 8.0);
  Usage usage = Tokens(300, 0);
  usage.cached_input_tokens = 100;
  usage.cache_write_tokens = 100;
  const Cost cost = ComputeCost(usage, &price);
  EXPECT_DOUBLE_EQ(cost.input_usd, 100 * 2.0 / 1e6);
  EXPECT_DOUBLE_EQ(cost.cached_input_usd, 100 * 2.0 / 1e6);
  EXPECT_DOUBLE_EQ(cost.cache_write_usd, 100 * 2.0 / 1e6);
  EXPECT_DOUBLE_EQ(cost.total_usd, 300 * 2.0 / 1e6);
}

TEST(PricingSplits, InconsistentCountsNeverGoNegative) {
  const ModelPrice price = Price(1.0, 1.0);
  Usage usage = Tokens(100, 10);
  usage.cached_input_tokens = 150;  // more than the input: clamped
  usage.cache_write_tokens = 50;
  usage.reasoning_tokens = 20;  // more than the output: clamped
  const Cost cost = ComputeCost(usage, &price);
  EXPECT_EQ(cost.input_usd, 0);
  EXPECT_EQ(cost.cache_write_usd, 0);
  EXPECT_DOUBLE_EQ(cost.cached_input_usd, 100 / 1e6);
  EXPECT_DOUBLE_EQ(cost.output_usd, 10 / 1e6);
}

TEST(PricingSplits, ReasoningIsOutputUnlessPricedApart) {
  Usage usage = Tokens(0, 1'000);
  usage.reasoning_tokens = 800;
  ModelPrice price = Price(1.0, 4.0);
  EXPECT_DOUBLE_EQ(ComputeCost(usage, &price).output_usd, 1'000 * 4.0 / 1e6);
  price.reasoning_per_mtok = 2.0;
  EXPECT_DOUBLE_EQ(ComputeCost(usage, &price).output_usd, 200 * 4.0 / 1e6 + 800 * 2.0 / 1e6);
}

// ---- Sources ------------------------------------------------------------------------------------

TEST(PricingSource, ProviderCostWins) {
  const Cost cost =
      ComputeCost(Tokens(1'000'000, 1'000'000), PriceTable::Default().Find("gpt-4o"), 0.0123);
  EXPECT_EQ(cost.total_usd, 0.0123);
  EXPECT_EQ(cost.source, CostSource::kProvider);
}

TEST(PricingSource, UsageReportedCostIsUsedWhenNoneIsPassed) {
  Usage usage = Tokens(10, 10);
  usage.reported_cost_usd = 0.0042;  // OpenRouter usage.cost
  const Cost cost = ComputeCost(usage, nullptr);
  EXPECT_EQ(cost.total_usd, 0.0042);
  EXPECT_EQ(cost.source, CostSource::kProvider);
  EXPECT_EQ(ComputeCost(usage, nullptr, 0.5).total_usd, 0.5) << "explicit argument first";
}

TEST(PricingSource, EstimatedUsageIsFlagged) {
  Usage usage = Tokens(100, 100);
  usage.estimated = true;
  const Cost cost = ComputeCost(usage, PriceTable::Default().Find("gpt-4o"));
  EXPECT_EQ(cost.source, CostSource::kEstimated);
  EXPECT_GT(cost.total_usd, 0);
  EXPECT_TRUE(cost.known());
}

TEST(PricingSource, UnknownModelOrNoCountsIsUnknown) {
  EXPECT_EQ(ComputeCost(Tokens(100, 100), nullptr).source, CostSource::kNone);
  EXPECT_FALSE(ComputeCost(Tokens(100, 100), nullptr).known());
  const ModelPrice price = Price(1, 1);
  EXPECT_EQ(ComputeCost(Usage{}, &price).source, CostSource::kNone);
}

// ---- Lookup -------------------------------------------------------------------------------------

TEST(PricingLookup, DatedSnapshotsMapToTheirFamily) {
  EXPECT_EQ(KeyOf("gpt-4o-2024-08-06"), "gpt-4o");
  EXPECT_EQ(KeyOf("claude-haiku-4-5-20251001"), "claude-haiku-4-5");
  EXPECT_EQ(KeyOf("claude-sonnet-4-20250514"), "claude-sonnet-4");
  EXPECT_EQ(KeyOf("claude-3-5-sonnet-latest"), "claude-3-5-sonnet");
  EXPECT_EQ(KeyOf("gpt-5-2025-08-07"), "gpt-5");
  EXPECT_EQ(KeyOf("gpt-4.1-2025-04-14"), "gpt-4.1");
  EXPECT_EQ(KeyOf("o3-2025-04-16"), "o3");
}

TEST(PricingLookup, LongestPrefixWins) {
  EXPECT_EQ(KeyOf("gpt-4o-mini"), "gpt-4o-mini");
  EXPECT_EQ(KeyOf("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  EXPECT_EQ(PriceTable::Default().Find("gpt-4o-mini-2024-07-18")->input_per_mtok, 0.15);
  EXPECT_EQ(KeyOf("gpt-4.1-mini-2025-04-14"), "gpt-4.1-mini");
  EXPECT_EQ(KeyOf("gpt-5-mini-2025-08-07"), "gpt-5-mini");
  EXPECT_EQ(KeyOf("o3-mini-2025-01-31"), "o3-mini");
  EXPECT_EQ(KeyOf("claude-opus-4-1-20250805"), "claude-opus-4-1");
  EXPECT_EQ(KeyOf("claude-opus-4-20250514"), "claude-opus-4");
  EXPECT_EQ(PriceTable::Default().Find("gpt-4o-2024-05-13")->input_per_mtok, 5.00)
      << "a snapshot entry beats its family";
}

TEST(PricingLookup, PrefixMustEndAtABoundary) {
  EXPECT_EQ(KeyOf("gpt-4-1106-preview"), "gpt-4-1106-preview");
  EXPECT_EQ(KeyOf("gpt-4-0613"), "gpt-4");
  EXPECT_EQ(KeyOf("gpt-4oops"), "");
  EXPECT_EQ(KeyOf("o3x"), "");
  EXPECT_EQ(KeyOf("totally-unknown-model"), "");
  EXPECT_EQ(PriceTable::Default().Find("totally-unknown-model"), nullptr);
}

TEST(PricingLookup, RouterNamesAndSpellings) {
  EXPECT_EQ(KeyOf("openai/gpt-4o"), "gpt-4o");
  EXPECT_EQ(KeyOf("openai/gpt-4o-mini"), "gpt-4o-mini");
  EXPECT_EQ(KeyOf("anthropic/claude-3.5-sonnet"), "claude-3-5-sonnet");
  EXPECT_EQ(KeyOf("anthropic/claude-sonnet-4.5"), "claude-sonnet-4-5");
  EXPECT_EQ(KeyOf("anthropic/claude-3.7-sonnet:thinking"), "claude-3-7-sonnet");
  EXPECT_EQ(KeyOf("GPT-4o"), "gpt-4o");
}

TEST(PricingLookup, GroqIds) {
  EXPECT_EQ(KeyOf("llama-3.3-70b-versatile"), "llama-3.3-70b-versatile");
  EXPECT_EQ(KeyOf("llama-3.1-8b-instant"), "llama-3.1-8b-instant");
  EXPECT_EQ(KeyOf("openai/gpt-oss-120b"), "openai/gpt-oss-120b");
  EXPECT_EQ(KeyOf("openai/gpt-oss-20b"), "openai/gpt-oss-20b");
  EXPECT_EQ(KeyOf("gpt-oss-20b"), "openai/gpt-oss-20b") << "bare name from a compatible server";
  EXPECT_EQ(KeyOf("deepseek-r1-distill-llama-70b"), "deepseek-r1-distill-llama-70b");
  EXPECT_EQ(KeyOf("qwen/qwen3-32b"), "qwen/qwen3-32b");
  EXPECT_EQ(PriceTable::Default().Find("llama-3.1-8b-instant")->output_per_mtok, 0.08);
}

TEST(PricingLookup, OpenRouterFreeVariantsCostNothing) {
  const ModelPrice* free = PriceTable::Default().Find("meta-llama/llama-3.3-70b-instruct:free");
  ASSERT_NE(free, nullptr);
  EXPECT_EQ(ComputeCost(Tokens(1000, 1000), free).total_usd, 0);
}

TEST(PricingTable, EveryDefaultEntryIsSaneAndDated) {
  EXPECT_GT(PriceTable::Default().size(), 40u);
  for (const char* model : {"gpt-4o",
                            "gpt-4o-mini",
                            "gpt-4.1",
                            "gpt-4.1-mini",
                            "gpt-4.1-nano",
                            "o3",
                            "o4-mini",
                            "gpt-5",
                            "gpt-5-mini",
                            "gpt-5-nano",
                            "claude-opus-4-1",
                            "claude-sonnet-4-5",
                            "claude-haiku-4-5",
                            "claude-3-7-sonnet",
                            "claude-3-5-sonnet",
                            "claude-3-5-haiku",
                            "llama-3.3-70b-versatile",
                            "llama-3.1-8b-instant",
                            "openai/gpt-oss-120b",
                            "openai/gpt-oss-20b",
                            "deepseek-r1-distill-llama-70b",
                            "qwen/qwen3-32b"}) {
    ExpectSaneAndDated(model, /*output_ceiling=*/1000);
  }
}

// ---- Overrides ----------------------------------------------------------------------------------

TEST(PricingOverride, SetReplacesAndAdds) {
  PriceTable table = PriceTable::Default();
  table.Set("gpt-4o", Price(1.0, 2.0));
  EXPECT_EQ(table.Find("gpt-4o-2024-08-06")->input_per_mtok, 1.0);
  EXPECT_EQ(PriceTable::Default().Find("gpt-4o")->input_per_mtok, 2.50) << "default untouched";
  table.Set("my-finetune", Price(3.0, 6.0));
  EXPECT_EQ(table.Find("my-finetune")->output_per_mtok, 6.0);
  EXPECT_EQ(table.size(), PriceTable::Default().size() + 1);
}

TEST(PricingOverride, MoreSpecificOverrideBeatsFamily) {
  PriceTable table = PriceTable::Default();
  table.Set("gpt-4o-2024-11-20", Price(9.0, 9.0));
  EXPECT_EQ(table.Find("gpt-4o-2024-11-20")->input_per_mtok, 9.0);
  EXPECT_EQ(table.Find("gpt-4o-2024-08-06")->input_per_mtok, 2.50);
}

TEST(PricingOverride, RemoveAndEmptyTable) {
  PriceTable table = PriceTable::Default();
  EXPECT_TRUE(table.Remove("gpt-4o-2024-05-13"));
  EXPECT_EQ(table.Find("gpt-4o-2024-05-13")->input_per_mtok, 2.50);
  EXPECT_FALSE(table.Remove("gpt-4o-2024-05-13"));
  PriceTable empty;
  EXPECT_EQ(empty.Find("gpt-4o"), nullptr);
  EXPECT_EQ(empty.size(), 0u);
}

}  // namespace
}  // namespace llmstream
