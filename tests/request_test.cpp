#include "llmstream/request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/request_helpers.h"

namespace llmstream::test {
namespace {

using nlohmann::json;

// The shared tool round trip with the assistant's turn tool calls alone and a plain-text second
// result: the bodies below were written for that conversation.
CompletionRequest ToolConversation(std::string model) {
  CompletionRequest request = ToolRoundTrip(std::move(model));
  request.messages[1].content.clear();
  request.messages[3].content = "24C";
  return request;
}

// ---- URLs -------------------------------------------------------------------------------------

TEST(RequestUrl, DefaultEndpointsPerProviderAndApi) {
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOpenAI), Prompt("gpt-4o")).http.url,
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOpenAI, WireApi::kResponses), Prompt("gpt-4o")).http.url,
            "https://api.openai.com/v1/responses");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kAnthropic), Prompt("claude-haiku-4-5")).http.url,
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kGroq), Prompt("llama-3.1-8b-instant")).http.url,
            "https://api.groq.com/openai/v1/chat/completions");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kOpenRouter), Prompt("openai/gpt-4o")).http.url,
            "https://openrouter.ai/api/v1/chat/completions");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kLocal), Prompt("gpt-4o")).http.url,
            "http://127.0.0.1:8787/v1/chat/completions");
  EXPECT_EQ(
      BuildOk(ConfigFor(Provider::kLocal, WireApi::kAnthropicMessages), Prompt("gpt-4o")).http.url,
      "http://127.0.0.1:8787/v1/messages");
  EXPECT_EQ(BuildOk(ConfigFor(Provider::kLocal, WireApi::kResponses), Prompt("gpt-4o")).http.url,
            "http://127.0.0.1:8787/v1/responses");
}

TEST(RequestUrl, BaseUrlWithOrWithoutTrailingSlashOrVersion) {
  for (const char* base : {"http://127.0.0.1:8787/v1", "http://127.0.0.1:8787/v1/",
                           "http://127.0.0.1:8787", "http://127.0.0.1:8787/"}) {
    ProviderConfig config = ConfigFor(Provider::kCompatible);
    config.base_url = base;
    EXPECT_EQ(BuildOk(config, Prompt("gpt-4o")).http.url,
              "http://127.0.0.1:8787/v1/chat/completions")
        << base;
  }
  ProviderConfig gateway = ConfigFor(Provider::kCompatible);
  gateway.base_url = "https://gw.example.com/openai/";
  EXPECT_EQ(BuildOk(gateway, Prompt("gpt-4o")).http.url,
            "https://gw.example.com/openai/chat/completions");
}

TEST(RequestUrl, AnthropicBaseFollowsEitherSdkConvention) {
  for (const char* base : {"https://proxy.example.com", "https://proxy.example.com/",
                           "https://proxy.example.com/v1", "https://proxy.example.com/v1/"}) {
    ProviderConfig config = ConfigFor(Provider::kAnthropic);
    config.base_url = base;
    EXPECT_EQ(BuildOk(config, Prompt("claude-haiku-4-5")).http.url,
              "https://proxy.example.com/v1/messages")
        << base;
  }
}

TEST(RequestUrl, QueryStringStaysAfterThePath) {
  ProviderConfig config = ConfigFor(Provider::kCompatible);
  config.base_url = "https://x.example.com/openai/deployments/d1?api-version=2024-10-21";
  EXPECT_EQ(BuildOk(config, Prompt("gpt-4o")).http.url,
            "https://x.example.com/openai/deployments/d1/chat/completions?api-version=2024-10-21");
}

TEST(RequestUrl, CompatibleNeedsABaseUrlAndBasesNeedAScheme) {
  ProviderConfig config = ConfigFor(Provider::kCompatible);
  EXPECT_NE(BuildFails(config, Prompt("gpt-4o")).find("base_url"), std::string::npos);
  config.base_url = "127.0.0.1:8787/v1";
  EXPECT_NE(BuildFails(config, Prompt("gpt-4o")).find("http"), std::string::npos);
}

// ---- Headers ----------------------------------------------------------------------------------

