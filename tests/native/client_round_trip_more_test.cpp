// The round trip of a conversation with tools, end to end, for OpenAI Responses, Gemini, Cohere v2
// and Ollama chat (issue 15): the libcurl client streams a step from the local provider acting as
// a tool-calling model (tool_steps, tool_call=2: parallel calls), Conversation::Append turns the
// completion into the assistant turn, AppendToolResult answers each call (one as a failure), and
// the next step is accepted by the server, which checks the turn as the real provider does
// (server/README.md, "Conversations"), and quotes every result back. Broken turns (a tampered
// signature or encrypted reasoning, a missing result, a result for an unknown call, Responses
// calls without their reasoning item) get the provider's own 4xx as our Error. Expected texts and
// messages are written out by hand from the providers' documented shapes (docs/wire-formats.md,
// "Conversations").
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include "llmstream/client.h"
#include "llmstream/conversation.h"
#include "llmstream/framing.h"
#include "llmstream/stream.h"
#include "local_provider.h"

namespace llmstream {
namespace {

using testing::LocalProvider;

constexpr char kWeather[] = "18C";
constexpr char kClockBroken[] = "clock broken";

// One wire API under test, and what its provider makes of the results sent back.
struct ApiCase {
  WireApi api;
  std::string model;
  std::string scenario;    // besides tool_steps / tool_call
  std::string extra_body;  // extra_body_json
  bool reasoning_effort;   // ask for reasoning through reasoning_effort
  // The final answer to the results [kWeather, kClockBroken (is_error)]: how each API carries a
  // failed tool's output (Responses and Ollama: the output as it is; Gemini: response {error};
  // Cohere: a document {"error": ...}).
  std::string final_text;
};

// gtest prints a failing case by its API rather than its bytes.
void PrintTo(const ApiCase& api_case, std::ostream* os) { *os << WireApiName(api_case.api); }

std::string ParamName(const ::testing::TestParamInfo<ApiCase>& param_info) {
  return std::string(WireApiName(param_info.param.api));
}

std::vector<ToolDefinition> Tools() {
  return {{.name = "get_weather",
           .description = "The weather in a city",
           .parameters_json = R"({"type":"object","properties":{"city":{"type":"string"},)"
                              R"("days":{"type":"integer"}},"required":["city","days"]})"},
          {.name = "get_time",
           .description = "The time in a zone",
           .parameters_json = R"({"type":"object","properties":{"zone":{"type":"string"}},)"
                              R"("required":["zone"]})"}};
}

// Answers the two pending calls with kWeather and kClockBroken (a failure).
void AnswerBoth(Conversation* conversation) {
  std::vector<ToolCallRequest> calls = conversation->PendingToolCalls();
  ASSERT_EQ(calls.size(), 2u);
  conversation->AppendToolResult(calls[0].id, kWeather);
  conversation->AppendToolResult(calls[1].id, kClockBroken, /*is_error=*/true);
}

class RoundTripMoreTest : public ::testing::TestWithParam<ApiCase> {
 protected:
  // A client for `tool_steps` steps of two parallel calls.
  Client MakeClient(int tool_steps, std::string_view extra_scenario = "") {
    std::string scenario = "tool_steps=" + std::to_string(tool_steps) + "; tool_call=2";
    if (!GetParam().scenario.empty()) scenario += "; " + GetParam().scenario;
    if (!extra_scenario.empty()) scenario += "; " + std::string(extra_scenario);
    ClientOptions options = server_.Options(scenario, GetParam().api);
    options.wire_tap.on_request = [this](int, const HttpRequest& request) {
      last_body_ = request.body;
    };
    return Client(std::move(options));
  }

  CompletionRequest Request(const Conversation& conversation) const {
    CompletionRequest request;
    request.model = GetParam().model;
    request.messages = conversation.messages();
    request.tools = Tools();
    request.extra_body_json = GetParam().extra_body;
    if (GetParam().reasoning_effort) request.reasoning_effort = "low";
    return request;
  }

