// AWS Bedrock ConverseStream dialect: every Bedrock recording of more-providers/ against its
// expected.json in every standard split, plus hand-built event-stream bodies (valid CRCs) for
// what the recordings lack: exception and error frames, redacted reasoning, guardrail stops,
// stop sequences, bodies cut short, unknown members.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expected.h"
#include "support/fixtures.h"
#include "support/reference_framing.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using nlohmann::json;

StreamOptions BedrockOptions() {
  StreamOptions options;
  options.api = WireApi::kBedrockConverse;
  options.framing = Framing::kAwsEventStream;
  return options;
}

std::string Ev(std::string_view type, const std::string& payload) {
  return lt::EventStreamEvent(type, payload);
}
std::string Exception(const std::string& name, const std::string& payload) {
  return lt::EncodeEventStream({{":exception-type", 7, name},
                                {":content-type", 7, "application/json"},
                                {":message-type", 7, "exception"}},
                               payload);
}
std::string ErrorFrame(const std::string& code, const std::string& message) {
  return lt::EncodeEventStream(
      {{":error-code", 7, code}, {":error-message", 7, message}, {":message-type", 7, "error"}},
      "");
}

const std::string kStart = Ev("messageStart", R"({"p":"abc","role":"assistant"})");
std::string Text(int index, const std::string& text) {
  return Ev("contentBlockDelta", R"({"contentBlockIndex":)" + std::to_string(index) +
                                     R"(,"delta":{"text":)" + json(text).dump() + R"(},"p":"ab"})");
}
std::string Delta(int index, const std::string& delta) {
  return Ev("contentBlockDelta",
            R"({"contentBlockIndex":)" + std::to_string(index) + R"(,"delta":)" + delta + "}");
}
std::string Stop(int index) {
  return Ev("contentBlockStop", R"({"contentBlockIndex":)" + std::to_string(index) + "}");
}
std::string ToolStart(int index, const std::string& id, const std::string& name) {
  return Ev("contentBlockStart", R"({"contentBlockIndex":)" + std::to_string(index) +
                                     R"(,"start":{"toolUse":{"toolUseId":")" + id +
                                     R"(","name":")" + name + R"("}}})");
}
std::string MessageStop(const std::string& reason, const std::string& extra = "") {
  return Ev("messageStop", R"({"stopReason":")" + reason + "\"" + extra + "}");
}
const std::string kMetadata =
    Ev("metadata", R"({"usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15},)"
                   R"("metrics":{"latencyMs":42},"p":"abcdef"})");

// --- the recordings -----------------------------------------------------------------------------

