// Anthropic Messages dialect: every anthropic-*.sse recording against expected.json in every
// standard split, plus synthetic streams for what the recordings do not show.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using nlohmann::json;

StreamOptions AnthropicOptions() { return lt::OptionsForFixture("anthropic-"); }

const json& Expected(const std::string& file) { return lt::Expected().at(file); }
using lt::ExpectSameEvents;
using lt::RunEverySplit;

// An SSE event named after the JSON `type`, as Anthropic frames them.
std::string Ev(const std::string& data) {
  return "event: " + json::parse(data).value("type", std::string("message")) + "\ndata: " + data +
         "\n\n";
}

const std::string kMessageStart =
    Ev(R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
       R"("model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,)"
       R"("usage":{"input_tokens":10,"output_tokens":1}}})");
const std::string kMessageStop = Ev(R"({"type":"message_stop"})");

std::string BlockStart(int index, const std::string& block) {
  return Ev(R"({"type":"content_block_start","index":)" + std::to_string(index) +
            R"(,"content_block":)" + block + "}");
}
std::string Delta(int index, const std::string& delta) {
  return Ev(R"({"type":"content_block_delta","index":)" + std::to_string(index) + R"(,"delta":)" +
            delta + "}");
}
std::string TextDelta(int index, const std::string& text) {
  return Delta(index, R"({"type":"text_delta","text":)" + json(text).dump() + "}");
}
std::string JsonDelta(int index, const std::string& partial) {
  return Delta(index, R"({"type":"input_json_delta","partial_json":)" + json(partial).dump() + "}");
}
std::string BlockStop(int index) {
  return Ev(R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}
std::string MessageDelta(const std::string& stop_reason, const std::string& usage) {
  return Ev(R"({"type":"message_delta","delta":{"stop_reason":)" + stop_reason +
            R"(,"stop_sequence":null},"usage":)" + usage + "}");
}

std::vector<lt::OwnedEvent> OfKind(const std::vector<lt::OwnedEvent>& events, EventKind kind) {
  std::vector<lt::OwnedEvent> out;
  for (const lt::OwnedEvent& e : events) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

size_t CodePoints(const std::string& text) {
  return std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

// expected.json gives long strings as {chars, head, tail, sha256}; short ones as is.
void ExpectText(const std::string& got, const json& want, const std::string& what) {
  if (want.is_string()) {
    EXPECT_EQ(got, want.get<std::string>()) << what;
    return;
  }
  EXPECT_EQ(CodePoints(got), want.at("chars").get<size_t>()) << what;
  if (want.contains("head")) {
    EXPECT_TRUE(got.starts_with(want["head"].get<std::string>())) << what;
  }
  if (want.contains("tail")) {
    EXPECT_TRUE(got.ends_with(want["tail"].get<std::string>())) << what;
  }
}

std::string NormalizedStop(const std::string& raw) {
  if (raw == "end_turn" || raw == "stop_sequence") return "stop";
  if (raw == "max_tokens") return "length";
  if (raw == "tool_use") return "tool_calls";
  return raw;
}

void ExpectMatches(const Completion& got, const json& want) {
  ASSERT_FALSE(got.choices.empty());
  const Choice& choice = got.choices[0];
  EXPECT_EQ(got.id, want["message"]["id"].get<std::string>());
  EXPECT_EQ(got.model, want["message"]["model"].get<std::string>());
  EXPECT_EQ(choice.role, "assistant");

  const json& blocks = want["blocks"];
  ASSERT_EQ(choice.blocks.size(), blocks.size());
  std::string text, thinking;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& block = choice.blocks[i];
    const json& w = blocks[i];
    const std::string where = "block " + std::to_string(i);
    const std::string type = w["type"].get<std::string>();
    EXPECT_EQ(block.index, i) << where;
    EXPECT_EQ(block.type, type) << where;
    EXPECT_EQ(block.citations.size(), w.value("citations", size_t{0})) << where;
    if (w.contains("text")) {
      ExpectText(block.text, w["text"], where);
      text += block.text;
    }
    if (w.contains("thinking")) {
      ExpectText(block.text, w["thinking"], where);
      thinking += block.text;
    }
    if (w.contains("signature")) ExpectText(block.signature, w["signature"], where);
    if (w.contains("input")) {
      ASSERT_GE(block.tool_call, 0) << where;
      const ToolCall& call = choice.tool_calls[block.tool_call];
      EXPECT_EQ(call.id, w["id"].get<std::string>()) << where;
      EXPECT_EQ(call.name, w["name"].get<std::string>()) << where;
      EXPECT_EQ(call.type, type) << where;
      EXPECT_EQ(call.kind, type == "tool_use" ? ToolKind::kFunction : ToolKind::kServer) << where;
      EXPECT_TRUE(call.complete) << where;
      EXPECT_TRUE(call.arguments_valid) << where;
      EXPECT_EQ(json::parse(call.arguments), w["input"]) << where;
    } else if (type != "text" && type != "thinking") {
      // Blocks that arrive whole keep their JSON.
      ASSERT_TRUE(json::accept(block.data)) << where << ": " << block.data;
      EXPECT_EQ(json::parse(block.data)["type"], type) << where;
    }
  }
  EXPECT_EQ(choice.text, text);
  EXPECT_EQ(choice.reasoning, thinking);

  if (want["stop_reason"].is_null()) {
    EXPECT_EQ(choice.raw_finish_reason, "");
  } else {
    EXPECT_EQ(choice.raw_finish_reason, want["stop_reason"].get<std::string>());
    EXPECT_EQ(choice.finish_reason, NormalizedStop(want["stop_reason"].get<std::string>()));
  }
  EXPECT_EQ(choice.stop_sequence, want["stop_sequence"].is_null()
                                      ? std::string()
                                      : want["stop_sequence"].get<std::string>());

  const json& usage = want["usage"];
  const int64_t cache_read = usage["cache_read_input_tokens"].get<int64_t>();
  const int64_t cache_write = usage["cache_creation_input_tokens"].get<int64_t>();
  EXPECT_EQ(got.usage.input_tokens,
            usage["input_tokens"].get<int64_t>() + cache_read + cache_write);
  EXPECT_EQ(got.usage.output_tokens, usage["output_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.cached_input_tokens, cache_read);
  EXPECT_EQ(got.usage.cache_write_tokens, cache_write);

  EXPECT_EQ(got.finished, want["message_stop"].get<bool>());
  if (want["errors"].empty()) {
    EXPECT_FALSE(got.error) << got.error.message;
  } else {
    const json& error = want["errors"][0]["error"];
    EXPECT_EQ(got.error.code, ErrorCode::kProviderError);
    EXPECT_EQ(got.error.provider_type, error["type"].get<std::string>());
    EXPECT_EQ(got.error.message, error["message"].get<std::string>());
  }
}

std::vector<std::string> AnthropicFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : lt::FixtureFiles()) {
    if (file.starts_with("anthropic-")) files.push_back(file);
  }
  return files;
}

class AnthropicFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(AnthropicFixture, MatchesExpectedInEverySplit) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const lt::RunResult run = RunEverySplit(lt::OptionsForFixture(GetParam()), body);
  ExpectMatches(run.completion, Expected(GetParam()));
  EXPECT_TRUE(run.completion.warnings.empty()) << run.completion.warnings[0];
}

TEST_P(AnthropicFixture, SameResultWithoutEventLines) {
  // Gateways may drop `event:`; the JSON type alone must give the same events.
  const std::string body = lt::ReadFixture(GetParam());
  std::string stripped;
  for (size_t at = 0; at < body.size();) {
    size_t end = body.find('\n', at);
    end = end == std::string::npos ? body.size() : end + 1;
    std::string_view line(body.data() + at, end - at);
    if (!line.starts_with("event:") || line.starts_with("event: error")) stripped.append(line);
    at = end;
  }
  const StreamOptions options = lt::OptionsForFixture(GetParam());
  const lt::RunResult with_names = lt::RunStream(options, body, {"whole", {body.size()}});
  const lt::RunResult without = RunEverySplit(options, stripped);
  ExpectSameEvents(lt::Coalesce(without.events), lt::Coalesce(with_names.events));
  ExpectMatches(without.completion, Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Anthropic, AnthropicFixture, ::testing::ValuesIn(AnthropicFixtures()),
                         ::llmstream::testing::FixtureTestName);

TEST(AnthropicDialect, TextFixtureEventSequence) {
  const std::string body = lt::ReadFixture("anthropic-text.sse");
  const lt::RunResult run = lt::RunStream(AnthropicOptions(), body, {"whole", {body.size()}});
  const std::vector<std::string> got = lt::EventLines(run.events);
  const std::vector<std::string> want = {"metadata model",        "metadata id",
                                         "metadata role",         "metadata usage.cache_creation",
                                         "metadata service_tier", "metadata usage.inference_geo",
                                         "usage \"10/2\"",        "block_start text",
                                         "keep_alive \"ping\"",   "text \"Hello\"",
                                         "block_end text",        "usage \"10/4\"",
                                         "finish \"stop\"",       "done \"stop\""};
  EXPECT_EQ(got, want);
}

TEST(AnthropicDialect, PingsFollowTheKeepAliveOption) {
  const std::string body = lt::ReadFixture("anthropic-text.sse");
  auto keep_alives = [&](bool keep_alive_events) {
    StreamOptions options = AnthropicOptions();
    options.keep_alive_events = keep_alive_events;
    const lt::RunResult run = RunEverySplit(options, body);
    EXPECT_EQ(run.completion.choices.at(0).text, "Hello");
    return std::count_if(run.events.begin(), run.events.end(),
                         [](const lt::OwnedEvent& e) { return e.kind == EventKind::kKeepAlive; });
  };
  EXPECT_EQ(keep_alives(true), 1);
  EXPECT_EQ(keep_alives(false), 0);
}

TEST(AnthropicDialect, FieldsInAnyOrder) {
  const std::string body =
      Ev(R"({"message":{"usage":{"output_tokens":1,"input_tokens":5},"model":"m","id":"msg_x"},)"
         R"("type":"message_start"})") +
      Ev(R"({"content_block":{"text":"","type":"text"},"index":0,"type":"content_block_start"})") +
      Ev(R"({"delta":{"text":"Hel","type":"text_delta"},"index":0,"type":"content_block_delta"})") +
      Ev(R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"lo"},"index":0})") +
      Ev(R"({"index":0,"delta":{"text":" you","type":"text_delta"},"type":"content_block_delta"})") +
      Ev(R"({"index":0,"type":"content_block_stop"})") +
      Ev(R"({"usage":{"output_tokens":7},"delta":{"stop_sequence":null,"stop_reason":"end_turn"},)"
         R"("type":"message_delta"})") +
      kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Completion& c = run.completion;
  EXPECT_EQ(c.text(), "Hello you");
  EXPECT_EQ(c.id, "msg_x");
  EXPECT_EQ(c.model, "m");
  EXPECT_EQ(c.usage.input_tokens, 5);
  EXPECT_EQ(c.usage.output_tokens, 7);
  EXPECT_EQ(c.choices[0].finish_reason, "stop");
  EXPECT_TRUE(c.finished);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(AnthropicDialect, UnknownBlockTypeWithDeltas) {
  const std::string block = R"({"type":"compaction","content":""})";
  const std::string delta = R"({"type":"compaction_delta","content":"summary so far"})";
  const std::string body =
      kMessageStart + BlockStart(0, block) + Delta(0, delta) + Delta(0, delta) + BlockStop(0) +
      BlockStart(1, R"({"type":"text","text":""})") + TextDelta(1, "Hi") + BlockStop(1) +
      MessageDelta(R"("end_turn")", R"({"output_tokens":3})") + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Completion& c = run.completion;
  ASSERT_EQ(c.choices[0].blocks.size(), 2u);
  EXPECT_EQ(c.choices[0].blocks[0].type, "compaction");
  EXPECT_EQ(c.choices[0].blocks[0].data, block);
  EXPECT_EQ(c.text(), "Hi");
  // Warned once for the type, every delta passed on whole.
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("compaction_delta"), std::string::npos);
  std::vector<lt::OwnedEvent> metadata = OfKind(run.events, EventKind::kMetadata);
  EXPECT_EQ(std::count_if(metadata.begin(), metadata.end(),
                          [&](const lt::OwnedEvent& e) {
                            return e.name == "delta.compaction_delta" && e.text == delta;
                          }),
            2);
  EXPECT_EQ(OfKind(run.events, EventKind::kBlockEnd).size(), 2u);
  EXPECT_TRUE(c.finished);
}