  // One step, streamed event by event: the text events add up to the completion's text, and a
  // tool call ends with its complete arguments.
  static Completion Step(const Client& client, CompletionRequest request) {
    CompletionStream stream = client.StreamCompletion(std::move(request));
    std::string text;
    int call_ends = 0;
    for (const Event& event : stream) {
      if (event.kind == EventKind::kText) text.append(event.text);
      if (event.kind == EventKind::kToolCallEnd) ++call_ends;
    }
    Completion completion = stream.result();
    EXPECT_EQ(text, completion.text());
    if (!completion.choices.empty()) {
      EXPECT_EQ(call_ends, static_cast<int>(completion.choices[0].tool_calls.size()));
    }
    return completion;
  }

  // Step 1 of a fresh conversation, appended: two pending calls, get_weather then get_time.
  Conversation FirstStep(const Client& client) const {
    Conversation conversation;
    conversation.AppendUser("What is the weather and the time in Paris?");
    Completion first = Step(client, Request(conversation));
    EXPECT_FALSE(first.error) << first.error.message;
    conversation.Append(first, client.options().provider);
    std::vector<ToolCallRequest> calls = conversation.PendingToolCalls();
    EXPECT_EQ(calls.size(), 2u);
    if (calls.size() == 2) {
      EXPECT_EQ(calls[0].name, "get_weather");
      EXPECT_EQ(calls[1].name, "get_time");
      EXPECT_NE(calls[0].id, calls[1].id);
    }
    return conversation;
  }

  // Step 1 with its calls answered: both (AnswerBoth), or only the first (kWeather).
  Conversation FirstAnswered(const Client& client, bool both) const {
    Conversation conversation = FirstStep(client);
    std::vector<ToolCallRequest> calls = conversation.PendingToolCalls();
    if (both) {
      AnswerBoth(&conversation);
    } else if (!calls.empty()) {
      conversation.AppendToolResult(calls[0].id, kWeather);
    }
    return conversation;
  }

  // Sends the conversation as the next step and expects it accepted, answered with `text`.
  void ExpectAnswer(const Client& client, const Conversation& conversation,
                    std::string_view text) const {
    Completion accepted = Step(client, Request(conversation));
    EXPECT_FALSE(accepted.error) << accepted.error.message;
    EXPECT_EQ(accepted.text(), text);
  }

  // The assistant turn of step 1 (messages: user, assistant, ...).
  static Message& Turn(Conversation* conversation) { return conversation->messages()[1]; }

  // Sends the conversation as the next step and expects the provider's 400 saying `message`.
  void ExpectRefused(const Client& client, const Conversation& conversation,
                     std::string_view message) const {
    Completion refused = Step(client, Request(conversation));
    EXPECT_EQ(refused.error.code, ErrorCode::kBadRequest) << refused.error.message;
    EXPECT_EQ(refused.error.http_status, 400);
    EXPECT_NE(refused.error.message.find(message), std::string::npos) << refused.error.message;
    EXPECT_TRUE(refused.text().empty());
  }

