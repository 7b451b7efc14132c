// The next turn's body (issue 15 item 1) for Anthropic Messages, Bedrock Converse and Chat
// Completions: assistant turns written from their parts in order, as each provider wants them
// back, and tool results with their error flag. Expected bodies are written by hand from the
// providers' documented shapes (docs/wire-formats.md, "Conversations"); the recordings' turns
// are checked against the reference assembler's facts (expected.json) and the recorded bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmstream/conversation.h"
#include "support/expected.h"
#include "support/fixtures.h"
#include "support/request_helpers.h"

namespace llmstream {
namespace {

using nlohmann::json;
using test::BuildOk;
using test::ConfigFor;
using test::kRoundTripWeatherTool;

constexpr MessageOrigin kAnthropicOrigin{.provider = Provider::kAnthropic,
                                         .api = WireApi::kAnthropicMessages};

// "Weather?", then assistant turn `parts` as `origin` made it, then `result`, with the tool.
CompletionRequest OneStep(std::string model, MessageOrigin origin, std::vector<MessagePart> parts,
                          Message result) {
  CompletionRequest request{.model = std::move(model)};
  request.messages.push_back(Message{.role = "user", .content = "Weather?"});
  request.messages.push_back(
      Message{.role = "assistant", .parts = std::move(parts), .origin = origin});
  request.messages.push_back(std::move(result));
  request.tools.push_back(kRoundTripWeatherTool);
  return request;
}

// An Anthropic turn with every kind of part, then two results (the second a failure).
CompletionRequest AnthropicLoop() {
  CompletionRequest request{.model = "claude-haiku-4-5"};
  request.messages.push_back(Message{.role = "user", .content = "Weather in Paris and Rome?"});
  Message turn{.role = "assistant", .origin = kAnthropicOrigin};
  turn.parts = {
      {.kind = PartKind::kReasoning,
       .text = "Two cities.",
       .signature = "sig==",
       .type = "thinking"},
      {.kind = PartKind::kRedactedReasoning, .data = "EmwKAhgB", .type = "redacted_thinking"},
      {.kind = PartKind::kText, .text = "", .type = "text"},
      {.kind = PartKind::kText, .text = "Checking.", .type = "text"},
      {.kind = PartKind::kProviderBlock,
       .type = "server_tool_use",
       .tool_call = {.id = "srvtoolu_1", .name = "web_search", .arguments = R"({"query":"q"})"}},
      {.kind = PartKind::kProviderBlock,
       .data = R"({"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]})",
       .type = "web_search_tool_result"},
      {.kind = PartKind::kToolCall,
       .type = "tool_use",
       .tool_call = {.id = "toolu_1", .name = "get_weather", .arguments = R"({"city":"Paris"})"}},
      {.kind = PartKind::kToolCall,
       .type = "tool_use",
       .tool_call = {.id = "toolu_2", .name = "get_weather", .arguments = ""}},
  };
  request.messages.push_back(turn);
  request.messages.push_back(Message{.role = "tool", .content = "18C", .tool_call_id = "toolu_1"});
  request.messages.push_back(Message{
      .role = "tool", .content = "no such city", .tool_call_id = "toolu_2", .is_error = true});
  request.tools.push_back(kRoundTripWeatherTool);
  return request;
}

TEST(RequestRoundTrip, AnthropicWritesEveryPartInOrderAndFlagsFailedResults) {
  json body = BuildOk(ConfigFor(Provider::kAnthropic), AnthropicLoop()).body;
  const json want = json::parse(R"([
    {"role": "user", "content": "Weather in Paris and Rome?"},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "Two cities.", "signature": "sig=="},
      {"type": "redacted_thinking", "data": "EmwKAhgB"},
      {"type": "text", "text": "Checking."},
      {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
      {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
      {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
      {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {}}]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
      {"type": "tool_result", "tool_use_id": "toolu_2", "content": "no such city", "is_error": true}]}
  ])");
  EXPECT_EQ(body["messages"], want) << body["messages"].dump(1);
}

