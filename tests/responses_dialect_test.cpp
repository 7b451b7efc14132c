// OpenAI Responses dialect: every openai-responses-*.sse recording against expected.json in every
// standard split, plus synthetic streams (refusal, reasoning, failures, OpenRouter's framing).
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

StreamOptions ResponsesOptions() { return lt::OptionsForFixture("openai-responses-"); }

const json& Expected(const std::string& file) { return lt::Expected().at(file); }
using lt::ExpectSameEvents;
using lt::RunEverySplit;

std::vector<lt::OwnedEvent> OfKind(const std::vector<lt::OwnedEvent>& events, EventKind kind) {
  std::vector<lt::OwnedEvent> out;
  for (const lt::OwnedEvent& e : events) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

std::vector<lt::OwnedEvent> Without(const std::vector<lt::OwnedEvent>& events, EventKind kind) {
  std::vector<lt::OwnedEvent> out;
  for (const lt::OwnedEvent& e : events) {
    if (e.kind != kind) out.push_back(e);
  }
  return out;
}

// An SSE event named after the JSON `type`, as OpenAI frames them.
std::string Ev(const std::string& data) {
  return "event: " + json::parse(data).value("type", std::string("message")) + "\ndata: " + data +
         "\n\n";
}

std::string Response(const std::string& status, const std::string& extra = "") {
  return R"({"id":"resp_1","object":"response","status":")" + status +
         R"(","model":"gpt-5-mini","output":[])" + extra + "}";
}
const std::string kCreated = Ev(R"({"type":"response.created","sequence_number":0,"response":)" +
                                Response("in_progress") + "}");
std::string Completed(const std::string& usage = R"({"input_tokens":5,"output_tokens":3})") {
  return Ev(R"({"type":"response.completed","sequence_number":99,"response":)" +
            Response("completed", R"(,"usage":)" + usage) + "}");
}
std::string MessageAdded(int index) {
  return Ev(R"({"type":"response.output_item.added","output_index":)" + std::to_string(index) +
            R"(,"item":{"id":"msg_)" + std::to_string(index) +
            R"(","type":"message","status":"in_progress","content":[],"role":"assistant"}})");
}
std::string ItemDone(int index, const std::string& item) {
  return Ev(R"({"type":"response.output_item.done","output_index":)" + std::to_string(index) +
            R"(,"item":)" + item + "}");
}
std::string MessageDone(int index) {
  return ItemDone(index, R"({"id":"msg_)" + std::to_string(index) +
                             R"(","type":"message","status":"completed","content":[]})");
}
std::string Delta(const std::string& type, int index, const std::string& text) {
  return Ev(R"({"type":")" + type + R"(","delta":)" + json(text).dump() +
            R"(,"item_id":"x","output_index":)" + std::to_string(index) + "}");
}

void ExpectMatches(const Completion& got, const json& want) {
  ASSERT_FALSE(got.choices.empty());
  const Choice& choice = got.choices[0];
  EXPECT_TRUE(got.id.starts_with("resp_")) << got.id;
  EXPECT_FALSE(got.model.empty());
  const json& items = want["items"];
  ASSERT_EQ(choice.blocks.size(), items.size());
  std::string text;
  bool any_call = false;
  for (size_t i = 0; i < items.size(); ++i) {
    const Block& block = choice.blocks[i];
    const json& w = items[i];
    const std::string type = w["type"].get<std::string>();
    EXPECT_EQ(block.type, type) << i;
    EXPECT_EQ(block.index, i);
    if (type == "message") {
      EXPECT_EQ(block.text, w["text"].get<std::string>()) << i;
      text += block.text;
    } else if (type == "function_call") {
      any_call = true;
      ASSERT_GE(block.tool_call, 0) << i;
      const ToolCall& call = choice.tool_calls[block.tool_call];
      EXPECT_EQ(call.id, w["call_id"].get<std::string>());
      EXPECT_EQ(call.name, w["name"].get<std::string>());
      EXPECT_EQ(call.type, "function_call");
      EXPECT_EQ(call.kind, ToolKind::kFunction);
      EXPECT_TRUE(call.complete);
      EXPECT_TRUE(call.arguments_valid);
      EXPECT_EQ(json::parse(call.arguments), json::parse(w["arguments"].get<std::string>()));
    }
  }
  EXPECT_EQ(choice.text, text);
  if (want["status"] == "completed") {
    EXPECT_TRUE(got.finished);
    EXPECT_EQ(choice.finish_reason, any_call ? "tool_calls" : "stop");
  }
  const json& usage = want["usage"];
  EXPECT_EQ(got.usage.input_tokens, usage["input_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.output_tokens, usage["output_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.total_tokens, usage["total_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.cached_input_tokens,
            usage["input_tokens_details"]["cached_tokens"].get<int64_t>());
  EXPECT_EQ(got.usage.reasoning_tokens,
            usage["output_tokens_details"]["reasoning_tokens"].get<int64_t>());
  if (want["errors"].empty()) {
    EXPECT_FALSE(got.error) << got.error.message;
  }
}

std::vector<std::string> ResponsesFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : lt::FixtureFiles()) {
    if (file.starts_with("openai-responses-")) files.push_back(file);
  }
  return files;
}