  LocalProvider server_;
  std::string last_body_;  // the body of the last request sent (wire_tap)
};

TEST_P(RoundTripMoreTest, ParallelCallsThenAnAnswerQuotingEveryResult) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstStep(client);
  ASSERT_FALSE(HasFailure());
  const Message& turn = Turn(&conversation);
  ASSERT_TRUE(turn.origin.has_value());
  EXPECT_EQ(turn.origin->api, GetParam().api);
  // The reasoning the API streams came back as a part of the turn, before the calls.
  ASSERT_FALSE(turn.parts.empty());
  EXPECT_EQ(turn.parts.front().kind, PartKind::kReasoning);
  // What the provider issued opaque (Responses encrypted_content, Gemini thoughtSignatures) is
  // in the turn, and goes back byte for byte.
  std::vector<std::string> opaque;
  for (const MessagePart& part : turn.parts) {
    if (!part.signature.empty()) opaque.push_back(part.signature);
    if (part.kind == PartKind::kReasoning && !part.data.empty()) opaque.push_back(part.data);
  }
  const bool seals =
      GetParam().api == WireApi::kResponses || GetParam().api == WireApi::kGeminiGenerateContent;
  EXPECT_EQ(opaque.empty(), !seals);
  AnswerBoth(&conversation);
  Completion second = Step(client, Request(conversation));
  ASSERT_FALSE(second.error) << second.error.message;
  for (const std::string& issued : opaque) {
    EXPECT_NE(last_body_.find(issued), std::string::npos) << issued << " not in " << last_body_;
  }
  EXPECT_TRUE(second.finished);
  ASSERT_FALSE(second.choices.empty());
  EXPECT_TRUE(second.choices[0].tool_calls.empty());
  EXPECT_EQ(second.text(), GetParam().final_text);
  conversation.Append(second, client.options().provider);
  EXPECT_TRUE(conversation.PendingToolCalls().empty());
}

// The same round trip with step 1 arriving one byte per write: the turn does not depend on how
// the stream was split.
TEST_P(RoundTripMoreTest, StepOneByteByByteGivesTheSameTurn) {
  ASSERT_TRUE(server_.ok());
  Conversation whole = FirstStep(MakeClient(1));
  Client slow = MakeClient(1, "slow_bytes=1; byte_delay_ms=0");
  Conversation split = FirstStep(slow);
  ASSERT_FALSE(HasFailure());
  const Message& a = Turn(&whole);
  const Message& b = Turn(&split);
  ASSERT_EQ(a.parts.size(), b.parts.size());
  for (size_t i = 0; i < a.parts.size(); ++i) {
    EXPECT_EQ(a.parts[i].kind, b.parts[i].kind) << i;
    EXPECT_EQ(a.parts[i].text, b.parts[i].text) << i;
    EXPECT_EQ(a.parts[i].tool_call.name, b.parts[i].tool_call.name) << i;
    EXPECT_EQ(a.parts[i].tool_call.arguments, b.parts[i].tool_call.arguments) << i;
  }
  AnswerBoth(&split);
  ExpectAnswer(MakeClient(1), split, GetParam().final_text);
}

// tool_steps=2: calls, calls again, then the answer, which quotes the results of step 2 only.
TEST_P(RoundTripMoreTest, TwoToolStepsThenTheAnswer) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(2);
  Conversation conversation;
  conversation.AppendUser("Plan a day in Paris.");
  std::vector<size_t> calls_per_step;
  Completion last;
  for (int step = 1; step <= 4; ++step) {
    last = Step(client, Request(conversation));
    ASSERT_FALSE(last.error) << "step " << step << ": " << last.error.message;
    conversation.Append(last, client.options().provider);
    std::vector<ToolCallRequest> calls = conversation.PendingToolCalls();
    calls_per_step.push_back(calls.size());
    if (calls.empty()) break;
    for (size_t i = 0; i < calls.size(); ++i) {
      conversation.AppendToolResult(calls[i].id,
                                    "s" + std::to_string(step) + "r" + std::to_string(i));
    }
  }
  EXPECT_EQ(calls_per_step, (std::vector<size_t>{2, 2, 0}));
  EXPECT_EQ(last.text(), "Results: s2r0 | s2r1");
  EXPECT_EQ(conversation.size(), 1u + 3u + 3u + 1u);  // user, 2 x (turn + 2 results), answer
}

