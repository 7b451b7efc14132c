// Google Gemini dialect: every gemini-* recording of more-providers/ against its expected.json in
// every standard split (alt=sse as CRLF SSE, the streamed JSON array without it), plus synthetic
// streams for what the recordings do not show: several candidates, safety and prompt blocks,
// in-stream errors, streamed function-call arguments, code execution, usage snapshots, cut
// bodies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expected.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using nlohmann::json;

StreamOptions GeminiOptions(Framing framing = Framing::kSse) {
  StreamOptions options;
  options.api = WireApi::kGeminiGenerateContent;
  options.model = "gemini-2.5-flash";
  options.framing = framing;
  return options;
}

// One alt=sse event, framed as Gemini frames them (CRLF).
std::string Sse(const std::string& chunk) {
  return "data: " + json::parse(chunk).dump() + "\r\n\r\n";
}
std::string SseBody(const std::vector<std::string>& chunks) {
  std::string body;
  for (const std::string& chunk : chunks) body += Sse(chunk);
  return body;
}
// The same chunks as the streamed JSON array (pretty-printed elements, ",\r\n" between).
std::string ArrayBody(const std::vector<std::string>& chunks) {
  std::string body = "[";
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) body += ",\r\n";
    body += json::parse(chunks[i]).dump(2);
  }
  return body + "]";
}

// A chunk with one candidate (index 0 unless given) and its parts.
std::string Chunk(const std::string& parts, const std::string& extra = "", int index = -1) {
  std::string candidate = R"({"content":{"parts":)" + parts + R"(,"role":"model"})";
  if (!extra.empty()) candidate += "," + extra;
  if (index >= 0) candidate += R"(,"index":)" + std::to_string(index);
  return R"({"candidates":[)" + candidate +
         R"(}],"modelVersion":"gemini-2.5-flash",)"
         R"("responseId":"resp_1"})";
}
std::string Text(const std::string& text) { return R"([{"text":)" + json(text).dump() + "}]"; }

size_t Count(const std::vector<lt::OwnedEvent>& events, EventKind kind) {
  size_t n = 0;
  for (const lt::OwnedEvent& e : events) n += e.kind == kind;
  return n;
}

// The last value of metadata `key` emitted for `choice` ("" when none).
std::string MetadataOf(const std::vector<lt::OwnedEvent>& events, const std::string& key,
                       uint32_t choice = 0) {
  std::string value;
  for (const lt::OwnedEvent& e : events) {
    if (e.kind == EventKind::kMetadata && e.name == key && e.choice == choice) value = e.text;
  }
  return value;
}

// --- the recordings --------------------------------------------------------------------------

std::vector<std::string> GeminiFixtures() {
  std::vector<std::string> files;
  for (const std::string& file : lt::MoreProviderFixtureFiles()) {
    if (file.starts_with("more-providers/gemini-")) files.push_back(file);
  }
  return files;
}

class GeminiFixtureTest : public ::testing::TestWithParam<std::string> {};

// What the block of a part is called in expected.json's `order`.
std::string OrderName(const Choice& choice, const Block& block) {
  if (block.type == "thought") return "thinking";
  if (block.type == "functionCall" && block.tool_call >= 0) {
    return "function_call:" + choice.tool_calls[block.tool_call].name;
  }
  return block.type;
}

