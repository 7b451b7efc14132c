// The Session reads each response in the framing its API and Content-Type call for
// (FramingFor, llmstream/framing.h): every recording of more-providers/ through a Session, with
// and without its Content-Type, in every standard split, must assemble exactly what a bare Stream
// given the framing explicitly assembles. And what is not a stream of the API (an HTML page, a
// JSON error object, another API's framing) is still refused as an error body.
//
// The Session is built for the API under test, with a provider that speaks it, so it builds that
// API's request and reads its responses (Bedrock's signed with AWS credentials at a wall time).
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/framing.h"
#include "llmstream/session.h"
#include "llmstream/stream.h"
#include "llmstream/to_json.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

constexpr const char* kKey = "sk-test-key-0123456789abcdef";

using lt::Recorded;
using lt::RecordedAs;

// The provider each API is asked of.
Provider ProviderOf(WireApi api) {
  if (api == WireApi::kGeminiGenerateContent) return Provider::kGemini;
  if (api == WireApi::kBedrockConverse) return Provider::kBedrock;
  if (api == WireApi::kOllamaChat || api == WireApi::kOllamaGenerate) return Provider::kOllama;
  if (api == WireApi::kCohereChat) return Provider::kCohere;
  return Provider::kOpenAI;
}

SessionOptions Options(WireApi api) {
  SessionOptions options;
  options.provider.provider = ProviderOf(api);
  options.provider.api = api;
  if (api == WireApi::kBedrockConverse) {
    // Signed (AWS SigV4) at the wall time each attempt is sent, as a Bedrock Session is.
    options.provider.region = "us-west-2";
    options.provider.aws_credentials = {.access_key_id = "AKIDEXAMPLE", .secret_access_key = kKey};
    options.unix_ms_at_zero = 1735787045000;  // 2025-01-02T03:04:05Z
  } else {
    options.provider.api_key = kKey;
  }
  options.request.model = "gpt-4o";
  options.request.prompt = "Hello";
  options.retry.max_retries = 0;   // one attempt: comparable with one Stream
  options.estimate_usage = false;  // the Stream alone estimates nothing
  return options;
}

struct SessionRun {
  std::vector<lt::OwnedEvent> events;  // kError apart
  std::vector<Error> errors;
  Completion result;
};

// One attempt of a Session reading `api`, answered `status` with `headers` and `body` in `split`.
SessionRun RunSession(WireApi api, int status, const HeaderList& headers, std::string_view body,
                      const lt::Split& split) {
  Session session(Options(api));
  SessionRun run;
  auto take = [&run](std::span<const Event> events) {
    for (const Event& event : events) {
      if (event.kind == EventKind::kError) {
        run.errors.push_back(*event.error);
      } else {
        run.events.push_back(lt::ToOwned(event));
      }
    }
  };
  int64_t now = 100;
  const SessionStep send = session.Poll(now);
  EXPECT_EQ(send.action, SessionAction::kSend) << "the request must build";
  take(session.OnResponse(status, headers, ++now));
  size_t at = 0;
  for (size_t n : split.sizes) {
    take(session.OnBody(body.substr(at, n), ++now));
    at += n;
  }
  take(session.OnEnd(++now));
  SessionStep step = session.Poll(++now);
  take(step.events);
  if (step.action == SessionAction::kAbortTransfer) take(session.Poll(++now).events);
  EXPECT_TRUE(session.done());
  run.result = session.result();
  return run;
}

SessionRun RunWhole(WireApi api, int status, const HeaderList& headers, std::string_view body) {
  return RunSession(api, status, headers, body, lt::Split{"whole", {body.size()}});
}

std::string Json(const Completion& completion) {
  std::string out;
  AppendJson(&out, completion);
  return out;
}

// --- the rule ---

