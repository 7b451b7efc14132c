// The core's MetricsRecorder on the timed stream of tests/golden/metrics.json, which the npm
// package's MetricsTracker is held to as well (tests/node/metrics_golden.test.mjs): the two
// implementations of the same definitions must give the same summary, worked out by hand there.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "llmstream/metrics.h"

namespace llmstream {
namespace {

nlohmann::json Golden() {
  std::ifstream file(LLMSTREAM_GOLDEN_DIR "/metrics.json");
  std::stringstream text;
  text << file.rdbuf();
  return nlohmann::json::parse(text.str());
}

// Every number of `want` equals the one at the same place in `got` (to 1e-9 relative).
void ExpectSubset(const nlohmann::json& want, const nlohmann::json& got, const std::string& where) {
  if (want.is_object()) {
    ASSERT_TRUE(got.is_object()) << where;
    for (auto it = want.begin(); it != want.end(); ++it) {
      ASSERT_TRUE(got.contains(it.key())) << where << "." << it.key();
      ExpectSubset(it.value(), got[it.key()], where + "." + it.key());
    }
  } else if (want.is_number()) {
    ASSERT_TRUE(got.is_number()) << where << ": " << got.dump();
    const double a = want.get<double>();
    const double b = got.get<double>();
    EXPECT_LE(std::fabs(a - b), 1e-9 * std::max(1.0, std::fabs(a))) << where << ": " << b;
  } else {
    EXPECT_EQ(want, got) << where;
  }
}

TEST(MetricsGolden, TheRecorderGivesTheHandWorkedSummary) {
  const nlohmann::json golden = Golden();
  MetricsRecorder recorder;
  double last = 0;
  std::vector<Usage> usages;
  usages.reserve(golden["steps"].size());
  for (const nlohmann::json& step : golden["steps"]) {
    const double t = step["t"].get<double>();
    last = t;
    if (step.contains("request")) recorder.OnRequestStart(t);
    if (step.contains("response")) recorder.OnResponse(step["response"].get<int>(), t);
    if (step.contains("bytes")) recorder.OnBytes(step["bytes"].get<size_t>(), t);
    for (const nlohmann::json& e : step.value("events", nlohmann::json::array())) {
      const std::string kind = e["kind"].get<std::string>();
      const std::string text = e.value("text", "");
      Event event;
      event.text = text;
      if (kind == "text") {
        event.kind = EventKind::kText;
      } else if (kind == "reasoning") {
        event.kind = EventKind::kReasoning;
        event.part = static_cast<uint8_t>(e["part"] == "signature" ? ReasoningPart::kSignature
                                                                   : ReasoningPart::kText);
      } else if (kind == "tool_call_delta") {
        event.kind = EventKind::kToolCallDelta;
      } else if (kind == "metadata") {
        event.kind = EventKind::kMetadata;
      } else if (kind == "usage") {
        Usage& usage = usages.emplace_back();
        usage.output_tokens = e["completionTokens"].get<int64_t>();
        usage.input_tokens = e["promptTokens"].get<int64_t>();
        event.kind = EventKind::kUsage;
        event.usage = &usage;
      } else if (kind == "done") {
        event.kind = EventKind::kDone;
      } else {
        FAIL() << "unknown kind " << kind;
      }
      recorder.OnEvent(event, t);
    }
  }
  const nlohmann::json got = nlohmann::json::parse(ToJson(recorder.Summary(last)));
  ExpectSubset(golden["expected"], got, "summary");
}

}  // namespace
}  // namespace llmstream
