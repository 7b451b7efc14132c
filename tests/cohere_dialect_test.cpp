// Cohere v2 chat dialect: every Cohere recording of more-providers/ against its expected.json in
// every standard split, plus hand-written streams for what the recordings lack: thinking content,
// citations, an ERROR finish, a body cut short, tool calls beside content blocks.
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

StreamOptions CohereOptions() {
  StreamOptions options;
  options.api = WireApi::kCohereChat;
  return options;
}

// An SSE event named after the JSON `type`, as Cohere frames them.
std::string Ev(const std::string& data) {
  return "event: " + json::parse(data).value("type", std::string("message")) + "\ndata: " + data +
         "\n\n";
}
const std::string kStart = Ev(
    R"({"id":"gen-1","type":"message-start","delta":{"message":{"role":"assistant","content":[],)"
    R"("tool_plan":"","tool_calls":[],"citations":[]}}})");
std::string ContentStart(int index, const std::string& type) {
  return Ev(R"({"type":"content-start","index":)" + std::to_string(index) +
            R"(,"delta":{"message":{"content":{"type":")" + type + R"(","text":""}}}})");
}
std::string ContentDelta(int index, const std::string& field, const std::string& text) {
  return Ev(R"({"type":"content-delta","index":)" + std::to_string(index) +
            R"(,"delta":{"message":{"content":{")" + field + R"(":)" + json(text).dump() + "}}}}");
}
std::string ContentEnd(int index) {
  return Ev(R"({"type":"content-end","index":)" + std::to_string(index) + "}");
}
std::string Plan(const std::string& text) {
  return Ev(R"({"type":"tool-plan-delta","delta":{"message":{"tool_plan":)" + json(text).dump() +
            "}}}");
}
std::string CallStart(int index, const std::string& id, const std::string& name) {
  return Ev(R"({"type":"tool-call-start","index":)" + std::to_string(index) +
            R"(,"delta":{"message":{"tool_calls":{"id":")" + id +
            R"(","type":"function","function":{"name":")" + name + R"(","arguments":""}}}}})");
}
std::string CallDelta(int index, const std::string& arguments) {
  return Ev(R"({"type":"tool-call-delta","index":)" + std::to_string(index) +
            R"(,"delta":{"message":{"tool_calls":{"function":{"arguments":)" +
            json(arguments).dump() + "}}}}}");
}
std::string CallEnd(int index) {
  return Ev(R"({"type":"tool-call-end","index":)" + std::to_string(index) + "}");
}
std::string End(const std::string& finish, const std::string& extra = "") {
  return Ev(R"({"type":"message-end","delta":{"finish_reason":")" + finish +
            R"(","usage":{"billed_units":{"input_tokens":3,"output_tokens":4},)"
            R"("tokens":{"input_tokens":30,"output_tokens":5}})" +
            extra + "}}");
}
const std::string kDone = "data: [DONE]\n\n";

// --- the recordings -----------------------------------------------------------------------------

