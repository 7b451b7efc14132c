// kRaw (StreamOptions::raw_events, SessionOptions::raw_events): one event per SSE event with the
// provider's own data and event type, before the events decoded from it. Off by default; with it
// on, every other event stays exactly the same, in every split.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "llmstream/session.h"
#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream::testing {
namespace {

struct RawSse {
  std::string type;  // "message" when the block had no event field
  std::string data;
};

// An independent reading of a fixture's SSE events. The recordings use LF only, one `data` line
// per event (checked: joining lines here would hide a parser difference), and `field: value`
// with at most one space after the colon.
std::vector<RawSse> ReadSseEvents(std::string_view body) {
  std::vector<RawSse> events;
  RawSse current;
  bool has_data = false;
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(at, end - at);
    at = end + 1;
    if (line.empty()) {
      if (has_data) {
        if (current.type.empty()) current.type = "message";
        events.push_back(current);
      }
      current = RawSse{};
      has_data = false;
      continue;
    }
    if (line.front() == ':') continue;
    const size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") current.type = std::string(value);
    if (field == "data") {
      EXPECT_FALSE(has_data) << "multi-line data: extend the reader";
      current.data = std::string(value);
      has_data = true;
    }
  }
  return events;
}

std::vector<OwnedEvent> WithoutRaw(const std::vector<OwnedEvent>& events) {
  std::vector<OwnedEvent> out;
  for (const OwnedEvent& e : events) {
    if (e.kind != EventKind::kRaw) out.push_back(e);
  }
  return out;
}

size_t CountRaw(const std::vector<OwnedEvent>& events) {
  size_t n = 0;
  for (const OwnedEvent& e : events) n += e.kind == EventKind::kRaw;
  return n;
}

TEST(RawEvents, NameIsRaw) {
  EXPECT_EQ(EventKindName(EventKind::kRaw), "raw");
  EXPECT_EQ(static_cast<int>(EventKind::kRaw), 18);
}

class RawEventsAllFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(RawEventsAllFixtures, OffByDefaultOnChangesNothingElse) {
  const std::string body = ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const StreamOptions off = OptionsForFixture(GetParam());
  EXPECT_FALSE(off.raw_events);
  StreamOptions on = off;
  on.raw_events = true;
  const std::vector<Split> splits = StandardSplits(body.size());
  // whole, and the seeded random 1..40-byte reads (the last standard split)
  for (const Split& split : {splits.front(), splits.back()}) {
    const RunResult plain = RunStream(off, body, split);
    EXPECT_EQ(CountRaw(plain.events), 0u) << split.name;
    const RunResult raw = RunStream(on, body, split);
    const std::vector<OwnedEvent> rest = WithoutRaw(raw.events);
    ASSERT_EQ(rest.size(), plain.events.size()) << split.name;
    for (size_t i = 0; i < rest.size(); ++i) {
      ASSERT_EQ(rest[i], plain.events[i])
          << split.name << " event " << i << ": " << Describe(rest[i]) << " vs "
          << Describe(plain.events[i]);
    }
    EXPECT_EQ(raw.completion.text(), plain.completion.text());
    EXPECT_EQ(raw.completion.finished, plain.completion.finished);
    // Every SSE event the provider sent, up to the one that ended the stream (an in-band error
    // ends it; the recordings have nothing after it).
    const nlohmann::json& expected = Expected()[GetParam()];
    ASSERT_TRUE(expected.is_object()) << GetParam();
    EXPECT_EQ(CountRaw(raw.events), expected["sse_events"].get<size_t>()) << split.name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, RawEventsAllFixtures, ::testing::ValuesIn(FixtureFiles()),
                         FixtureTestName);

// Exact data and type, each kRaw directly before the events decoded from its SSE event, in every
// standard split (1-byte reads, empty reads, fixed and random sizes).
class RawEventsExact : public ::testing::TestWithParam<std::string> {};

TEST_P(RawEventsExact, OnePerSseEventWithExactDataInEverySplit) {
  const std::string body = ReadFixture(GetParam());
  const std::vector<RawSse> sse = ReadSseEvents(body);
  ASSERT_FALSE(sse.empty());
  StreamOptions on = OptionsForFixture(GetParam());
  on.raw_events = true;
  const RunResult reference = RunStream(on, body, {"whole", {body.size()}});
  for (const Split& split : StandardSplits(body.size())) {
    const RunResult run = RunStream(on, body, split);
    std::vector<const OwnedEvent*> raws;
    for (const OwnedEvent& e : run.events) {
      if (e.kind == EventKind::kRaw) raws.push_back(&e);
    }
    ASSERT_EQ(raws.size(), sse.size()) << split.name;
    for (size_t i = 0; i < sse.size(); ++i) {
      EXPECT_EQ(raws[i]->text, sse[i].data) << split.name << " raw " << i;
      EXPECT_EQ(raws[i]->name, sse[i].type) << split.name << " raw " << i;
    }
    // The events, raw ones included, are the same in every split: the position of each kRaw
    // relative to the decoded events does not depend on how the bytes were cut.
    ASSERT_EQ(run.events.size(), reference.events.size()) << split.name;
    for (size_t i = 0; i < run.events.size(); ++i) {
      ASSERT_EQ(run.events[i], reference.events[i]) << split.name << " event " << i;
    }
  }
  // The first event of the stream (after keep-alive comments) is the first SSE event's kRaw:
  // nothing is decoded before it.
  for (const OwnedEvent& e : reference.events) {
    if (e.kind == EventKind::kKeepAlive) continue;
    EXPECT_EQ(e.kind, EventKind::kRaw) << Describe(e);
    break;
  }
}

INSTANTIATE_TEST_SUITE_P(SomeFixtures, RawEventsExact,
                         ::testing::Values("anthropic-text.sse", "openai-chat-text-usage.sse",
                                           "openai-responses-text.sse",
                                           "openrouter-claude-reasoning.sse"),
                         FixtureTestName);

TEST(RawEvents, DecodedEventsFollowTheirRawEvent) {
  // Anthropic: the text delta comes right after the raw content_block_delta that carried it.
  const std::string body = ReadFixture("anthropic-text.sse");
  StreamOptions on = OptionsForFixture("anthropic-text.sse");
  on.raw_events = true;
  const RunResult run = RunStream(on, body, {"whole", {body.size()}});
  bool checked = false;
  for (size_t i = 0; i + 1 < run.events.size(); ++i) {
    if (run.events[i].kind == EventKind::kText) {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(run.events[i - 1].kind, EventKind::kRaw);
      EXPECT_EQ(run.events[i - 1].name, "content_block_delta");
      EXPECT_NE(run.events[i - 1].text.find("text_delta"), std::string::npos);
      checked = true;
    }
  }
  EXPECT_TRUE(checked);
}

TEST(RawEvents, SessionPassesThemThrough) {
  const std::string body = ReadFixture("openai-chat-text-usage.sse");
  for (bool raw : {false, true}) {
    SessionOptions options;
    options.provider.provider = Provider::kOpenAI;
    options.provider.api_key = "sk-test";
    options.request.model = "gpt-4o";
    options.request.prompt = "Hi";
    options.raw_events = raw;
    Session session(std::move(options));
    ASSERT_EQ(session.Poll(0).action, SessionAction::kSend);
    size_t raws = 0;
    std::string text;
    auto take = [&](std::span<const Event> events) {
      for (const Event& e : events) {
        if (e.kind == EventKind::kRaw) ++raws;
        if (e.kind == EventKind::kText) text += e.text;
      }
    };
    take(session.OnResponse(200, {{"content-type", "text/event-stream"}}, 1));
    for (size_t at = 0; at < body.size(); at += 100) {
      take(session.OnBody(std::string_view(body).substr(at, 100), 2));
    }
    take(session.OnEnd(3));
    EXPECT_EQ(session.Poll(3).action, SessionAction::kDone);
    EXPECT_EQ(raws, raw ? 34u : 0u);
    EXPECT_EQ(text, session.result().text());
    EXPECT_FALSE(session.error());
  }
}

}  // namespace
}  // namespace llmstream::testing