TEST(RequestRoundTrip, AnthropicTurnToAnotherProviderIsItsTextAndCalls) {
  CompletionRequest request = AnthropicLoop();
  json chat = BuildOk(ConfigFor(Provider::kOpenAI), request).body;
  const json want = json::parse(R"({"role": "assistant", "content": "Checking.", "tool_calls": [
      {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
      {"id": "toolu_2", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]})");
  EXPECT_EQ(chat["messages"][1], want) << chat["messages"][1].dump(1);
  // The same turn to the same provider over another API (Bedrock's Claude): no signatures either.
  ProviderConfig bedrock{.provider = Provider::kBedrock, .api_key = "k", .region = "us-east-1"};
  request.model = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
  json converse = BuildOk(bedrock, request).body;
  EXPECT_EQ(converse["messages"][1]["content"], json::parse(R"([{"text": "Checking."},
      {"toolUse": {"toolUseId": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}},
      {"toolUse": {"toolUseId": "toolu_2", "name": "get_weather", "input": {}}}])"));
}

TEST(RequestRoundTrip, AProviderBlockWithoutItsJsonIsRefused) {
  CompletionRequest request = AnthropicLoop();
  request.messages[1].parts[5].data = "";
  EXPECT_EQ(test::BuildFails(ConfigFor(Provider::kAnthropic), request),
            "messages[1].parts[5] (web_search_tool_result) has no JSON block in data: Anthropic "
            "needs the block back whole");
}

TEST(RequestRoundTrip, BedrockWritesReasoningRedactedTextAndToolUseAndErrorStatus) {
  const MessageOrigin origin{.provider = Provider::kBedrock, .api = WireApi::kBedrockConverse};
  CompletionRequest request = OneStep(
      "us.anthropic.claude-haiku-4-5-20251001-v1:0", origin,
      {{.kind = PartKind::kReasoning, .text = "Think.", .signature = "c2ln", .type = "reasoning"},
       {.kind = PartKind::kRedactedReasoning, .data = "AQID", .type = "reasoning"},
       {.kind = PartKind::kText, .text = "", .type = "text"},
       {.kind = PartKind::kToolCall,
        .type = "tool_use",
        .tool_call = {.id = "tooluse_1",
                      .name = "get_weather",
                      .arguments = R"({"city":"Rome"})"}}},
      Message{.role = "tool", .content = "boom", .tool_call_id = "tooluse_1", .is_error = true});
  ProviderConfig config{.provider = Provider::kBedrock, .api_key = "k", .region = "us-east-1"};
  json body = BuildOk(config, request).body;
  const json want = json::parse(R"([
    {"role": "user", "content": [{"text": "Weather?"}]},
    {"role": "assistant", "content": [
      {"reasoningContent": {"reasoningText": {"text": "Think.", "signature": "c2ln"}}},
      {"reasoningContent": {"redactedContent": "AQID"}},
      {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Rome"}}}]},
    {"role": "user", "content": [
      {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "boom"}], "status": "error"}}]}
  ])");
  EXPECT_EQ(body["messages"], want) << body["messages"].dump(1);
}

// A Chat turn with reasoning, text and a call, as `provider` produced it.
CompletionRequest ChatLoop(Provider provider) {
  return OneStep(
      "m", MessageOrigin{.provider = provider, .api = WireApi::kChatCompletions},
      {{.kind = PartKind::kReasoning, .text = "Need a tool.", .type = "reasoning"},
       {.kind = PartKind::kText, .text = "Checking.", .type = "text"},
       {.kind = PartKind::kToolCall,
        .type = "function",
        .tool_call = {.id = "call_1", .name = "get_weather", .arguments = R"({"city":"Rome"})"}}},
      Message{.role = "tool", .content = "18C", .tool_call_id = "call_1"});
}

json ChatTurn(Provider provider, CompletionRequest request) {
  ProviderConfig config = ConfigFor(provider);
  if (provider == Provider::kAzure) config.base_url = "https://r.openai.azure.com";
  if (provider == Provider::kCompatible) config.base_url = "http://127.0.0.1:9/v1";
  return BuildOk(config, request).body["messages"][1];
}