TEST(RequestHeaders, BearerForOpenAIStyleProviders) {
  for (Provider p : {Provider::kOpenAI, Provider::kGroq, Provider::kOpenRouter, Provider::kLocal}) {
    HttpRequest http = BuildOk(ConfigFor(p), Prompt("gpt-4o")).http;
    EXPECT_EQ(http.method, "POST");
    EXPECT_EQ(HeaderOf(http, "authorization"), std::string("Bearer ") + kSecretKey)
        << ProviderName(p);
    EXPECT_EQ(HeaderOf(http, "content-type"), "application/json");
    EXPECT_EQ(HeaderOf(http, "accept"), "text/event-stream");
    EXPECT_EQ(HeaderOf(http, "x-api-key"), "<absent>");
  }
}

TEST(RequestHeaders, AnthropicUsesXApiKeyAndVersion) {
  HttpRequest http = BuildOk(ConfigFor(Provider::kAnthropic), Prompt("claude-haiku-4-5")).http;
  EXPECT_EQ(HeaderOf(http, "x-api-key"), kSecretKey);
  EXPECT_EQ(HeaderOf(http, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(HeaderOf(http, "content-type"), "application/json");
  EXPECT_EQ(HeaderOf(http, "accept"), "text/event-stream");
  EXPECT_EQ(HeaderOf(http, "authorization"), "<absent>");
}

TEST(RequestHeaders, UserHeadersAddOrReplaceCaseInsensitively) {
  ProviderConfig config = ConfigFor(Provider::kOpenRouter);
  config.headers = {{"HTTP-Referer", "https://example.com"},
                    {"X-Title", "llmstream"},
                    {"accept", "application/json"}};
  HttpRequest http = BuildOk(config, Prompt("gpt-4o")).http;
  EXPECT_EQ(HeaderOf(http, "HTTP-Referer"), "https://example.com");
  EXPECT_EQ(HeaderOf(http, "X-Title"), "llmstream");
  EXPECT_EQ(HeaderOf(http, "Accept"), "application/json");
  int accept_count = 0;
  for (const auto& [n, v] : http.headers) accept_count += (n == "accept" || n == "Accept");
  EXPECT_EQ(accept_count, 1);
}

TEST(RequestHeaders, KeylessLocalServerSendsNoAuth) {
  ProviderConfig config = ConfigFor(Provider::kLocal);
  config.api_key.clear();
  EXPECT_EQ(HeaderOf(BuildOk(config, Prompt("gpt-4o")).http, "authorization"), "<absent>");
}

TEST(RequestHeaders, HostedProviderWithoutKeyIsAnError) {
  ProviderConfig config = ConfigFor(Provider::kOpenAI);
  config.api_key.clear();
  EXPECT_NE(BuildFails(config, Prompt("gpt-4o")).find("api_key"), std::string::npos);
  config.headers = {{"Authorization", "Bearer from-header"}};
  EXPECT_EQ(HeaderOf(BuildOk(config, Prompt("gpt-4o")).http, "authorization"),
            "Bearer from-header");
}

// ---- OpenAI Chat Completions ------------------------------------------------------------------

TEST(RequestChat, OpenAIBodyStreamsWithUsage) {
  CompletionRequest request = Prompt("gpt-4o");
  request.system = "You are terse.";
  request.max_tokens = 200;
  request.temperature = 0.7;
  request.top_p = 0.9;
  request.stop = {"END"};
  request.n = 2;
  json body = BodyFor(Provider::kOpenAI, request);
  EXPECT_EQ(body["model"], "gpt-4o");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"], json::parse(R"({"include_usage":true})"));
  EXPECT_EQ(body["max_completion_tokens"], 200);
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 0.9);
  EXPECT_EQ(body["stop"], json::parse(R"(["END"])"));
  EXPECT_EQ(body["n"], 2);
  EXPECT_EQ(body["messages"], json::parse(R"([{"role":"system","content":"You are terse."},
                                             {"role":"user","content":"Hello"}])"));
}

TEST(RequestChat, OptionalFieldsAreOmittedWhenUnset) {
  json body = BodyFor(Provider::kOpenAI, Prompt("gpt-4o"));
  for (const char* key : {"max_completion_tokens", "max_tokens", "temperature", "top_p", "stop",
                          "n", "tools", "tool_choice", "reasoning_effort"}) {
    EXPECT_FALSE(body.contains(key)) << key;
  }
}

TEST(RequestChat, OtherProvidersUseMaxTokensAndIncludeUsage) {
  for (Provider p : {Provider::kGroq, Provider::kOpenRouter, Provider::kLocal}) {
    CompletionRequest request = Prompt("gpt-4o");
    request.max_tokens = 50;
    json body = BodyFor(p, request);
    EXPECT_EQ(body["max_tokens"], 50) << ProviderName(p);
    EXPECT_FALSE(body.contains("max_completion_tokens"));
    EXPECT_EQ(body["stream_options"]["include_usage"], true);
  }
  ProviderConfig compatible = ConfigFor(Provider::kCompatible);
  compatible.base_url = "http://localhost:11434/v1";
  CompletionRequest request = Prompt("llama3.2");
  request.max_tokens = 10;
  json body = BuildOk(compatible, request).body;
  EXPECT_EQ(body["max_tokens"], 10);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST(RequestChat, ToolRoundTrip) {
  json body = BodyFor(Provider::kOpenAI, ToolConversation("gpt-4o"));
  EXPECT_EQ(body["messages"], json::parse(R"([
    {"role":"system","content":"Be brief."},
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"18C"},
    {"role":"tool","tool_call_id":"call_2","content":"24C"}])"));
  EXPECT_EQ(body["tools"], json::parse(R"([{"type":"function","function":{
    "name":"get_weather","description":"Current weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])"));
}

TEST(RequestChat, ToolChoiceForms) {
  CompletionRequest request = ToolConversation("gpt-4o");
  const std::pair<const char*, const char*> cases[] = {
      {"auto", R"("auto")"},
      {"none", R"("none")"},
      {"required", R"("required")"},
      {"any", R"("required")"},
      {"get_weather", R"({"type":"function","function":{"name":"get_weather"}})"}};
  for (const auto& [choice, expected] : cases) {
    request.tool_choice = choice;
    EXPECT_EQ(BodyFor(Provider::kOpenAI, request)["tool_choice"], json::parse(expected)) << choice;
  }
}

TEST(RequestChat, EmptyParametersBecomeAnEmptyObjectSchema) {
  CompletionRequest request = Prompt("gpt-4o");
  request.tools.push_back({"now", "", ""});
  json tool = BodyFor(Provider::kOpenAI, request)["tools"][0]["function"];
  EXPECT_EQ(tool["parameters"], json::parse(R"({"type":"object","properties":{}})"));
  EXPECT_FALSE(tool.contains("description"));
}

TEST(RequestChat, NameAndRawContentPassThrough) {
  CompletionRequest request;
  request.model = "gpt-4o";
  request.messages.push_back(Message{.role = "user", .content = "hi", .name = "alice"});
  request.messages.push_back(
      Message{.role = "user",
              .content_json =
                  R"([{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}])"});
  json messages = BodyFor(Provider::kOpenAI, request)["messages"];
  EXPECT_EQ(messages[0]["name"], "alice");
  EXPECT_EQ(messages[1]["content"][0]["type"], "image_url");
}

TEST(RequestChat, PromptIsAppendedAfterMessages) {
  CompletionRequest request = Prompt("gpt-4o");
  request.messages.push_back(Message{.role = "user", .content = "first"});
  request.messages.push_back(Message{.role = "assistant", .content = "ok"});
  json messages = BodyFor(Provider::kOpenAI, request)["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":"Hello"})"));
}