// OpenRouter's /responses framing: no `event:` lines, comments in between, a trailing [DONE].
std::string AsOpenRouter(const std::string& body) {
  std::string out = ": OPENROUTER PROCESSING\n\n";
  for (size_t at = 0; at < body.size();) {
    size_t end = body.find('\n', at);
    end = end == std::string::npos ? body.size() : end + 1;
    std::string_view line(body.data() + at, end - at);
    if (!line.starts_with("event:")) out.append(line);
    if (line == "\n") out.append(": OPENROUTER PROCESSING\n\n");
    at = end;
  }
  return out + "data: [DONE]\n\n";
}

class ResponsesFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ResponsesFixture, MatchesExpectedInEverySplit) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const lt::RunResult run = RunEverySplit(lt::OptionsForFixture(GetParam()), body);
  ExpectMatches(run.completion, Expected(GetParam()));
  EXPECT_TRUE(run.completion.warnings.empty()) << run.completion.warnings[0];
}

TEST_P(ResponsesFixture, OpenRouterFramingGivesTheSameEvents) {
  const std::string body = lt::ReadFixture(GetParam());
  const StreamOptions options = lt::OptionsForFixture(GetParam());
  const lt::RunResult native = lt::RunStream(options, body, {"whole", {body.size()}});
  const lt::RunResult routed = RunEverySplit(options, AsOpenRouter(body));
  ExpectSameEvents(lt::Coalesce(Without(routed.events, EventKind::kKeepAlive)),
                   lt::Coalesce(native.events));
  EXPECT_FALSE(OfKind(routed.events, EventKind::kKeepAlive).empty());
  ExpectMatches(routed.completion, Expected(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Responses, ResponsesFixture, ::testing::ValuesIn(ResponsesFixtures()),
                         ::llmstream::testing::FixtureTestName);

TEST(ResponsesDialect, TextFixtureEventSequence) {
  const std::string body = lt::ReadFixture("openai-responses-text.sse");
  const lt::RunResult run = lt::RunStream(ResponsesOptions(), body, {"whole", {body.size()}});
  const std::vector<std::string> got = lt::EventLines(run.events);
  const std::vector<std::string> want = {
      "metadata id",    "metadata model", "metadata service_tier", "block_start message",
      "metadata role",  "text \"pong\"",  "block_end message",     "metadata service_tier",
      "metadata usage", "usage \"11/5\"", "finish \"stop\"",       "done \"stop\""};
  EXPECT_EQ(got, want);
}

TEST(ResponsesDialect, Refusal) {
  const std::string body =
      kCreated + MessageAdded(0) +
      Ev(R"({"type":"response.content_part.added","item_id":"msg_0","output_index":0,)"
         R"("content_index":0,"part":{"type":"refusal","refusal":""}})") +
      Delta("response.refusal.delta", 0, "I can't ") + Delta("response.refusal.delta", 0, "help.") +
      Ev(R"({"type":"response.refusal.done","output_index":0,"refusal":"I can't help."})") +
      MessageDone(0) + Completed();
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  EXPECT_EQ(run.completion.choices.at(0).refusal, "I can't help.");
  EXPECT_EQ(run.completion.text(), "");
  EXPECT_TRUE(run.completion.finished);
  EXPECT_TRUE(run.completion.warnings.empty());
}

TEST(ResponsesDialect, ReasoningSummaryAndText) {
  const std::string body =
      kCreated +
      Ev(R"({"type":"response.output_item.added","output_index":0,)"
         R"("item":{"id":"rs_1","type":"reasoning","summary":[]}})") +
      Ev(R"({"type":"response.reasoning_summary_part.added","output_index":0,"summary_index":0})") +
      Delta("response.reasoning_summary_text.delta", 0, "First ") +
      Delta("response.reasoning_summary_text.delta", 0, "idea.") +
      Ev(R"({"type":"response.reasoning_summary_text.done","output_index":0,"text":"First idea."})") +
      Ev(R"({"type":"response.reasoning_summary_part.added","output_index":0,"summary_index":1})") +
      Delta("response.reasoning_summary_text.delta", 0, "Second.") +
      Delta("response.reasoning_text.delta", 0, " raw") +
      ItemDone(0, R"({"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"gAAA"})") +
      MessageAdded(1) + Delta("response.output_text.delta", 1, "Answer") + MessageDone(1) +
      Completed(R"({"input_tokens":9,"output_tokens":30,"output_tokens_details":)"
                R"({"reasoning_tokens":20},"total_tokens":39})");
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  EXPECT_EQ(choice.reasoning, "First idea.\n\nSecond. raw");
  EXPECT_EQ(choice.text, "Answer");
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].type, "reasoning");
  EXPECT_EQ(choice.blocks[0].data, "gAAA");
  EXPECT_EQ(choice.blocks[1].text, "Answer");
  EXPECT_EQ(run.completion.usage.reasoning_tokens, 20);
  std::vector<lt::OwnedEvent> summary;
  for (const lt::OwnedEvent& e : OfKind(lt::Coalesce(run.events), EventKind::kReasoning)) {
    if (e.part == static_cast<uint8_t>(ReasoningPart::kSummary)) summary.push_back(e);
  }
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].text, "First idea.\n\nSecond.");
}