size_t CodePoints(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

std::vector<std::string> BedrockFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : lt::MoreProviderFixtureFiles()) {
    if (file.starts_with("more-providers/bedrock-")) files.push_back(file);
  }
  return files;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param.substr(std::string("more-providers/").size())) {
    if (c == '.') break;
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

void ExpectMatches(const Completion& got, const json& want) {
  ASSERT_EQ(got.choices.size(), 1u);
  const Choice& choice = got.choices[0];
  EXPECT_EQ(choice.role, want["role"].get<std::string>());
  const json& blocks = want["blocks"];
  ASSERT_EQ(choice.blocks.size(), blocks.size());
  std::string text, reasoning;
  size_t calls = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& block = choice.blocks[i];
    const json& w = blocks[i];
    const std::string where = "block " + std::to_string(i);
    EXPECT_EQ(block.index, w["index"].get<uint32_t>()) << where;
    EXPECT_EQ(block.type, w["type"].get<std::string>()) << where;
    if (w.contains("text")) {
      EXPECT_TRUE(lt::MatchesExpectedText(block.text, w["text"])) << where;
      text += block.text;
    }
    if (w.contains("reasoning_text")) {
      EXPECT_TRUE(lt::MatchesExpectedText(block.text, w["reasoning_text"])) << where;
      reasoning += block.text;
    }
    if (w.contains("signature")) {
      const json& signature = w["signature"];
      if (signature.is_object() && !signature.contains("sha256")) {
        EXPECT_EQ(CodePoints(block.signature), signature["chars"].get<size_t>()) << where;
      } else {
        EXPECT_TRUE(lt::MatchesExpectedText(block.signature, signature)) << where;
      }
    }
    if (w.contains("redacted_content")) {
      EXPECT_TRUE(lt::MatchesExpectedText(block.data, w["redacted_content"])) << where;
    }
    if (w["type"] == "tool_use") {
      ASSERT_GE(block.tool_call, 0) << where;
      const ToolCall& call = choice.tool_calls[block.tool_call];
      EXPECT_EQ(call.index, block.index) << where;
      EXPECT_EQ(call.id, w["id"].get<std::string>()) << where;
      EXPECT_EQ(call.name, w["name"].get<std::string>()) << where;
      EXPECT_EQ(call.type, "tool_use") << where;
      EXPECT_TRUE(call.complete) << where;
      EXPECT_TRUE(call.arguments_valid) << where;
      EXPECT_TRUE(lt::SameJson(call.arguments, w["input"])) << where;
      ++calls;
    }
  }
  EXPECT_EQ(choice.tool_calls.size(), calls);
  EXPECT_EQ(choice.text, text);
  EXPECT_EQ(choice.reasoning, reasoning);

  const std::string stop = want["stop_reason"].get<std::string>();
  EXPECT_EQ(choice.raw_finish_reason, stop);
  EXPECT_EQ(choice.finish_reason, stop == "end_turn"   ? "stop"
                                  : stop == "tool_use" ? "tool_calls"
                                                       : stop);
  const json& usage = want["usage"];
  EXPECT_EQ(got.usage.input_tokens, usage["inputTokens"].get<int64_t>() +
                                        usage.value("cacheReadInputTokens", int64_t{0}) +
                                        usage.value("cacheWriteInputTokens", int64_t{0}));
  EXPECT_EQ(got.usage.output_tokens, usage["outputTokens"].get<int64_t>());
  EXPECT_EQ(got.usage.total_tokens, usage["totalTokens"].get<int64_t>());
  if (usage.contains("cacheReadInputTokens")) {
    EXPECT_EQ(got.usage.cached_input_tokens, usage["cacheReadInputTokens"].get<int64_t>());
  }
  EXPECT_EQ(got.Metadata("metrics.latencyMs"), want["metrics"]["latencyMs"].dump());
  EXPECT_TRUE(want["errors"].empty());
  EXPECT_FALSE(got.error) << got.error.message;
  EXPECT_TRUE(got.finished);
  EXPECT_FALSE(got.truncated);
}

class BedrockFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(BedrockFixture, MatchesExpectedInEverySplit) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const std::string name = GetParam().substr(std::string("more-providers/").size());
  ExpectMatches(run.completion, lt::ExpectedMoreProviders().at(name));
  EXPECT_TRUE(run.completion.warnings.empty()) << run.completion.warnings[0];
  // The padding field `p` changes on every event; it must not become metadata.
  EXPECT_EQ(run.completion.Metadata("p"), "");
  for (const auto& [key, value] : run.completion.metadata) EXPECT_NE(key, "p");
}

INSTANTIATE_TEST_SUITE_P(Bedrock, BedrockFixture, ::testing::ValuesIn(BedrockFixtures()), TestName);

TEST(BedrockDialect, FixturesAreThere) { EXPECT_EQ(BedrockFixtures().size(), 2u); }

// --- hand-built streams
// ---------------------------------------------------------------------------

TEST(BedrockDialect, EventSequence) {
  const std::string body = kStart + Text(0, "Hi") + Stop(0) + ToolStart(1, "t1", "get") +
                           Delta(1, R"({"toolUse":{"input":"{\"a\":"}})") +
                           Delta(1, R"({"toolUse":{"input":"1}"}})") + Stop(1) +
                           MessageStop("tool_use") + kMetadata;
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const std::vector<std::string> want = {"metadata role",
                                         "block_start text",
                                         "text \"Hi\"",
                                         "block_end text",
                                         "block_start tool_use",
                                         "tool_call_start get",
                                         "tool_call_delta \"{\"a\":\"",
                                         "tool_call_delta \"1}\"",
                                         "tool_call_end get \"{\"a\":1}\"",
                                         "block_end tool_use",
                                         "finish \"tool_calls\"",
                                         "metadata metrics.latencyMs",
                                         "usage \"10/5\"",
                                         "done \"tool_calls\""};
  EXPECT_EQ(lt::EventLines(run.events), want);
  const ToolCall& call = run.completion.choices[0].tool_calls.at(0);
  EXPECT_EQ(call.id, "t1");
  EXPECT_EQ(call.arguments, R"({"a":1})");
  EXPECT_TRUE(call.arguments_valid);
  EXPECT_EQ(run.completion.usage.total_tokens, 15);
}