TEST(RequestChat, ReasoningPerProvider) {
  CompletionRequest request = Prompt("o4-mini");
  request.reasoning_effort = "high";
  EXPECT_EQ(BodyFor(Provider::kOpenAI, request)["reasoning_effort"], "high");
  EXPECT_EQ(BodyFor(Provider::kGroq, request)["reasoning_effort"], "high");
  json openrouter = BodyFor(Provider::kOpenRouter, request);
  EXPECT_EQ(openrouter["reasoning"], json::parse(R"({"effort":"high"})"));
  EXPECT_FALSE(openrouter.contains("reasoning_effort"));
  request.reasoning_budget_tokens = 2000;
  EXPECT_EQ(BodyFor(Provider::kOpenRouter, request)["reasoning"],
            json::parse(R"({"max_tokens":2000})"));
}

TEST(RequestChat, ExtraBodyIsMergedLast) {
  CompletionRequest request = Prompt("llama-3.3-70b-versatile");
  request.temperature = 0.5;
  request.extra_body_json =
      R"({"reasoning_format":"parsed","temperature":1.0,"stream_options":{"include_obfuscation":false},"seed":null})";
  json body = BodyFor(Provider::kGroq, request);
  EXPECT_EQ(body["reasoning_format"], "parsed");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 1.0);
  EXPECT_EQ(body["stream_options"],
            json::parse(R"({"include_usage":true,"include_obfuscation":false})"));
  EXPECT_FALSE(body.contains("seed"));
  request.extra_body_json = R"({"stream_options":null})";
  EXPECT_FALSE(BodyFor(Provider::kGroq, request).contains("stream_options"));
}

