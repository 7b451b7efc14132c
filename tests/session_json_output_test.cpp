// The Session's JSON outputs: kPartialObject events (SessionOptions::partial_objects) before the
// kDone, and the final answer checked against response_format (kSchemaMismatch instead of kDone).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmstream/session.h"
#include "support/fixtures.h"
#include "support/json_grows.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

constexpr const char* kJsonAnswer = "openai-chat-long-json-text.sse";

struct Outcome {
  std::vector<lt::OwnedEvent> events;
  Error error;
  Completion result;
};

SessionOptions JsonRequest(ResponseFormat format, bool partial_objects = true) {
  SessionOptions options;
  options.provider = {.provider = Provider::kOpenAI, .api_key = "sk-test-0123456789"};
  options.request.model = "gpt-4o";
  options.request.prompt = "The weather in San Francisco, as JSON";
  options.request.response_format = std::move(format);
  options.retry.max_retries = 0;
  options.partial_objects = partial_objects;
  return options;
}

// One attempt answered 200 with the fixture, one byte per read.
Outcome Answer(const SessionOptions& options, const std::string& fixture) {
  const std::string body = lt::ReadFixture(fixture);
  Session session(options);
  Outcome out;
  auto keep = [&out](std::span<const Event> events) {
    for (const Event& e : events) out.events.push_back(lt::ToOwned(e));
  };
  int64_t now = 1;
  EXPECT_EQ(session.Poll(now).action, SessionAction::kSend);
  keep(session.OnResponse(200, {{"Content-Type", "text/event-stream"}}, ++now));
  for (char c : body) keep(session.OnBody(std::string_view(&c, 1), ++now));
  keep(session.OnEnd(++now));
  for (SessionStep step = session.Poll(++now); step.action != SessionAction::kDone;
       step = session.Poll(++now)) {
    keep(step.events);
  }
  out.error = session.error();
  out.result = session.result();
  return out;
}

size_t CountKind(const Outcome& out, EventKind kind) {
  size_t n = 0;
  for (const lt::OwnedEvent& e : out.events) n += e.kind == kind;
  return n;
}

TEST(SessionJsonOutput, PartialObjectsGrowToTheAnswerBeforeDone) {
  const Outcome out = Answer(JsonRequest({.type = ResponseFormatType::kJsonObject}), kJsonAnswer);
  ASSERT_FALSE(out.error) << out.error.message;
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events.back().kind, EventKind::kDone);
  nlohmann::ordered_json last;
  size_t shown = 0;
  for (const lt::OwnedEvent& e : out.events) {
    if (e.kind != EventKind::kPartialObject) continue;
    EXPECT_EQ(e.part, static_cast<uint8_t>(PartialSource::kText));
    const auto value = nlohmann::ordered_json::parse(e.text, nullptr, false);
    ASSERT_FALSE(value.is_discarded()) << e.text;
    if (shown++ > 0) {
      EXPECT_TRUE(lt::GrowsInto(last, value)) << last.dump() << " -> " << e.text;
    }
    last = value;
  }
  EXPECT_GE(shown, 10u);
  EXPECT_LE(shown, 45u);  // one byte per read, ~180 deltas: the amortized rule, not one per delta
  EXPECT_EQ(last, nlohmann::ordered_json::parse(out.result.text()));
  EXPECT_TRUE(out.result.finished);
}

TEST(SessionJsonOutput, AnAnswerThatMissesTheSchemaEndsWithSchemaMismatch) {
  const char* schema = R"({"type":"object","properties":{"weather":{"type":"object",
      "properties":{"humidity":{"type":"number"}}}},"required":["location","weather"]})";
  const Outcome out = Answer(
      JsonRequest({.type = ResponseFormatType::kJsonSchema, .schema_json = schema}), kJsonAnswer);
  EXPECT_EQ(out.error.code, ErrorCode::kSchemaMismatch);
  EXPECT_EQ(out.error.message, "$.weather.humidity: expected number, got string");
  EXPECT_EQ(CountKind(out, EventKind::kDone), 0u);
  EXPECT_EQ(CountKind(out, EventKind::kError), 1u);
  EXPECT_EQ(out.result.error.code, ErrorCode::kSchemaMismatch);
  EXPECT_FALSE(out.result.text().empty());  // the answer is kept
}

TEST(SessionJsonOutput, ProseForAJsonRequestIsAMismatchAtDollar) {
  const Outcome out =
      Answer(JsonRequest({.type = ResponseFormatType::kJsonObject}), "openai-chat-text-usage.sse");
  EXPECT_EQ(out.error.code, ErrorCode::kSchemaMismatch);
  EXPECT_EQ(out.error.message.substr(0, 19), "$: not valid JSON (") << out.error.message;
  EXPECT_EQ(CountKind(out, EventKind::kPartialObject), 0u);
}

TEST(SessionJsonOutput, TextRequestsAreNotCheckedAndPartialObjectsAreOptIn) {
  const Outcome text = Answer(JsonRequest({}), "openai-chat-text-usage.sse");
  EXPECT_FALSE(text.error);
  const Outcome off =
      Answer(JsonRequest({.type = ResponseFormatType::kJsonObject}, /*partial_objects=*/false),
             kJsonAnswer);
  EXPECT_FALSE(off.error);
  EXPECT_EQ(CountKind(off, EventKind::kPartialObject), 0u);
}

TEST(SessionJsonOutput, ToolCallArgumentsAlwaysShowTheirPartialObjects) {
  const Outcome out = Answer(JsonRequest({}), "openai-chat-parallel-tool-calls.sse");
  ASSERT_FALSE(out.error) << out.error.message;
  std::vector<uint32_t> calls;
  for (const lt::OwnedEvent& e : out.events) {
    if (e.kind != EventKind::kPartialObject) continue;
    EXPECT_EQ(e.part, static_cast<uint8_t>(PartialSource::kToolArguments));
    if (calls.empty() || calls.back() != e.block) calls.push_back(e.block);
  }
  EXPECT_GE(calls.size(), 2u);  // both calls of the recording
}

}  // namespace
}  // namespace llmstream