TEST(BedrockDialect, ToolWithoutInputHasEmptyArguments) {
  const std::string body =
      kStart + ToolStart(0, "t1", "now") + Stop(0) + MessageStop("tool_use") + kMetadata;
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const ToolCall& call = run.completion.choices[0].tool_calls.at(0);
  EXPECT_EQ(call.arguments, "{}");
  EXPECT_TRUE(call.complete);
  EXPECT_TRUE(call.arguments_valid);
}

TEST(BedrockDialect, RedactedReasoningIsKeptAsSent) {
  const std::string body = kStart + Delta(0, R"({"reasoningContent":{"text":"Let me"}})") +
                           Delta(0, R"({"reasoningContent":{"signature":"c2ln"}})") + Stop(0) +
                           Delta(1, R"({"reasoningContent":{"redactedContent":"AAEC"}})") +
                           Delta(1, R"({"reasoningContent":{"redactedContent":"AwQF"}})") +
                           Stop(1) + Text(2, "Done") + Stop(2) + MessageStop("end_turn") +
                           kMetadata;
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.blocks.size(), 3u);
  EXPECT_EQ(choice.blocks[0].type, "reasoning");
  EXPECT_EQ(choice.blocks[0].text, "Let me");
  EXPECT_EQ(choice.blocks[0].signature, "c2ln");
  EXPECT_EQ(choice.blocks[1].type, "reasoning");
  EXPECT_EQ(choice.blocks[1].data, "AAECAwQF");  // base64 as sent, deltas in order
  EXPECT_EQ(choice.blocks[1].text, "");
  EXPECT_EQ(choice.reasoning, "Let me");
  EXPECT_EQ(choice.text, "Done");
  EXPECT_TRUE(run.completion.finished);
}

TEST(BedrockDialect, GuardrailAndContentFilterStops) {
  for (const std::string reason : {"guardrail_intervened", "content_filtered"}) {
    const std::string body = kStart + Text(0, "Some") + Stop(0) + MessageStop(reason) + kMetadata;
    const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
    const Completion& c = run.completion;
    EXPECT_EQ(c.choices[0].finish_reason, "content_filter") << reason;
    EXPECT_EQ(c.choices[0].raw_finish_reason, reason);
    EXPECT_EQ(c.text(), "Some");
    EXPECT_TRUE(c.finished);
    EXPECT_FALSE(c.error);  // a stop reason, not a failure: the partial answer is the answer
  }
}

TEST(BedrockDialect, StopReasonsAndStopSequence) {
  const std::string body =
      kStart + Text(0, "a") +
      MessageStop("stop_sequence",
                  R"(,"additionalModelResponseFields":{"delta":{"stop_sequence":"END"}})") +
      kMetadata;
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  EXPECT_EQ(choice.finish_reason, "stop");
  EXPECT_EQ(choice.stop_sequence, "END");
  EXPECT_EQ(run.completion.Metadata("additionalModelResponseFields"),
            R"({"delta":{"stop_sequence":"END"}})");
  const lt::RunResult length =
      lt::RunEverySplit(BedrockOptions(), kStart + Text(0, "a") + MessageStop("max_tokens"));
  EXPECT_EQ(length.completion.choices[0].finish_reason, "length");
}

