#include <algorithm>
#include <cmath>

#include "llmstream/metrics.h"

namespace llmstream {
namespace {

// DDSketch-style logarithmic buckets: bucket i >= 0 holds gaps in (kMin * g^(i-1), kMin * g^i]
// and reports 2 * kMin * g^i / (g + 1), which is within kAlpha of every value in it. kAlpha sits
// just under 1 % so that a gap landing in the neighbouring bucket through rounding of the
// logarithm still stays within the documented 1 %.
constexpr double kAlpha = 0.0099;
constexpr double kGamma = (1 + kAlpha) / (1 - kAlpha);
constexpr double kMinGapMs = 1e-3;  // 1 µs: below it, gaps share the zero bucket
constexpr double kMaxGapMs = 1e8;   // about 28 hours: above it, gaps share the last bucket

const double kLogGamma = std::log(kGamma);
// Buckets needed for (kMinGapMs, kMaxGapMs], plus the one for exactly kMinGapMs.
const size_t kLogBuckets =
    static_cast<size_t>(std::ceil(std::log(kMaxGapMs / kMinGapMs) / kLogGamma)) + 1;

size_t BucketOf(double gap_ms) {
  if (gap_ms < kMinGapMs) return 0;
  double index = std::ceil(std::log(gap_ms / kMinGapMs) / kLogGamma);
  if (index < 0) index = 0;
  return 1 + std::min(static_cast<size_t>(index), kLogBuckets - 1);
}

double BucketValue(size_t bucket) {
  return 2 * kMinGapMs * std::pow(kGamma, static_cast<double>(bucket - 1)) / (kGamma + 1);
}

}  // namespace

GapDistribution::GapDistribution(size_t exact_limit) : exact_limit_(exact_limit) {}

void GapDistribution::Add(double gap_ms) {
  if (!(gap_ms > 0)) gap_ms = 0;  // also catches NaN
  ++count_;
  if (count_ == 1) {
    min_ = max_ = gap_ms;
  } else {
    min_ = std::min(min_, gap_ms);
    max_ = std::max(max_, gap_ms);
  }
  const double delta = gap_ms - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (gap_ms - mean_);

  if (!buckets_.empty()) {
    AddToHistogram(gap_ms);
    return;
  }
  if (exact_.size() >= exact_limit_) {
    SwitchToHistogram();
    AddToHistogram(gap_ms);
    return;
  }
  if (exact_.size() == exact_.capacity()) {
    // Grow by doubling but never past the limit, so MemoryBytes stays within exact_limit doubles.
    exact_.reserve(std::min(exact_limit_, std::max<size_t>(16, exact_.capacity() * 2)));
  }
  exact_.push_back(gap_ms);
}

double GapDistribution::stddev() const {
  if (count_ == 0) return 0;
  return std::sqrt(std::max(0.0, m2_ / static_cast<double>(count_)));
}

void GapDistribution::SwitchToHistogram() {
  buckets_.assign(1 + kLogBuckets, 0);
  for (double gap : exact_) AddToHistogram(gap);
  std::vector<double>().swap(exact_);  // release the memory, not just the size
}

void GapDistribution::AddToHistogram(double gap_ms) { ++buckets_[BucketOf(gap_ms)]; }

double GapDistribution::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(std::isnan(p) ? 0.0 : p, 0.0, 100.0);
  const double position = p / 100 * static_cast<double>(count_ - 1);
  if (buckets_.empty()) {
    // Exact: interpolate between the order statistics around `position`. nth_element on a copy
    // is O(n) and the copy is bounded by exact_limit.
    std::vector<double> sorted = exact_;
    const size_t low = static_cast<size_t>(std::floor(position));
    const double fraction = position - static_cast<double>(low);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(low),
                     sorted.end());
    const double low_value = sorted[low];
    if (fraction == 0 || low + 1 >= sorted.size()) return low_value;
    const double high_value =
        *std::min_element(sorted.begin() + static_cast<std::ptrdiff_t>(low) + 1, sorted.end());
    return low_value + fraction * (high_value - low_value);
  }
  const uint64_t rank = static_cast<uint64_t>(std::llround(position));
  if (rank == 0) return min_;  // the extreme order statistics are known exactly
  if (rank + 1 >= count_) return max_;
  uint64_t seen = 0;
  for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    seen += buckets_[bucket];
    if (seen > rank) {
      if (bucket == 0) return min_;  // below 1 µs: the exact minimum is as good as any
      return std::clamp(BucketValue(bucket), min_, max_);
    }
  }
  return max_;
}

size_t GapDistribution::MemoryBytes() const {
  return exact_.capacity() * sizeof(double) + buckets_.capacity() * sizeof(uint64_t);
}

}  // namespace llmstream