TEST(AnthropicDialect, UnknownDeltaTypeOnTextBlock) {
  const std::string odd = R"({"type":"sparkle_delta","sparkle":{"level":3}})";
  const std::string body = kMessageStart + BlockStart(0, R"({"type":"text","text":""})") +
                           TextDelta(0, "a") + Delta(0, odd) + TextDelta(0, "b") + Delta(0, odd) +
                           BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  EXPECT_EQ(run.completion.text(), "ab");
  ASSERT_EQ(run.completion.warnings.size(), 1u);
  EXPECT_NE(run.completion.warnings[0].find("sparkle_delta"), std::string::npos);
  EXPECT_EQ(run.completion.Metadata("delta.sparkle_delta"), odd);
}

TEST(AnthropicDialect, UnknownEventTypeIsMetadata) {
  const std::string odd = R"({"type":"message_annotation","note":{"x":[1,2]}})";
  const std::string body = kMessageStart + Ev(odd) + BlockStart(0, R"({"type":"text","text":""})") +
                           TextDelta(0, "ok") + BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  EXPECT_EQ(run.completion.Metadata("message_annotation"), odd);
  EXPECT_EQ(run.completion.text(), "ok");
  EXPECT_TRUE(run.completion.finished);
}

TEST(AnthropicDialect, ErrorEventMidBlockKeepsPartialText) {
  const std::string body =
      kMessageStart + BlockStart(0, R"({"type":"text","text":""})") + TextDelta(0, "Partial ") +
      TextDelta(0, "answer") +
      Ev(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})") +
      TextDelta(0, " never seen") + BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Completion& c = run.completion;
  EXPECT_EQ(c.text(), "Partial answer");
  EXPECT_EQ(c.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(c.error.provider_type, "overloaded_error");
  EXPECT_EQ(c.error.message, "Overloaded");
  EXPECT_FALSE(c.finished);
  ASSERT_FALSE(run.events.empty());
  EXPECT_EQ(run.events.back().kind, EventKind::kError);
}

