// Prices of the providers added with issue 14: every row sane and dated, each provider's default
// model priced, and Bedrock's prefixed ids resolving to their family.
#include <gtest/gtest.h>

#include <string>

#include "llmstream/pricing.h"
#include "llmstream/request.h"
#include "support/pricing_helpers.h"

namespace llmstream {
namespace {

using test::ExpectSaneAndDated;
using test::KeyOf;

TEST(PricingProviders, EveryNewRowIsSaneAndDated) {
  for (const char* model : {"gemini-3.1-pro",    "gemini-3-pro",     "gemini-3-flash",
                            "gemini-2.5-pro",    "gemini-2.5-flash", "gemini-2.5-flash-lite",
                            "gemini-2.0-flash",  "nova-pro",         "nova-lite",
                            "nova-micro",        "command-a",        "command-r-plus",
                            "command-r",         "command-r7b",      "mistral-large",
                            "mistral-medium",    "mistral-small",    "magistral-medium",
                            "magistral-small",   "codestral",        "deepseek-v4-pro",
                            "deepseek-v4-flash", "deepseek-chat",    "deepseek-reasoner",
                            "grok-4.3",          "grok-4.20",        "grok-4-1-fast",
                            "grok-4-fast",       "grok-4",           "grok-code-fast-1",
                            "grok-3-mini"}) {
    ExpectSaneAndDated(model, /*output_ceiling=*/100);
  }
}

TEST(PricingProviders, DefaultModelsArePriced) {
  for (Provider p : {Provider::kGemini, Provider::kBedrock, Provider::kCohere, Provider::kMistral,
                     Provider::kDeepSeek, Provider::kXai}) {
    EXPECT_NE(PriceTable::Default().Find(DefaultModel(p)), nullptr) << ProviderName(p);
  }
}

TEST(PricingProviders, IdsResolveToTheirFamily) {
  EXPECT_EQ(KeyOf("us.anthropic.claude-haiku-4-5-20251001-v1:0"), "claude-haiku-4-5");
  EXPECT_EQ(KeyOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0"), "claude-sonnet-4-5");
  EXPECT_EQ(KeyOf("amazon.nova-lite-v1:0"), "nova-lite");
  EXPECT_EQ(KeyOf("us.amazon.nova-pro-v1:0"), "nova-pro");
  EXPECT_EQ(KeyOf("models/gemini-2.5-flash"), "gemini-2.5-flash");
  EXPECT_EQ(KeyOf("gemini-2.5-flash-lite-preview-09-2025"), "gemini-2.5-flash-lite");
  EXPECT_EQ(KeyOf("gemini-3-flash-preview"), "gemini-3-flash");
  EXPECT_EQ(KeyOf("command-r7b-12-2024"), "command-r7b");
  EXPECT_EQ(KeyOf("command-r-plus-08-2024"), "command-r-plus");
  EXPECT_EQ(KeyOf("command-a-reasoning-08-2025"), "command-a");
  EXPECT_EQ(KeyOf("mistral-small-latest"), "mistral-small");
  EXPECT_EQ(KeyOf("grok-4-1-fast-non-reasoning"), "grok-4-1-fast");
  EXPECT_EQ(KeyOf("grok-4.20-0309-reasoning"), "grok-4.20");
  EXPECT_EQ(KeyOf("grok-4-0709"), "grok-4");
  // Not a Bedrock id: a dot inside a version is no prefix.
  EXPECT_EQ(KeyOf("v1.gpt-4o"), "");
}

TEST(PricingProviders, XaiTicksExampleAgrees) {
  // docs/wire-formats.md: grok-3-mini, 1 uncached + 11 cached input, 342 output tokens cost
  // 1,721,250 ticks of 1e-10 USD.
  Usage usage;
  usage.input_tokens = 12;
  usage.cached_input_tokens = 11;
  usage.output_tokens = 342;
  const Cost cost = ComputeCost(usage, PriceTable::Default().Find("grok-3-mini"));
  EXPECT_NEAR(cost.total_usd, 0.000172125, 1e-12);
}

}  // namespace
}  // namespace llmstream