TEST_P(GeminiFixtureTest, MatchesExpectedInEverySplit) {
  const std::string path = GetParam();
  const std::string file = path.substr(path.find('/') + 1);
  const json& want = lt::ExpectedMoreProviders().at(file);
  const Framing framing = file.ends_with(".json") ? Framing::kJsonArray : Framing::kSse;
  ASSERT_EQ(want.at("framing").get<std::string>(), framing == Framing::kSse ? "sse" : "json-array");
  const lt::RunResult run = lt::RunEverySplit(GeminiOptions(framing), lt::ReadFixture(path));
  const Completion& result = run.completion;

  EXPECT_FALSE(result.error) << result.error.message;
  EXPECT_TRUE(want.at("errors").empty());
  EXPECT_TRUE(result.finished);
  EXPECT_FALSE(result.truncated);
  EXPECT_EQ(result.model, want.at("model_version").get<std::string>());
  EXPECT_EQ(result.id, want.at("response_id").get<std::string>());
  EXPECT_TRUE(want.at("prompt_feedback").is_null());
  EXPECT_EQ(result.Metadata("promptFeedback"), "");

  ASSERT_EQ(result.choices.size(), want.at("candidates").size());
  for (const auto& [index, candidate] : want.at("candidates").items()) {
    SCOPED_TRACE("candidate " + index);
    const Choice* choice = result.FindChoice(static_cast<uint32_t>(std::stoul(index)));
    ASSERT_NE(choice, nullptr);
    EXPECT_TRUE(lt::MatchesExpectedText(choice->text, candidate.at("text")));
    EXPECT_TRUE(lt::MatchesExpectedText(choice->reasoning, candidate.at("thinking")));
    EXPECT_EQ(choice->role, "model");

    std::vector<std::string> order;
    for (const Block& block : choice->blocks) order.push_back(OrderName(*choice, block));
    EXPECT_EQ(json(order), candidate.at("order"));

    const json& calls = candidate.at("function_calls");
    ASSERT_EQ(choice->tool_calls.size(), calls.size());
    for (size_t i = 0; i < calls.size(); ++i) {
      const ToolCall& call = choice->tool_calls[i];
      EXPECT_EQ(call.name, calls[i].at("name").get<std::string>());
      EXPECT_EQ(call.id, calls[i].at("id").is_null() ? "" : calls[i].at("id").get<std::string>());
      EXPECT_EQ(call.kind, ToolKind::kFunction);
      EXPECT_TRUE(call.complete);
      EXPECT_TRUE(call.arguments_valid);
      EXPECT_TRUE(lt::SameJson(call.arguments, calls[i].at("args")));
    }

    // Each signature stays on the block of the part it came with.
    json signatures = json::array();
    for (const Block& block : choice->blocks) {
      if (block.signature.empty()) continue;
      signatures.push_back({{"on", block.type}, {"chars", block.signature.size()}});
    }
    ASSERT_EQ(signatures.size(), candidate.at("thought_signatures").size());
    for (size_t i = 0; i < signatures.size(); ++i) {
      EXPECT_EQ(signatures[i]["on"], candidate["thought_signatures"][i]["on"]);
      EXPECT_EQ(signatures[i]["chars"], candidate["thought_signatures"][i]["chars"]);
    }

    const std::string raw = candidate.at("finish_reason").get<std::string>();
    EXPECT_EQ(choice->raw_finish_reason, raw);
    EXPECT_EQ(choice->finish_reason, raw == "STOP" && !calls.empty() ? "tool_calls" : "stop");
    const json& message = candidate.at("finish_message");
    EXPECT_EQ(MetadataOf(run.events, "finishMessage", choice->index),
              message.is_null() ? "" : message.get<std::string>());
  }

  const json& usage = want.at("usage");
  EXPECT_TRUE(lt::SameJson(result.Metadata("usageMetadata"), usage));
  const auto count = [&](const char* key) { return usage.value(key, int64_t{0}); };
  EXPECT_EQ(result.usage.input_tokens,
            count("promptTokenCount") + count("toolUsePromptTokenCount"));
  EXPECT_EQ(result.usage.output_tokens,
            count("candidatesTokenCount") + count("thoughtsTokenCount"));
  EXPECT_EQ(result.usage.total_tokens, count("totalTokenCount"));
  EXPECT_EQ(result.usage.reasoning_tokens.value_or(0), count("thoughtsTokenCount"));
}

INSTANTIATE_TEST_SUITE_P(Gemini, GeminiFixtureTest, ::testing::ValuesIn(GeminiFixtures()),
                         lt::FixtureTestName);

TEST(GeminiDialect, FindsEveryRecording) { EXPECT_EQ(GeminiFixtures().size(), 5u); }

// --- candidates --------------------------------------------------------------------------------

// candidateCount > 1: each candidate is a choice, and the stream is complete only once every
// candidate that appeared has finished.
const std::vector<std::string> kTwoCandidates = {
    R"({"candidates":[{"content":{"parts":[{"text":"Red"}],"role":"model"},"index":0},)"
    R"({"content":{"parts":[{"text":"Blue"}],"role":"model"},"index":1}]})",
    R"({"candidates":[{"content":{"parts":[{"text":" apple."}],"role":"model"},)"
    R"("finishReason":"STOP","index":0}]})",
    R"({"candidates":[{"content":{"parts":[{"text":" sky."}],"role":"model"},)"
    R"("finishReason":"MAX_TOKENS","index":1}],)"
    R"("usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":6,"totalTokenCount":11}})",
};