TEST(FramingFor, WithoutAContentTypeEachApiHasItsOwn) {
  EXPECT_EQ(FramingFor(WireApi::kChatCompletions, std::nullopt), Framing::kSse);
  EXPECT_EQ(FramingFor(WireApi::kResponses, std::nullopt), Framing::kSse);
  EXPECT_EQ(FramingFor(WireApi::kAnthropicMessages, std::nullopt), Framing::kSse);
  EXPECT_EQ(FramingFor(WireApi::kGeminiGenerateContent, std::nullopt), Framing::kSse);
  EXPECT_EQ(FramingFor(WireApi::kCohereChat, std::nullopt), Framing::kSse);
  EXPECT_EQ(FramingFor(WireApi::kBedrockConverse, std::nullopt), Framing::kAwsEventStream);
  EXPECT_EQ(FramingFor(WireApi::kOllamaChat, std::nullopt), Framing::kNdjson);
  EXPECT_EQ(FramingFor(WireApi::kOllamaGenerate, std::nullopt), Framing::kNdjson);
}

TEST(FramingFor, EachApiAcceptsItsOwnTypesOnly) {
  struct Case {
    WireApi api;
    std::string_view content_type;
    std::optional<Framing> want;
  };
  const Case cases[] = {
      {WireApi::kChatCompletions, "text/event-stream", Framing::kSse},
      {WireApi::kChatCompletions, " Text/Event-Stream ; charset=utf-8", Framing::kSse},
      {WireApi::kChatCompletions, "application/json", std::nullopt},
      {WireApi::kChatCompletions, "application/x-ndjson", std::nullopt},
      {WireApi::kChatCompletions, "text/html; charset=utf-8", std::nullopt},
      {WireApi::kChatCompletions, "", std::nullopt},
      {WireApi::kAnthropicMessages, "text/event-stream", Framing::kSse},
      {WireApi::kResponses, "text/plain", std::nullopt},
      {WireApi::kCohereChat, "text/event-stream", Framing::kSse},
      {WireApi::kCohereChat, "application/json", std::nullopt},
      {WireApi::kGeminiGenerateContent, "text/event-stream", Framing::kSse},
      {WireApi::kGeminiGenerateContent, "application/json; charset=UTF-8", Framing::kJsonArray},
      {WireApi::kGeminiGenerateContent, "application/x-ndjson", std::nullopt},
      {WireApi::kGeminiGenerateContent, "text/html", std::nullopt},
      {WireApi::kOllamaChat, "application/x-ndjson", Framing::kNdjson},
      {WireApi::kOllamaGenerate, "application/x-ndjson; charset=utf-8", Framing::kNdjson},
      {WireApi::kOllamaChat, "application/ndjson", Framing::kNdjson},
      {WireApi::kOllamaChat, "application/jsonl", Framing::kNdjson},
      {WireApi::kOllamaChat, "application/json", std::nullopt},
      {WireApi::kOllamaChat, "text/event-stream", std::nullopt},
      {WireApi::kBedrockConverse, "application/vnd.amazon.eventstream", Framing::kAwsEventStream},
      {WireApi::kBedrockConverse, "application/json", std::nullopt},
      {WireApi::kBedrockConverse, "text/event-stream", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FramingFor(c.api, c.content_type), c.want)
        << WireApiName(c.api) << " '" << c.content_type << "'";
  }
}

TEST(FramingFor, MediaTypes) {
  EXPECT_EQ(FramingMediaType(Framing::kSse), "text/event-stream");
  EXPECT_EQ(FramingMediaType(Framing::kNdjson), "application/x-ndjson");
  EXPECT_EQ(FramingMediaType(Framing::kAwsEventStream), "application/vnd.amazon.eventstream");
  EXPECT_EQ(FramingMediaType(Framing::kJsonArray), "application/json");
}

// --- every recording through a Session ---