constexpr char kCall[] =
    R"([{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}}])";

TEST(RequestRoundTrip, ChatReasoningGoesBackOnlyWhereTheProviderTakesIt) {
  json plain = json::parse(R"({"role": "assistant", "content": "Checking."})");
  plain["tool_calls"] = json::parse(kCall);
  for (Provider p : {Provider::kOpenAI, Provider::kAzure, Provider::kXai, Provider::kCompatible,
                     Provider::kLocal}) {
    EXPECT_EQ(ChatTurn(p, ChatLoop(p)), plain) << ProviderName(p);
  }
  json deepseek = plain;
  deepseek["reasoning_content"] = "Need a tool.";
  EXPECT_EQ(ChatTurn(Provider::kDeepSeek, ChatLoop(Provider::kDeepSeek)), deepseek);
  json groq = plain;
  groq["reasoning"] = "Need a tool.";
  EXPECT_EQ(ChatTurn(Provider::kGroq, ChatLoop(Provider::kGroq)), groq);
  json mistral = json::parse(R"({"role": "assistant", "content": [
      {"type": "thinking", "thinking": [{"type": "text", "text": "Need a tool."}]},
      {"type": "text", "text": "Checking."}]})");
  mistral["tool_calls"] = json::parse(kCall);
  EXPECT_EQ(ChatTurn(Provider::kMistral, ChatLoop(Provider::kMistral)), mistral);
  // Unsigned reasoning is not an OpenRouter detail (it would be taken for unsigned Claude).
  EXPECT_EQ(ChatTurn(Provider::kOpenRouter, ChatLoop(Provider::kOpenRouter)), plain);
  // Another provider's turn: text and calls only, wherever it goes.
  EXPECT_EQ(ChatTurn(Provider::kDeepSeek, ChatLoop(Provider::kGroq)), plain);
}

TEST(RequestRoundTrip, ChatTurnWithoutCallsKeepsDeepSeekAndGroqReasoningOut) {
  for (Provider p : {Provider::kDeepSeek, Provider::kGroq}) {
    CompletionRequest request = ChatLoop(p);
    request.messages[1].parts.pop_back();
    request.messages.pop_back();
    EXPECT_EQ(ChatTurn(p, request), json::parse(R"({"role": "assistant", "content": "Checking."})"))
        << ProviderName(p);
  }
}

// ---- Recordings: the assistant turn of a recorded stream -> the next request's body.

// The assistant turn of recording `file` as `config` produced it, once per split of its bytes
// (NextTurnBodies feeds them; the tests below build their own next requests around each turn).
std::vector<Message> TurnsOf(const std::string& file, const ProviderConfig& config) {
  std::vector<Message> turns;
  test::NextTurnBodies(file, config, [&](Message turn) {
    turns.push_back(std::move(turn));
    return test::Prompt("m");
  });
  return turns;
}

// The data of every SSE line of a recording whose JSON has `type`, parsed.
std::vector<json> RecordedPayloads(const std::string& file, std::string_view type) {
  const std::string bytes = testing::ReadFixture(file);
  std::vector<json> out;
  for (size_t at = bytes.find("data: {"); at != std::string::npos;
       at = bytes.find("data: {", at + 1)) {
    json payload = json::parse(bytes.substr(at + 6, bytes.find('\n', at) - at - 6));
    if (payload.value("type", "") == type) out.push_back(std::move(payload));
  }
  return out;
}