std::vector<std::string> CohereFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : lt::MoreProviderFixtureFiles()) {
    if (file.starts_with("more-providers/cohere-")) files.push_back(file);
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

std::string NormalizedFinish(const std::string& raw) {
  if (raw == "COMPLETE" || raw == "STOP_SEQUENCE") return "stop";
  if (raw == "MAX_TOKENS") return "length";
  if (raw == "TOOL_CALL") return "tool_calls";
  return raw;
}

void ExpectMatches(const Completion& got, const json& want) {
  ASSERT_EQ(got.choices.size(), 1u);
  const Choice& choice = got.choices[0];
  EXPECT_EQ(got.id, want["message_id"].get<std::string>());
  EXPECT_EQ(choice.role, "assistant");

  // Content blocks (text, thinking); the plan and the tool calls have blocks of their own.
  std::vector<const Block*> content;
  const Block* plan = nullptr;
  for (const Block& block : choice.blocks) {
    if (block.type == "text" || block.type == "thinking") content.push_back(&block);
    if (block.type == "tool_plan") plan = &block;
  }
  const json& blocks = want["blocks"];
  ASSERT_EQ(content.size(), blocks.size());
  std::string text, thinking;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string where = "block " + std::to_string(i);
    EXPECT_EQ(content[i]->index, blocks[i]["index"].get<uint32_t>()) << where;
    EXPECT_EQ(content[i]->type, blocks[i]["type"].get<std::string>()) << where;
    EXPECT_TRUE(lt::MatchesExpectedText(content[i]->text, blocks[i]["text"])) << where;
    (content[i]->type == "text" ? text : thinking) += content[i]->text;
  }
  EXPECT_EQ(choice.text, text);
  if (want["tool_plan"].is_null()) {
    EXPECT_EQ(plan, nullptr);
    EXPECT_EQ(choice.reasoning, thinking);
  } else {
    ASSERT_NE(plan, nullptr);
    EXPECT_TRUE(lt::MatchesExpectedText(plan->text, want["tool_plan"]));
    EXPECT_EQ(choice.reasoning, thinking + plan->text);
  }

  const json& calls = want["tool_calls"];
  ASSERT_EQ(choice.tool_calls.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    const ToolCall& call = choice.tool_calls[i];
    const std::string where = "tool call " + std::to_string(i);
    EXPECT_EQ(call.index, calls[i]["index"].get<uint32_t>()) << where;
    EXPECT_EQ(call.id, calls[i]["id"].get<std::string>()) << where;
    EXPECT_EQ(call.name, calls[i]["name"].get<std::string>()) << where;
    EXPECT_EQ(call.type, "function") << where;
    EXPECT_TRUE(call.complete) << where;
    EXPECT_TRUE(call.arguments_valid) << where;
    EXPECT_TRUE(lt::SameJson(call.arguments, calls[i]["arguments"])) << where;
  }
  EXPECT_EQ(choice.citations.size(), want["citations"].size());

  const std::string finish = want["finish_reason"].get<std::string>();
  EXPECT_EQ(choice.raw_finish_reason, finish);
  EXPECT_EQ(choice.finish_reason, NormalizedFinish(finish));

  const json& usage = want["usage"];
  EXPECT_EQ(got.usage.input_tokens, usage["tokens"]["input_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.output_tokens, usage["tokens"]["output_tokens"].get<int64_t>());
  if (usage.contains("cached_tokens")) {
    EXPECT_EQ(got.usage.cached_input_tokens, usage["cached_tokens"].get<int64_t>());
  } else {
    EXPECT_FALSE(got.usage.cached_input_tokens);
  }
  EXPECT_TRUE(lt::SameJson(got.Metadata("usage.billed_units"), usage["billed_units"]));
  if (usage["tokens"].contains("image_tokens")) {
    EXPECT_EQ(got.Metadata("usage.tokens.image_tokens"), usage["tokens"]["image_tokens"].dump());
  }
  EXPECT_EQ(got.finished, want["done"].get<bool>());
  EXPECT_FALSE(got.truncated);
  EXPECT_TRUE(want["errors"].empty());
  EXPECT_FALSE(got.error) << got.error.message;
}

class CohereFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(CohereFixture, MatchesExpectedInEverySplit) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const std::string name = GetParam().substr(std::string("more-providers/").size());
  ExpectMatches(run.completion, lt::ExpectedMoreProviders().at(name));
  EXPECT_TRUE(run.completion.warnings.empty()) << run.completion.warnings[0];
  // The wasm boundary, the package's chunks and the relay carry indexes as int32.
  for (const lt::OwnedEvent& event : run.events) {
    EXPECT_LE(event.block, uint32_t{INT32_MAX}) << lt::Describe(event);
  }
  for (const Block& block : run.completion.choices.at(0).blocks) {
    EXPECT_LE(block.index, uint32_t{INT32_MAX}) << block.type;
  }
}

TEST_P(CohereFixture, SameResultWithoutEventLines) {
  // Handlers go by the JSON type: a gateway that drops the `event:` lines changes nothing.
  const std::string body = lt::ReadFixture(GetParam());
  std::string stripped;
  for (size_t at = 0; at < body.size();) {
    size_t end = body.find('\n', at);
    end = end == std::string::npos ? body.size() : end + 1;
    std::string_view line(body.data() + at, end - at);
    if (!line.starts_with("event:")) stripped.append(line);
    at = end;
  }
  const lt::RunResult with = lt::RunStream(CohereOptions(), body, {"whole", {body.size()}});
  const lt::RunResult without = lt::RunEverySplit(CohereOptions(), stripped);
  lt::ExpectSameEvents(lt::Coalesce(without.events), lt::Coalesce(with.events));
}

INSTANTIATE_TEST_SUITE_P(Cohere, CohereFixture, ::testing::ValuesIn(CohereFixtures()), TestName);

TEST(CohereDialect, FixturesAreThere) { EXPECT_EQ(CohereFixtures().size(), 2u); }

// --- hand-written streams
// -------------------------------------------------------------------------

TEST(CohereDialect, EventSequence) {
  const std::string body = kStart + ContentStart(0, "text") + ContentDelta(0, "text", "Hi") +
                           ContentEnd(0) + End("COMPLETE") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const std::vector<std::string> want = {
      "metadata id",    "metadata role",   "block_start text",
      "text \"Hi\"",    "block_end text",  "metadata usage.billed_units",
      "usage \"30/5\"", "finish \"stop\"", "done \"stop\""};
  EXPECT_EQ(lt::EventLines(run.events), want);
  EXPECT_EQ(run.completion.id, "gen-1");
}

TEST(CohereDialect, ThinkingThenText) {
  const std::string body =
      kStart + ContentStart(0, "thinking") + ContentDelta(0, "thinking", "Two plus two") +
      ContentDelta(0, "thinking", " is four.") + ContentEnd(0) + ContentStart(1, "text") +
      ContentDelta(1, "text", "4") + ContentEnd(1) +
      Ev(R"({"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":)"
         R"({"tokens":{"input_tokens":30,"output_tokens":5},"cached_tokens":20}}})") +
      kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].type, "thinking");
  EXPECT_EQ(choice.blocks[0].text, "Two plus two is four.");
  EXPECT_EQ(choice.blocks[1].type, "text");
  EXPECT_EQ(choice.reasoning, "Two plus two is four.");
  EXPECT_EQ(choice.text, "4");
  EXPECT_EQ(run.completion.usage.cached_input_tokens, 20);
  EXPECT_EQ(run.completion.usage.input_tokens, 30);
  EXPECT_EQ(run.completion.Metadata("usage.billed_units"), "");  // none sent
  EXPECT_TRUE(run.completion.finished);
}

