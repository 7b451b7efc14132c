#include "llmstream/request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace llmstream {
namespace {

using nlohmann::json;

constexpr char kKey[] = "sk-test-SECRET-1234567890";

struct Built {
  HttpRequest http;
  json body;
};

Built Build(const ProviderConfig& config, const CompletionRequest& request) {
  Built built;
  Error error;
  EXPECT_TRUE(BuildRequest(config, request, &built.http, &error)) << error.message;
  built.body = json::parse(built.http.body, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(built.body.is_object()) << built.http.body;
  return built;
}

Error BuildError(const ProviderConfig& config, const CompletionRequest& request) {
  HttpRequest http;
  Error error;
  EXPECT_FALSE(BuildRequest(config, request, &http, &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(http.url.empty()) << "out must stay untouched on failure";
  return error;
}

std::string Header(const HttpRequest& http, std::string_view name) {
  for (const auto& [n, v] : http.headers) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return v;
    }
  }
  return "<absent>";
}

ProviderConfig Config(Provider provider, std::optional<WireApi> api = std::nullopt) {
  ProviderConfig config;
  config.provider = provider;
  config.api_key = kKey;
  config.api = api;
  return config;
}

CompletionRequest Hello(std::string model = "gpt-4o") {
  CompletionRequest request;
  request.model = std::move(model);
  request.prompt = "Hello";
  return request;
}

// A conversation with a tool round trip: user asks, assistant calls two tools, two results.
CompletionRequest ToolConversation(std::string model) {
  CompletionRequest request;
  request.model = std::move(model);
  request.system = "Be brief.";
  request.messages.push_back(Message{.role = "user", .content = "Weather in Paris and Rome?"});
  Message call{.role = "assistant", .content = ""};
  call.tool_calls.push_back({"call_1", "get_weather", R"({"city":"Paris"})"});
  call.tool_calls.push_back({"call_2", "get_weather", R"({"city":"Rome"})"});
  request.messages.push_back(call);
  request.messages.push_back(Message{.role = "tool", .content = "18C", .tool_call_id = "call_1"});
  request.messages.push_back(Message{.role = "tool", .content = "24C", .tool_call_id = "call_2"});
  request.tools.push_back({"get_weather", "Current weather",
                           R"({"type":"object","properties":{"city":{"type":"string"}}})"});
  return request;
}

// ---- URLs -------------------------------------------------------------------------------------

TEST(RequestUrl, DefaultEndpointsPerProviderAndApi) {
  EXPECT_EQ(Build(Config(Provider::kOpenAI), Hello()).http.url,
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(Build(Config(Provider::kOpenAI, WireApi::kResponses), Hello()).http.url,
            "https://api.openai.com/v1/responses");
  EXPECT_EQ(Build(Config(Provider::kAnthropic), Hello("claude-haiku-4-5")).http.url,
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(Build(Config(Provider::kGroq), Hello("llama-3.1-8b-instant")).http.url,
            "https://api.groq.com/openai/v1/chat/completions");
  EXPECT_EQ(Build(Config(Provider::kOpenRouter), Hello("openai/gpt-4o")).http.url,
            "https://openrouter.ai/api/v1/chat/completions");
  EXPECT_EQ(Build(Config(Provider::kLocal), Hello()).http.url,
            "http://127.0.0.1:8787/v1/chat/completions");
  EXPECT_EQ(Build(Config(Provider::kLocal, WireApi::kAnthropicMessages), Hello()).http.url,
            "http://127.0.0.1:8787/v1/messages");
  EXPECT_EQ(Build(Config(Provider::kLocal, WireApi::kResponses), Hello()).http.url,
            "http://127.0.0.1:8787/v1/responses");
}

TEST(RequestUrl, BaseUrlWithOrWithoutTrailingSlashOrVersion) {
  for (const char* base : {"http://127.0.0.1:8787/v1", "http://127.0.0.1:8787/v1/",
                           "http://127.0.0.1:8787", "http://127.0.0.1:8787/"}) {
    ProviderConfig config = Config(Provider::kCompatible);
    config.base_url = base;
    EXPECT_EQ(Build(config, Hello()).http.url, "http://127.0.0.1:8787/v1/chat/completions") << base;
  }
  ProviderConfig gateway = Config(Provider::kCompatible);
  gateway.base_url = "https://gw.example.com/openai/";
  EXPECT_EQ(Build(gateway, Hello()).http.url, "https://gw.example.com/openai/chat/completions");
}

TEST(RequestUrl, AnthropicBaseFollowsEitherSdkConvention) {
  for (const char* base : {"https://proxy.example.com", "https://proxy.example.com/",
                           "https://proxy.example.com/v1", "https://proxy.example.com/v1/"}) {
    ProviderConfig config = Config(Provider::kAnthropic);
    config.base_url = base;
    EXPECT_EQ(Build(config, Hello("claude-haiku-4-5")).http.url,
              "https://proxy.example.com/v1/messages")
        << base;
  }
}

TEST(RequestUrl, QueryStringStaysAfterThePath) {
  ProviderConfig config = Config(Provider::kCompatible);
  config.base_url = "https://x.example.com/openai/deployments/d1?api-version=2024-10-21";
  EXPECT_EQ(Build(config, Hello()).http.url,
            "https://x.example.com/openai/deployments/d1/chat/completions?api-version=2024-10-21");
}

TEST(RequestUrl, CompatibleNeedsABaseUrlAndBasesNeedAScheme) {
  ProviderConfig config = Config(Provider::kCompatible);
  EXPECT_NE(BuildError(config, Hello()).message.find("base_url"), std::string::npos);
  config.base_url = "127.0.0.1:8787/v1";
  EXPECT_NE(BuildError(config, Hello()).message.find("http"), std::string::npos);
}

// ---- Headers ----------------------------------------------------------------------------------

TEST(RequestHeaders, BearerForOpenAIStyleProviders) {
  for (Provider p : {Provider::kOpenAI, Provider::kGroq, Provider::kOpenRouter, Provider::kLocal}) {
    HttpRequest http = Build(Config(p), Hello()).http;
    EXPECT_EQ(http.method, "POST");
    EXPECT_EQ(Header(http, "authorization"), std::string("Bearer ") + kKey) << ProviderName(p);
    EXPECT_EQ(Header(http, "content-type"), "application/json");
    EXPECT_EQ(Header(http, "accept"), "text/event-stream");
    EXPECT_EQ(Header(http, "x-api-key"), "<absent>");
  }
}

TEST(RequestHeaders, AnthropicUsesXApiKeyAndVersion) {
  HttpRequest http = Build(Config(Provider::kAnthropic), Hello("claude-haiku-4-5")).http;
  EXPECT_EQ(Header(http, "x-api-key"), kKey);
  EXPECT_EQ(Header(http, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(Header(http, "content-type"), "application/json");
  EXPECT_EQ(Header(http, "accept"), "text/event-stream");
  EXPECT_EQ(Header(http, "authorization"), "<absent>");
}

TEST(RequestHeaders, UserHeadersAddOrReplaceCaseInsensitively) {
  ProviderConfig config = Config(Provider::kOpenRouter);
  config.headers = {{"HTTP-Referer", "https://example.com"},
                    {"X-Title", "llmstream"},
                    {"accept", "application/json"}};
  HttpRequest http = Build(config, Hello()).http;
  EXPECT_EQ(Header(http, "HTTP-Referer"), "https://example.com");
  EXPECT_EQ(Header(http, "X-Title"), "llmstream");
  EXPECT_EQ(Header(http, "Accept"), "application/json");
  int accept_count = 0;
  for (const auto& [n, v] : http.headers) accept_count += (n == "accept" || n == "Accept");
  EXPECT_EQ(accept_count, 1);
}

TEST(RequestHeaders, KeylessLocalServerSendsNoAuth) {
  ProviderConfig config = Config(Provider::kLocal);
  config.api_key.clear();
  EXPECT_EQ(Header(Build(config, Hello()).http, "authorization"), "<absent>");
}

TEST(RequestHeaders, HostedProviderWithoutKeyIsAnError) {
  ProviderConfig config = Config(Provider::kOpenAI);
  config.api_key.clear();
  EXPECT_NE(BuildError(config, Hello()).message.find("api_key"), std::string::npos);
  config.headers = {{"Authorization", "Bearer from-header"}};
  EXPECT_EQ(Header(Build(config, Hello()).http, "authorization"), "Bearer from-header");
}

// ---- OpenAI Chat Completions ------------------------------------------------------------------

TEST(RequestChat, OpenAIBodyStreamsWithUsage) {
  CompletionRequest request = Hello();
  request.system = "You are terse.";
  request.max_tokens = 200;
  request.temperature = 0.7;
  request.top_p = 0.9;
  request.stop = {"END"};
  request.n = 2;
  json body = Build(Config(Provider::kOpenAI), request).body;
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
  json body = Build(Config(Provider::kOpenAI), Hello()).body;
  for (const char* key : {"max_completion_tokens", "max_tokens", "temperature", "top_p", "stop",
                          "n", "tools", "tool_choice", "reasoning_effort"}) {
    EXPECT_FALSE(body.contains(key)) << key;
  }
}

TEST(RequestChat, OtherProvidersUseMaxTokensAndIncludeUsage) {
  for (Provider p : {Provider::kGroq, Provider::kOpenRouter, Provider::kLocal}) {
    CompletionRequest request = Hello();
    request.max_tokens = 50;
    json body = Build(Config(p), request).body;
    EXPECT_EQ(body["max_tokens"], 50) << ProviderName(p);
    EXPECT_FALSE(body.contains("max_completion_tokens"));
    EXPECT_EQ(body["stream_options"]["include_usage"], true);
  }
  ProviderConfig compatible = Config(Provider::kCompatible);
  compatible.base_url = "http://localhost:11434/v1";
  CompletionRequest request = Hello("llama3.2");
  request.max_tokens = 10;
  json body = Build(compatible, request).body;
  EXPECT_EQ(body["max_tokens"], 10);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST(RequestChat, ToolRoundTrip) {
  json body = Build(Config(Provider::kOpenAI), ToolConversation("gpt-4o")).body;
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
    EXPECT_EQ(Build(Config(Provider::kOpenAI), request).body["tool_choice"], json::parse(expected))
        << choice;
  }
}

TEST(RequestChat, EmptyParametersBecomeAnEmptyObjectSchema) {
  CompletionRequest request = Hello();
  request.tools.push_back({"now", "", ""});
  json tool = Build(Config(Provider::kOpenAI), request).body["tools"][0]["function"];
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
  json messages = Build(Config(Provider::kOpenAI), request).body["messages"];
  EXPECT_EQ(messages[0]["name"], "alice");
  EXPECT_EQ(messages[1]["content"][0]["type"], "image_url");
}

TEST(RequestChat, PromptIsAppendedAfterMessages) {
  CompletionRequest request = Hello();
  request.messages.push_back(Message{.role = "user", .content = "first"});
  request.messages.push_back(Message{.role = "assistant", .content = "ok"});
  json messages = Build(Config(Provider::kOpenAI), request).body["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":"Hello"})"));
}

TEST(RequestChat, ReasoningPerProvider) {
  CompletionRequest request = Hello("o4-mini");
  request.reasoning_effort = "high";
  EXPECT_EQ(Build(Config(Provider::kOpenAI), request).body["reasoning_effort"], "high");
  EXPECT_EQ(Build(Config(Provider::kGroq), request).body["reasoning_effort"], "high");
  json openrouter = Build(Config(Provider::kOpenRouter), request).body;
  EXPECT_EQ(openrouter["reasoning"], json::parse(R"({"effort":"high"})"));
  EXPECT_FALSE(openrouter.contains("reasoning_effort"));
  request.reasoning_budget_tokens = 2000;
  EXPECT_EQ(Build(Config(Provider::kOpenRouter), request).body["reasoning"],
            json::parse(R"({"max_tokens":2000})"));
}

TEST(RequestChat, ExtraBodyIsMergedLast) {
  CompletionRequest request = Hello("llama-3.3-70b-versatile");
  request.temperature = 0.5;
  request.extra_body_json =
      R"({"reasoning_format":"parsed","temperature":1.0,"stream_options":{"include_obfuscation":false},"seed":null})";
  json body = Build(Config(Provider::kGroq), request).body;
  EXPECT_EQ(body["reasoning_format"], "parsed");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 1.0);
  EXPECT_EQ(body["stream_options"],
            json::parse(R"({"include_usage":true,"include_obfuscation":false})"));
  EXPECT_FALSE(body.contains("seed"));
  request.extra_body_json = R"({"stream_options":null})";
  EXPECT_FALSE(Build(Config(Provider::kGroq), request).body.contains("stream_options"));
}

TEST(RequestChat, InvalidUtf8InContentDoesNotAbort) {
  CompletionRequest request = Hello();
  request.prompt = std::string("bad \xff byte");
  Built built = Build(Config(Provider::kOpenAI), request);
  EXPECT_TRUE(built.body["messages"][0]["content"].is_string());
}

// ---- OpenAI Responses -------------------------------------------------------------------------

TEST(RequestResponses, BodyUsesInputInstructionsAndMaxOutputTokens) {
  CompletionRequest request = Hello("gpt-5");
  request.system = "Be brief.";
  request.max_tokens = 300;
  request.temperature = 1.0;
  request.reasoning_effort = "low";
  json body = Build(Config(Provider::kOpenAI, WireApi::kResponses), request).body;
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
  json body = Build(Config(Provider::kOpenAI, WireApi::kResponses), request).body;
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
  CompletionRequest request = Hello();
  request.stop = {"x"};
  EXPECT_NE(
      BuildError(Config(Provider::kOpenAI, WireApi::kResponses), request).message.find("stop"),
      std::string::npos);
  request = Hello();
  request.n = 3;
  BuildError(Config(Provider::kOpenAI, WireApi::kResponses), request);
}

// ---- Anthropic Messages -----------------------------------------------------------------------

TEST(RequestAnthropic, BodyHasTopLevelSystemAndDefaultMaxTokens) {
  CompletionRequest request = Hello("claude-sonnet-4-5");
  request.system = "Be brief.";
  request.messages.push_back(Message{.role = "system", .content = "Answer in French."});
  request.stop = {"\n\nHuman:"};
  request.temperature = 0.3;
  json body = Build(Config(Provider::kAnthropic), request).body;
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
  json body = Build(Config(Provider::kAnthropic), request).body;
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
  json messages = Build(Config(Provider::kAnthropic), request).body["messages"];
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
    EXPECT_EQ(Build(Config(Provider::kAnthropic), request).body["tool_choice"],
              json::parse(expected))
        << choice;
  }
}

TEST(RequestAnthropic, ThinkingBudgetRaisesDefaultMaxTokens) {
  CompletionRequest request = Hello("claude-sonnet-4-5");
  request.reasoning_budget_tokens = 2048;
  json body = Build(Config(Provider::kAnthropic), request).body;
  EXPECT_EQ(body["thinking"], json::parse(R"({"type":"enabled","budget_tokens":2048})"));
  EXPECT_EQ(body["max_tokens"], 2048 + 4096);
}

TEST(RequestAnthropic, EffortMapsToABudget) {
  CompletionRequest request = Hello("claude-sonnet-4-5");
  request.reasoning_effort = "medium";
  EXPECT_EQ(Build(Config(Provider::kAnthropic), request).body["thinking"]["budget_tokens"], 2048);
  request.reasoning_effort = "none";
  EXPECT_FALSE(Build(Config(Provider::kAnthropic), request).body.contains("thinking"));
  request.reasoning_effort = "turbo";
  BuildError(Config(Provider::kAnthropic), request);
}

TEST(RequestAnthropic, ThinkingValidation) {
  CompletionRequest request = Hello("claude-sonnet-4-5");
  request.reasoning_budget_tokens = 500;
  EXPECT_NE(BuildError(Config(Provider::kAnthropic), request).message.find("1024"),
            std::string::npos);
  request.reasoning_budget_tokens = 4000;
  request.max_tokens = 4000;
  EXPECT_NE(BuildError(Config(Provider::kAnthropic), request).message.find("max_tokens"),
            std::string::npos);
}

TEST(RequestAnthropic, TemperatureAboveOneIsRejected) {
  CompletionRequest request = Hello("claude-haiku-4-5");
  request.temperature = 1.5;
  EXPECT_NE(BuildError(Config(Provider::kAnthropic), request).message.find("temperature"),
            std::string::npos);
  EXPECT_EQ(Build(Config(Provider::kOpenAI), request).body["temperature"], 1.5);
}

TEST(RequestAnthropic, NonObjectToolArgumentsAreRejected) {
  CompletionRequest request = ToolConversation("claude-haiku-4-5");
  request.messages[1].tool_calls[0].arguments = "{not json";
  EXPECT_NE(BuildError(Config(Provider::kAnthropic), request).message.find("arguments"),
            std::string::npos);
}

// ---- Validation -------------------------------------------------------------------------------

TEST(RequestValidation, ClearErrors) {
  const ProviderConfig config = Config(Provider::kOpenAI);
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
    CompletionRequest request = Hello();
    c.mutate(request);
    const Error error = BuildError(config, request);
    EXPECT_NE(error.message.find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in: " << error.message;
  }
}

TEST(RequestValidation, SeveralChoicesOnlyWhereSupported) {
  CompletionRequest request = Hello();
  request.n = 2;
  BuildError(Config(Provider::kGroq), request);
  BuildError(Config(Provider::kAnthropic), request);
  EXPECT_EQ(Build(Config(Provider::kOpenAI), request).body["n"], 2);
}

TEST(RequestValidation, NullErrorPointerIsAllowed) {
  HttpRequest http;
  EXPECT_FALSE(BuildRequest(Config(Provider::kOpenAI), CompletionRequest{}, &http, nullptr));
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
  EXPECT_EQ(ResolveApi(Config(Provider::kAnthropic)), WireApi::kAnthropicMessages);
  EXPECT_EQ(ResolveApi(Config(Provider::kOpenAI)), WireApi::kChatCompletions);
  EXPECT_EQ(ResolveApi(Config(Provider::kLocal)), WireApi::kChatCompletions);
  EXPECT_EQ(ResolveApi(Config(Provider::kOpenAI, WireApi::kResponses)), WireApi::kResponses);
}

// ---- Redaction ----------------------------------------------------------------------------------

TEST(RequestRedact, KeysNeverAppearInLogOutput) {
  for (Provider p : {Provider::kOpenAI, Provider::kAnthropic, Provider::kGroq,
                     Provider::kOpenRouter, Provider::kLocal}) {
    ProviderConfig config = Config(p);
    config.headers = {{"X-Custom-Token", "tok-SECRET-2"}, {"X-Title", "visible"}};
    HttpRequest http = Build(config, Hello()).http;
    const std::string log = ToLogString(http);
    EXPECT_EQ(log.find("SECRET"), std::string::npos) << log;
    EXPECT_NE(log.find("visible"), std::string::npos);
    EXPECT_NE(log.find("[redacted]"), std::string::npos);
    for (const auto& [name, value] : Redacted(http).headers) {
      EXPECT_EQ(value.find("SECRET"), std::string::npos) << name;
    }
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
    EXPECT_EQ(Build(Config(p), ToolConversation("m")).http.body.find(kKey), std::string::npos);
  }
}

}  // namespace
}  // namespace llmstream