TEST_P(RoundTripMoreTest, AMissingResultIsRefused) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/false);
  ASSERT_FALSE(HasFailure());
  const std::string unanswered = conversation.PendingToolCalls().at(0).id;
  switch (GetParam().api) {
    case WireApi::kResponses:
      ExpectRefused(client, conversation, "No tool output found for function call " + unanswered);
      break;
    case WireApi::kGeminiGenerateContent:
      ExpectRefused(client, conversation,
                    "Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn.");
      break;
    case WireApi::kCohereChat:
      ExpectRefused(client, conversation,
                    "invalid request: tool call with id '" + unanswered +
                        "' has no tool message with its result.");
      break;
    default:  // Ollama templates the history it gets: the answer quotes the one result
      ExpectAnswer(client, conversation, "Results: 18C");
  }
}

TEST_P(RoundTripMoreTest, AResultForAnUnknownCallIsRefused) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/false);
  ASSERT_FALSE(HasFailure());
  conversation.AppendToolResult("call_nope", kWeather);
  switch (GetParam().api) {
    case WireApi::kResponses:
      ExpectRefused(client, conversation,
                    "No tool call found for function call output with call_id call_nope.");
      break;
    case WireApi::kCohereChat:
      ExpectRefused(client, conversation,
                    "invalid request: tool message with tool_call_id 'call_nope' does not match "
                    "any tool call of the preceding assistant message.");
      break;
    case WireApi::kGeminiGenerateContent: {
      // Gemini matches results by the function's name, which an unknown id does not give: the
      // request is refused before it is sent.
      Completion refused = Step(client, Request(conversation));
      EXPECT_EQ(refused.error.code, ErrorCode::kInvalidRequest) << refused.error.message;
      EXPECT_NE(refused.error.message.find("'call_nope' answers no earlier tool call"),
                std::string::npos)
          << refused.error.message;
      break;
    }
    default:  // Ollama: a stray result is templated as it is
      ExpectAnswer(client, conversation, "Results: 18C | 18C");
  }
}

ApiCase ResponsesCase() {
  // Stateless Responses: the reasoning travels as encrypted_content (wire-formats.md).
  return {WireApi::kResponses,
          "gpt-5-mini",
          "reasoning=3",
          R"({"store":false,"include":["reasoning.encrypted_content"]})",
          true,
          "Results: 18C | clock broken"};
}

ApiCase GeminiCase() {
  // Gemini 3 checks the signatures of the current turn.
  return {WireApi::kGeminiGenerateContent,
          "gemini-3-pro-preview",
          "reasoning=3",
          "",
          true,
          R"(Results: 18C | {"error":"clock broken"})"};
}

INSTANTIATE_TEST_SUITE_P(
    Apis, RoundTripMoreTest,
    ::testing::Values(ResponsesCase(), GeminiCase(),
                      ApiCase{WireApi::kCohereChat, "command-a-reasoning-08-2025", "reasoning=3",
                              "", true, R"(Results: 18C | {"error":"clock broken"})"},
                      ApiCase{WireApi::kOllamaChat, "qwen3:4b", "reasoning=3", "", true,
                              "Results: 18C | clock broken"}),
    ParamName);

// What the provider issued opaque (Responses encrypted_content, Gemini thoughtSignature), changed
// or dropped before it goes back: Cohere and Ollama sign nothing.
using RoundTripSealedTest = RoundTripMoreTest;

// The first reasoning part (Responses) or the first signed part (Gemini) of step 1's turn.
MessagePart* Sealed(Message* turn) {
  for (MessagePart& part : turn->parts) {
    if (!part.signature.empty() || (part.kind == PartKind::kReasoning && !part.data.empty())) {
      return &part;
    }
  }
  return nullptr;
}

TEST_P(RoundTripSealedTest, TamperedReasoningIsRefused) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/true);
  ASSERT_FALSE(HasFailure());
  MessagePart* sealed = Sealed(&Turn(&conversation));
  ASSERT_NE(sealed, nullptr);
  std::string& opaque = GetParam().api == WireApi::kResponses ? sealed->data : sealed->signature;
  ASSERT_GT(opaque.size(), 8u);
  const std::string issued = opaque;
  opaque.replace(opaque.size() - 6, 6, "AAAAAA");
  if (GetParam().api == WireApi::kResponses) {
    ExpectRefused(
        client, conversation,
        "The encrypted content " + issued.substr(0, 4) + "...AAAA could not be verified.");
  } else {
    ExpectRefused(client, conversation, "Corrupted thought signature.");
  }
  opaque = issued;  // as issued, the same turn goes through
  ExpectAnswer(client, conversation, GetParam().final_text);
}

