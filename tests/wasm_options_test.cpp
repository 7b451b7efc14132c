// The wasm module's options JSON (platform/wasm/options.cpp, compiled natively into this suite
// as it is for fuzz_wasm_options): regressions for what issue 13's fuzzing found.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "llmstream/to_json.h"
#include "options.h"

namespace llmstream::wasm {
namespace {

struct Parsed {
  bool ok = false;
  SessionOptions options;
  Error error;
};

Parsed Parse(std::string_view json) {
  Parsed parsed;
  parsed.ok = ParseSessionOptions(json, &parsed.options, &parsed.error);
  return parsed;
}

// Numbers that round to 2^63 or 2^64 as doubles passed the range check (compared as doubles,
// where int64's max is 2^63 too) and were converted: undefined behaviour (UBSan), and on x86 a
// delay of INT64_MIN. Each is an error now; the largest exact values still pass.
TEST(WasmOptions, IntegersAtTheEdgesOfInt64AndUint64) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(Parse(R"({"retryBaseDelayMs":9223372036854775807})").options.retry.base_delay_ms, kMax);
  EXPECT_EQ(Parse(R"({"unixMsAtZero":-9223372036854775808})").options.unix_ms_at_zero, kMin);
  EXPECT_EQ(Parse(R"({"unixMsAtZero":-9.223372036854775808e18})").options.unix_ms_at_zero, kMin);
  EXPECT_EQ(Parse(R"({"totalTimeoutMs":9.2233720368547748e18})").options.timeouts.total_ms,
            int64_t{9223372036854774784});  // the largest double below 2^63
  EXPECT_EQ(Parse(R"({"randomSeed":18446744073709551615})").options.random_seed,
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Parse(R"({"randomSeed":1.8446744073709550e19})").options.random_seed,
            uint64_t{18446744073709549568u});  // the largest double below 2^64