TEST(RequestChat, InvalidUtf8InContentDoesNotAbort) {
  CompletionRequest request = Prompt("gpt-4o");
  request.prompt = std::string("bad \xff byte");
  EXPECT_TRUE(BodyFor(Provider::kOpenAI, request)["messages"][0]["content"].is_string());
}

// ---- OpenAI Responses -------------------------------------------------------------------------

TEST(RequestResponses, BodyUsesInputInstructionsAndMaxOutputTokens) {
  CompletionRequest request = Prompt("gpt-5");
  request.system = "Be brief.";
  request.max_tokens = 300;
  request.temperature = 1.0;
  request.reasoning_effort = "low";
  json body = BodyFor(Provider::kOpenAI, request, WireApi::kResponses);
  EXPECT_EQ(body["model"], "gpt-5");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["instructions"], "Be brief.");
  EXPECT_EQ(body["input"], json::parse(R"([{"role":"user","content":"Hello"}])"));
  EXPECT_EQ(body["max_output_tokens"], 300);
  EXPECT_EQ(body["reasoning"], json::parse(R"({"effort":"low"})"));
  for (const char* key :
       {"messages", "max_tokens", "max_completion_tokens", "stream_options", "reasoning_effort"}) {
    EXPECT_FALSE(body.contains(key)) << key;
  }
}

TEST(RequestResponses, ToolCallsAndResultsAreInputItems) {
  CompletionRequest request = ToolConversation("gpt-4.1");
  request.tool_choice = "get_weather";
  json body = BodyFor(Provider::kOpenAI, request, WireApi::kResponses);
  EXPECT_EQ(body["instructions"], "Be brief.");
  EXPECT_EQ(body["input"], json::parse(R"([
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
    {"type":"function_call","call_id":"call_2","name":"get_weather","arguments":"{\"city\":\"Rome\"}"},
    {"type":"function_call_output","call_id":"call_1","output":"18C"},
    {"type":"function_call_output","call_id":"call_2","output":"24C"}])"));
  EXPECT_EQ(body["tools"], json::parse(R"([{"type":"function","name":"get_weather",
    "description":"Current weather",
    "parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":false}])"));
  EXPECT_EQ(body["tool_choice"], json::parse(R"({"type":"function","name":"get_weather"})"));
}

TEST(RequestResponses, StopAndSeveralChoicesAreRejected) {
  CompletionRequest request = Prompt("gpt-4o");
  request.stop = {"x"};
  EXPECT_NE(BuildFails(ConfigFor(Provider::kOpenAI, WireApi::kResponses), request).find("stop"),
            std::string::npos);
  request = Prompt("gpt-4o");
  request.n = 3;
  BuildFails(ConfigFor(Provider::kOpenAI, WireApi::kResponses), request);
}