TEST(GeminiDialect, CandidatesAreChoices) {
  const lt::RunResult run = lt::RunEverySplit(GeminiOptions(), SseBody(kTwoCandidates));
  const Completion& result = run.completion;
  ASSERT_EQ(result.choices.size(), 2u);
  EXPECT_EQ(result.FindChoice(0)->text, "Red apple.");
  EXPECT_EQ(result.FindChoice(0)->finish_reason, "stop");
  EXPECT_EQ(result.FindChoice(1)->text, "Blue sky.");
  EXPECT_EQ(result.FindChoice(1)->finish_reason, "length");
  EXPECT_EQ(result.FindChoice(1)->raw_finish_reason, "MAX_TOKENS");
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(*result.usage.output_tokens, 6);
}

TEST(GeminiDialect, OneFinishedCandidateOfTwoIsNotTheEnd) {
  const std::vector<std::string> first_two(kTwoCandidates.begin(), kTwoCandidates.begin() + 2);
  const lt::RunResult run = lt::RunEverySplit(GeminiOptions(), SseBody(first_two));
  EXPECT_FALSE(run.completion.finished);
  EXPECT_TRUE(run.completion.truncated);
  EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
  EXPECT_EQ(run.completion.FindChoice(1)->text, "Blue");  // the partial answer is kept
}

// --- finish reasons, safety, blocked prompts, errors -------------------------------------------

TEST(GeminiDialect, SafetyFinishIsContentFilter) {
  const std::string ratings =
      R"("safetyRatings":[{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH",)"
      R"("blocked":true}])";
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(Text("Here is how")),
               R"({"candidates":[{"content":{},"finishReason":"SAFETY","index":0,)" + ratings +
                   "}]}"}));
  const Completion& result = run.completion;
  EXPECT_FALSE(result.error);
  EXPECT_TRUE(result.finished);
  EXPECT_EQ(result.text(), "Here is how");
  EXPECT_EQ(result.choices[0].finish_reason, "content_filter");
  EXPECT_EQ(result.choices[0].raw_finish_reason, "SAFETY");
  EXPECT_NE(MetadataOf(run.events, "safetyRatings").find("\"blocked\":true"), std::string::npos);
}

TEST(GeminiDialect, FinishReasonsAreNormalized) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"STOP", "stop"},
      {"MAX_TOKENS", "length"},
      {"RECITATION", "content_filter"},
      {"BLOCKLIST", "content_filter"},
      {"PROHIBITED_CONTENT", "content_filter"},
      {"SPII", "content_filter"},
      {"MALFORMED_FUNCTION_CALL", "error"},
      {"OTHER", "other"},
      {"SOMETHING_NEW", "SOMETHING_NEW"},  // unknown: passed on as it came
  };
  for (const auto& [raw, normalized] : cases) {
    const std::string body = SseBody({Chunk(Text("x"), R"("finishReason":")" + raw + "\"")});
    const lt::RunResult run =
        lt::RunStream(GeminiOptions(), body, lt::StandardSplits(body.size())[0]);
    EXPECT_EQ(run.completion.choices[0].finish_reason, normalized) << raw;
    EXPECT_EQ(run.completion.choices[0].raw_finish_reason, raw);
    // A finish reason ends the candidate normally, whatever it says: no error.
    EXPECT_TRUE(run.completion.finished) << raw;
    EXPECT_FALSE(run.completion.error) << raw;
  }
}

// The recorded shape (vercel/ai issue-19758-prompt-block): no candidates, only promptFeedback.
const std::string kPromptBlocked =
    R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":9,)"
    R"("totalTokenCount":9,"promptTokensDetails":[{"modality":"TEXT","tokenCount":9}],)"
    R"("serviceTier":"standard"},"modelVersion":"gemini-3.7-flash","responseId":"EXCPatOA"})";