TEST(RequestRoundTrip, AnthropicThinkingSignatureRecordingGoesBackByteForByte) {
  const json& facts = testing::Expected()["anthropic-thinking-signature.sse"];
  // The signature as recorded (expected.json gives only its length): its signature_delta(s).
  std::string signature;
  for (const json& event :
       RecordedPayloads("anthropic-thinking-signature.sse", "content_block_delta")) {
    if (event["delta"]["type"] == "signature_delta") signature += event["delta"]["signature"];
  }
  ASSERT_EQ(signature.size(), facts["blocks"][0]["signature"]["chars"].get<size_t>());
  json want = json::array();
  for (const json& block : facts["blocks"]) {
    if (block["type"] == "thinking") {
      want.push_back(
          {{"type", "thinking"}, {"thinking", block["thinking"]}, {"signature", signature}});
    } else {
      want.push_back({{"type", "text"}, {"text", block["text"]}});
    }
  }
  ASSERT_EQ(want.size(), 2u);
  const ProviderConfig config = ConfigFor(Provider::kAnthropic);
  for (const Message& turn : TurnsOf("anthropic-thinking-signature.sse", config)) {
    CompletionRequest request{.model = "claude-haiku-4-5", .messages = {turn}};
    request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hi"});
    request.messages.push_back(Message{.role = "user", .content = "And a third?"});
    EXPECT_EQ(BuildOk(config, request).body["messages"][1]["content"], want);
  }
}

TEST(RequestRoundTrip, AnthropicServerToolRecordingKeepsBlockOrder) {
  const json& facts = testing::Expected()["anthropic-text-server-tool-and-tool-use.sse"];
  std::vector<std::string> types;
  for (const json& block : facts["blocks"]) types.push_back(block["type"]);
  const ProviderConfig config = ConfigFor(Provider::kAnthropic);
  for (const Message& turn : TurnsOf("anthropic-text-server-tool-and-tool-use.sse", config)) {
    CompletionRequest request{.model = "claude-haiku-4-5", .messages = {turn}};
    request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hi"});
    request.messages.push_back(
        Message{.role = "tool", .content = "0.92", .tool_call_id = turn.tool_calls.at(0).id});
    json body = BuildOk(config, request).body;
    std::vector<std::string> sent;
    for (const json& block : body["messages"][1]["content"]) sent.push_back(block["type"]);
    EXPECT_EQ(sent, types);
    const json& server_call = body["messages"][1]["content"][1];
    EXPECT_EQ(server_call["id"], facts["blocks"][1]["id"]);
    EXPECT_EQ(server_call["input"], facts["blocks"][1]["input"]);
    EXPECT_EQ(body["messages"][2]["content"][0]["tool_use_id"], facts["blocks"].back()["id"]);
  }
}

TEST(RequestRoundTrip, OpenRouterEncryptedReasoningGoesBackAsTheRecordedItem) {
  // The one reasoning_details item, read from the recorded bytes: sent back as it came.
  const std::string bytes = testing::ReadFixture("openrouter-o3-reasoning.sse");
  json item;
  for (size_t at = bytes.find("data: {"); at != std::string::npos;
       at = bytes.find("data: {", at + 1)) {
    json chunk = json::parse(bytes.substr(at + 6, bytes.find('\n', at) - at - 6));
    const json& delta = chunk["choices"][0]["delta"];
    if (delta.contains("reasoning_details") && !delta["reasoning_details"].empty()) {
      item = delta["reasoning_details"][0];
    }
  }
  ASSERT_EQ(item["type"], "reasoning.encrypted");
  const ProviderConfig config = ConfigFor(Provider::kOpenRouter);
  for (const Message& turn : TurnsOf("openrouter-o3-reasoning.sse", config)) {
    CompletionRequest request{.model = "openai/o3", .messages = {turn}};
    request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hi"});
    json sent = BuildOk(config, request).body["messages"][1];
    EXPECT_EQ(sent["reasoning_details"], json::array({item}));
    EXPECT_EQ(sent["content"],
              testing::Expected()["openrouter-o3-reasoning.sse"]["choices"]["0"]["content"]);
  }
}