// ---- Anthropic Messages -----------------------------------------------------------------------

TEST(RequestAnthropic, BodyHasTopLevelSystemAndDefaultMaxTokens) {
  CompletionRequest request = Prompt("claude-sonnet-4-5");
  request.system = "Be brief.";
  request.messages.push_back(Message{.role = "system", .content = "Answer in French."});
  request.stop = {"\n\nHuman:"};
  request.temperature = 0.3;
  json body = BodyFor(Provider::kAnthropic, request);
  EXPECT_EQ(body["model"], "claude-sonnet-4-5");
  EXPECT_EQ(body["max_tokens"], 4096);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["system"], "Be brief.\n\nAnswer in French.");
  EXPECT_EQ(body["messages"], json::parse(R"([{"role":"user","content":"Hello"}])"));
  EXPECT_EQ(body["stop_sequences"], json::parse(R"(["\n\nHuman:"])"));
  for (const char* key : {"stream_options", "stop", "max_completion_tokens", "thinking"}) {
    EXPECT_FALSE(body.contains(key)) << key;
  }
}

TEST(RequestAnthropic, ToolUseAndMergedToolResults) {
  CompletionRequest request = ToolConversation("claude-haiku-4-5");
  request.messages.push_back(Message{.role = "user", .content = "And tomorrow?"});
  request.tool_choice = "required";
  json body = BodyFor(Provider::kAnthropic, request);
  EXPECT_EQ(body["system"], "Be brief.");
  EXPECT_EQ(body["messages"], json::parse(R"([
    {"role":"user","content":"Weather in Paris and Rome?"},
    {"role":"assistant","content":[
      {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
      {"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome"}}]},
    {"role":"user","content":[
      {"type":"tool_result","tool_use_id":"call_1","content":"18C"},
      {"type":"tool_result","tool_use_id":"call_2","content":"24C"},
      {"type":"text","text":"And tomorrow?"}]}])"));
  EXPECT_EQ(body["tools"], json::parse(R"([{"name":"get_weather","description":"Current weather",
    "input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}])"));
  EXPECT_EQ(body["tool_choice"], json::parse(R"({"type":"any"})"));
}

TEST(RequestAnthropic, AssistantTextPrecedesToolUseAndEmptyArgumentsAreAnObject) {
  CompletionRequest request;
  request.model = "claude-haiku-4-5";
  request.messages.push_back(Message{.role = "user", .content = "time?"});
  Message call{.role = "assistant", .content = "Checking."};
  call.tool_calls.push_back({"toolu_1", "now", ""});
  request.messages.push_back(call);
  request.messages.push_back(
      Message{.role = "tool", .content = "12:00", .tool_call_id = "toolu_1"});
  json messages = BodyFor(Provider::kAnthropic, request)["messages"];
  EXPECT_EQ(messages[1]["content"], json::parse(R"([{"type":"text","text":"Checking."},
    {"type":"tool_use","id":"toolu_1","name":"now","input":{}}])"));
  EXPECT_EQ(messages[2]["content"][0]["tool_use_id"], "toolu_1");
}

TEST(RequestAnthropic, ToolChoiceForms) {
  CompletionRequest request = ToolConversation("claude-haiku-4-5");
  const std::pair<const char*, const char*> cases[] = {
      {"auto", R"({"type":"auto"})"},
      {"none", R"({"type":"none"})"},
      {"any", R"({"type":"any"})"},
      {"get_weather", R"({"type":"tool","name":"get_weather"})"}};
  for (const auto& [choice, expected] : cases) {
    request.tool_choice = choice;
    EXPECT_EQ(BodyFor(Provider::kAnthropic, request)["tool_choice"], json::parse(expected))
        << choice;
  }
}

TEST(RequestAnthropic, ThinkingBudgetRaisesDefaultMaxTokens) {
  CompletionRequest request = Prompt("claude-sonnet-4-5");
  request.reasoning_budget_tokens = 2048;
  json body = BodyFor(Provider::kAnthropic, request);
  EXPECT_EQ(body["thinking"], json::parse(R"({"type":"enabled","budget_tokens":2048})"));
  EXPECT_EQ(body["max_tokens"], 2048 + 4096);
}