TEST(ResponsesDialect, FailedIsAProviderError) {
  const std::string body =
      kCreated + MessageAdded(0) + Delta("response.output_text.delta", 0, "par") +
      Ev(R"({"type":"response.failed","response":)" +
         Response("failed", R"(,"error":{"code":"server_error","message":"boom"})") + "}") +
      Delta("response.output_text.delta", 0, "never");
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const Completion& c = run.completion;
  EXPECT_EQ(c.text(), "par");
  EXPECT_EQ(c.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(c.error.provider_type, "server_error");
  EXPECT_EQ(c.error.message, "boom");
  EXPECT_FALSE(c.finished);
  EXPECT_EQ(run.events.back().kind, EventKind::kError);
}

TEST(ResponsesDialect, IncompleteMapsTheReason) {
  for (const auto& [reason, normalized] : std::vector<std::pair<std::string, std::string>>{
           {"max_output_tokens", "length"}, {"content_filter", "content_filter"}}) {
    const std::string body =
        kCreated + MessageAdded(0) + Delta("response.output_text.delta", 0, "cut") +
        Ev(R"({"type":"response.incomplete","response":)" +
           Response("incomplete", R"(,"incomplete_details":{"reason":")" + reason +
                                      R"("},"usage":{"input_tokens":4,"output_tokens":16})") +
           "}");
    const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
    const Completion& c = run.completion;
    EXPECT_TRUE(c.finished) << reason;
    EXPECT_FALSE(c.error) << reason;
    EXPECT_EQ(c.choices.at(0).finish_reason, normalized);
    EXPECT_EQ(c.choices.at(0).raw_finish_reason, reason);
    EXPECT_EQ(c.usage.output_tokens, 16);
    EXPECT_EQ(c.text(), "cut");
  }
}

TEST(ResponsesDialect, ErrorEvent) {
  const std::string body =
      kCreated + MessageAdded(0) + Delta("response.output_text.delta", 0, "Hi") +
      Ev(R"({"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null,)"
         R"("sequence_number":3})");
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kProviderError);
  EXPECT_EQ(run.completion.error.provider_type, "rate_limit_exceeded");
  EXPECT_EQ(run.completion.error.message, "Slow down");
  EXPECT_EQ(run.completion.text(), "Hi");
}

TEST(ResponsesDialect, DoneArgumentsAreAuthoritative) {
  const std::string body =
      kCreated +
      Ev(R"({"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1",)"
         R"("type":"function_call","status":"in_progress","arguments":"","call_id":"call_1",)"
         R"("name":"f"}})") +
      Delta("response.function_call_arguments.delta", 0, R"({"a":)") +
      Delta("response.function_call_arguments.delta", 0, "1") +
      Ev(R"({"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,)"
         R"("arguments":"{\"a\":2}"})") +
      ItemDone(0, R"({"id":"fc_1","type":"function_call","arguments":"{\"a\":2}",)"
                  R"("call_id":"call_1","name":"f"})") +
      Completed();
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  ASSERT_EQ(choice.tool_calls.size(), 1u);
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"a":2})");
  EXPECT_EQ(choice.tool_calls[0].id, "call_1");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_EQ(OfKind(run.events, EventKind::kToolCallEnd).size(), 1u);  // .done and item.done
}