TEST(AnthropicDialect, EventNamedErrorIsAnErrorWhateverItsJson) {
  const std::string body =
      kMessageStart + BlockStart(0, R"({"type":"text","text":""})") + TextDelta(0, "x") +
      "event: error\ndata: {\"type\":\"message_delta\",\"delta\":{}}\n\n" + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kProviderError);
  EXPECT_FALSE(run.completion.finished);
  EXPECT_TRUE(OfKind(run.events, EventKind::kFinish).empty());
}

TEST(AnthropicDialect, UsageIsMergedNotSummed) {
  const std::string start =
      Ev(R"({"type":"message_start","message":{"id":"msg_u","model":"claude-x","usage":)"
         R"({"input_tokens":100,"cache_read_input_tokens":50,"cache_creation_input_tokens":25,)"
         R"("output_tokens":1}}})");
  const std::string body =
      start + BlockStart(0, R"({"type":"text","text":""})") + TextDelta(0, "t") + BlockStop(0) +
      MessageDelta(R"("end_turn")", R"({"output_tokens":30})") +
      MessageDelta(R"("end_turn")", R"({"input_tokens":100,"output_tokens":42,)"
                                    R"("cache_read_input_tokens":null})") +
      kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  std::vector<std::string> usages;
  for (const lt::OwnedEvent& e : OfKind(run.events, EventKind::kUsage)) usages.push_back(e.text);
  EXPECT_EQ(usages, (std::vector<std::string>{"175/1", "175/30", "175/42"}));
  const Usage& usage = run.completion.usage;
  EXPECT_EQ(usage.input_tokens, 175);  // 100 + cache reads 50 + cache writes 25
  EXPECT_EQ(usage.cached_input_tokens, 50);
  EXPECT_EQ(usage.cache_write_tokens, 25);
  EXPECT_EQ(usage.output_tokens, 42);
  EXPECT_EQ(OfKind(run.events, EventKind::kFinish).size(), 1u);  // repeated reason: one finish
}

