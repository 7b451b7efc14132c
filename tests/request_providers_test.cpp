// The provider table (names, aliases, defaults) and the URL, headers and Chat Completions body of
// each provider added with issue 14 (Gemini, Bedrock, Ollama, Cohere, Mistral, DeepSeek, Azure,
// xAI). Bodies of their own APIs: request_gemini_test.cpp, request_ollama_test.cpp,
// request_cohere_test.cpp.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "llmstream/request.h"
#include "support/request_helpers.h"

namespace llmstream::test {
namespace {

constexpr Provider kNewProviders[] = {Provider::kGemini, Provider::kBedrock, Provider::kOllama,
                                      Provider::kCohere, Provider::kMistral, Provider::kDeepSeek,
                                      Provider::kAzure,  Provider::kXai};

// ---- The table
// ------------------------------------------------------------------------------------

TEST(RequestProviderTable, EveryValueHasOneNameThatParsesBack) {
  std::set<std::string> names;
  for (int v = 0; v < kProviderCount; ++v) {
    const auto provider = static_cast<Provider>(v);
    const std::string name(ProviderName(provider));
    EXPECT_NE(name, "unknown") << v;
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(ParseProvider(name), provider) << name;
  }
  EXPECT_EQ(ProviderName(static_cast<Provider>(kProviderCount)), "unknown");
  EXPECT_EQ(ProviderName(static_cast<Provider>(255)), "unknown");
  EXPECT_EQ(ParseProvider("unknown"), std::nullopt);
  EXPECT_EQ(static_cast<int>(Provider::kGemini), 6);
  EXPECT_EQ(static_cast<int>(Provider::kXai), 13);
  EXPECT_EQ(static_cast<int>(Provider::kRelay), 14);
  EXPECT_EQ(kProviderCount, 15);
}

TEST(RequestProviderTable, AliasesAndCase) {
  EXPECT_EQ(ParseProvider("google"), Provider::kGemini);
  EXPECT_EQ(ParseProvider("Google"), Provider::kGemini);
  EXPECT_EQ(ParseProvider("openai-compatible"), Provider::kCompatible);
  EXPECT_EQ(ParseProvider("XAI"), Provider::kXai);
  EXPECT_EQ(ParseProvider("DeepSeek"), Provider::kDeepSeek);
  EXPECT_EQ(ParseProvider("azure-openai"), std::nullopt);
  EXPECT_EQ(ParseProvider(""), std::nullopt);
}

TEST(RequestProviderTable, NaturalApisDefaultsAndKeys) {
  const struct {
    Provider provider;
    WireApi api;
    std::string_view model;
    std::string_view variable;
    bool key_required;
  } rows[] = {
      {Provider::kGemini, WireApi::kGeminiGenerateContent, "gemini-2.5-flash", "GEMINI_API_KEY",
       true},
      {Provider::kBedrock, WireApi::kBedrockConverse, "us.anthropic.claude-haiku-4-5-20251001-v1:0",
       "AWS_BEARER_TOKEN_BEDROCK", true},
      {Provider::kOllama, WireApi::kOllamaChat, "llama3.2", "OLLAMA_API_KEY", false},
      {Provider::kCohere, WireApi::kCohereChat, "command-a-03-2025", "CO_API_KEY", true},
      {Provider::kMistral, WireApi::kChatCompletions, "mistral-small-latest", "MISTRAL_API_KEY",
       true},
      {Provider::kDeepSeek, WireApi::kChatCompletions, "deepseek-v4-flash", "DEEPSEEK_API_KEY",
       true},
      {Provider::kAzure, WireApi::kChatCompletions, "", "AZURE_OPENAI_API_KEY", true},
      {Provider::kXai, WireApi::kChatCompletions, "grok-4-1-fast-non-reasoning", "XAI_API_KEY",
       true},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(ProviderName(row.provider));
    ProviderConfig config;
    config.provider = row.provider;
    EXPECT_EQ(ResolveApi(config), row.api);
    EXPECT_EQ(DefaultModel(row.provider), row.model);
    EXPECT_EQ(ApiKeyVariable(row.provider), row.variable);
    EXPECT_EQ(ApiKeyRequired(row.provider), row.key_required);
  }
  EXPECT_EQ(DefaultBaseUrl(Provider::kBedrock), "https://bedrock-runtime.{region}.amazonaws.com");
  EXPECT_EQ(DefaultBaseUrl(Provider::kAzure), "");
  EXPECT_EQ(DefaultBaseUrl(Provider::kOllama), "http://127.0.0.1:11434");
}

TEST(RequestProviderTable, AHostedProviderWithoutAKeyNamesItsVariable) {
  for (Provider p : kNewProviders) {
    if (!ApiKeyRequired(p)) continue;
    SCOPED_TRACE(ProviderName(p));
    ProviderConfig config;
    config.provider = p;
    const std::string message = BuildFails(config, Prompt("m"));
    EXPECT_NE(message.find(ApiKeyVariable(p)), std::string::npos) << message;
  }
  // Each provider's own auth header stands for the key.
  ProviderConfig gemini;
  gemini.provider = Provider::kGemini;
  gemini.headers = {{"X-Goog-Api-Key", "k"}};
  HttpRequest http;
  EXPECT_TRUE(BuildRequest(gemini, Prompt("gemini-2.5-flash"), &http, nullptr));
  EXPECT_EQ(HeaderOf(http, "x-goog-api-key"), "k");
}

// ---- URLs ---------------------------------------------------------------------------------------

TEST(RequestProviderUrl, DefaultEndpoints) {
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kGemini), Prompt("gemini-2.5-flash")).http.url,
            "https://generativelanguage.googleapis.com/v1beta/models/"
            "gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOllama), Prompt("llama3.2")).http.url,
            "http://127.0.0.1:11434/api/chat");
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kOllama, WireApi::kOllamaGenerate), Prompt("llama3.2")).http.url,
      "http://127.0.0.1:11434/api/generate");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kCohere), Prompt("command-a-03-2025")).http.url,
            "https://api.cohere.com/v2/chat");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kMistral), Prompt("mistral-small-latest")).http.url,
            "https://api.mistral.ai/v1/chat/completions");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kDeepSeek), Prompt("deepseek-v4-flash")).http.url,
            "https://api.deepseek.com/v1/chat/completions");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kXai), Prompt("grok-4")).http.url,
            "https://api.x.ai/v1/chat/completions");
}