TEST(RequestAnthropic, EffortMapsToABudget) {
  CompletionRequest request = Prompt("claude-sonnet-4-5");
  request.reasoning_effort = "medium";
  EXPECT_EQ(BodyFor(Provider::kAnthropic, request)["thinking"]["budget_tokens"], 2048);
  request.reasoning_effort = "none";
  EXPECT_FALSE(BodyFor(Provider::kAnthropic, request).contains("thinking"));
  request.reasoning_effort = "turbo";
  BuildFails(ConfigFor(Provider::kAnthropic), request);
}

TEST(RequestAnthropic, ThinkingValidation) {
  CompletionRequest request = Prompt("claude-sonnet-4-5");
  request.reasoning_budget_tokens = 500;
  EXPECT_NE(BuildFails(ConfigFor(Provider::kAnthropic), request).find("1024"), std::string::npos);
  request.reasoning_budget_tokens = 4000;
  request.max_tokens = 4000;
  EXPECT_NE(BuildFails(ConfigFor(Provider::kAnthropic), request).find("max_tokens"),
            std::string::npos);
}

// Anthropic answers 400 "`temperature` may only be set to 1 when thinking is enabled" and
// "Thinking may not be enabled when tool_choice forces tool use."; the core says so first.
TEST(RequestAnthropic, ThinkingRefusesSamplingAndForcedToolUse) {
  CompletionRequest request = Prompt("claude-sonnet-4-5");
  request.reasoning_effort = "low";
  request.temperature = 0.7;
  EXPECT_EQ(BuildFails(ConfigFor(Provider::kAnthropic), request),
            "temperature must be 1 or unset when Anthropic thinking is on (reasoning_effort / "
            "reasoning_budget_tokens), got 0.7: leave temperature unset, or turn thinking off "
            "(reasoning_effort 'none')");
  request.temperature = 1.0;
  EXPECT_DOUBLE_EQ(BodyFor(Provider::kAnthropic, request)["temperature"].get<double>(), 1.0);
  request.temperature.reset();

  request.top_p = 0.9;
  EXPECT_EQ(BuildFails(ConfigFor(Provider::kAnthropic), request),
            "top_p must be within [0.95, 1] or unset when Anthropic thinking is on "
            "(reasoning_effort / reasoning_budget_tokens), got 0.9: leave top_p unset, or turn "
            "thinking off (reasoning_effort 'none')");
  request.top_p = 0.95;
  EXPECT_DOUBLE_EQ(BodyFor(Provider::kAnthropic, request)["top_p"].get<double>(), 0.95);
  request.top_p.reset();

  request.extra_body_json = R"({"top_k":40})";
  EXPECT_EQ(BuildFails(ConfigFor(Provider::kAnthropic), request),
            "top_k (in the extra body) cannot be set when Anthropic thinking is on "
            "(reasoning_effort / reasoning_budget_tokens): leave it out, or turn thinking off "
            "(reasoning_effort 'none')");
  request.extra_body_json = R"({"top_k":null})";
  EXPECT_FALSE(BodyFor(Provider::kAnthropic, request).contains("top_k"));
  request.extra_body_json.clear();

  request.tools = {{.name = "weather"}};
  for (const std::string choice : {"required", "any", "weather"}) {
    request.tool_choice = choice;
    EXPECT_EQ(BuildFails(ConfigFor(Provider::kAnthropic), request),
              "tool_choice '" + choice +
                  "' forces tool use, which Anthropic refuses when Anthropic thinking is on "
                  "(reasoning_effort / reasoning_budget_tokens): use tool_choice 'auto', or turn "
                  "thinking off (reasoning_effort 'none')");
  }
  for (const std::string choice : {"auto", "none", ""}) {
    request.tool_choice = choice;
    EXPECT_TRUE(BodyFor(Provider::kAnthropic, request).contains("thinking")) << choice;
  }

  // Without thinking all of it goes out as asked.
  request.reasoning_effort = "none";
  request.temperature = 0.7;
  request.top_p = 0.5;
  request.tool_choice = "weather";
  const json body = BodyFor(Provider::kAnthropic, request);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 0.5);
  EXPECT_EQ(body["tool_choice"], json::parse(R"({"type":"tool","name":"weather"})"));
}

