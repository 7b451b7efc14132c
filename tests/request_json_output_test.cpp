// CompletionRequest::response_format written per wire API (docs/wire-formats.md, "JSON output"),
// and what each API or provider refuses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream {
namespace {

using nlohmann::json;
using test::BuildFails;
using test::BuildOk;
using test::ConfigFor;
using test::Prompt;

constexpr const char* kSchema =
    R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})";

CompletionRequest WithSchema(std::string model, bool strict = false, std::string name = "") {
  CompletionRequest request = Prompt(std::move(model));
  request.response_format = {.type = ResponseFormatType::kJsonSchema,
                             .name = std::move(name),
                             .schema_json = kSchema,
                             .strict = strict};
  return request;
}

CompletionRequest WithJsonObject(std::string model) {
  CompletionRequest request = Prompt(std::move(model));
  request.response_format.type = ResponseFormatType::kJsonObject;
  return request;
}

const json kSchemaJson = json::parse(kSchema);

TEST(RequestJsonOutput, ChatCompletionsResponseFormat) {
  const json body =
      BuildOk(ConfigFor(Provider::kOpenAI), WithSchema("gpt-4o-mini", true, "weather")).body;
  EXPECT_EQ(
      body["response_format"],
      json({{"type", "json_schema"},
            {"json_schema", {{"name", "weather"}, {"schema", kSchemaJson}, {"strict", true}}}}));
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kOpenAI), WithJsonObject("gpt-4o-mini")).body["response_format"],
      json({{"type", "json_object"}}));
  // The same shape for every Chat Completions provider; the name defaults to "response".
  for (Provider provider : {Provider::kGroq, Provider::kMistral, Provider::kOpenRouter,
                            Provider::kXai, Provider::kLocal}) {
    const json b = BuildOk(ConfigFor(provider), WithSchema("m")).body;
    EXPECT_EQ(b["response_format"]["json_schema"]["name"], "response") << ProviderName(provider);
    EXPECT_EQ(b["response_format"]["json_schema"]["strict"], false) << ProviderName(provider);
    EXPECT_EQ(b["response_format"]["json_schema"]["schema"], kSchemaJson);
  }
  ProviderConfig azure = ConfigFor(Provider::kAzure, std::nullopt, "https://r.openai.azure.com");
  EXPECT_EQ(BuildOk(azure, WithSchema("dep")).body["response_format"]["type"], "json_schema");
  // No response_format: nothing is written.
  EXPECT_FALSE(BuildOk(ConfigFor(Provider::kOpenAI), Prompt("m")).body.contains("response_format"));
}

TEST(RequestJsonOutput, DeepSeekTakesOnlyJsonObject) {
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kDeepSeek), WithJsonObject("m")).body["response_format"],
            json({{"type", "json_object"}}));
  EXPECT_NE(BuildFails(ConfigFor(Provider::kDeepSeek), WithSchema("m")).find("json_object"),
            std::string::npos);
}

TEST(RequestJsonOutput, ResponsesTextFormat) {
  const ProviderConfig config = ConfigFor(Provider::kOpenAI, WireApi::kResponses);
  const json body = BuildOk(config, WithSchema("gpt-4o-mini", true)).body;
  EXPECT_EQ(body["text"], json({{"format",
                                 {{"type", "json_schema"},
                                  {"name", "response"},
                                  {"schema", kSchemaJson},
                                  {"strict", true}}}}));
  EXPECT_EQ(BuildOk(config, WithJsonObject("m")).body["text"],
            json({{"format", {{"type", "json_object"}}}}));
}

TEST(RequestJsonOutput, AnthropicOutputConfigFormat) {
  const json body = BuildOk(ConfigFor(Provider::kAnthropic), WithSchema("claude-haiku-4-5")).body;
  EXPECT_EQ(body["output_config"],
            json({{"format", {{"type", "json_schema"}, {"schema", kSchemaJson}}}}));
  EXPECT_FALSE(body.contains("output_format"));  // the beta's name
  const std::string refused = BuildFails(ConfigFor(Provider::kAnthropic), WithJsonObject("m"));
  EXPECT_NE(refused.find("response_format json_object"), std::string::npos) << refused;
  EXPECT_NE(refused.find("anthropic_messages"), std::string::npos) << refused;
}

TEST(RequestJsonOutput, GeminiGenerationConfig) {
  const json body = BuildOk(ConfigFor(Provider::kGemini), WithSchema("gemini-2.5-flash")).body;
  EXPECT_EQ(body["generationConfig"]["responseMimeType"], "application/json");
  EXPECT_EQ(body["generationConfig"]["responseJsonSchema"], kSchemaJson);
  const json plain = BuildOk(ConfigFor(Provider::kGemini), WithJsonObject("m")).body;
  EXPECT_EQ(plain["generationConfig"], json({{"responseMimeType", "application/json"}}));
}

TEST(RequestJsonOutput, OllamaFormat) {
  for (WireApi api : {WireApi::kOllamaChat, WireApi::kOllamaGenerate}) {
    EXPECT_EQ(BuildOk(ConfigFor(Provider::kOllama, api), WithSchema("llama3.2")).body["format"],
              kSchemaJson);
    EXPECT_EQ(BuildOk(ConfigFor(Provider::kOllama, api), WithJsonObject("m")).body["format"],
              "json");
  }
}

TEST(RequestJsonOutput, CohereResponseFormat) {
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kCohere), WithSchema("command-a-03-2025"))
                .body["response_format"],
            json({{"type", "json_object"}, {"json_schema", kSchemaJson}}));
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kCohere), WithJsonObject("m")).body["response_format"],
            json({{"type", "json_object"}}));
}

TEST(RequestJsonOutput, BedrockOutputConfigTextFormat) {
  ProviderConfig config = ConfigFor(Provider::kBedrock);
  config.region = "us-east-1";
  const json body =
      BuildOk(config, WithSchema("us.anthropic.claude-haiku-4-5-20251001-v1:0", false, "weather"))
          .body;
  const json& definition = body["outputConfig"]["textFormat"]["structure"]["jsonSchema"];
  EXPECT_EQ(body["outputConfig"]["textFormat"]["type"], "json_schema");
  EXPECT_EQ(definition["name"], "weather");
  ASSERT_TRUE(definition["schema"].is_string());  // Converse takes the schema as JSON text
  EXPECT_EQ(json::parse(definition["schema"].get<std::string>()), kSchemaJson);
  const std::string refused = BuildFails(config, WithJsonObject("m"));
  EXPECT_NE(refused.find("bedrock_converse"), std::string::npos) << refused;
}

TEST(RequestJsonOutput, BadFormatsAreRefusedNamingTheField) {
  const ProviderConfig config = ConfigFor(Provider::kOpenAI);
  CompletionRequest request = WithSchema("m");
  request.response_format.schema_json = "";
  EXPECT_NE(BuildFails(config, request).find("schema_json"), std::string::npos);
  request.response_format.schema_json = "[1]";
  EXPECT_EQ(BuildFails(config, request), "response_format.schema_json must be a JSON object");
  request.response_format.schema_json = "{";
  EXPECT_EQ(BuildFails(config, request), "response_format.schema_json must be a JSON object");
  request = WithSchema("m", false, "has space");
  EXPECT_NE(BuildFails(config, request).find("response_format.name 'has space'"),
            std::string::npos);
}

}  // namespace
}  // namespace llmstream