TEST(CohereDialect, CitationsGoToTheirBlock) {
  const std::string citation =
      R"({"start":21,"end":40,"text":"automation of tasks","sources":[{"type":"document",)"
      R"("id":"doc:0","document":{"id":"doc:0","text":"AI","title":"b.txt"}}],)"
      R"("type":"TEXT_CONTENT"})";
  const std::string body =
      kStart + ContentStart(0, "thinking") + ContentDelta(0, "thinking", "hm") + ContentEnd(0) +
      ContentStart(1, "text") + ContentDelta(1, "text", "The key benefits are ") +
      ContentDelta(1, "text", "automation of tasks.") + ContentEnd(1) +
      Ev(R"({"type":"citation-start","index":0,"delta":{"message":{"citations":)" + citation +
         "}}}") +
      Ev(R"({"type":"citation-end","index":0})") +
      Ev(R"({"type":"citation-start","index":1,"delta":{"message":{"citations":)"
         R"({"start":0,"end":2,"text":"hm","sources":[],"type":"THINKING_CONTENT",)"
         R"("content_index":0}}}})") +
      Ev(R"({"type":"citation-end","index":1})") + End("COMPLETE") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.citations.size(), 2u);
  EXPECT_TRUE(lt::SameJson(choice.citations[0], json::parse(citation)));
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[1].citations.size(), 1u);  // no content_index: the latest block
  EXPECT_EQ(choice.blocks[0].citations.size(), 1u);  // content_index 0
  EXPECT_TRUE(run.completion.warnings.empty());
}

TEST(CohereDialect, ToolCallsBesideContentKeepTheirOwnIndex) {
  // Content block 0 (thinking) and tool call 0 share an index: each keeps its own.
  const std::string body =
      kStart + ContentStart(0, "thinking") + ContentDelta(0, "thinking", "need weather") +
      ContentEnd(0) + Plan("I will ") + Plan("call it.") + CallStart(0, "c0", "weather") +
      CallDelta(0, "{\"city\":") + CallDelta(0, "\"Oslo\"}") + CallEnd(0) +
      CallStart(1, "c1", "time") + CallDelta(1, "null") + CallEnd(1) + End("TOOL_CALL") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.tool_calls.size(), 2u);
  EXPECT_EQ(choice.tool_calls[0].index, 0u);
  EXPECT_EQ(choice.tool_calls[0].type, "function");
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"city":"Oslo"})");
  EXPECT_EQ(choice.tool_calls[1].arguments, "{}");  // Cohere's "null": no arguments
  EXPECT_TRUE(choice.tool_calls[1].arguments_valid);
  ASSERT_EQ(choice.blocks.size(), 4u);
  EXPECT_EQ(choice.blocks[0].type, "thinking");
  EXPECT_EQ(choice.blocks[0].text, "need weather");
  EXPECT_EQ(choice.blocks[0].tool_call, -1);
  EXPECT_EQ(choice.blocks[1].type, "tool_plan");
  EXPECT_EQ(choice.blocks[1].text, "I will call it.");
  EXPECT_EQ(choice.reasoning, "need weatherI will call it.");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_TRUE(run.completion.finished);
}