TEST(AnthropicDialect, RedactedThinking) {
  const std::string body =
      kMessageStart +
      BlockStart(0, R"({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"})") + BlockStop(0) +
      BlockStart(1, R"({"type":"text","text":""})") + TextDelta(1, "Answer") + BlockStop(1) +
      MessageDelta(R"("end_turn")", R"({"output_tokens":9})") + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].type, "redacted_thinking");
  EXPECT_EQ(choice.blocks[0].data, "EmwKAhgBEgy3va3pzix");
  EXPECT_EQ(choice.reasoning, "");
  EXPECT_EQ(choice.text, "Answer");
  const std::vector<lt::OwnedEvent> reasoning = OfKind(run.events, EventKind::kReasoning);
  ASSERT_EQ(reasoning.size(), 1u);
  EXPECT_EQ(reasoning[0].part, static_cast<uint8_t>(ReasoningPart::kRedacted));
}

TEST(AnthropicDialect, ThinkingAndSignatureGoToReasoning) {
  const std::string body = kMessageStart +
                           BlockStart(0, R"({"type":"thinking","thinking":"","signature":""})") +
                           Delta(0, R"({"type":"thinking_delta","thinking":"Let me think."})") +
                           Delta(0, R"({"type":"signature_delta","signature":"c2ln"})") +
                           BlockStop(0) + BlockStart(1, R"({"type":"text","text":""})") +
                           TextDelta(1, "42") + BlockStop(1) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Choice& choice = run.completion.choices[0];
  EXPECT_EQ(choice.reasoning, "Let me think.");
  EXPECT_EQ(choice.reasoning_signature, "c2ln");
  EXPECT_EQ(choice.blocks[0].signature, "c2ln");
  EXPECT_EQ(choice.text, "42");
}