INSTANTIATE_TEST_SUITE_P(Apis, RoundTripSealedTest,
                         ::testing::Values(ResponsesCase(), GeminiCase()), ParamName);

// Gemini 3 wants the signature of the first call of each step of the current turn.
using RoundTripGemini3Test = RoundTripMoreTest;

TEST_P(RoundTripGemini3Test, DroppedSignaturesAreRefused) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/true);
  ASSERT_FALSE(HasFailure());
  for (MessagePart& part : Turn(&conversation).parts) part.signature.clear();
  ExpectRefused(client, conversation,
                "Function call is missing a thought_signature in functionCall parts. This is "
                "required for tools to work correctly, and missing thought_signature may lead "
                "to degraded model performance. Additional data, function call "
                "`default_api:get_weather` , position 2.");
}

INSTANTIATE_TEST_SUITE_P(Apis, RoundTripGemini3Test, ::testing::Values(GeminiCase()), ParamName);

// Responses: a function_call the model made after reasoning goes back with that reasoning item,
// or the API refuses it (HTTP 400 "Item 'fc_...' of type 'function_call' was provided without
// its required 'reasoning' item: 'rs_...'.", quoted in VRSEN/agency-swarm#367).
using RoundTripResponsesTest = RoundTripMoreTest;

TEST_P(RoundTripResponsesTest, CallsGoBackWithTheirReasoningItem) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/true);
  ASSERT_FALSE(HasFailure());
  Message& turn = Turn(&conversation);
  std::string reasoning_id, call_item_id;
  for (const MessagePart& part : turn.parts) {
    if (part.kind == PartKind::kReasoning) reasoning_id = part.id;
    if (part.kind == PartKind::kToolCall && call_item_id.empty()) call_item_id = part.id;
  }
  ASSERT_TRUE(reasoning_id.starts_with("rs_")) << reasoning_id;
  ASSERT_TRUE(call_item_id.starts_with("fc_")) << call_item_id;
  // As the Conversation keeps the turn: the reasoning item, then the calls with their item ids.
  ExpectAnswer(client, conversation, GetParam().final_text);
  EXPECT_NE(last_body_.find(reasoning_id), std::string::npos) << last_body_;
  EXPECT_NE(last_body_.find(call_item_id), std::string::npos) << last_body_;
  std::erase_if(turn.parts, [](const MessagePart& p) { return p.kind == PartKind::kReasoning; });
  ExpectRefused(client, conversation,
                "Item '" + call_item_id +
                    "' of type 'function_call' was provided without its required 'reasoning' "
                    "item: '" +
                    reasoning_id + "'.");
}

// A turn another provider made goes to Responses as its text and calls only (TurnParts): no item
// ids, no reasoning, and the API takes calls without ids as they are.
TEST_P(RoundTripResponsesTest, ATurnFromAnotherProviderGoesWithoutItemIds) {
  ASSERT_TRUE(server_.ok());
  Client client = MakeClient(1);
  Conversation conversation = FirstAnswered(client, /*both=*/true);
  ASSERT_FALSE(HasFailure());
  Turn(&conversation).origin =
      MessageOrigin{.provider = Provider::kAnthropic, .api = WireApi::kAnthropicMessages};
  ExpectAnswer(client, conversation, GetParam().final_text);
  EXPECT_EQ(last_body_.find("\"fc_"), std::string::npos) << last_body_;
  EXPECT_EQ(last_body_.find(R"("type":"reasoning")"), std::string::npos) << last_body_;
  EXPECT_NE(last_body_.find("\"function_call\""), std::string::npos) << last_body_;
}