TEST(GeminiDialect, BlockedPromptEndsWithContentFilter) {
  for (Framing framing : {Framing::kSse, Framing::kJsonArray}) {
    const std::string body =
        framing == Framing::kSse ? SseBody({kPromptBlocked}) : ArrayBody({kPromptBlocked});
    const lt::RunResult run = lt::RunEverySplit(GeminiOptions(framing), body);
    const Completion& result = run.completion;
    EXPECT_EQ(result.error.code, ErrorCode::kContentFilter);
    EXPECT_EQ(result.error.provider_type, "PROHIBITED_CONTENT");
    EXPECT_FALSE(result.truncated);
    EXPECT_FALSE(result.finished);
    ASSERT_EQ(result.choices.size(), 1u);
    EXPECT_EQ(result.choices[0].finish_reason, "content_filter");
    EXPECT_EQ(result.choices[0].raw_finish_reason, "PROHIBITED_CONTENT");
    EXPECT_EQ(*result.usage.input_tokens, 9);  // the prompt was still counted
    EXPECT_EQ(result.model, "gemini-3.7-flash");
    EXPECT_TRUE(lt::SameJson(result.Metadata("promptFeedback"),
                             json::parse(R"({"blockReason":"PROHIBITED_CONTENT"})")));
  }
}

TEST(GeminiDialect, PromptFeedbackWithoutBlockIsOnlyMetadata) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody(
          {R"({"promptFeedback":{"blockReason":"BLOCK_REASON_UNSPECIFIED","safetyRatings":[]}})",
           Chunk(Text("fine"), R"("finishReason":"STOP")")}));
  EXPECT_FALSE(run.completion.error);
  EXPECT_TRUE(run.completion.finished);
  EXPECT_EQ(run.completion.text(), "fine");
}

TEST(GeminiDialect, ErrorObjectEndsTheStreamKeepingThePartial) {
  const std::string error =
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})";
  for (Framing framing : {Framing::kSse, Framing::kJsonArray}) {
    const std::vector<std::string> chunks = {
        Chunk(Text("Once upon")), error, Chunk(Text(" never read"), R"("finishReason":"STOP")")};
    const lt::RunResult run = lt::RunEverySplit(
        GeminiOptions(framing), framing == Framing::kSse ? SseBody(chunks) : ArrayBody(chunks));
    const Completion& result = run.completion;
    EXPECT_EQ(result.error.code, ErrorCode::kProviderError);
    EXPECT_EQ(result.error.message, "The model is overloaded.");
    EXPECT_EQ(result.error.provider_type, "UNAVAILABLE");
    EXPECT_EQ(result.error.http_status, 503);
    EXPECT_EQ(result.text(), "Once upon");
    EXPECT_FALSE(result.finished);
    EXPECT_FALSE(result.truncated);
  }
}

TEST(GeminiDialect, ChunkThatIsNotJsonIsBadJson) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(), Sse(Chunk(Text("kept"))) + "data: {\"candidates\": [\r\n\r\n");
  EXPECT_EQ(run.completion.error.code, ErrorCode::kBadJson);
  EXPECT_EQ(run.completion.text(), "kept");
}

// --- function calls --------------------------------------------------------------------------

TEST(GeminiDialect, WholeFunctionCallsWithIdsAndArgs) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(R"([{"functionCall":{"id":"fc_1","name":"get_weather",)"
                     R"("args":{"city":"Paris","days":[1,2]}},"thoughtSignature":"c2ln"},)"
                     R"({"functionCall":{"name":"get_time"}}])",
                     R"("finishReason":"STOP")")}));
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 2u);
  EXPECT_EQ(choice.tool_calls[0].id, "fc_1");
  EXPECT_TRUE(lt::SameJson(choice.tool_calls[0].arguments,
                           json::parse(R"({"city":"Paris","days":[1,2]})")));
  EXPECT_EQ(choice.tool_calls[1].arguments, "{}");  // a call without args
  EXPECT_TRUE(choice.tool_calls[1].complete);
  EXPECT_EQ(choice.blocks[0].signature, "c2ln");
  EXPECT_EQ(choice.blocks[1].signature, "");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_EQ(choice.raw_finish_reason, "STOP");
}