TEST(RequestProviderUrl, VersionSegmentsFollowEachSdk) {
  // A bare origin gets the API's version; a base with a path is taken as it is.
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kGemini, std::nullopt, "http://127.0.0.1:8787/"),
                    Prompt("gemini-2.5-flash"))
                .http.url,
            "http://127.0.0.1:8787/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kGemini, std::nullopt,
                              "https://gateway.example/google/v1?token=abc"),
                    Prompt("models/gemini-2.5-pro"))
                .http.url,
            "https://gateway.example/google/v1/models/gemini-2.5-pro:streamGenerateContent"
            "?alt=sse&token=abc");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kGemini), Prompt("tunedModels/my model")).http.url,
            "https://generativelanguage.googleapis.com/v1beta/tunedModels/"
            "my%20model:streamGenerateContent?alt=sse");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOllama, std::nullopt, "http://gpu:11434/api/"),
                    Prompt("llama3.2"))
                .http.url,
            "http://gpu:11434/api/chat");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOllama, std::nullopt, "https://proxy.example/ollama"),
                    Prompt("llama3.2"))
                .http.url,
            "https://proxy.example/ollama/api/chat");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kCohere, std::nullopt, "http://127.0.0.1:8787"),
                    Prompt("command-a-03-2025"))
                .http.url,
            "http://127.0.0.1:8787/v2/chat");
  // The local server speaks every API: each at its usual place.
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kLocal, WireApi::kOllamaChat), Prompt("m")).http.url,
            "http://127.0.0.1:8787/api/chat");
}

