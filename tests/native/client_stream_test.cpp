// The native client against the local provider: the three API forms, every wire API whose
// request is built (each at its endpoint, in its framing), and the wire tap, with nothing going
// wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "llmstream/client.h"
#include "llmstream/framing.h"
#include "llmstream/stream.h"
#include "local_provider.h"

namespace llmstream {
namespace {

using testing::Hello;
using testing::LocalProvider;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class ClientStreamTest : public ::testing::TestWithParam<WireApi> {
 protected:
  LocalProvider server_;
};

TEST_P(ClientStreamTest, IteratorDeliversTextAsItArrivesAndEndsWithDone) {
  ASSERT_TRUE(server_.ok());
  Client client(server_.Options("tokens=30", GetParam()));
  CompletionStream stream = client.StreamCompletion(Hello());
  std::string text;
  std::vector<EventKind> kinds;
  for (const Event& event : stream) {
    kinds.push_back(event.kind);
    if (event.kind == EventKind::kText) text.append(event.text);
  }
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.back(), EventKind::kDone);
  EXPECT_FALSE(stream.error()) << stream.error().message;
  EXPECT_TRUE(stream.done());
  EXPECT_EQ(stream.attempts(), 1);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(stream.result().text(), text);
  EXPECT_TRUE(stream.result().finished);
  EXPECT_FALSE(stream.result().usage.empty());
  EXPECT_FALSE(stream.result().usage.estimated);
  EXPECT_EQ(stream.result().usage.output_tokens.value_or(0), 30);
}

TEST_P(ClientStreamTest, CallbackAndCompleteGiveTheSameText) {
  ASSERT_TRUE(server_.ok());
  Client client(server_.Options("tokens=25", GetParam()));
  std::string streamed;
  int events = 0;
  Completion via_callback = client.StreamCompletion(Hello(), [&](const Event& event) {
    ++events;
    if (event.kind == EventKind::kText) streamed.append(event.text);
    return true;
  });
  Completion via_complete = client.Complete(Hello());
  EXPECT_GT(events, 25);
  EXPECT_FALSE(via_callback.error) << via_callback.error.message;
  EXPECT_EQ(via_callback.text(), streamed);
  EXPECT_EQ(via_complete.text(), streamed);  // the server is deterministic
}

TEST_P(ClientStreamTest, OneByteWritesGiveTheSameResult) {
  ASSERT_TRUE(server_.ok());
  Completion normal = Client(server_.Options("tokens=12", GetParam())).Complete(Hello());
  Completion slow = Client(server_.Options("tokens=12; slow_bytes=1; byte_delay_ms=0", GetParam()))
                        .Complete(Hello());
  EXPECT_FALSE(slow.error) << slow.error.message;
  EXPECT_EQ(slow.text(), normal.text());
  EXPECT_EQ(slow.usage.output_tokens, normal.usage.output_tokens);
}

// Each wire API at its own endpoint, answered in its own framing: the Content-Type the local
// provider sent is one FramingFor reads as the framing written here by hand.
TEST_P(ClientStreamTest, EachApiAtItsEndpointInItsFraming) {
  ASSERT_TRUE(server_.ok());
  struct Expected {
    WireApi api;
    std::string_view path;
    Framing framing;
  };
  static constexpr Expected kExpected[] = {
      {WireApi::kChatCompletions, "/v1/chat/completions", Framing::kSse},
      {WireApi::kResponses, "/v1/responses", Framing::kSse},
      {WireApi::kAnthropicMessages, "/v1/messages", Framing::kSse},
      {WireApi::kGeminiGenerateContent, "/v1beta/models/local-echo:streamGenerateContent?alt=sse",
       Framing::kSse},
      {WireApi::kOllamaChat, "/api/chat", Framing::kNdjson},
      {WireApi::kOllamaGenerate, "/api/generate", Framing::kNdjson},
      {WireApi::kCohereChat, "/v2/chat", Framing::kSse},
      {WireApi::kBedrockConverse, "/model/local-echo/converse-stream", Framing::kAwsEventStream},
  };
  const auto found = std::find_if(std::begin(kExpected), std::end(kExpected),
                                  [](const Expected& e) { return e.api == GetParam(); });
  ASSERT_NE(found, std::end(kExpected)) << "no expectation for " << WireApiName(GetParam());
  const Expected& expected = *found;
  ClientOptions options = server_.Options("tokens=5", GetParam());
  std::string url;
  std::optional<std::string> content_type;
  options.wire_tap.on_request = [&](int, const HttpRequest& request) { url = request.url; };
  options.wire_tap.on_response = [&](int, const HeaderList& headers, int64_t) {
    for (const auto& [name, value] : headers) {
      if (name == "content-type" || name == "Content-Type") content_type = value;
    }
  };
  Completion completion = Client(options).Complete(Hello());
  EXPECT_FALSE(completion.error) << completion.error.message;
  EXPECT_EQ(url, server_.origin() + std::string(expected.path));
  ASSERT_TRUE(content_type.has_value());
  EXPECT_EQ(FramingFor(GetParam(), *content_type), expected.framing) << *content_type;
  EXPECT_EQ(completion.usage.output_tokens.value_or(0), 5);
}

// Every wire API. Bedrock's request goes unsigned here (the local provider as kLocal needs no
// credentials); signed ones: client_bedrock_test.cpp.
INSTANTIATE_TEST_SUITE_P(
    AllApis, ClientStreamTest,
    ::testing::Values(WireApi::kChatCompletions, WireApi::kResponses, WireApi::kAnthropicMessages,
                      WireApi::kGeminiGenerateContent, WireApi::kOllamaChat,
                      WireApi::kOllamaGenerate, WireApi::kCohereChat, WireApi::kBedrockConverse),
    [](const auto& param_info) { return std::string(WireApiName(param_info.param)); });

// A request without a model gets the provider's default (request.h, DefaultModel), as the CLI
// and the npm package do; a kCompatible server has none, and says so.
TEST(ClientDefaultModel, AnEmptyModelIsTheProvidersDefault) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::string body;
  ClientOptions options = server.Options("tokens=3");
  options.wire_tap.on_request = [&](int, const HttpRequest& request) { body = request.body; };
  CompletionRequest request = Hello();
  request.model.clear();
  Completion completion = Client(options).Complete(request);
  EXPECT_FALSE(completion.error) << completion.error.message;
  EXPECT_FALSE(completion.text().empty());
  EXPECT_NE(body.find("\"model\":\"local-echo\""), std::string::npos) << body;