// Vertex AI with streamFunctionCallArguments (vercel/ai google-stream-tool-call-arguments):
// {name, willContinue}, partialArgs parts, then an empty functionCall ends each call.
const std::vector<std::string> kStreamedCalls = {
    Chunk(
        R"([{"functionCall":{"name":"getWeather","willContinue":true},"thoughtSignature":"sig"}])"),
    Chunk(R"([{"functionCall":{"partialArgs":[{"jsonPath":"$.location","stringValue":"Bos",)"
          R"("willContinue":true}],"willContinue":true}}])"),
    Chunk(R"([{"functionCall":{"partialArgs":[{"jsonPath":"$.location","stringValue":"ton \"MA\"",)"
          R"("willContinue":true}],"willContinue":true}}])"),
    Chunk(R"([{"functionCall":{"partialArgs":[{"jsonPath":"$.location","stringValue":""}],)"
          R"("willContinue":true}}])"),
    Chunk(R"([{"functionCall":{}}])"),
    Chunk(R"([{"functionCall":{"name":"getWeather","willContinue":true}}])"),
    Chunk(R"([{"functionCall":{"partialArgs":[{"jsonPath":"$.location","stringValue":"Oslo",)"
          R"("willContinue":true}],"willContinue":true}}])"),
    Chunk(R"([{"functionCall":{"partialArgs":[{"jsonPath":"$.location","stringValue":""}],)"
          R"("willContinue":true}}])"),
    Chunk(R"([{"functionCall":{}}])", R"("finishReason":"STOP")"),
};

TEST(GeminiDialect, StreamedPartialArgsBecomeArgumentDeltas) {
  const lt::RunResult run = lt::RunEverySplit(GeminiOptions(), SseBody(kStreamedCalls));
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.tool_calls.size(), 2u);
  EXPECT_EQ(choice.tool_calls[0].arguments, R"({"location":"Boston \"MA\""})");
  EXPECT_EQ(choice.tool_calls[1].arguments, R"({"location":"Oslo"})");
  for (const ToolCall& call : choice.tool_calls) {
    EXPECT_EQ(call.name, "getWeather");
    EXPECT_TRUE(call.complete);
    EXPECT_TRUE(call.arguments_valid);
  }
  EXPECT_GE(Count(run.events, EventKind::kToolCallDelta), 4u);  // streamed, not sent whole
  EXPECT_EQ(choice.blocks[0].signature, "sig");
  EXPECT_EQ(choice.finish_reason, "tool_calls");
  EXPECT_TRUE(run.completion.finished);
}

std::string PartialArg(const std::string& path, const std::string& value_field,
                       bool will_continue) {
  return R"({"jsonPath":")" + path + "\"," + value_field +
         (will_continue ? R"(,"willContinue":true)" : "") + "}";
}
std::string ArgsPart(const std::string& args, bool will_continue = true) {
  return Chunk(R"([{"functionCall":{"partialArgs":[)" + args + "]" +
               (will_continue ? R"(,"willContinue":true)" : "") + "}}]");
}