TEST(BedrockDialect, CacheUsage) {
  const std::string body =
      kStart + Text(0, "a") + MessageStop("end_turn") +
      Ev("metadata",
         R"({"usage":{"inputTokens":3,"outputTokens":2,"totalTokens":105,)"
         R"("cacheReadInputTokens":60,"cacheWriteInputTokens":40},"trace":{"guardrail":{}}})");
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const Usage& usage = run.completion.usage;
  EXPECT_EQ(usage.input_tokens, 103);
  EXPECT_EQ(usage.cached_input_tokens, 60);
  EXPECT_EQ(usage.cache_write_tokens, 40);
  EXPECT_EQ(usage.output_tokens, 2);
  EXPECT_EQ(usage.total_tokens, 105);
  EXPECT_EQ(run.completion.Metadata("trace"), R"({"guardrail":{}})");
}

struct ExceptionCase {
  std::string name;
  ErrorCode code;
  int status;
};

TEST(BedrockDialect, ExceptionFramesEndTheStreamClassified) {
  const std::vector<ExceptionCase> cases = {
      {"internalServerException", ErrorCode::kServer, 500},
      {"modelStreamErrorException", ErrorCode::kServer, 424},
      {"validationException", ErrorCode::kBadRequest, 400},
      {"throttlingException", ErrorCode::kRateLimited, 429},
      {"serviceUnavailableException", ErrorCode::kServer, 503},
      {"somethingNewException", ErrorCode::kProviderError, 0},
  };
  for (const ExceptionCase& c : cases) {
    const std::string body = kStart + Text(0, "Part") +
                             Exception(c.name, R"({"message":"it broke"})") + Text(0, "ignored") +
                             MessageStop("end_turn");
    const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
    const Completion& got = run.completion;
    EXPECT_EQ(got.error.code, c.code) << c.name;
    EXPECT_EQ(got.error.http_status, c.status) << c.name;
    EXPECT_EQ(got.error.provider_type, c.name);
    EXPECT_EQ(got.error.message, c.name + ": it broke");
    EXPECT_EQ(IsRetryable(got.error.code), c.code != ErrorCode::kBadRequest) << c.name;
    EXPECT_EQ(got.text(), "Part");  // what came before is kept; nothing after it
    EXPECT_FALSE(got.finished);
    EXPECT_FALSE(got.truncated);
    EXPECT_EQ(got.Metadata("error"), R"({"message":"it broke"})");
  }
}

TEST(BedrockDialect, ModelStreamErrorCarriesTheOriginalStatus) {
  const std::string body = kStart + Exception("modelStreamErrorException",
                                              R"({"message":"upstream","originalStatusCode":429,)"
                                              R"("originalMessage":"Too many tokens"})");
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(run.completion.error.http_status, 429);
  EXPECT_EQ(run.completion.error.message, "modelStreamErrorException: upstream (Too many tokens)");
}

TEST(BedrockDialect, ErrorFrames) {
  const std::string body = kStart + Text(0, "x") + ErrorFrame("ThrottlingException", "Slow down");
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(run.completion.error.message, "ThrottlingException: Slow down");
  EXPECT_EQ(run.completion.Metadata("error"), "Slow down");
  const lt::RunResult other =
      lt::RunEverySplit(BedrockOptions(), kStart + ErrorFrame("InternalFailure", "boom"));
  EXPECT_EQ(other.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(other.completion.error.provider_type, "InternalFailure");
}

TEST(BedrockDialect, CutMidStreamIsTruncatedAndKeepsThePartial) {
  const std::string full = kStart + Text(0, "Hello") + Stop(0) + ToolStart(1, "t1", "get") +
                           Delta(1, R"({"toolUse":{"input":"{\"a\""}})") + Stop(1) +
                           MessageStop("tool_use") + kMetadata;
  const std::string upto_tool_delta = kStart + Text(0, "Hello") + Stop(0) +
                                      ToolStart(1, "t1", "get") +
                                      Delta(1, R"({"toolUse":{"input":"{\"a\""}})");
  // Between frames and in the middle of the next frame.
  for (size_t cut : {upto_tool_delta.size(), upto_tool_delta.size() + 7}) {
    const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), full.substr(0, cut));
    const Completion& got = run.completion;
    EXPECT_TRUE(got.truncated) << cut;
    EXPECT_FALSE(got.finished);
    EXPECT_EQ(got.error.code, ErrorCode::kTruncated);
    EXPECT_EQ(got.text(), "Hello");
    ASSERT_EQ(got.choices[0].tool_calls.size(), 1u);
    EXPECT_FALSE(got.choices[0].tool_calls[0].complete);  // partial input never looks complete
    EXPECT_EQ(got.choices[0].tool_calls[0].arguments, R"({"a")");
  }
}