INSTANTIATE_TEST_SUITE_P(Apis, RoundTripResponsesTest, ::testing::Values(ResponsesCase()),
                         ParamName);

// Gemini's other framing: streamGenerateContent without alt=sse answers one JSON array. The
// Client always asks for SSE, so this posts the request BuildRequest makes, minus alt=sse, over
// libcurl and reads the answer with the core Stream in the framing its Content-Type names.
class GeminiJsonArrayRoundTrip : public ::testing::Test {
 protected:
  static size_t Append(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }
  static size_t Header(char* data, size_t size, size_t count, void* out) {
    std::string line(data, size * count);
    const std::string name = "content-type:";
    if (line.size() > name.size() &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string value = line.substr(name.size());
      value.erase(0, value.find_first_not_of(' '));
      value.erase(value.find_last_not_of("\r\n ") + 1);
      *static_cast<std::string*>(out) = value;
    }
    return size * count;
  }

  // One step: the request without alt=sse, its answer fed one byte at a time (the framer holds
  // every split) into a Stream.
  Completion Step(const Conversation& conversation) {
    CompletionRequest request;
    request.model = "gemini-3-pro-preview";
    request.messages = conversation.messages();
    request.tools = Tools();
    request.reasoning_effort = "low";
    HttpRequest http;
    Error error;
    EXPECT_TRUE(BuildRequest(config_, request, &http, &error)) << error.message;
    const std::string sse = "?alt=sse";
    EXPECT_EQ(http.url.substr(http.url.size() - sse.size()), sse);
    http.url.resize(http.url.size() - sse.size());
    std::string body, content_type;
    CURL* easy = curl_easy_init();
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : http.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers,
                                "x-llmstream-scenario: tool_steps=1; tool_call=2; "
                                "reasoning=3");
    curl_easy_setopt(easy, CURLOPT_URL, http.url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, http.body.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &content_type);
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
    long status = 0;
    EXPECT_EQ(curl_easy_perform(easy), CURLE_OK);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(FramingFor(WireApi::kGeminiGenerateContent, content_type), Framing::kJsonArray)
        << content_type;
    EXPECT_EQ(body.front(), '[');
    StreamOptions options;
    options.api = WireApi::kGeminiGenerateContent;
    options.provider = Provider::kLocal;
    options.model = request.model;
    options.framing = Framing::kJsonArray;
    Stream stream(options);
    for (char c : body) stream.Feed(std::string_view(&c, 1), 0);
    stream.Finish(0);
    return stream.result();
  }

  LocalProvider server_;
  ProviderConfig config_ = server_.Options("", WireApi::kGeminiGenerateContent).provider;
};

TEST_F(GeminiJsonArrayRoundTrip, SignedParallelCallsThenTheAnswer) {
  ASSERT_TRUE(server_.ok());
  Conversation conversation;
  conversation.AppendUser("What is the weather and the time in Paris?");
  Completion first = Step(conversation);
  ASSERT_FALSE(first.error) << first.error.message;
  conversation.Append(first, config_);
  const Message& turn = conversation.messages()[1];
  ASSERT_FALSE(turn.parts.empty());
  EXPECT_EQ(turn.parts.front().kind, PartKind::kReasoning);
  std::vector<const MessagePart*> calls;
  for (const MessagePart& part : turn.parts) {
    if (part.kind == PartKind::kToolCall) calls.push_back(&part);
  }
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[0]->signature.empty());  // parallel calls: the first one is signed
  EXPECT_TRUE(calls[1]->signature.empty());
  AnswerBoth(&conversation);
  Completion second = Step(conversation);
  EXPECT_FALSE(second.error) << second.error.message;
  EXPECT_EQ(second.text(), R"(Results: 18C | {"error":"clock broken"})");
}

}  // namespace
}  // namespace llmstream