// Nested objects and arrays (vercel/ai google-vertex-stream-tool-call-arguments-nested), numbers,
// booleans and nulls, and a call whose last part ends it without an empty functionCall
// (google-stream-tool-call-array-arguments-missing-terminal-function-call).
TEST(GeminiDialect, StreamedPartialArgsNestedPaths) {
  const std::vector<std::string> chunks = {
      Chunk(R"([{"functionCall":{"name":"cookRecipe","willContinue":true}}])"),
      ArgsPart(PartialArg("$.recipe.ingredients[0].amount", R"("stringValue":"16 oz")", true)),
      ArgsPart(PartialArg("$.recipe.ingredients[0].amount", R"("stringValue":"")", false)),
      ArgsPart(PartialArg("$.recipe.ingredients[0].name", R"("stringValue":"Noodles")", false)),
      Chunk(R"([{"functionCall":{"willContinue":true}}])"),
      ArgsPart(PartialArg("$.recipe.ingredients[1].amount", R"("numberValue":0.5)", false) + "," +
               PartialArg("$.recipe.ingredients[1].fresh", R"("boolValue":true)", false)),
      ArgsPart(PartialArg("$.recipe['serving size']", R"("nullValue":null)", false)),
      ArgsPart(PartialArg("$.steps[0]", R"("stringValue":"Boil")", false) + "," +
                   PartialArg("$.steps[1]", R"("stringValue":"Bake")", false),
               /*will_continue=*/false),
      Chunk(R"([{"text":""}])", R"("finishReason":"STOP")"),
  };
  for (Framing framing : {Framing::kSse, Framing::kJsonArray}) {
    const lt::RunResult run = lt::RunEverySplit(
        GeminiOptions(framing), framing == Framing::kSse ? SseBody(chunks) : ArrayBody(chunks));
    const Choice& choice = run.completion.choices[0];
    ASSERT_EQ(choice.tool_calls.size(), 1u);
    const ToolCall& call = choice.tool_calls[0];
    EXPECT_TRUE(call.complete);
    EXPECT_TRUE(call.arguments_valid) << call.arguments;
    EXPECT_TRUE(lt::SameJson(call.arguments, json::parse(R"({
      "recipe": {"ingredients": [{"amount": "16 oz", "name": "Noodles"},
                                 {"amount": 0.5, "fresh": true}],
                 "serving size": null},
      "steps": ["Boil", "Bake"]})")));
    EXPECT_EQ(choice.finish_reason, "tool_calls");
    EXPECT_TRUE(run.completion.finished);
  }
}

TEST(GeminiDialect, UnreadableJsonPathIsWarnedAndSkipped) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(), SseBody({Chunk(R"([{"functionCall":{"name":"f","willContinue":true}}])"),
                                ArgsPart(PartialArg("location", R"("stringValue":"x")", false) +
                                         "," + PartialArg("$[0]", R"("stringValue":"y")", false) +
                                         "," + PartialArg("$.ok", R"("stringValue":"z")", false)),
                                Chunk(R"([{"functionCall":{}}])", R"("finishReason":"STOP")")}));
  const ToolCall& call = run.completion.choices[0].tool_calls[0];
  EXPECT_EQ(call.arguments, R"({"ok":"z"})");
  EXPECT_EQ(run.completion.warnings.size(), 2u);
}

TEST(GeminiDialect, StreamedCallCutMidArgumentsStaysIncomplete) {
  const std::vector<std::string> cut(kStreamedCalls.begin(), kStreamedCalls.begin() + 3);
  const lt::RunResult run = lt::RunEverySplit(GeminiOptions(), SseBody(cut));
  EXPECT_TRUE(run.completion.truncated);
  ASSERT_EQ(run.completion.choices[0].tool_calls.size(), 1u);
  const ToolCall& call = run.completion.choices[0].tool_calls[0];
  EXPECT_FALSE(call.complete);
  EXPECT_EQ(call.arguments, R"({"location":"Boston \"MA\")");  // what arrived, as it arrived

  // The empty functionCall part ends a call then and there: a cut after it leaves it complete.
  const std::vector<std::string> after_end(kStreamedCalls.begin(), kStreamedCalls.begin() + 5);
  const lt::RunResult ended = lt::RunEverySplit(GeminiOptions(), SseBody(after_end));
  EXPECT_TRUE(ended.completion.truncated);
  ASSERT_EQ(ended.completion.choices[0].tool_calls.size(), 1u);
  EXPECT_TRUE(ended.completion.choices[0].tool_calls[0].complete);
  EXPECT_EQ(ended.completion.choices[0].tool_calls[0].arguments, R"({"location":"Boston \"MA\""})");
}

// --- other parts -------------------------------------------------------------------------------

TEST(GeminiDialect, CodeExecutionPartsAreServerToolCallsAndResults) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(Text("Let me compute.")),
               Chunk(R"j([{"executableCode":{"language":"PYTHON","code":"print(6*7)"}}])j"),
               Chunk(R"([{"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"42\n"}}])"),
               Chunk(Text("It is 42."), R"("finishReason":"STOP")")}));
  const Choice& choice = run.completion.choices[0];
  EXPECT_EQ(choice.text, "Let me compute.It is 42.");
  ASSERT_EQ(choice.tool_calls.size(), 1u);
  EXPECT_EQ(choice.tool_calls[0].kind, ToolKind::kServer);
  EXPECT_EQ(choice.tool_calls[0].name, "code_execution");
  EXPECT_TRUE(lt::SameJson(choice.tool_calls[0].arguments,
                           json::parse(R"j({"language":"PYTHON","code":"print(6*7)"})j")));
  ASSERT_EQ(choice.blocks.size(), 4u);
  EXPECT_EQ(choice.blocks[1].type, "executableCode");
  EXPECT_EQ(choice.blocks[2].type, "codeExecutionResult");
  EXPECT_TRUE(lt::SameJson(choice.blocks[2].data,
                           json::parse(R"({"outcome":"OUTCOME_OK","output":"42\n"})")));
  EXPECT_EQ(choice.blocks[3].type, "text");
  // Code the model ran itself is nothing for the caller to run: the turn just stopped.
  EXPECT_EQ(choice.finish_reason, "stop");
}