TEST(AnthropicDialect, ToolInputSplitMidEscape) {
  const std::string body =
      kMessageStart +
      BlockStart(0, R"({"type":"tool_use","id":"toolu_1","name":"echo","input":{}})") +
      JsonDelta(0, "") + JsonDelta(0, R"({"a":"\u00)") + JsonDelta(0, R"(e9"})") + BlockStop(0) +
      MessageDelta(R"("tool_use")", R"({"output_tokens":5})") + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 1u);
  const ToolCall& call = choice.tool_calls[0];
  EXPECT_EQ(call.arguments, R"({"a":"\u00e9"})");
  EXPECT_TRUE(call.complete);
  EXPECT_TRUE(call.arguments_valid);
  EXPECT_EQ(json::parse(call.arguments)["a"], "\xC3\xA9");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
}

TEST(AnthropicDialect, InvalidToolInputWarnsAndStillEndsTheCall) {
  const std::string body =
      kMessageStart + BlockStart(0, R"({"type":"tool_use","id":"toolu_2","name":"f","input":{}})") +
      JsonDelta(0, R"({"a":)") + BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const ToolCall& call = run.completion.choices[0].tool_calls.at(0);
  EXPECT_TRUE(call.complete);
  EXPECT_FALSE(call.arguments_valid);
  EXPECT_EQ(call.arguments, R"({"a":)");
  ASSERT_EQ(run.completion.warnings.size(), 1u);
  EXPECT_NE(run.completion.warnings[0].find("bad_tool_arguments"), std::string::npos);
}