TEST(BedrockDialect, EndAfterMessageStopWithoutMetadataIsCompleteWithAWarning) {
  const std::string body = kStart + Text(0, "Hi") + MessageStop("end_turn");
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const Completion& got = run.completion;
  EXPECT_TRUE(got.finished);
  EXPECT_FALSE(got.truncated);
  EXPECT_FALSE(got.error);
  EXPECT_TRUE(got.usage.empty());
  ASSERT_EQ(got.warnings.size(), 1u);
  EXPECT_TRUE(got.warnings[0].starts_with("missing_usage")) << got.warnings[0];
  // The text block left open is closed by the message's end.
  EXPECT_EQ(std::count_if(run.events.begin(), run.events.end(),
                          [](const lt::OwnedEvent& e) { return e.kind == EventKind::kBlockEnd; }),
            1);
}

TEST(BedrockDialect, UnknownMembersArePassedOn) {
  const std::string body =
      kStart + Delta(0, R"({"image":{"format":"png"}})") + Delta(0, R"({"image":{"x":1}})") +
      Ev("contentBlockStart", R"({"contentBlockIndex":1,"start":{"toolResult":{"id":"r"}}})") +
      Stop(1) + Ev("somethingNew", R"({"a":1})") + MessageStop("end_turn", R"(,"extra":"v")") +
      kMetadata;
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  const Completion& got = run.completion;
  EXPECT_EQ(got.Metadata("delta.image"), R"({"x":1})");
  EXPECT_EQ(got.Metadata("somethingNew"), R"({"a":1})");
  EXPECT_EQ(got.Metadata("extra"), "v");
  ASSERT_EQ(got.warnings.size(), 1u);  // once per unknown member
  ASSERT_EQ(got.choices[0].blocks.size(), 1u);
  EXPECT_EQ(got.choices[0].blocks[0].type, "toolResult");
  EXPECT_EQ(got.choices[0].blocks[0].data, R"({"toolResult":{"id":"r"}})");
  EXPECT_TRUE(got.finished);
}

TEST(BedrockDialect, GatewayWrappedEvents) {
  // A gateway re-framing the stream as SSE writes each event as its union member.
  const std::string body =
      "data: {\"messageStart\":{\"role\":\"assistant\"}}\n\n"
      "data: {\"contentBlockDelta\":{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}}\n\n"
      "data: {\"messageStop\":{\"stopReason\":\"end_turn\"}}\n\n"
      "data: {\"metadata\":{\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}}\n\n";
  StreamOptions options = BedrockOptions();
  options.framing = Framing::kSse;
  const lt::RunResult run = lt::RunEverySplit(options, body);
  EXPECT_EQ(run.completion.text(), "Hi");
  EXPECT_EQ(run.completion.choices[0].role, "assistant");
  EXPECT_TRUE(run.completion.finished);
  EXPECT_EQ(run.completion.usage.output_tokens, 1);
}

TEST(BedrockDialect, BadPayloadIsBadJson) {
  const std::string body = kStart + Text(0, "a") + Ev("contentBlockDelta", "{\"delta\":");
  const lt::RunResult run = lt::RunEverySplit(BedrockOptions(), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kBadJson);
  EXPECT_EQ(run.completion.text(), "a");
}

TEST(BedrockDialect, ManyBlocksHitTheLimitInLinearTime) {
  std::string body = kStart;
  for (int i = 0; i < 20000; ++i) body += Text(i, "x");  // never stopped: all open at once
  StreamOptions options = BedrockOptions();
  options.limits.max_parts = 10000;
  const lt::RunResult run = lt::RunStream(options, body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(run.completion.text().size(), 10000u);
}

}  // namespace
}  // namespace llmstream
