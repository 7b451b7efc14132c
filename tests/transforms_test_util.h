// Helpers shared by the transforms_*_test.cpp files: sample texts (every fixture's assembled
// text plus synthetic ones), feeding a transform in a split, and split-invariance checks.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/transforms.h"
#include "support/fixtures.h"

namespace llmstream::testing {

struct TextSample {
  std::string name;
  std::string text;
};

// Synthetic texts that stress what fixtures may not: markdown, CJK, emoji, invalid UTF-8,
// carriage returns, Unicode spaces, long words.
inline std::vector<TextSample> SyntheticSamples() {
  return {
      {"markdown",
       "# Title with *emphasis*\n\nA paragraph with **bold**, `code`, a [link](https://example.com/"
       "a_b?x=1&y=2) and <https://example.org>.\nSecond line  \nhard break.\n\n- item one\n- item "
       "**two**\n  - nested `x`\n\n1. first\n2. second\n\n> quoted\n> > deeper\n\n```python\n"
       "print(\"<b>hi</b>\")\n```\n\n---\n\nsnake_case_name and 2*3*4 = 24 \\*literal\\*\n"},
      {"cjk",
       "日本語のテキストです。中文文本，没有空格。Mixed 漢字 and English。한국어 문장도 있다."},
      {"emoji",
       "Party \xF0\x9F\x8E\x89\xF0\x9F\x8E\x89 time! "          // U+1F389 twice
       "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 family, "  // woman ZWJ girl
       "flags \xF0\x9F\x87\xBA\xF0\x9F\x87\xBE and sparkles \xE2\x9C\xA8 61\xC2\xB0"
       "F (17\xC2\xB0"
       "C)."},
      {"invalid-utf8", "bad \xFF\xFE bytes \xC3 cut \xE2\x82 x \xF0\x9F tail and a NUL \x01 ok"},
      {"whitespace",
       "  lead\t\ttabs\r\nCRLF line\xE2\x80\x83"
       "em space\xC2\xA0nbsp  end \n\n\n"},
      {"long-word", std::string(300, 'x') + " " + std::string(500, 'y') + "\n" +
                        std::string(200, '*') + std::string(100, '`')},
      {"html",
       "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
       "<think>reasoning</think> &amp; &#60;b&#62;"},
  };
}

// Choice 0's text of every fixture that has text, then the synthetic samples.
inline const std::vector<TextSample>& TransformSamples() {
  static const std::vector<TextSample> samples = [] {
    std::vector<TextSample> out;
    for (const std::string& file : FixtureFiles()) {
      const std::string body = ReadFixture(file);
      const RunResult run = RunStream(OptionsForFixture(file), body, {"whole", {body.size()}});
      const std::string text(run.completion.text());
      if (!text.empty()) out.push_back({file, text});
      if (!run.completion.choices.empty() && !run.completion.choices[0].reasoning.empty()) {
        out.push_back({file + "#reasoning", run.completion.choices[0].reasoning});
      }
    }
    for (TextSample& s : SyntheticSamples()) out.push_back(std::move(s));
    return out;
  }();
  return samples;
}

inline std::vector<std::string> PiecesOf(const TextChunks& chunks) {
  std::vector<std::string> pieces;
  for (std::string_view piece : chunks) pieces.emplace_back(piece);
  return pieces;
}

struct Fed {
  std::vector<std::string> pieces;
  std::vector<int64_t> times;  // when each piece came out
  std::string text;            // the pieces concatenated
};

inline void Collect(const TextChunks& chunks, int64_t now, Fed* fed) {
  for (std::string_view piece : chunks) {
    fed->pieces.emplace_back(piece);
    fed->times.push_back(now);
    fed->text.append(piece);
  }
}

// Pushes `text` in `split` reads (now advancing by step_ms per read), then Flush.
inline Fed FeedSplit(TextTransform& transform, std::string_view text, const Split& split,
                     int64_t step_ms = 0) {
  Fed fed;
  TextChunks out;
  int64_t now = 0;
  size_t at = 0;
  for (size_t n : split.sizes) {
    out.Clear();
    transform.Push(text.substr(at, n), now, &out);
    Collect(out, now, &fed);
    at += n;
    now += step_ms;
  }
  out.Clear();
  transform.Flush(now, &out);
  Collect(out, now, &fed);
  return fed;
}

inline Fed FeedWhole(TextTransform& transform, std::string_view text) {
  return FeedSplit(transform, text, {"whole", {text.size()}});
}

// For every sample and every standard split (byte by byte included), a fresh transform from
// `make` gives the same output as for the whole text: the same concatenation, and with
// `same_pieces` the same pieces.
template <class Make>
void ExpectSplitInvariant(Make make, bool same_pieces, int64_t step_ms = 0) {
  for (const TextSample& sample : TransformSamples()) {
    auto reference_transform = make();
    const Fed reference = FeedWhole(*reference_transform, sample.text);
    for (const Split& split : StandardSplits(sample.text.size())) {
      auto transform = make();
      const Fed fed = FeedSplit(*transform, sample.text, split, step_ms);
      ASSERT_EQ(fed.text, reference.text) << sample.name << " split " << split.name;
      if (same_pieces) {
        ASSERT_EQ(fed.pieces, reference.pieces) << sample.name << " split " << split.name;
      }
      ASSERT_EQ(transform->held_bytes(), 0u) << sample.name << " split " << split.name;
    }
  }
}

// Deterministic pseudo-random numbers that are the same under libstdc++ and libc++ (the
// standard distributions are not): mulberry32.
class Rng {
 public:
  explicit Rng(uint32_t seed) : state_(seed) {}
  uint32_t Next() {
    uint32_t z = (state_ += 0x6D2B79F5u);
    z = (z ^ (z >> 15)) * (z | 1u);
    z ^= z + (z ^ (z >> 7)) * (z | 61u);
    return z ^ (z >> 14);
  }
  // In [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint32_t>(hi - lo + 1));
  }