TEST(AnthropicDialect, WholeInputInBlockStartWithoutDeltas) {
  const std::string body =
      kMessageStart +
      BlockStart(0, R"({"type":"tool_use","id":"toolu_3","name":"f","input":{"q":"x"}})") +
      BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  EXPECT_EQ(run.completion.choices[0].tool_calls.at(0).arguments, R"({"q":"x"})");
}

TEST(AnthropicDialect, TruncatedToolCallStaysIncomplete) {
  const std::string body =
      kMessageStart + BlockStart(0, R"({"type":"tool_use","id":"toolu_4","name":"f","input":{}})") +
      JsonDelta(0, R"({"path":"/et)");
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  const ToolCall& call = run.completion.choices[0].tool_calls.at(0);
  EXPECT_FALSE(call.complete);
  EXPECT_EQ(call.arguments, R"({"path":"/et)");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
  EXPECT_TRUE(OfKind(run.events, EventKind::kToolCallEnd).empty());
}

TEST(AnthropicDialect, StopReasonsAreNormalized) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"end_turn", "stop"},       {"stop_sequence", "stop"},
      {"max_tokens", "length"},   {"model_context_window_exceeded", "length"},
      {"tool_use", "tool_calls"}, {"refusal", "content_filter"},
      {"pause_turn", "pause"},    {"brand_new_reason", "brand_new_reason"}};
  for (const auto& [raw, normalized] : cases) {
    const std::string body =
        kMessageStart + MessageDelta(json(raw).dump(), R"({"output_tokens":2})") + kMessageStop;
    const Completion c =
        lt::RunStream(AnthropicOptions(), body, {"whole", {body.size()}}).completion;
    EXPECT_EQ(c.choices.at(0).finish_reason, normalized) << raw;
    EXPECT_EQ(c.choices.at(0).raw_finish_reason, raw);
  }
}

TEST(AnthropicDialect, MessageFieldsPassThroughAsMetadata) {
  const std::string body = lt::ReadFixture("anthropic-midstream-error.sse");
  const lt::RunResult run = lt::RunStream(AnthropicOptions(), body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.Metadata("service_tier"), "standard");
  EXPECT_EQ(run.completion.Metadata("role"), "assistant");
  EXPECT_EQ(run.completion.choices.at(0).role, "assistant");
}

// An event whose data cannot be read may have carried content: the stream ends with bad_json
// (never a clean success with a hole), keeping what came before.
TEST(AnthropicDialect, BadJsonEndsTheStreamKeepingWhatCameBefore) {
  const std::string body = kMessageStart + BlockStart(0, R"({"type":"text","text":""})") +
                           TextDelta(0, "fine") +
                           "event: content_block_delta\ndata: {\"type\":\n\n" +
                           TextDelta(0, " lost") + BlockStop(0) + kMessageStop;
  const lt::RunResult run = RunEverySplit(AnthropicOptions(), body);
  EXPECT_EQ(run.completion.text(), "fine");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kBadJson);
  EXPECT_NE(run.completion.error.message.find("event data is not valid JSON: {\"type\":"),
            std::string::npos)
      << run.completion.error.message;
  EXPECT_FALSE(run.completion.finished);
}

TEST(AnthropicDialect, ServerToolBlocksKeepTheirKindAndResults) {
  const std::string body = lt::ReadFixture("anthropic-web-search-citations.sse");
  const lt::RunResult run = lt::RunStream(AnthropicOptions(), body, {"whole", {body.size()}});
  const std::vector<lt::OwnedEvent> starts = OfKind(run.events, EventKind::kToolCallStart);
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].part, static_cast<uint8_t>(ToolKind::kServer));
  EXPECT_EQ(starts[0].name, "web_search");
  EXPECT_EQ(OfKind(run.events, EventKind::kCitation).size(), 5u);
  EXPECT_EQ(run.completion.Metadata("usage.server_tool_use"), R"({"web_search_requests":1})");
}

}  // namespace
}  // namespace llmstream