TEST(GeminiDialect, InlineDataAndUnknownPartsAreKeptWhole) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(R"([{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},)"
                     R"({"fileData":{"mimeType":"video/mp4","fileUri":"gs://b/v.mp4"}}])",
                     R"("finishReason":"STOP")")}));
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].type, "inlineData");
  EXPECT_TRUE(lt::SameJson(choice.blocks[0].data,
                           json::parse(R"({"mimeType":"image/png","data":"iVBORw0KGgo="})")));
  EXPECT_EQ(choice.blocks[1].type, "fileData");
  EXPECT_TRUE(run.completion.finished);
}

// Gemini 3 may put the signature of an answer on a last, empty text part.
TEST(GeminiDialect, SignatureOnEmptyTextPartGoesToTheOpenBlock) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(R"([{"text":"Think","thought":true}])"), Chunk(Text("Answer")),
               Chunk(R"([{"text":"","thoughtSignature":"U0lH"}])", R"("finishReason":"STOP")")}));
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].type, "thought");
  EXPECT_EQ(choice.blocks[0].text, "Think");
  EXPECT_EQ(choice.blocks[1].type, "text");
  EXPECT_EQ(choice.blocks[1].text, "Answer");
  EXPECT_EQ(choice.blocks[1].signature, "U0lH");
  EXPECT_EQ(choice.reasoning, "Think");
  EXPECT_EQ(choice.text, "Answer");
}

// A signature is echoed back on the part it came with: such a part starts a block of its own.
TEST(GeminiDialect, PartWithSignatureStartsItsOwnBlock) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(Text("One. ")), Chunk(R"([{"text":"Two.","thoughtSignature":"c2ln"}])"),
               Chunk(Text(" Three."), R"("finishReason":"STOP")")}));
  const Choice& choice = run.completion.choices[0];
  ASSERT_EQ(choice.blocks.size(), 2u);
  EXPECT_EQ(choice.blocks[0].text, "One. ");
  EXPECT_EQ(choice.blocks[0].signature, "");
  EXPECT_EQ(choice.blocks[1].text, "Two. Three.");
  EXPECT_EQ(choice.blocks[1].signature, "c2ln");
  EXPECT_EQ(choice.text, "One. Two. Three.");
}

// --- usage -------------------------------------------------------------------------------------

TEST(GeminiDialect, LastUsageWinsEvenWhenSmallerAndCountlessSnapshotsChangeNothing) {
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(),
      SseBody({Chunk(Text("a"), "", 0)
                   .insert(1, R"("usageMetadata":{"promptTokenCount":169,)"
                              R"("totalTokenCount":169},)"),
               Chunk(Text("b"), R"("finishReason":"STOP")")
                   .insert(1, R"("usageMetadata":{"promptTokenCount":79,"candidatesTokenCount":12,)"
                              R"("thoughtsTokenCount":3,"cachedContentTokenCount":40,)"
                              R"("toolUsePromptTokenCount":2,"totalTokenCount":96},)"),
               R"({"usageMetadata":{"trafficType":"ON_DEMAND"}})"}));
  const Usage& usage = run.completion.usage;
  EXPECT_EQ(*usage.input_tokens, 81);   // prompt + tool-use prompt
  EXPECT_EQ(*usage.output_tokens, 15);  // candidates + thoughts
  EXPECT_EQ(*usage.reasoning_tokens, 3);
  EXPECT_EQ(*usage.cached_input_tokens, 40);
  EXPECT_EQ(*usage.total_tokens, 96);
  EXPECT_EQ(Count(run.events, EventKind::kUsage), 2u);
  EXPECT_TRUE(lt::SameJson(run.completion.Metadata("usageMetadata"),
                           json::parse(R"({"trafficType":"ON_DEMAND"})")));
}