TEST(ResponsesDialect, AnnotationIsACitation) {
  const std::string annotation =
      R"({"type":"url_citation","url":"https://example.com","title":"Ex","start_index":0,)"
      R"("end_index":4})";
  const std::string body =
      kCreated + MessageAdded(0) + Delta("response.output_text.delta", 0, "Text") +
      Ev(R"({"type":"response.output_text.annotation.added","item_id":"msg_0","output_index":0,)"
         R"("content_index":0,"annotation_index":0,"annotation":)" +
         annotation + "}") +
      MessageDone(0) + Completed();
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  ASSERT_EQ(run.completion.choices.at(0).citations.size(), 1u);
  EXPECT_EQ(run.completion.choices[0].citations[0], annotation);
  EXPECT_EQ(run.completion.choices[0].blocks.at(0).citations.size(), 1u);
}

TEST(ResponsesDialect, UnknownEventsAndItemsPassThrough) {
  const std::string searching =
      R"({"type":"response.web_search_call.searching","output_index":0,"item_id":"ws_1"})";
  const std::string added = R"({"id":"ws_1","type":"web_search_call","status":"in_progress"})";
  const std::string done =
      R"({"id":"ws_1","type":"web_search_call","status":"completed","action":{"query":"q"}})";
  const std::string body =
      kCreated +
      Ev(R"({"type":"response.output_item.added","output_index":0,"item":)" + added + "}") +
      Ev(searching) + ItemDone(0, done) + MessageAdded(1) +
      Delta("response.output_text.delta", 1, "Found") + MessageDone(1) + Completed();
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const Completion& c = run.completion;
  EXPECT_EQ(c.Metadata("response.web_search_call.searching"), searching);
  ASSERT_EQ(c.choices.at(0).blocks.size(), 2u);
  EXPECT_EQ(c.choices[0].blocks[0].type, "web_search_call");
  EXPECT_EQ(c.choices[0].blocks[0].data, added);
  const std::vector<lt::OwnedEvent> ends = OfKind(run.events, EventKind::kBlockEnd);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].text, done);  // the finished hosted-tool item rides on its block end
  EXPECT_EQ(c.text(), "Found");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ResponsesDialect, TruncatedCallStaysIncomplete) {
  const std::string body =
      kCreated +
      Ev(R"({"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1",)"
         R"("type":"function_call","arguments":"","call_id":"call_1","name":"f"}})") +
      Delta("response.function_call_arguments.delta", 0, R"({"a":)");
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const ToolCall& call = run.completion.choices.at(0).tool_calls.at(0);
  EXPECT_FALSE(call.complete);
  EXPECT_EQ(call.arguments, R"({"a":)");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
}

TEST(ResponsesDialect, DoneOnlyItemsStillCount) {
  // A gateway that sends items only whole: no .added, no deltas.
  const std::string body =
      kCreated +
      ItemDone(0, R"({"id":"msg_0","type":"message","role":"assistant","content":)"
                  R"([{"type":"output_text","text":"whole","annotations":[]}]})") +
      ItemDone(1, R"({"id":"fc_1","type":"function_call","arguments":"{}","call_id":"call_9",)"
                  R"("name":"g"})") +
      Completed() + "data: [DONE]\n\n";
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  const Choice& choice = run.completion.choices.at(0);
  EXPECT_EQ(choice.text, "whole");
  ASSERT_EQ(choice.tool_calls.size(), 1u);
  EXPECT_EQ(choice.tool_calls[0].id, "call_9");
  EXPECT_TRUE(choice.tool_calls[0].complete);
  EXPECT_TRUE(run.completion.finished);
}

TEST(ResponsesDialect, BadJsonEndsTheStreamKeepingWhatCameBefore) {
  const std::string body =
      kCreated + MessageAdded(0) + Delta("response.output_text.delta", 0, "ok") +
      "data: {\"type\":\"response.output_text.delta\",\n\n" +
      Delta("response.output_text.delta", 0, " lost") + MessageDone(0) + Completed();
  const lt::RunResult run = RunEverySplit(ResponsesOptions(), body);
  EXPECT_EQ(run.completion.text(), "ok");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kBadJson);
  EXPECT_FALSE(run.completion.finished);
}

}  // namespace
}  // namespace llmstream