  const std::pair<const char*, const char*> out_of_range[] = {
      {R"({"retryBaseDelayMs":9223372036854775808})", "retryBaseDelayMs"},      // as uint64
      {R"({"retryBaseDelayMs":9.223372036854775807e18})", "retryBaseDelayMs"},  // 2^63
      {R"({"firstByteTimeoutMs":9223372036854775807.0})", "firstByteTimeoutMs"},
      {R"({"unixMsAtZero":9223372036854775808.5})", "unixMsAtZero"},
      {R"({"unixMsAtZero":-9.3e18})", "unixMsAtZero"},
      {R"({"maxCompletionBytes":18446744073709551616})", "maxCompletionBytes"},  // 2^64
      {R"({"randomSeed":18446744073709551616})", "randomSeed"},
      {R"({"randomSeed":1.8446744073709552e19})", "randomSeed"},
      {R"({"randomSeed":-1})", "randomSeed"},
      {R"({"maxTokens":2147483648})", "maxTokens"},
      {R"({"maxTokens":2147483648.0})", "maxTokens"},
      {R"({"n":128.5})", "n"},
      {R"({"n":129})", "n"},
  };
  for (const auto& [json, key] : out_of_range) {
    const Parsed parsed = Parse(json);
    EXPECT_FALSE(parsed.ok) << json;
    EXPECT_EQ(parsed.error.code, ErrorCode::kInvalidRequest) << json;
    EXPECT_EQ(parsed.error.message, "options." + std::string(key) + " must be an integer in range")
        << json;
  }
  EXPECT_EQ(Parse(R"({"n":128.0,"maxTokens":2147483647})").options.request.max_tokens, 2147483647);
}

// Objects are counted before nlohmann builds them (its ordered_json inserts a key by a linear
// search, so 7k keys took seconds): more than 1,024 keys in any object is a clear error.
TEST(WasmOptions, ObjectsOfMoreThan1024KeysAreRefused) {
  auto with_keys = [](std::string_view before, int keys, std::string_view after) {
    std::string json(before);
    for (int i = 0; i < keys; ++i) json += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    return json + std::string(after);
  };
  const Parsed fits = Parse(with_keys(R"({"model":"m","extraBody":{)", 1024, "}}"));
  ASSERT_TRUE(fits.ok) << fits.error.message;
  EXPECT_EQ(fits.options.request.extra_body_json.substr(0, 20), R"({"k0":0,"k1":0,"k2":)")
      << "the order of the keys is kept";
  // Only a ':' outside strings counts: colons, braces and escaped quotes in keys and values do not.
  const std::string noise = R"(\\\"{)" + std::string(2000, ':');
  const Parsed strings = Parse(
      with_keys(R"({"model":")" + noise + R"(","extraBody":{")" + noise + R"(":0,)", 1023, "}}"));
  ASSERT_TRUE(strings.ok) << strings.error.message;
  EXPECT_EQ(strings.options.request.model.substr(0, 4), R"(\"{:)");
  for (const std::string& json : {with_keys(R"({"extraBody":{)", 1025, "}}"),
                                  with_keys(R"({"messages":[{"role":"user"},{)", 1025, "}]})"),
                                  with_keys("{", 1024, R"(,"model":"m"})")}) {
    const Parsed parsed = Parse(json);
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error.code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(parsed.error.message, "the options have an object of more than 1024 keys");
  }
}

TEST(WasmOptions, NestingDeeperThan512LevelsIsRefused) {
  auto nested = [](int depth) {  // the options object is level 1
    return R"({"extraBody":{"a":)" + std::string(depth - 2, '[') + std::string(depth - 2, ']') +
           "}}";
  };
  EXPECT_TRUE(Parse(nested(512)).ok);
  const Parsed deep = Parse(nested(513));
  EXPECT_FALSE(deep.ok);
  EXPECT_EQ(deep.error.message, "the options nest deeper than 512 levels");
}

TEST(WasmOptions, InvalidJsonAndByteOrderMark) {
  EXPECT_EQ(Parse(R"({"model":)").error.message, "the options are not valid JSON");
  EXPECT_EQ(Parse("{\"model\":\"\xff\"}").error.message, "the options are not valid JSON");
  EXPECT_EQ(Parse("[]").error.message, "the options must be a JSON object");
  const Parsed bom = Parse("\xEF\xBB\xBF{\"model\":\"m\"}");  // skipped, as nlohmann did
  EXPECT_TRUE(bom.ok) << bom.error.message;
  EXPECT_EQ(bom.options.request.model, "m");
}

// An unknown `api` names every API the parser takes (it said "chat", "responses" or "messages"
// while the new ones were taken too: a user who wrote 'gemini' was not told of
// 'gemini_generate_content').
TEST(WasmOptions, AnUnknownApiListsEveryName) {
  const Parsed parsed = Parse(R"({"api":"gemini"})");
  ASSERT_FALSE(parsed.ok);
  for (const char* name : {"\"chat_completions\"", "\"responses\"", "\"anthropic_messages\"",
                           "\"gemini_generate_content\"", "\"bedrock_converse\"", "\"ollama_chat\"",
                           "\"ollama_generate\"", "\"cohere_chat\"", "\"chat\"", "\"messages\""}) {
    EXPECT_NE(parsed.error.message.find(name), std::string::npos)
        << name << ": " << parsed.error.message;
  }
  EXPECT_EQ(Parse(R"({"api":"gemini-generate-content"})").options.provider.api,
            WireApi::kGeminiGenerateContent);
}

// The npm message shape (AppendJson(Message)) reads back into the same Message: what a stored
// conversation sends on the next turn.
TEST(WasmOptions, MessagesWrittenByAppendJsonReadBackTheSame) {
  Message turn{.role = "assistant", .content = "Hi"};
  turn.parts = {
      MessagePart{
          .kind = PartKind::kReasoning, .text = "think", .signature = "sig", .type = "thinking"},
      MessagePart{.kind = PartKind::kRedactedReasoning,
                  .data = "opaque",
                  .id = "rs_1",
                  .type = "redacted_thinking"},
      MessagePart{.kind = PartKind::kToolCall,
                  .type = "tool_use",
                  .tool_call = {.id = "toolu_1", .name = "t", .arguments = R"({"a":1})"}}};
  turn.tool_calls = {turn.parts[2].tool_call};
  turn.origin = MessageOrigin{.provider = Provider::kAnthropic, .api = WireApi::kAnthropicMessages};
  Message result{.role = "tool", .content = "bad city", .tool_call_id = "toolu_1"};
  result.is_error = true;
  std::string json = R"({"messages":[)";
  AppendJson(&json, turn);
  json += ",";
  AppendJson(&json, result);
  json += "]}";
  const Parsed parsed = Parse(json);
  ASSERT_TRUE(parsed.ok) << parsed.error.message;
  const auto& messages = parsed.options.request.messages;
  ASSERT_EQ(messages.size(), 2u);
  const Message& back = messages[0];
  ASSERT_EQ(back.parts.size(), 3u);
  EXPECT_EQ(back.parts[0].kind, PartKind::kReasoning);
  EXPECT_EQ(back.parts[0].text, "think");
  EXPECT_EQ(back.parts[0].signature, "sig");
  EXPECT_EQ(back.parts[0].type, "thinking");
  EXPECT_EQ(back.parts[1].kind, PartKind::kRedactedReasoning);
  EXPECT_EQ(back.parts[1].data, "opaque");
  EXPECT_EQ(back.parts[1].id, "rs_1");
  EXPECT_EQ(back.parts[2].kind, PartKind::kToolCall);
  EXPECT_EQ(back.parts[2].tool_call.id, "toolu_1");
  EXPECT_EQ(back.parts[2].tool_call.arguments, R"({"a":1})");
  ASSERT_EQ(back.tool_calls.size(), 1u);
  ASSERT_TRUE(back.origin.has_value());
  EXPECT_EQ(*back.origin, *turn.origin);
  EXPECT_TRUE(messages[1].is_error);
  EXPECT_EQ(messages[1].tool_call_id, "toolu_1");
  EXPECT_FALSE(messages[0].is_error);
}

TEST(WasmOptions, ABadPartOrOriginNamesItsPath) {
  Parsed parsed =
      Parse(R"({"messages":[{"role":"user","content":"x"},{"role":"user","content":"y"},)"
            R"({"role":"assistant","content":"","parts":[{"type":"thought"}]}]})");
  ASSERT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error.message,
            "options.messages[2].parts[0].type must be one of \"text\", \"reasoning\", "
            "\"redacted_reasoning\", \"tool_call\", \"provider_block\"");
  parsed = Parse(R"({"messages":[{"role":"assistant","origin":{"provider":"anthropic"}}]})");
  ASSERT_FALSE(parsed.ok);
  EXPECT_TRUE(parsed.error.message.starts_with("options.messages[0].origin.api must be one of "))
      << parsed.error.message;
  parsed = Parse(R"({"messages":[{"role":"tool","isError":"yes"}]})");
  EXPECT_EQ(parsed.error.message, "options.messages[0].isError must be a boolean");
}

}  // namespace
}  // namespace llmstream::wasm