TEST(RequestRoundTrip, OpenRouterClaudeSignedReasoningGoesBackAsATextDetail) {
  const ProviderConfig config = ConfigFor(Provider::kOpenRouter);
  for (const Message& turn : TurnsOf("openrouter-claude-reasoning.sse", config)) {
    CompletionRequest request{.model = "anthropic/claude-sonnet-4.5", .messages = {turn}};
    request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "2+2?"});
    json details = BuildOk(config, request).body["messages"][1]["reasoning_details"];
    ASSERT_EQ(details.size(), 1u) << details.dump();
    EXPECT_EQ(details[0]["type"], "reasoning.text");
    EXPECT_EQ(details[0]["text"],
              "This is a simple arithmetic question. 2+2 equals 4.");  // hand-read
    EXPECT_TRUE(details[0]["signature"].get<std::string>().starts_with("Et0BCkgIChACGAIqQA2s7h7t"));
  }
}

TEST(RequestRoundTrip, BedrockReasoningRecordingGoesBackWithItsSignature) {
  const json& facts =
      testing::ExpectedMoreProviders()["bedrock-claude-reasoning-signature.eventstream"];
  ProviderConfig config{.provider = Provider::kBedrock, .api_key = "k", .region = "us-east-1"};
  std::string first_signature;
  for (const Message& turn :
       TurnsOf("more-providers/bedrock-claude-reasoning-signature.eventstream", config)) {
    CompletionRequest request{.model = "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                              .messages = {turn}};
    request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hello"});
    request.messages.push_back(Message{.role = "user", .content = "Thanks"});
    json content = BuildOk(config, request).body["messages"][1]["content"];
    ASSERT_EQ(content.size(), 2u) << content.dump();
    const json& reasoning = content[0]["reasoningContent"]["reasoningText"];
    EXPECT_EQ(reasoning["text"], facts["blocks"][0]["reasoning_text"]);
    const std::string signature = reasoning["signature"];
    EXPECT_EQ(signature.size(), facts["blocks"][0]["signature"]["chars"].get<size_t>());
    if (first_signature.empty()) first_signature = signature;
    EXPECT_EQ(signature, first_signature);
    EXPECT_EQ(content[1], json({{"text", facts["blocks"][1]["text"]}}));
  }
}

TEST(RequestRoundTrip, ChatRecordingsGoBackAsTheirProviderTakesThem) {
  {
    const ProviderConfig config = ConfigFor(Provider::kGroq);
    for (const Message& turn : TurnsOf("groq-reasoning-tool-call.sse", config)) {
      CompletionRequest request{.model = "openai/gpt-oss-20b", .messages = {turn}};
      request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hi"});
      for (const ToolCallRequest& call : turn.tool_calls) {
        request.messages.push_back(
            Message{.role = "tool", .content = "ok", .tool_call_id = call.id});
      }
      request.tools.push_back(kRoundTripWeatherTool);
      json sent = BuildOk(config, request).body["messages"][1];
      EXPECT_EQ(sent["reasoning"],
                testing::Expected()["groq-reasoning-tool-call.sse"]["choices"]["0"]["reasoning"]);
      EXPECT_EQ(sent["tool_calls"][0]["id"], "fc_bfb39741-3748-4def-9886-a93fc9c64a90");
    }
  }
  {
    const ProviderConfig config = ConfigFor(Provider::kOpenAI);
    const json& facts = testing::Expected()["openai-chat-parallel-tool-calls.sse"]["choices"]["0"];
    for (const Message& turn : TurnsOf("openai-chat-parallel-tool-calls.sse", config)) {
      CompletionRequest request{.model = "gpt-4o-mini", .messages = {turn}};
      request.messages.insert(request.messages.begin(), Message{.role = "user", .content = "Hi"});
      json sent = BuildOk(config, request).body["messages"][1];
      ASSERT_EQ(sent["tool_calls"].size(), facts["tool_calls"].size());
      for (size_t i = 0; i < facts["tool_calls"].size(); ++i) {
        EXPECT_EQ(sent["tool_calls"][i]["id"], facts["tool_calls"][i]["id"]);
        EXPECT_EQ(sent["tool_calls"][i]["function"]["arguments"],
                  facts["tool_calls"][i]["arguments"]);
      }
      EXPECT_FALSE(sent.contains("reasoning_content"));
    }
  }
}

}  // namespace
}  // namespace llmstream