TEST(RequestProviderUrl, AzureDeploymentsAndApiVersion) {
  const std::string resource = "https://my-res.openai.azure.com";
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kAzure, std::nullopt, resource), Prompt("gpt-4o-mini")).http.url,
      "https://my-res.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions"
      "?api-version=2025-04-01-preview");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kAzure, std::nullopt,
                              resource + "/openai/?api-version=2024-10-21"),
                    Prompt("prod chat"))
                .http.url,
            "https://my-res.openai.azure.com/openai/deployments/prod%20chat/chat/completions"
            "?api-version=2024-10-21");
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kAzure, std::nullopt, resource + "/openai/deployments/fixed"),
              Prompt("ignored-for-the-path"))
          .http.url,
      "https://my-res.openai.azure.com/openai/deployments/fixed/chat/completions"
      "?api-version=2025-04-01-preview");
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kAzure, WireApi::kResponses, resource), Prompt("gpt-5")).http.url,
      "https://my-res.openai.azure.com/openai/v1/responses");
  // No resource: say what is needed.
  const std::string message = BuildFails(ConfigFor(Provider::kAzure), Prompt("gpt-4o"));
  EXPECT_NE(message.find("base_url is required for provider 'azure'"), std::string::npos)
      << message;
  EXPECT_NE(BuildFails(ConfigFor(Provider::kAzure, WireApi::kAnthropicMessages, resource),
                       Prompt("gpt-4o"))
                .find("not anthropic_messages"),
            std::string::npos);
}

// ---- Headers ------------------------------------------------------------------------------------

TEST(RequestProviderHeaders, EachProvidersAuthHeader) {
  const auto gemini = BuildOk(ConfigFor(Provider::kGemini), Prompt("gemini-2.5-flash")).http;
  EXPECT_EQ(HeaderOf(gemini, "x-goog-api-key"), kSecretKey);
  EXPECT_EQ(HeaderOf(gemini, "authorization"), "<absent>");
  EXPECT_EQ(HeaderOf(gemini, "accept"), "text/event-stream");

  const auto azure =
      BuildOk(ConfigFor(Provider::kAzure, std::nullopt, "https://r.openai.azure.com"),
              Prompt("gpt-4o"))
          .http;
  EXPECT_EQ(HeaderOf(azure, "api-key"), kSecretKey);
  EXPECT_EQ(HeaderOf(azure, "authorization"), "<absent>");

  for (Provider p : {Provider::kCohere, Provider::kMistral, Provider::kDeepSeek, Provider::kXai,
                     Provider::kOllama}) {
    const auto http = BuildOk(ConfigFor(p), Prompt("m")).http;
    EXPECT_EQ(HeaderOf(http, "authorization"), std::string("Bearer ") + kSecretKey)
        << ProviderName(p);
    EXPECT_EQ(HeaderOf(http, "content-type"), "application/json");
  }
  // A local Ollama needs no key: no auth header at all; its stream is NDJSON.
  ProviderConfig ollama;
  ollama.provider = Provider::kOllama;
  HttpRequest http;
  ASSERT_TRUE(BuildRequest(ollama, Prompt("llama3.2"), &http, nullptr));
  EXPECT_EQ(HeaderOf(http, "authorization"), "<absent>");
  EXPECT_EQ(HeaderOf(http, "accept"), "application/x-ndjson");
  // The local server imitating Gemini takes Gemini's header.
  EXPECT_EQ(HeaderOf(BuildOk(ConfigFor(Provider::kLocal, WireApi::kGeminiGenerateContent),
                             Prompt("gemini-2.5-flash"))
                         .http,
                     "x-goog-api-key"),
            kSecretKey);
}

TEST(RequestProviderHeaders, TheKeyNeverReachesLogs) {
  for (Provider p : kNewProviders) {
    SCOPED_TRACE(ProviderName(p));
    ProviderConfig config = ConfigFor(p);
    if (p == Provider::kBedrock) config.region = "us-east-1";  // the key: a Bedrock API key
    if (p == Provider::kAzure) config.base_url = "https://r.openai.azure.com";
    const HttpRequest http = BuildOk(config, ToolRoundTrip("model-1")).http;
    ExpectNeverLogged(http, kSecretKey);
    EXPECT_EQ(ToLogString(http).find("SECRET"), std::string::npos);
  }
}