// "more-providers/gemini-thought-parts.sse" -> "gemini_thought_parts_sse".
std::string FileTestName(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = param.param.substr(param.param.find('/') + 1);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SessionFraming : public ::testing::TestWithParam<std::string> {};

TEST_P(SessionFraming, ReadsEachRecordingLikeTheStreamGivenItsFraming) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  const Recorded recorded = RecordedAs(GetParam());
  StreamOptions stream_options;
  stream_options.api = recorded.api;
  stream_options.framing = recorded.framing;
  stream_options.provider = ProviderOf(recorded.api);
  stream_options.model = "gpt-4o";
  const std::vector<lt::Split> splits = lt::StandardSplits(body.size());
  const HeaderList typed = {{"Content-Type", recorded.content_type}, {"x-request-id", "r1"}};
  const HeaderList untyped = {{"x-request-id", "r1"}};
  for (const lt::Split& split : splits) {
    const lt::RunResult alone = lt::RunStream(stream_options, body, split);
    ASSERT_FALSE(alone.completion.error) << GetParam() << ": " << alone.completion.error.message;
    for (const HeaderList* headers : {&typed, &untyped}) {
      SCOPED_TRACE(GetParam() + " split " + split.name +
                   (headers == &typed ? " with " + recorded.content_type : " untyped"));
      const SessionRun run = RunSession(recorded.api, 200, *headers, body, split);
      EXPECT_TRUE(run.errors.empty()) << run.errors[0].message;
      EXPECT_EQ(Json(run.result), Json(alone.completion));
      ASSERT_EQ(run.events.size(), alone.events.size());
      for (size_t i = 0; i < run.events.size(); ++i) {
        ASSERT_EQ(run.events[i], alone.events[i])
            << "event " << i << ": " << lt::Describe(run.events[i]) << " vs "
            << lt::Describe(alone.events[i]);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MoreProviders, SessionFraming,
                         ::testing::ValuesIn(lt::MoreProviderFixtureFiles()), FileTestName);

// Whitespace before the array's `[`, in reads of its own, decides nothing yet.
TEST(SessionResponses, GeminiArrayAfterLeadingWhitespace) {
  const std::string array =
      lt::ReadFixture("more-providers/gemini-json-array-thought-function-call.json");
  const std::string body = " \r\n\t\n" + array;
  for (const HeaderList& headers :
       {HeaderList{{"content-type", "application/json"}}, HeaderList{}}) {
    for (const lt::Split& split : lt::StandardSplits(body.size())) {
      SCOPED_TRACE(split.name);
      const SessionRun run = RunSession(WireApi::kGeminiGenerateContent, 200, headers, body, split);
      EXPECT_TRUE(run.errors.empty()) << run.errors[0].message;
      EXPECT_TRUE(run.result.finished);
      ASSERT_EQ(run.result.choices.size(), 1u);
      EXPECT_EQ(run.result.choices[0].tool_calls.size(), 1u);
    }
  }
}

// --- what is not a stream of the API ---

TEST(SessionResponses, GeminiJsonErrorObjectOn200IsTheProvidersError) {
  const std::string body =
      R"({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}})";
  for (const std::string& prefix : {std::string(), std::string("\n  ")}) {
    const std::string whole = prefix + body;
    for (const lt::Split& split : lt::StandardSplits(whole.size())) {
      SCOPED_TRACE(split.name);
      const SessionRun run =
          RunSession(WireApi::kGeminiGenerateContent, 200,
                     {{"content-type", "application/json; charset=UTF-8"}}, whole, split);
      ASSERT_EQ(run.errors.size(), 1u);
      EXPECT_EQ(run.errors[0].code, ErrorCode::kProviderError);
      EXPECT_NE(run.errors[0].message.find("The model is overloaded."), std::string::npos)
          << run.errors[0].message;
      EXPECT_TRUE(run.events.empty());
    }
  }
}

TEST(SessionResponses, OllamaJsonErrorObjectOn200IsTheProvidersError) {
  const std::string body = R"({"error":"model \"qwen3:4b\" not found, try pulling it first"})";
  // As application/json it is collected; as an NDJSON line it is the dialect's error line.
  for (std::string_view type : {"application/json; charset=utf-8", "application/x-ndjson"}) {
    SCOPED_TRACE(type);
    const SessionRun run =
        RunWhole(WireApi::kOllamaChat, 200, {{"content-type", std::string(type)}}, body + "\n");
    ASSERT_EQ(run.errors.size(), 1u);
    EXPECT_EQ(run.errors[0].code, ErrorCode::kProviderError);
    EXPECT_NE(run.errors[0].message.find("not found, try pulling it first"), std::string::npos)
        << run.errors[0].message;
  }
}

TEST(SessionResponses, HtmlPageOn200IsRefusedForEveryApi) {
  const std::string page = "<html><head><title>Gateway login</title></head></html>";
  struct Case {
    WireApi api;
    std::string_view expected;  // what the message says the API streams as
  };
  for (const Case& c :
       {Case{WireApi::kChatCompletions, "not text/event-stream:"},
        Case{WireApi::kGeminiGenerateContent, "not text/event-stream or a JSON array"},
        Case{WireApi::kOllamaChat, "not application/x-ndjson"},
        Case{WireApi::kBedrockConverse, "not application/vnd.amazon.eventstream"},
        Case{WireApi::kCohereChat, "not text/event-stream"}}) {
    SCOPED_TRACE(WireApiName(c.api));
    const SessionRun run =
        RunWhole(c.api, 200, {{"content-type", "text/html; charset=utf-8"}}, page);
    ASSERT_EQ(run.errors.size(), 1u);
    const Error& error = run.errors[0];
    EXPECT_EQ(error.code, ErrorCode::kNotEventStream);
    EXPECT_NE(error.message.find("text/html"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find(c.expected), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("Gateway login"), std::string::npos) << error.message;
  }
}

// A body in another API's framing would only be misread: refused, its bytes never parsed.
TEST(SessionResponses, AnotherApisFramingIsRefused) {
  const std::string ndjson =
      lt::ReadFixture("more-providers/ollama-chat-done-reason-length.ndjson");
  const std::string sse = lt::ReadFixture("more-providers/cohere-tool-plan-tool-call.sse");
  const std::string frames =
      lt::ReadFixture("more-providers/bedrock-nova-two-tool-uses.eventstream");
  struct Case {
    WireApi api;
    std::string_view type;
    const std::string* body;
  };
  for (const Case& c : {Case{WireApi::kChatCompletions, "application/x-ndjson", &ndjson},
                        Case{WireApi::kCohereChat, "application/vnd.amazon.eventstream", &frames},
                        Case{WireApi::kOllamaChat, "text/event-stream", &sse},
                        Case{WireApi::kBedrockConverse, "text/event-stream", &sse},
                        Case{WireApi::kBedrockConverse, "application/x-ndjson", &ndjson}}) {
    SCOPED_TRACE(std::string(WireApiName(c.api)) + " " + std::string(c.type));
    const SessionRun run = RunWhole(c.api, 200, {{"content-type", std::string(c.type)}}, *c.body);
    ASSERT_EQ(run.errors.size(), 1u);
    EXPECT_EQ(run.errors[0].code, ErrorCode::kNotEventStream) << run.errors[0].message;
    EXPECT_TRUE(run.events.empty());
    EXPECT_TRUE(run.result.choices.empty());
  }
}

// An error status is an HTTP error whatever its type says: never read as a stream.
TEST(SessionResponses, ErrorStatusIsNeverAStream) {
  const std::string frames =
      lt::ReadFixture("more-providers/bedrock-nova-two-tool-uses.eventstream");
  const SessionRun run = RunWhole(WireApi::kBedrockConverse, 500,
                                  {{"content-type", "application/vnd.amazon.eventstream"}}, frames);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].code, ErrorCode::kServer);
  EXPECT_TRUE(run.result.choices.empty());
}

}  // namespace
}  // namespace llmstream