TEST(CohereDialect, PlanBlockIndexIsAnInt32OfItsOwn) {
  // The plan comes before content block 0 and tool call 0: its block must not share their
  // index (a plan citation arriving once call 0 is open still goes to the plan), and the index
  // must survive the int32 faces (wasm chunks, relay events) without turning negative.
  const std::string plan_citation =
      R"({"start":0,"end":6,"text":"I will","sources":[],"type":"PLAN"})";
  const std::string body =
      kStart + Plan("I will ") + Plan("call it.") + CallStart(0, "c0", "weather") +
      Ev(R"({"type":"citation-start","index":0,"delta":{"message":{"citations":)" + plan_citation +
         "}}}") +
      Ev(R"({"type":"citation-end","index":0})") + CallDelta(0, "{}") + CallEnd(0) +
      ContentStart(0, "text") + ContentDelta(0, "text", "Done.") + ContentEnd(0) +
      End("TOOL_CALL") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  uint32_t plan_block = 0;
  int plan_starts = 0;
  for (const lt::OwnedEvent& event : run.events) {
    EXPECT_LE(event.block, uint32_t{INT32_MAX}) << lt::Describe(event);
    if (event.kind == EventKind::kBlockStart && event.name == "tool_plan") {
      plan_block = event.block;
      ++plan_starts;
    }
  }
  ASSERT_EQ(plan_starts, 1);
  for (const lt::OwnedEvent& event : run.events) {
    if (event.kind == EventKind::kReasoning || event.kind == EventKind::kCitation) {
      EXPECT_EQ(event.block, plan_block) << lt::Describe(event);
    }
  }
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.blocks.size(), 3u);
  EXPECT_EQ(choice.blocks[0].type, "tool_plan");
  EXPECT_EQ(choice.blocks[0].index, plan_block);
  EXPECT_EQ(choice.blocks[0].text, "I will call it.");
  ASSERT_EQ(choice.blocks[0].citations.size(), 1u);
  EXPECT_TRUE(lt::SameJson(choice.blocks[0].citations[0], json::parse(plan_citation)));
  EXPECT_EQ(choice.blocks[1].type, "function");
  EXPECT_EQ(choice.blocks[1].index, 0u);
  EXPECT_TRUE(choice.blocks[1].citations.empty());
  EXPECT_EQ(choice.blocks[2].type, "text");
  EXPECT_EQ(choice.blocks[2].index, 0u);
  EXPECT_NE(plan_block, 0u);
  EXPECT_EQ(choice.tool_calls.at(0).index, 0u);
  EXPECT_TRUE(run.completion.warnings.empty());
}

TEST(CohereDialect, IndexesPastInt32AreRefused) {
  // They would be negative in the int32 faces, or the plan's own index.
  for (const std::string index : {"2147483646", "2147483647", "3000000000"}) {
    const std::string body = kStart +
                             Ev(R"({"type":"content-start","index":)" + index +
                                R"(,"delta":{"message":{"content":{"type":"text","text":"x"}}}})") +
                             ContentStart(0, "text") + ContentDelta(0, "text", "ok") +
                             ContentEnd(0) + End("COMPLETE") + kDone;
    const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
    const Choice& choice = run.completion.choices.at(0);
    ASSERT_EQ(choice.blocks.size(), 1u) << index;
    EXPECT_EQ(choice.blocks[0].index, 0u);
    EXPECT_EQ(choice.text, "ok");
    ASSERT_EQ(run.completion.warnings.size(), 1u) << index;
    EXPECT_NE(run.completion.warnings[0].find("without a valid index"), std::string::npos);
  }
  // The largest index still taken.
  const std::string body = kStart + ContentStart(2147483645, "text") +
                           ContentDelta(2147483645, "text", "ok") + ContentEnd(2147483645) +
                           End("COMPLETE") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  ASSERT_EQ(run.completion.choices.at(0).blocks.size(), 1u);
  EXPECT_EQ(run.completion.choices.at(0).blocks[0].index, 2147483645u);
  EXPECT_TRUE(run.completion.warnings.empty());
}