// ---- The Chat Completions variants
// ---------------------------------------------------------------

TEST(RequestProviderChat, MistralTakesMaxTokensAndNoStreamOptions) {
  CompletionRequest request = ToolRoundTrip("mistral-small-latest");
  request.max_tokens = 100;
  request.temperature = 0.3;
  request.tool_choice = "required";
  request.messages[1].content.clear();
  const auto body = BodyFor(Provider::kMistral, request);
  EXPECT_EQ(body["max_tokens"], 100);
  EXPECT_FALSE(body.contains("max_completion_tokens"));
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["tool_choice"], "required");
  // A pure tool-call turn has a string content (Mistral's schema), not null.
  EXPECT_EQ(body["messages"][2]["content"], "");
  EXPECT_EQ(body["messages"][2]["tool_calls"][1]["function"]["arguments"], R"({"city":"Rome"})");
  EXPECT_EQ(body["messages"][3]["tool_call_id"], "call_1");
}

TEST(RequestProviderChat, DeepSeekThinkingSwitch) {
  CompletionRequest request = Prompt("deepseek-v4-pro");
  request.max_tokens = 50;
  request.reasoning_effort = "high";
  auto body = BodyFor(Provider::kDeepSeek, request);
  EXPECT_EQ(body["thinking"], nlohmann::json::parse(R"({"type":"enabled"})"));
  EXPECT_EQ(body["reasoning_effort"], "high");
  EXPECT_EQ(body["max_tokens"], 50);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  request.reasoning_effort = "none";
  body = BodyFor(Provider::kDeepSeek, request);
  EXPECT_EQ(body["thinking"], nlohmann::json::parse(R"({"type":"disabled"})"));
  EXPECT_FALSE(body.contains("reasoning_effort"));
  body = BodyFor(Provider::kDeepSeek, Prompt("deepseek-v4-flash"));
  EXPECT_FALSE(body.contains("thinking"));
}

TEST(RequestProviderChat, AzureAndXai) {
  CompletionRequest request = Prompt("gpt-5-mini");
  request.max_tokens = 64;
  request.reasoning_effort = "low";
  auto body =
      BuildOk(ConfigFor(Provider::kAzure, std::nullopt, "https://r.openai.azure.com"), request)
          .body;
  EXPECT_EQ(body["max_completion_tokens"], 64);  // Azure follows OpenAI
  EXPECT_EQ(body["reasoning_effort"], "low");
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_EQ(body["model"], "gpt-5-mini");

  request.model = "grok-3-mini";
  body = BodyFor(Provider::kXai, request);
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["reasoning_effort"], "low");
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

}  // namespace
}  // namespace llmstream::test

namespace llmstream {
namespace {

// Anthropic tool_use, Gemini functionCall and Ollama tool_calls take arguments as an object
// only: a call whose arguments are JSON of another type is refused, naming the call and the API.
TEST(RequestToolArguments, NotAnObjectIsRefusedByTheApisThatNeedOne) {
  const struct {
    Provider provider;
    const char* message;
  } cases[] = {
      {Provider::kAnthropic,
       "messages[1].tool_calls[1].arguments must be a JSON object for Anthropic tool_use input"},
      {Provider::kGemini,
       "messages[1].tool_calls[1].arguments must be a JSON object for a Gemini functionCall"},
      {Provider::kOllama, "messages[1].tool_calls[1].arguments must be a JSON object for Ollama"},
  };
  for (const auto& c : cases) {
    for (const char* arguments : {"[1]", "\"Paris\"", "{\"city\":"}) {
      CompletionRequest request = test::ToolRoundTrip("m");
      request.messages[1].tool_calls[1].arguments = arguments;
      EXPECT_NE(test::BuildFails(test::ConfigFor(c.provider), request).find(c.message),
                std::string::npos)
          << ProviderName(c.provider) << " " << arguments;
    }
    // "" is {} and an object goes through.
    CompletionRequest empty = test::ToolRoundTrip("m");
    empty.messages[1].tool_calls[1].arguments = "";
    test::BuildOk(test::ConfigFor(c.provider), empty);
  }
}

}  // namespace
}  // namespace llmstream