  options.provider.provider = Provider::kCompatible;
  completion = Client(options).Complete(request);
  EXPECT_EQ(completion.error.code, ErrorCode::kInvalidRequest);
  EXPECT_NE(completion.error.message.find("model"), std::string::npos) << completion.error.message;
}

TEST(ClientWireTap, SeesEveryByteOnceAndTheSameEventsAsTheCore) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  ClientOptions options = server.Options(
      "fixture=openai-chat-text-usage; slow_bytes=1; "
      "byte_delay_ms=0");
  std::string wire;
  int status = 0;
  std::string redacted_url;
  options.wire_tap.on_request = [&](int, const HttpRequest& request) {
    redacted_url = request.url;
  };
  options.wire_tap.on_response = [&](int code, const HeaderList&, int64_t) { status = code; };
  options.wire_tap.on_body = [&](std::string_view bytes, int64_t) { wire.append(bytes); };
  std::vector<ErrorCode> ends;
  options.wire_tap.on_end = [&](const Error& error, int64_t) { ends.push_back(error.code); };
  Completion completion = Client(options).Complete(Hello());
  const std::string fixture = ReadFile(LLMSTREAM_FIXTURES_DIR "/openai-chat-text-usage.sse");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(redacted_url, server.base_url() + "/chat/completions");
  EXPECT_EQ(wire, fixture);
  EXPECT_EQ(ends, std::vector<ErrorCode>{ErrorCode::kNone});
  StreamOptions reference_options;
  reference_options.api = WireApi::kChatCompletions;
  reference_options.provider = Provider::kOpenAI;
  Stream reference(reference_options);
  reference.Feed(fixture, 0);
  reference.Finish(0);
  EXPECT_EQ(completion.text(), reference.result().text());
  EXPECT_EQ(completion.usage.output_tokens, reference.result().usage.output_tokens);
}

TEST(ClientCallback, AnExceptionFromTheCallbackStopsTheStreamAndIsRethrown) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  std::string key = testing::UniqueKey();
  Client client(server.Options("tokens=40; pace_ms=5; key=" + key));
  int texts = 0;
  EXPECT_THROW(client.StreamCompletion(Hello(),
                                       [&](const Event& event) {
                                         if (event.kind == EventKind::kText && ++texts == 3) {
                                           throw std::runtime_error("consumer failed");
                                         }
                                         return true;
                                       }),
               std::runtime_error);
  EXPECT_EQ(texts, 3);  // no event reached the callback after it threw
  EXPECT_TRUE(server.WaitForOutcome(key, "client_disconnected").has_value());
}

TEST(ClientStreamMoved, AMovedFromStreamReadsAsEndedAndEmpty) {
  LocalProvider server;
  ASSERT_TRUE(server.ok());
  CompletionStream first = Client(server.Options("tokens=5")).StreamCompletion(Hello());
  CompletionStream second = std::move(first);
  EXPECT_EQ(first.Next(), nullptr);  // NOLINT(bugprone-use-after-move): that is the test
  EXPECT_TRUE(first.done());
  EXPECT_EQ(first.attempts(), 0);
  first.Cancel();  // harmless
  std::string text;
  for (const Event& event : second) {
    if (event.kind == EventKind::kText) text.append(event.text);
  }
  EXPECT_FALSE(text.empty());
}

}  // namespace
}  // namespace llmstream