TEST(CohereDialect, ErrorFinishIsAnError) {
  const std::string body = kStart + ContentStart(0, "text") + ContentDelta(0, "text", "Par") +
                           End("ERROR", R"(,"error":"internal model failure")") + kDone;
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  const Completion& got = run.completion;
  EXPECT_EQ(got.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(got.error.message, "internal model failure");
  EXPECT_EQ(got.error.provider_type, "ERROR");
  EXPECT_EQ(got.choices[0].finish_reason, "error");
  EXPECT_EQ(got.choices[0].raw_finish_reason, "ERROR");
  EXPECT_EQ(got.text(), "Par");
  EXPECT_EQ(got.usage.output_tokens, 5);
  EXPECT_FALSE(got.finished);
  EXPECT_FALSE(got.truncated);
  // A tool call open at the failure stays incomplete: its arguments may be cut.
  const lt::RunResult open_call = lt::RunEverySplit(
      CohereOptions(), kStart + CallStart(0, "c0", "f") + CallDelta(0, "{\"a\":1}") +
                           End("ERROR", R"(,"error":"boom")"));
  ASSERT_EQ(open_call.completion.choices[0].tool_calls.size(), 1u);
  EXPECT_FALSE(open_call.completion.choices[0].tool_calls[0].complete);
  // Without the error text, ERROR still fails the stream.
  const lt::RunResult bare = lt::RunEverySplit(CohereOptions(), kStart + End("ERROR"));
  EXPECT_EQ(bare.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(bare.completion.error.message, "the generation ended with finish_reason ERROR");
}

TEST(CohereDialect, OtherFinishReasons) {
  for (const auto& [raw, normalized] :
       std::vector<std::pair<std::string, std::string>>{{"MAX_TOKENS", "length"},
                                                        {"STOP_SEQUENCE", "stop"},
                                                        {"SOMETHING_NEW", "SOMETHING_NEW"}}) {
    const lt::RunResult run = lt::RunEverySplit(CohereOptions(), kStart + End(raw) + kDone);
    EXPECT_EQ(run.completion.choices[0].finish_reason, normalized) << raw;
    EXPECT_FALSE(run.completion.error) << raw;
    EXPECT_TRUE(run.completion.finished) << raw;
  }
}

TEST(CohereDialect, CutMidStreamIsTruncated) {
  const std::string body = kStart + ContentStart(0, "text") + ContentDelta(0, "text", "Hello") +
                           Plan("plan") + CallStart(0, "c0", "f") + CallDelta(0, "{\"a\":");
  for (size_t cut : {body.size(), body.size() - 5}) {
    const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body.substr(0, cut));
    const Completion& got = run.completion;
    EXPECT_TRUE(got.truncated) << cut;
    EXPECT_EQ(got.error.code, ErrorCode::kTruncated);
    EXPECT_EQ(got.text(), "Hello");
    ASSERT_EQ(got.choices[0].tool_calls.size(), 1u);
    EXPECT_FALSE(got.choices[0].tool_calls[0].complete);
  }
  // [DONE] without message-end does not make the answer complete.
  const lt::RunResult done = lt::RunEverySplit(CohereOptions(), kStart + kDone);
  EXPECT_TRUE(done.completion.truncated);
  // message-end without [DONE] does.
  const lt::RunResult end = lt::RunEverySplit(CohereOptions(), kStart + End("COMPLETE"));
  EXPECT_TRUE(end.completion.finished);
  EXPECT_FALSE(end.completion.error);
}

TEST(CohereDialect, ErrorEventsAndErrorObjects) {
  const lt::RunResult named = lt::RunEverySplit(
      CohereOptions(), kStart + "event: error\ndata: {\"message\":\"overloaded\"}\n\n");
  EXPECT_EQ(named.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(named.completion.error.message, "overloaded");
  const lt::RunResult object =
      lt::RunEverySplit(CohereOptions(), kStart + "data: {\"message\":\"too many tokens\"}\n\n");
  EXPECT_EQ(object.completion.error.message, "too many tokens");
  const lt::RunResult bad = lt::RunEverySplit(CohereOptions(), kStart + "data: {\"type\":\n\n");
  EXPECT_EQ(bad.completion.error.code, ErrorCode::kBadJson);
}

TEST(CohereDialect, UnknownEventsArePassedOn) {
  const std::string body = kStart + Ev(R"({"type":"debug","prompt":"x"})") + End("COMPLETE");
  const lt::RunResult run = lt::RunEverySplit(CohereOptions(), body);
  EXPECT_EQ(run.completion.Metadata("debug"), R"({"type":"debug","prompt":"x"})");
  EXPECT_TRUE(run.completion.finished);
}

TEST(CohereDialect, ManyToolCallsHitTheLimit) {
  std::string body = kStart;
  for (int i = 0; i < 6000; ++i) body += CallStart(i, "c", "f");  // all open at once
  const lt::RunResult run = lt::RunStream(CohereOptions(), body, {"whole", {body.size()}});
  EXPECT_EQ(run.completion.error.code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace llmstream
