// Helpers for the price table tests: the key a model resolves to, and what every row must be.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "llmstream/pricing.h"

namespace llmstream::test {

// The default table's key for `model`; "" when none matches.
inline std::string KeyOf(std::string_view model) {
  return std::string(PriceTable::Default().FindKey(model));
}

// A default row found under its own key, priced per million tokens (output below
// `output_ceiling`: a price per thousand would be far above), output no cheaper than input,
// cached reads cheaper than input, dated YYYY-MM-DD.
inline void ExpectSaneAndDated(std::string_view model, double output_ceiling) {
  SCOPED_TRACE(model);
  const ModelPrice* price = PriceTable::Default().Find(model);
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(KeyOf(model), model);
  EXPECT_GT(price->input_per_mtok, 0);
  EXPECT_GE(price->output_per_mtok, price->input_per_mtok);
  EXPECT_LT(price->output_per_mtok, output_ceiling) << "per million, not per thousand";
  if (price->cached_input_per_mtok) {
    EXPECT_LT(*price->cached_input_per_mtok, price->input_per_mtok);
  }
  ASSERT_EQ(price->as_of.size(), 10u);
  EXPECT_EQ(price->as_of.substr(0, 3), "202");
  EXPECT_EQ(price->as_of[4], '-');
}

}  // namespace llmstream::test