TEST(RequestAnthropic, TemperatureAboveOneIsRejected) {
  CompletionRequest request = Prompt("claude-haiku-4-5");
  request.temperature = 1.5;
  EXPECT_NE(BuildFails(ConfigFor(Provider::kAnthropic), request).find("temperature"),
            std::string::npos);
  EXPECT_EQ(BodyFor(Provider::kOpenAI, request)["temperature"], 1.5);
}

TEST(RequestAnthropic, NonObjectToolArgumentsAreRejected) {
  CompletionRequest request = ToolConversation("claude-haiku-4-5");
  request.messages[1].tool_calls[0].arguments = "{not json";
  EXPECT_NE(BuildFails(ConfigFor(Provider::kAnthropic), request).find("arguments"),
            std::string::npos);
}

// ---- Validation -------------------------------------------------------------------------------

TEST(RequestValidation, ClearErrors) {
  const ProviderConfig config = ConfigFor(Provider::kOpenAI);
  struct Case {
    const char* expect;
    void (*mutate)(CompletionRequest&);
  };
  const Case cases[] = {
      {"model", [](CompletionRequest& r) { r.model.clear(); }},
      {"prompt or messages", [](CompletionRequest& r) { r.prompt.clear(); }},
      {"temperature", [](CompletionRequest& r) { r.temperature = 2.5; }},
      {"temperature", [](CompletionRequest& r) { r.temperature = -0.1; }},
      {"top_p", [](CompletionRequest& r) { r.top_p = 1.2; }},
      {"max_tokens", [](CompletionRequest& r) { r.max_tokens = 0; }},
      {"n must", [](CompletionRequest& r) { r.n = 0; }},
      {"stop[0]", [](CompletionRequest& r) { r.stop = {""}; }},
      {"reasoning_budget_tokens", [](CompletionRequest& r) { r.reasoning_budget_tokens = -5; }},
      {"role 'robot'",
       [](CompletionRequest& r) { r.messages.push_back(Message{.role = "robot"}); }},
      {"tool_call_id", [](CompletionRequest& r) { r.messages.push_back(Message{.role = "tool"}); }},
      {"tool_calls[0].id",
       [](CompletionRequest& r) {
         Message m{.role = "assistant"};
         m.tool_calls.push_back({"", "f", "{}"});
         r.messages.push_back(m);
       }},
      {"content_json",
       [](CompletionRequest& r) {
         r.messages.push_back(Message{.role = "user", .content_json = "["});
       }},
      {"parameters_json is not valid JSON",
       [](CompletionRequest& r) {
         r.tools.push_back({"f", "", "{oops"});
       }},
      {"must be a JSON object",
       [](CompletionRequest& r) {
         r.tools.push_back({"f", "", "[]"});
       }},
      {"tools[0].name",
       [](CompletionRequest& r) {
         r.tools.push_back({"", "", ""});
       }},
      {"used twice",
       [](CompletionRequest& r) {
         r.tools.push_back({"f", "", ""});
         r.tools.push_back({"f", "", ""});
       }},
      {"needs at least one tool", [](CompletionRequest& r) { r.tool_choice = "required"; }},
      {"neither auto",
       [](CompletionRequest& r) {
         r.tools.push_back({"f", "", ""});
         r.tool_choice = "g";
       }},
      {"extra_body_json is not valid JSON", [](CompletionRequest& r) { r.extra_body_json = "{"; }},
      {"extra_body_json must be a JSON object",
       [](CompletionRequest& r) { r.extra_body_json = "[1]"; }},
  };
  for (const Case& c : cases) {
    CompletionRequest request = Prompt("gpt-4o");
    c.mutate(request);
    const std::string message = BuildFails(config, request);
    EXPECT_NE(message.find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in: " << message;
  }
}

TEST(RequestValidation, SeveralChoicesOnlyWhereSupported) {
  CompletionRequest request = Prompt("gpt-4o");
  request.n = 2;
  BuildFails(ConfigFor(Provider::kGroq), request);
  BuildFails(ConfigFor(Provider::kAnthropic), request);
  EXPECT_EQ(BodyFor(Provider::kOpenAI, request)["n"], 2);
}

TEST(RequestValidation, NullErrorPointerIsAllowed) {
  HttpRequest http;
  EXPECT_FALSE(BuildRequest(ConfigFor(Provider::kOpenAI), CompletionRequest{}, &http, nullptr));
}

// ---- Names --------------------------------------------------------------------------------------

TEST(RequestNames, ProviderNamesRoundTrip) {
  for (Provider p : {Provider::kOpenAI, Provider::kAnthropic, Provider::kGroq,
                     Provider::kOpenRouter, Provider::kCompatible, Provider::kLocal}) {
    EXPECT_EQ(ParseProvider(ProviderName(p)), p);
  }
  EXPECT_EQ(ParseProvider("OpenAI-Compatible"), Provider::kCompatible);
  EXPECT_EQ(ParseProvider("Groq"), Provider::kGroq);
  EXPECT_EQ(ParseProvider("vertex"), std::nullopt);
}

TEST(RequestNames, ResolveApiDefaults) {
  EXPECT_EQ(ResolveApi(ConfigFor(Provider::kAnthropic)), WireApi::kAnthropicMessages);
  EXPECT_EQ(ResolveApi(ConfigFor(Provider::kOpenAI)), WireApi::kChatCompletions);
  EXPECT_EQ(ResolveApi(ConfigFor(Provider::kLocal)), WireApi::kChatCompletions);
  EXPECT_EQ(ResolveApi(ConfigFor(Provider::kOpenAI, WireApi::kResponses)), WireApi::kResponses);
}

// ---- Redaction ----------------------------------------------------------------------------------

TEST(RequestRedact, KeysNeverAppearInLogOutput) {
  for (Provider p : {Provider::kOpenAI, Provider::kAnthropic, Provider::kGroq,
                     Provider::kOpenRouter, Provider::kLocal}) {
    ProviderConfig config = ConfigFor(p);
    config.headers = {{"X-Custom-Token", "tok-SECRET-2"}, {"X-Title", "visible"}};
    HttpRequest http = BuildOk(config, Prompt("gpt-4o")).http;
    ExpectNeverLogged(http, "SECRET");
    const std::string log = ToLogString(http);
    EXPECT_NE(log.find("visible"), std::string::npos) << log;
    EXPECT_NE(log.find("[redacted]"), std::string::npos) << log;
  }
}

TEST(RequestRedact, KeepsBearerWordAndMasksQueryKeys) {
  HttpRequest http{"POST",
                   "https://h.example.com/v1/x?key=SECRET&alt=sse&api_key=SECRET2",
                   {{"Authorization", "Bearer SECRET"}, {"api-key", "SECRET"}},
                   "{}"};
  HttpRequest safe = Redacted(http);
  EXPECT_EQ(safe.url, "https://h.example.com/v1/x?key=[redacted]&alt=sse&api_key=[redacted]");
  EXPECT_EQ(safe.headers[0].second, "Bearer [redacted]");
  EXPECT_EQ(safe.headers[1].second, "[redacted]");
  EXPECT_TRUE(IsSensitiveHeader("X-API-KEY"));
  EXPECT_FALSE(IsSensitiveHeader("anthropic-version"));
  EXPECT_FALSE(IsSensitiveHeader("Content-Type"));
}

TEST(RequestRedact, BodyNeverContainsTheKey) {
  for (Provider p :
       {Provider::kOpenAI, Provider::kAnthropic, Provider::kGroq, Provider::kOpenRouter}) {
    EXPECT_EQ(BuildOk(ConfigFor(p), ToolConversation("m")).http.body.find(kSecretKey),
              std::string::npos);
  }
}

}  // namespace
}  // namespace llmstream::test