// --- hostile shapes -----------------------------------------------------------------------------

TEST(GeminiDialect, HostileShapesHitTheStreamLimits) {
  // Thousands of candidates in one chunk: StreamLimits::max_choices ends the stream.
  std::string candidates;
  for (int i = 0; i < 5000; ++i) {
    candidates += (i ? "," : "") + std::string(R"({"content":{"parts":[{"text":"x"}]},"index":)") +
                  std::to_string(i) + "}";
  }
  const lt::RunResult many =
      lt::RunEverySplit(GeminiOptions(), Sse(R"({"candidates":[)" + candidates + "]}"));
  EXPECT_EQ(many.completion.error.code, ErrorCode::kLimitExceeded);
  // Alternating thought and text parts: one block each, until StreamLimits::max_parts.
  std::string parts;
  for (int i = 0; i < 6000; ++i) {
    parts +=
        std::string(i ? "," : "") + (i % 2 ? R"({"text":"a"})" : R"({"text":"b","thought":true})");
  }
  const lt::RunResult blocks = lt::RunEverySplit(GeminiOptions(), Sse(Chunk("[" + parts + "]")));
  EXPECT_EQ(blocks.completion.error.code, ErrorCode::kLimitExceeded);
}

TEST(GeminiDialect, DeepJsonPathsCostTheirLength) {
  std::string deep = "$";
  for (int i = 0; i < 20000; ++i) deep += ".a";
  const lt::RunResult run = lt::RunEverySplit(
      GeminiOptions(), SseBody({Chunk(R"([{"functionCall":{"name":"f","willContinue":true}}])"),
                                ArgsPart(PartialArg(deep, R"("numberValue":1)", false)),
                                ArgsPart(PartialArg("$.b", R"("numberValue":2)", false), false),
                                Chunk(Text("done"), R"("finishReason":"STOP")")}));
  const ToolCall& call = run.completion.choices[0].tool_calls[0];
  EXPECT_TRUE(call.complete);
  EXPECT_TRUE(call.arguments.ends_with(R"(},"b":2})"));
  // Deeper than the JSON reader's nesting bound: kept, but not valid JSON for us.
  EXPECT_FALSE(call.arguments_valid);
}

// --- the end of the body -----------------------------------------------------------------------

TEST(GeminiDialect, CutMidStreamIsTruncatedWithThePartialKept) {
  const std::string body = lt::ReadFixture("more-providers/gemini-thought-parts.sse");
  const size_t last_event = body.rfind("data: ");
  for (size_t cut : {last_event, last_event + 40, body.size() - 2}) {
    const lt::RunResult run = lt::RunEverySplit(GeminiOptions(), body.substr(0, cut));
    EXPECT_TRUE(run.completion.truncated) << cut;
    EXPECT_FALSE(run.completion.finished);
    EXPECT_EQ(run.completion.error.code, ErrorCode::kTruncated);
    EXPECT_FALSE(run.completion.choices[0].text.empty());
    EXPECT_FALSE(run.completion.choices[0].reasoning.empty());
    EXPECT_EQ(run.completion.choices[0].finish_reason, "");
  }
}

TEST(GeminiDialect, JsonArrayCutAfterTheFinishIsComplete) {
  // The candidate's finishReason is Gemini's end signal; the array's "]" is framing.
  const std::string body =
      lt::ReadFixture("more-providers/gemini-json-array-thought-function-call.json");
  const lt::RunResult complete =
      lt::RunEverySplit(GeminiOptions(Framing::kJsonArray), body.substr(0, body.rfind(']')));
  EXPECT_TRUE(complete.completion.finished);
  EXPECT_FALSE(complete.completion.error);
  const lt::RunResult cut =
      lt::RunEverySplit(GeminiOptions(Framing::kJsonArray), body.substr(0, body.size() - 40));
  EXPECT_TRUE(cut.completion.truncated);
  EXPECT_EQ(cut.completion.choices[0].reasoning.size(), 236u);  // the first element's thought
}

}  // namespace
}  // namespace llmstream