 private:
  uint32_t state_;
};

// An arrival of text at a time, for driving timed transforms.
struct Arrival {
  int64_t ms;
  std::string text;
};

// Drives a transform as a sans-I/O caller would: Push at each arrival, Tick exactly at
// WakeAtMs() in between and after the last arrival until nothing waits, then Flush. Returns the
// pieces with their release times.
inline Fed Drive(TextTransform& transform, const std::vector<Arrival>& arrivals,
                 bool flush = true) {
  Fed fed;
  TextChunks out;
  int64_t now = arrivals.empty() ? 0 : arrivals.front().ms;
  size_t next = 0;
  for (int guard = 0; guard < 10000000; ++guard) {
    const int64_t wake = transform.WakeAtMs();
    const bool have_arrival = next < arrivals.size();
    if (!have_arrival && wake < 0) break;
    if (have_arrival && (wake < 0 || arrivals[next].ms <= wake)) {
      now = std::max(now, arrivals[next].ms);
      out.Clear();
      transform.Push(arrivals[next].text, now, &out);
      Collect(out, now, &fed);
      ++next;
    } else {
      now = std::max(now, wake);
      out.Clear();
      transform.Tick(now, &out);
      Collect(out, now, &fed);
    }
  }
  if (flush) {
    out.Clear();
    transform.Flush(now, &out);
    Collect(out, now, &fed);
  }
  return fed;
}

// For each output byte, its release time minus its arrival time (both streams are the same
// bytes in the same order).
inline std::vector<int64_t> ByteLatencies(const std::vector<Arrival>& arrivals, const Fed& fed) {
  std::vector<int64_t> arrived;
  for (const Arrival& a : arrivals) arrived.insert(arrived.end(), a.text.size(), a.ms);
  std::vector<int64_t> latencies;
  size_t byte = 0;
  for (size_t i = 0; i < fed.pieces.size(); ++i) {
    for (size_t k = 0; k < fed.pieces[i].size() && byte < arrived.size(); ++k, ++byte) {
      latencies.push_back(fed.times[i] - arrived[byte]);
    }
  }
  return latencies;
}

// Code points of UTF-8 text as separate strings (an invalid byte alone).
inline std::vector<std::string> CodePointsOf(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t want = c < 0xC2 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
    size_t n = 1;
    while (n < want && i + n < text.size() &&
           (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) {
      ++n;
    }
    out.emplace_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// Every event of a fixture fed whole, as owned copies plus live views' source (the Stream is kept
// alive by the caller through the returned vector of StoredEvent).
inline std::vector<StoredEvent> FixtureEvents(std::string_view file) {
  const std::string body = ReadFixture(file);
  Stream stream(OptionsForFixture(file));
  std::vector<StoredEvent> events;
  for (const Event& e : stream.Feed(body, 0)) events.emplace_back(e);
  for (const Event& e : stream.Finish(1)) events.emplace_back(e);
  return events;
}

}  // namespace llmstream::testing
