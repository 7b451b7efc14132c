// AdaptiveSmoother: bursts evened out at the arrival rate, no character held longer than the
// bound, steady streams untouched.
#include <gtest/gtest.h>

#include <cmath>

#include "llmstream/transforms/adaptive_smoother.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

double CoefficientOfVariation(const std::vector<int64_t>& times) {
  if (times.size() < 3) return 0;
  std::vector<double> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(double(times[i] - times[i - 1]));
  double mean = 0;
  for (double g : gaps) mean += g;
  mean /= double(gaps.size());
  double var = 0;
  for (double g : gaps) var += (g - mean) * (g - mean);
  var /= double(gaps.size());
  return mean == 0 ? 0 : std::sqrt(var) / mean;
}

TEST(AdaptiveSmoother, ASteadyStreamPassesThrough) {
  AdaptiveSmoother smoother({.max_added_latency_ms = 250});
  std::vector<Arrival> arrivals;
  for (int i = 0; i < 50; ++i) arrivals.push_back({i * 50, "x"});
  const Fed fed = Drive(smoother, arrivals);
  for (int64_t latency : ByteLatencies(arrivals, fed)) EXPECT_LE(latency, 1);
  EXPECT_NEAR(smoother.arrival_rate_cps(), 20, 0.5);
  EXPECT_NEAR(smoother.average_gap_ms(), 50, 0.5);
}

TEST(AdaptiveSmoother, TheFirstCharacterGoesOutAtOnce) {
  AdaptiveSmoother smoother;
  TextChunks out;
  smoother.Push("Hello", 0, &out);
  EXPECT_EQ(out.text(), "H");
  EXPECT_GT(smoother.WakeAtMs(), 0);
  EXPECT_LE(smoother.WakeAtMs(), 250);
}

TEST(AdaptiveSmoother, SpreadsBurstsAtTheArrivalRate) {
  // 40 characters every 400 ms: 100 characters a second, in bursts.
  std::vector<Arrival> arrivals;
  for (int i = 0; i < 20; ++i) arrivals.push_back({i * 400, std::string(40, 'a' + i % 26)});
  AdaptiveSmoother smoother({.max_added_latency_ms = 500});
  const Fed fed = Drive(smoother, arrivals);
  std::vector<int64_t> char_times;
  for (size_t i = 0; i < fed.pieces.size(); ++i) {
    char_times.insert(char_times.end(), fed.pieces[i].size(), fed.times[i]);
  }
  std::vector<int64_t> arrival_times;
  for (const Arrival& a : arrivals) arrival_times.insert(arrival_times.end(), 40, a.ms);
  // Arrival gaps: 39 zeros then 400 (CV about 3); the output is nearly even (10 ms a character).
  EXPECT_GT(CoefficientOfVariation(arrival_times), 2.5);
  EXPECT_LT(CoefficientOfVariation(char_times), 1.0);
  EXPECT_GT(fed.pieces.size(), 400u);  // released in many small steps, not 20 bursts
  EXPECT_NEAR(smoother.arrival_rate_cps(), 100, 1);
  for (int64_t latency : ByteLatencies(arrivals, fed)) EXPECT_LE(latency, 500);
}

// The bound holds whatever the arrival pattern, for text with multi-byte characters too.
TEST(AdaptiveSmoother, NeverHoldsACharacterLongerThanTheBound) {
  for (int64_t bound : {0, 40, 250, 1000}) {
    for (uint32_t seed = 1; seed <= 8; ++seed) {
      Rng rng(seed * 7919 + static_cast<uint32_t>(bound));
      const std::string& text = TransformSamples()[seed % TransformSamples().size()].text;
      std::vector<Arrival> arrivals;
      int64_t t = rng.Range(0, 1000);
      for (size_t at = 0; at < text.size();) {
        // Cut only at character starts so that no character waits for its last bytes.
        size_t n = std::min<size_t>(static_cast<size_t>(rng.Range(1, 120)), text.size() - at);
        while (at + n < text.size() && (static_cast<unsigned char>(text[at + n]) & 0xC0) == 0x80) {
          ++n;
        }
        arrivals.push_back({t, text.substr(at, n)});
        at += n;
        t += rng.Next() % 4 == 0 ? rng.Range(300, 3000) : rng.Range(0, 60);
      }
      AdaptiveSmoother smoother({.max_added_latency_ms = bound});
      const Fed fed = Drive(smoother, arrivals, /*flush=*/false);
      ASSERT_EQ(fed.text, text) << "seed " << seed << " bound " << bound;
      const std::vector<int64_t> latencies = ByteLatencies(arrivals, fed);
      ASSERT_EQ(latencies.size(), text.size());
      for (size_t i = 0; i < latencies.size(); ++i) {
        ASSERT_GE(latencies[i], 0);
        ASSERT_LE(latencies[i], bound) << "seed " << seed << " byte " << i;
      }
    }
  }
}

TEST(AdaptiveSmoother, ZeroLatencyIsAPassThrough) {
  AdaptiveSmoother smoother({.max_added_latency_ms = 0});
  TextChunks out;
  smoother.Push("all of it", 0, &out);
  EXPECT_EQ(out.text(), "all of it");
  EXPECT_EQ(smoother.WakeAtMs(), -1);
}

TEST(AdaptiveSmoother, FlushReleasesEverything) {
  AdaptiveSmoother smoother({.max_added_latency_ms = 10000});
  TextChunks out;
  smoother.Push("a long burst of text\xE2\x82", 0, &out);
  EXPECT_LT(out.text().size(), 5u);
  smoother.Flush(1, &out);
  EXPECT_EQ(out.text(), "a long burst of text\xE2\x82");
  EXPECT_EQ(smoother.held_bytes(), 0u);
  EXPECT_EQ(smoother.backlog_chars(), 0u);
  EXPECT_EQ(smoother.WakeAtMs(), -1);
}

TEST(AdaptiveSmoother, AnIncompleteCharacterWaitsForItsBytes) {
  AdaptiveSmoother smoother({.max_added_latency_ms = 50});
  TextChunks out;
  smoother.Push("\xF0\x9F", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(smoother.WakeAtMs(), -1);
  smoother.Push("\x98\x80", 500, &out);
  EXPECT_EQ(out.text(), "😀");
}

TEST(AdaptiveSmoother, ReportsItsMetrics) {
  AdaptiveSmoother smoother({.max_added_latency_ms = 1000, .window = 3});
  TextChunks out;
  smoother.Push("aaaa", 0, &out);
  smoother.Push("bbbb", 100, &out);
  smoother.Push("cccc", 200, &out);
  smoother.Push("dddd", 300, &out);  // the window keeps the last 3: 8 chars over 200 ms
  EXPECT_NEAR(smoother.arrival_rate_cps(), 40, 1e-9);
  EXPECT_NEAR(smoother.average_gap_ms(), 100, 1e-9);
  EXPECT_EQ(smoother.deltas(), 4u);
  EXPECT_GE(smoother.release_rate_cps(), 40);
  EXPECT_GT(smoother.backlog_chars(), 0u);
  smoother.Reset();
  EXPECT_EQ(smoother.deltas(), 0u);
  EXPECT_EQ(smoother.arrival_rate_cps(), 0);
}

TEST(AdaptiveSmoother, ConcatenationIsSplitInvariant) {
  ExpectSplitInvariant([] { return std::make_unique<AdaptiveSmoother>(); }, false, /*step=*/3);
}

}  // namespace
}  // namespace llmstream::testing
