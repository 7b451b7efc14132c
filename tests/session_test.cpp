// Session: the sans-I/O driver of one completion across attempts. Every test drives a Session
// with synthetic responses and explicit times, the way a platform would: no network, no sleeps.
#include "llmstream/session.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using nlohmann::json;

// --- a scripted platform ---

// An event copied out of the Session's views.
struct Seen {
  EventKind kind = EventKind::kText;
  uint32_t choice = 0;
  uint32_t block = 0;
  std::string text;
  std::string name;
  std::optional<Error> error;
  std::optional<Usage> usage;
  std::optional<Cost> cost;
  RetryInfo retry;  // kRetry
};

class Driver {
 public:
  explicit Driver(SessionOptions options) : session(std::move(options)) {}

  SessionStep Poll(int64_t now) {
    SessionStep step = session.Poll(now);
    Take(step.events);
    return step;
  }
  void Response(int status, const HeaderList& headers, int64_t now) {
    Take(session.OnResponse(status, headers, now));
  }
  void Body(std::string_view bytes, int64_t now) { Take(session.OnBody(bytes, now)); }
  void End(int64_t now) { Take(session.OnEnd(now)); }
  void TransportError(ErrorCode code, int64_t now) {
    Error error;
    error.code = code;
    error.message = "connection reset by peer";
    Take(session.OnTransportError(error, now));
  }
  void Cancel(int64_t now) { Take(session.Cancel(now)); }

  // Poll must say kSend now; returns the attempt number.
  int ExpectSend(int64_t now) {
    const SessionStep step = Poll(now);
    EXPECT_EQ(step.action, SessionAction::kSend);
    return step.attempt;
  }
  // A whole 2xx event-stream response, body fed in one read.
  void Stream200(std::string_view body, int64_t now) {
    Response(200, {{"Content-Type", "text/event-stream; charset=utf-8"}}, now);
    Body(body, now);
    End(now);
  }

  std::vector<Seen> OfKind(EventKind kind) const {
    std::vector<Seen> out;
    for (const Seen& seen : events) {
      if (seen.kind == kind) out.push_back(seen);
    }
    return out;
  }
  std::string Text() const {
    std::string text;
    for (const Seen& seen : events) {
      if (seen.kind == EventKind::kText) text += seen.text;
    }
    return text;
  }
  std::vector<EventKind> Kinds() const {
    std::vector<EventKind> kinds;
    for (const Seen& seen : events) kinds.push_back(seen.kind);
    return kinds;
  }

  Session session;
  std::vector<Seen> events;

 private:
  void Take(std::span<const Event> batch) {
    for (const Event& e : batch) {
      Seen seen{e.kind, e.choice, e.block, std::string(e.text), std::string(e.name), {},
                {},     {},       {}};
      if (e.error) seen.error = *e.error;
      if (e.retry) seen.retry = *e.retry;
      if (e.usage) seen.usage = *e.usage;
      if (e.cost) seen.cost = *e.cost;
      events.push_back(std::move(seen));
    }
  }
};

// --- requests and bodies ---

SessionOptions ChatOptions() {
  SessionOptions options;
  options.provider.provider = Provider::kOpenAI;
  options.provider.api_key = "sk-test-key-0123456789abcdef";
  options.request.model = "gpt-4o-mini";
  options.request.prompt = "Write a short poem about roses.";
  options.retry.jitter = 0;  // exact delays unless a test wants jitter
  return options;
}

SessionOptions AnthropicOptions() {
  SessionOptions options;
  options.provider.provider = Provider::kAnthropic;
  options.provider.api_key = "sk-ant-test-key-0123456789";
  options.request.model = "claude-haiku-4-5";
  options.request.prompt = "Finish the pangram.";
  options.retry.jitter = 0;
  return options;
}

std::string Data(const json& payload) { return "data: " + payload.dump() + "\n\n"; }

std::string ChatText(const std::string& text) {
  return Data({{"id", "chatcmpl-1"},
               {"object", "chat.completion.chunk"},
               {"model", "gpt-4o-mini-2024-07-18"},
               {"choices", {{{"index", 0}, {"delta", {{"content", text}}}}}}});
}
std::string ChatFinish() {
  return Data(
      {{"id", "chatcmpl-1"},
       {"object", "chat.completion.chunk"},
       {"model", "gpt-4o-mini-2024-07-18"},
       {"choices", {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}}}});
}
std::string ChatUsage(int input, int output) {
  return Data({{"id", "chatcmpl-1"},
               {"object", "chat.completion.chunk"},
               {"model", "gpt-4o-mini-2024-07-18"},
               {"choices", json::array()},
               {"usage",
                {{"prompt_tokens", input},
                 {"completion_tokens", output},
                 {"total_tokens", input + output}}}});
}
const std::string kChatDone = "data: [DONE]\n\n";

std::string ChatBody(const std::vector<std::string>& texts, bool finish = true) {
  std::string body;
  for (const std::string& text : texts) body += ChatText(text);
  if (finish) body += ChatFinish() + ChatUsage(12, 5) + kChatDone;
  return body;
}

std::string Anthropic(const json& payload) {
  return "event: " + payload.at("type").get<std::string>() + "\n" + Data(payload);
}
std::string AnthropicStart(const std::string& id = "msg_1", int input_tokens = 25) {
  return Anthropic({{"type", "message_start"},
                    {"message",
                     {{"id", id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", "claude-haiku-4-5-20251001"},
                      {"content", json::array()},
                      {"usage", {{"input_tokens", input_tokens}, {"output_tokens", 1}}}}}});
}
std::string AnthropicBlockStart() {
  return Anthropic({{"type", "content_block_start"},
                    {"index", 0},
                    {"content_block", {{"type", "text"}, {"text", ""}}}});
}
std::string AnthropicText(const std::string& text) {
  return Anthropic({{"type", "content_block_delta"},
                    {"index", 0},
                    {"delta", {{"type", "text_delta"}, {"text", text}}}});
}
std::string AnthropicEnd(int output_tokens = 9) {
  return Anthropic({{"type", "content_block_stop"}, {"index", 0}}) +
         Anthropic({{"type", "message_delta"},
                    {"delta", {{"stop_reason", "end_turn"}}},
                    {"usage", {{"output_tokens", output_tokens}}}}) +
         Anthropic({{"type", "message_stop"}});
}
std::string AnthropicError(const std::string& type) {
  return Anthropic({{"type", "error"}, {"error", {{"type", type}, {"message", "Overloaded"}}}});
}

// The only kError event, failing the test when there is not exactly one.
Error OnlyError(const Driver& driver) {
  const std::vector<Seen> errors = driver.OfKind(EventKind::kError);
  EXPECT_EQ(errors.size(), 1u);
  return errors.empty() ? Error{} : *errors.back().error;
}

// --- the happy path ---

void ExpectSameCompletion(const Completion& got, const Completion& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.provider, want.provider);
  ASSERT_EQ(got.choices.size(), want.choices.size());
  for (size_t i = 0; i < got.choices.size(); ++i) {
    const Choice& g = got.choices[i];
    const Choice& w = want.choices[i];
    EXPECT_EQ(g.text, w.text);
    EXPECT_EQ(g.reasoning, w.reasoning);
    EXPECT_EQ(g.refusal, w.refusal);
    EXPECT_EQ(g.finish_reason, w.finish_reason);
    EXPECT_EQ(g.raw_finish_reason, w.raw_finish_reason);
    EXPECT_EQ(g.blocks.size(), w.blocks.size());
    ASSERT_EQ(g.tool_calls.size(), w.tool_calls.size());
    for (size_t t = 0; t < g.tool_calls.size(); ++t) {
      EXPECT_EQ(g.tool_calls[t].arguments, w.tool_calls[t].arguments);
    }
  }
  EXPECT_EQ(got.usage.input_tokens, want.usage.input_tokens);
  EXPECT_EQ(got.usage.output_tokens, want.usage.output_tokens);
  EXPECT_EQ(got.usage.estimated, want.usage.estimated);
  EXPECT_DOUBLE_EQ(got.cost.total_usd, want.cost.total_usd);
  EXPECT_EQ(got.cost.source, want.cost.source);
  EXPECT_EQ(got.metadata, want.metadata);
  EXPECT_EQ(got.warnings, want.warnings);
  EXPECT_EQ(got.finished, want.finished);
  EXPECT_EQ(got.truncated, want.truncated);
  EXPECT_EQ(got.error.code, want.error.code);
}

struct FixtureCase {
  const char* file;
  Provider provider;
  const char* model;
};

TEST(Session, FixtureInAnySplitAssemblesLikeStreamAlone) {
  for (const FixtureCase& fixture :
       {FixtureCase{"anthropic-text.sse", Provider::kAnthropic, "claude-haiku-4-5"},
        FixtureCase{"openai-chat-text-usage.sse", Provider::kOpenAI, "gpt-4o"},
        FixtureCase{"openrouter-usage-cost.sse", Provider::kOpenRouter, "openai/gpt-4o"}}) {
    const std::string body = lt::ReadFixture(fixture.file);
    ASSERT_FALSE(body.empty()) << fixture.file;
    StreamOptions stream_options = lt::OptionsForFixture(fixture.file);
    stream_options.model = fixture.model;
    const std::vector<lt::Split> splits = lt::StandardSplits(body.size());
    const lt::RunResult alone = lt::RunStream(stream_options, body, splits[0]);
    for (const lt::Split& split : splits) {
      SCOPED_TRACE(std::string(fixture.file) + " split " + split.name);
      SessionOptions options = ChatOptions();
      options.provider.provider = fixture.provider;
      options.request.model = fixture.model;
      Driver driver(options);
      int64_t now = 100;
      const SessionStep send = driver.Poll(now);
      ASSERT_EQ(send.action, SessionAction::kSend);
      EXPECT_EQ(send.attempt, 0);
      EXPECT_EQ(send.wake_at_ms, now + 60000);  // the first-byte deadline
      driver.Response(200, {{"content-type", "text/event-stream"}}, ++now);
      size_t at = 0;
      for (size_t n : split.sizes) {
        driver.Body(std::string_view(body).substr(at, n), ++now);
        at += n;
      }
      driver.End(++now);
      EXPECT_EQ(driver.Poll(++now).action, SessionAction::kDone);
      EXPECT_TRUE(driver.session.done());
      EXPECT_FALSE(driver.session.error());
      EXPECT_EQ(driver.session.attempts(), 1);
      ExpectSameCompletion(driver.session.result(), alone.completion);
      EXPECT_EQ(driver.Text(), alone.completion.text());
      EXPECT_EQ(driver.OfKind(EventKind::kDone).size(), 1u);
      EXPECT_TRUE(driver.OfKind(EventKind::kError).empty());
      EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
    }
  }
}

TEST(Session, SendsTheBuiltRequestAndReportsResponseFacts) {
  SessionOptions options = ChatOptions();
  HttpRequest built;
  ASSERT_TRUE(BuildRequest(options.provider, options.request, &built, nullptr));
  Driver driver(options);
  driver.ExpectSend(1000);
  EXPECT_EQ(driver.session.http_request().url, built.url);
  EXPECT_EQ(driver.session.http_request().body, built.body);
  EXPECT_EQ(driver.session.http_request().headers, built.headers);
  EXPECT_EQ(driver.Poll(1001).action, SessionAction::kWait);
  driver.Response(200,
                  {{"Content-Type", "text/event-stream"},
                   {"x-ratelimit-remaining-requests", "99"},
                   {"x-ratelimit-reset-tokens", "6m0s"}},
                  1010);
  driver.Body(ChatText("Hi"), 1020);
  driver.Body(ChatFinish() + ChatUsage(3, 1) + kChatDone, 1030);
  driver.End(1040);
  const ResponseInfo& response = driver.session.response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.size(), 3u);
  EXPECT_EQ(response.rate_limits.requests.remaining, 99);
  EXPECT_EQ(response.rate_limits.tokens.reset_ms, 360000);
  EXPECT_EQ(response.sent_ms, 1000);
  EXPECT_EQ(response.headers_ms, 1010);
  EXPECT_EQ(response.first_byte_ms, 1020);
  EXPECT_EQ(response.first_output_ms, 1020);
  EXPECT_EQ(response.ended_ms, 1040);
  EXPECT_EQ(driver.session.first_output_ms(), 1020);
  EXPECT_TRUE(driver.session.output_started());
}

TEST(Session, InvalidRequestEndsAtTheFirstPoll) {
  SessionOptions options = ChatOptions();
  options.request.model.clear();
  Driver driver(options);
  const SessionStep step = driver.Poll(0);
  EXPECT_EQ(step.action, SessionAction::kDone);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_NE(error.message.find("model"), std::string::npos) << error.message;
  EXPECT_EQ(driver.session.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(driver.session.result().error.code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(driver.session.attempts(), 0);
  EXPECT_TRUE(driver.session.done());
  EXPECT_EQ(driver.Poll(1).action, SessionAction::kDone);
  EXPECT_EQ(driver.events.size(), 1u);  // the error is reported once
}

// --- retries ---

TEST(Session, RateLimitWithRetryAfterThenSuccess) {
  Driver driver(ChatOptions());
  EXPECT_EQ(driver.ExpectSend(0), 0);
  const std::string first_body = driver.session.http_request().body;
  driver.Response(429, {{"retry-after", "3"}, {"content-type", "application/json"}}, 50);
  driver.Body(R"({"error":{"message":"Rate limit reached","type":"requests",)"
              R"("code":"rate_limit_exceeded"}})",
              60);
  EXPECT_TRUE(driver.events.empty());  // nothing is decided before the body ended
  driver.End(70);
  ASSERT_EQ(driver.events.size(), 1u);
  const Seen& retry = driver.events[0];
  EXPECT_EQ(retry.kind, EventKind::kRetry);
  ASSERT_TRUE(retry.error);
  EXPECT_EQ(retry.error->code, ErrorCode::kRateLimited);
  EXPECT_EQ(retry.error->http_status, 429);
  EXPECT_EQ(retry.error->retry_after_ms, 3000);
  EXPECT_NE(retry.error->message.find("Rate limit reached"), std::string::npos);
  EXPECT_EQ(retry.retry.attempt, 1u);      // the attempt about to start
  EXPECT_EQ(retry.retry.delay_ms, 3000u);  // the delay
  EXPECT_FALSE(retry.retry.continuation);
  EXPECT_NE(retry.text.find("Retry-After"), std::string::npos) << retry.text;

  SessionStep step = driver.Poll(70);
  EXPECT_EQ(step.action, SessionAction::kWait);  // the transfer ended: nothing to abort
  EXPECT_EQ(step.wake_at_ms, 3070);
  EXPECT_EQ(driver.Poll(3069).action, SessionAction::kWait);
  step = driver.Poll(3070);
  EXPECT_EQ(step.action, SessionAction::kSend);
  EXPECT_EQ(step.attempt, 1);
  EXPECT_EQ(driver.session.http_request().body, first_body);
  driver.Stream200(ChatBody({"Roses ", "are red."}), 3100);
  EXPECT_EQ(driver.Poll(3101).action, SessionAction::kDone);
  EXPECT_EQ(driver.session.result().text(), "Roses are red.");
  EXPECT_EQ(driver.session.attempts(), 2);
  EXPECT_FALSE(driver.session.error());
  EXPECT_TRUE(driver.OfKind(EventKind::kError).empty());
  EXPECT_EQ(driver.session.response().status, 200);  // the last attempt's
}

// Serves a 500 to every attempt until Poll says kDone.
void ServeErrors(Driver& driver, int status, const HeaderList& headers, int64_t* now) {
  for (int guard = 0; guard < 20; ++guard) {
    const SessionStep step = driver.Poll(*now);
    if (step.action == SessionAction::kDone) return;
    if (step.action == SessionAction::kWait) {
      ASSERT_GE(step.wake_at_ms, *now);
      *now = step.wake_at_ms;
      continue;
    }
    ASSERT_EQ(step.action, SessionAction::kSend);
    driver.Response(status, headers, *now + 1);
    driver.Body(R"({"error":{"message":"The server had an error","type":"server_error"}})",
                *now + 2);
    driver.End(*now + 3);
    *now += 3;
  }
  ADD_FAILURE() << "never done";
}

TEST(Session, ServerErrorsGiveUpAfterMaxRetriesWithTheLastError) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 2;
  Driver driver(options);
  int64_t now = 0;
  ServeErrors(driver, 500, {}, &now);
  EXPECT_EQ(driver.session.attempts(), 3);
  const std::vector<Seen> retries = driver.OfKind(EventKind::kRetry);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].retry.delay_ms, 500u);  // base delay, doubled: no jitter in these options
  EXPECT_EQ(retries[1].retry.delay_ms, 1000u);
  EXPECT_EQ(retries[0].retry.attempt, 1u);
  EXPECT_EQ(retries[1].retry.attempt, 2u);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kServer);
  EXPECT_EQ(error.http_status, 500);
  EXPECT_EQ(driver.events.back().kind, EventKind::kError);
  EXPECT_EQ(driver.session.error().code, ErrorCode::kServer);
  EXPECT_TRUE(driver.session.result().usage.empty());  // an HTTP error bills nothing
}

TEST(Session, AuthErrorIsNotRetried) {
  Driver driver(ChatOptions());
  int64_t now = 0;
  ServeErrors(driver, 401, {}, &now);
  EXPECT_EQ(driver.session.attempts(), 1);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kAuth);
}

TEST(Session, ShouldRetryHeaderOverrulesTheStatus) {
  {
    Driver driver(ChatOptions());
    int64_t now = 0;
    ServeErrors(driver, 503, {{"x-should-retry", "false"}}, &now);
    EXPECT_EQ(driver.session.attempts(), 1);
    EXPECT_EQ(OnlyError(driver).code, ErrorCode::kServer);
  }
  {
    SessionOptions options = ChatOptions();
    options.retry.max_retries = 1;
    Driver driver(options);
    int64_t now = 0;
    ServeErrors(driver, 400, {{"X-Should-Retry", "true"}}, &now);
    EXPECT_EQ(driver.session.attempts(), 2);
    EXPECT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
    EXPECT_EQ(OnlyError(driver).code, ErrorCode::kBadRequest);
  }
}

TEST(Session, RetryAfterAsHttpDateUsesTheDateHeaderOrTheCallersClock) {
  const HeaderList dated = {{"Date", "Wed, 21 Oct 2015 07:28:00 GMT"},
                            {"Retry-After", "Wed, 21 Oct 2015 07:28:02 GMT"}};
  {
    Driver driver(ChatOptions());
    driver.ExpectSend(0);
    driver.Response(503, dated, 10);
    driver.End(20);
    ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
    EXPECT_EQ(driver.OfKind(EventKind::kRetry)[0].retry.delay_ms,
              2000u);  // server time to server time
  }
  {
    SessionOptions options = ChatOptions();
    options.unix_ms_at_zero = *ParseHttpDate("Wed, 21 Oct 2015 07:27:59 GMT") - 1000;
    Driver driver(options);
    driver.ExpectSend(0);
    driver.Response(503, {dated[1]}, 1000);  // no Date: 07:27:59 by the caller's clock
    driver.End(1000);
    ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
    EXPECT_EQ(driver.OfKind(EventKind::kRetry)[0].retry.delay_ms, 3000u);
  }
  {
    Driver driver(ChatOptions());  // no clock at all: the date is ignored, backoff applies
    driver.ExpectSend(0);
    driver.Response(503, {dated[1]}, 10);
    driver.End(20);
    ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
    EXPECT_EQ(driver.OfKind(EventKind::kRetry)[0].retry.delay_ms, 500u);
  }
}

TEST(Session, NetworkErrorBeforeOutputIsRetried) {
  Driver driver(ChatOptions());
  driver.ExpectSend(0);
  driver.TransportError(ErrorCode::kNetwork, 30);  // refused: no response at all
  ASSERT_EQ(driver.events.size(), 1u);
  EXPECT_EQ(driver.events[0].kind, EventKind::kRetry);
  EXPECT_EQ(driver.events[0].error->code, ErrorCode::kNetwork);
  EXPECT_EQ(driver.Poll(30).wake_at_ms, 530);
  driver.ExpectSend(530);
  // Headers, then a reset before any output: retried too.
  driver.Response(200, {{"content-type", "text/event-stream"}}, 540);
  driver.Body(": keep-alive\n\n", 550);
  driver.TransportError(ErrorCode::kNetwork, 560);
  EXPECT_EQ(driver.OfKind(EventKind::kRetry).size(), 2u);
  EXPECT_TRUE(driver.OfKind(EventKind::kUsage).empty());  // no output, nothing estimated
  driver.ExpectSend(driver.Poll(560).wake_at_ms);
  driver.Stream200(ChatBody({"ok"}), 2000);
  EXPECT_EQ(driver.Poll(2001).action, SessionAction::kDone);
  EXPECT_EQ(driver.session.result().text(), "ok");
  EXPECT_EQ(driver.session.attempts(), 3);
}

TEST(Session, ResetAfterOutputIsNotRetriedAndKeepsThePartialWithEstimatedUsage) {
  SessionOptions options = ChatOptions();
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red, ") + ChatText("violets"), 20);
  driver.TransportError(ErrorCode::kNetwork, 30);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  EXPECT_EQ(driver.Poll(31).action, SessionAction::kDone);  // the transfer already failed
  EXPECT_EQ(driver.session.attempts(), 1);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kNetwork);
  EXPECT_EQ(driver.session.error().code, ErrorCode::kNetwork);

  const Completion& result = driver.session.result();
  EXPECT_EQ(result.text(), "Roses are red, violets");
  EXPECT_EQ(result.error.code, ErrorCode::kNetwork);
  // Estimated: ceil(chars / 4) of the request text and of the output.
  const int64_t input = (static_cast<int64_t>(options.request.prompt.size()) + 3) / 4;
  const int64_t output = (22 + 3) / 4;
  const std::vector<EventKind> kinds = driver.Kinds();
  const std::vector<EventKind> tail(kinds.end() - 3, kinds.end());
  EXPECT_EQ(tail, (std::vector<EventKind>{EventKind::kUsage, EventKind::kCost, EventKind::kError}));
  const Seen usage = driver.OfKind(EventKind::kUsage).back();
  EXPECT_TRUE(usage.usage->estimated);
  EXPECT_EQ(usage.usage->input_tokens, input);
  EXPECT_EQ(usage.usage->output_tokens, output);
  EXPECT_TRUE(result.usage.estimated);
  EXPECT_EQ(result.usage.input_tokens, input);
  EXPECT_EQ(result.usage.output_tokens, output);
  EXPECT_EQ(result.cost.source, CostSource::kEstimated);
  EXPECT_DOUBLE_EQ(result.cost.total_usd, (input * 0.15 + output * 0.60) / 1e6);
}

TEST(Session, InBandOverloadedBeforeOutputIsRetriedAndForgotten) {
  Driver driver(AnthropicOptions());
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(AnthropicStart("msg_failed") + AnthropicError("overloaded_error"), 20);
  const std::vector<Seen> retries = driver.OfKind(EventKind::kRetry);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].error->code, ErrorCode::kProviderError);
  EXPECT_EQ(retries[0].error->provider_type, "overloaded_error");
  // The stream is over but the transfer is not: the platform must cut it.
  EXPECT_EQ(driver.Poll(21).action, SessionAction::kAbortTransfer);
  driver.Body(AnthropicText("ignored"), 22);  // a late read of the aborted transfer
  SessionStep step = driver.Poll(22);
  EXPECT_EQ(step.action, SessionAction::kWait);
  EXPECT_EQ(step.wake_at_ms, 520);
  driver.ExpectSend(520);
  driver.Stream200(AnthropicStart("msg_ok") + AnthropicBlockStart() +
                       AnthropicText("The quick brown fox.") + AnthropicEnd(),
                   600);
  EXPECT_EQ(driver.Poll(601).action, SessionAction::kDone);
  const Completion& result = driver.session.result();
  EXPECT_EQ(result.id, "msg_ok");  // nothing of the failed attempt
  EXPECT_EQ(result.text(), "The quick brown fox.");
  EXPECT_EQ(result.usage.input_tokens, 25);
  EXPECT_EQ(result.usage.output_tokens, 9);
  EXPECT_FALSE(result.usage.estimated);
  EXPECT_FALSE(result.error);
  EXPECT_TRUE(driver.OfKind(EventKind::kError).empty());
  EXPECT_EQ(driver.Text(), "The quick brown fox.");
}

TEST(Session, InBandInvalidRequestIsNotRetried) {
  Driver driver(AnthropicOptions());
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(AnthropicStart() + AnthropicError("invalid_request_error"), 20);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kProviderError);
  EXPECT_EQ(error.provider_type, "invalid_request_error");
  EXPECT_EQ(driver.Poll(21).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(driver.Poll(22).action, SessionAction::kDone);
  // The provider had read the prompt (message_start): that input is kept, output estimated 0.
  const Usage& usage = driver.session.result().usage;
  EXPECT_TRUE(usage.estimated);
  EXPECT_EQ(usage.input_tokens, 25);
  EXPECT_EQ(usage.output_tokens, 0);
}

TEST(Session, EmptyStreamIsTruncated) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 0;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Stream200("", 10);  // 200, then nothing
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kTruncated);
  EXPECT_TRUE(driver.session.result().truncated);
}

TEST(Session, ErrorBodyIsCollectedUpToACapThenTheTransferIsCut) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 0;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(502, {{"content-type", "text/html"}}, 10);
  const std::string page =
      "<html><head><title>502 Bad Gateway</title></head><body>" + std::string(40000, 'x');
  driver.Body(page, 20);
  EXPECT_TRUE(driver.events.empty());
  driver.Body(page, 30);  // past 64 KiB: decided now
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kServer);
  EXPECT_NE(error.message.find("502 Bad Gateway"), std::string::npos) << error.message;
  EXPECT_EQ(driver.Poll(31).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(driver.Poll(31).action, SessionAction::kDone);
}

TEST(Session, JitterIsReproducibleFromTheSeed) {
  auto delays = [](uint64_t seed) {
    SessionOptions options = ChatOptions();
    options.retry.jitter = 0.25;
    options.retry.max_retries = 4;
    options.random_seed = seed;
    Driver driver(options);
    int64_t now = 0;
    ServeErrors(driver, 500, {}, &now);
    std::vector<uint32_t> out;
    for (const Seen& retry : driver.OfKind(EventKind::kRetry)) out.push_back(retry.retry.delay_ms);
    return out;
  };
  const std::vector<uint32_t> a = delays(42);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(delays(42), a);
  EXPECT_NE(delays(43), a);
  for (size_t i = 0; i < a.size(); ++i) {
    const uint32_t nominal = 500u << i;
    EXPECT_LE(a[i], nominal);
    EXPECT_GE(a[i], nominal - nominal / 4);
  }
}

// --- timeouts ---

TEST(Session, FirstByteTimeoutFiresAtExactlyTheDeadline) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 1000, .idle_ms = 200, .total_ms = 0};
  options.retry.max_retries = 1;
  Driver driver(options);
  EXPECT_EQ(driver.Poll(5000).wake_at_ms, 6000);
  SessionStep step = driver.Poll(5999);
  EXPECT_EQ(step.action, SessionAction::kWait);
  EXPECT_EQ(step.wake_at_ms, 6000);
  // Headers do not count as a body byte: the deadline stays.
  driver.Response(200, {{"content-type", "text/event-stream"}}, 5999);
  EXPECT_EQ(driver.Poll(5999).wake_at_ms, 6000);
  step = driver.Poll(6000);
  EXPECT_EQ(step.action, SessionAction::kAbortTransfer);
  ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
  const Seen retry = driver.OfKind(EventKind::kRetry)[0];
  EXPECT_EQ(retry.error->code, ErrorCode::kTimeout);
  EXPECT_NE(retry.error->message.find("1000 ms"), std::string::npos);
  step = driver.Poll(6000);
  EXPECT_EQ(step.action, SessionAction::kWait);
  EXPECT_EQ(step.wake_at_ms, 6500);
  driver.ExpectSend(6500);
  EXPECT_EQ(driver.Poll(7499).wake_at_ms, 7500);  // the new attempt's own deadline
  EXPECT_EQ(driver.Poll(7500).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kTimeout);
  EXPECT_EQ(driver.Poll(7500).action, SessionAction::kDone);
}

TEST(Session, IdleStallAfterOutputEndsWithStalled) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 1000, .idle_ms = 500, .total_ms = 0};
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses"), 100);
  EXPECT_EQ(driver.Poll(100).wake_at_ms, 600);  // idle from the last byte, no more first-byte
  driver.Body(": keep-alive\n\n", 550);         // comments are bytes too
  EXPECT_EQ(driver.Poll(550).wake_at_ms, 1050);
  EXPECT_EQ(driver.Poll(1049).action, SessionAction::kWait);
  EXPECT_EQ(driver.Poll(1050).action, SessionAction::kAbortTransfer);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());  // output was delivered
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kStalled);
  EXPECT_EQ(driver.OfKind(EventKind::kKeepAlive).size(), 1u);
  EXPECT_EQ(driver.Poll(1051).action, SessionAction::kDone);
  EXPECT_EQ(driver.session.result().text(), "Roses");
  EXPECT_TRUE(driver.session.result().usage.estimated);
}

TEST(Session, TotalTimeoutCountsFromTheSend) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 0, .idle_ms = 0, .total_ms = 2000};
  options.retry.max_retries = 0;
  Driver driver(options);
  EXPECT_EQ(driver.Poll(100).wake_at_ms, 2100);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 150);
  driver.Body(": ping\n\n", 1000);
  SessionStep step = driver.Poll(2099);
  EXPECT_EQ(step.action, SessionAction::kWait);
  EXPECT_EQ(step.wake_at_ms, 2100);
  EXPECT_EQ(driver.Poll(2100).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kTimeout);
  EXPECT_EQ(driver.Poll(2100).action, SessionAction::kDone);
}

// Keep-alives and metadata reset the idle timer but not the output one: a server that only pings
// (or trickles bytes that are not output) is cut off by output_idle_ms.
TEST(Session, OutputIdleTimeoutIgnoresKeepAlives) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 0, .idle_ms = 500, .total_ms = 0, .output_idle_ms = 1000};
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(": ping\n\n", 100);  // the first byte: the output timer starts here
  EXPECT_EQ(driver.Poll(100).wake_at_ms, 600);
  driver.Body(ChatText("Roses"), 400);  // output: from now on 1000 ms to the next
  for (int64_t at = 800; at <= 1300; at += 300) {
    driver.Body(": ping\n\n", at);  // liveness keeps the idle timer away...
    EXPECT_EQ(driver.Poll(at).action, SessionAction::kWait);
  }
  EXPECT_EQ(driver.Poll(1399).action, SessionAction::kWait);
  EXPECT_EQ(driver.Poll(1400).action, SessionAction::kAbortTransfer);  // ...not the output one
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kStalled);
  EXPECT_NE(error.message.find("no output for 1000 ms (output idle timeout)"), std::string::npos)
      << error.message;
  EXPECT_EQ(driver.session.result().text(), "Roses");
}

TEST(Session, OutputIdleTimeoutCountsFromTheFirstByteBeforeAnyOutput) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 0, .idle_ms = 0, .total_ms = 0, .output_idle_ms = 300};
  options.retry.max_retries = 0;
  Driver driver(options);
  driver.ExpectSend(0);
  EXPECT_EQ(driver.Poll(0).wake_at_ms, -1);  // no byte yet: the first-byte timer's business
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(": ping\n\n", 50);
  EXPECT_EQ(driver.Poll(50).wake_at_ms, 350);
  driver.Body(": ping\n\n", 200);
  EXPECT_EQ(driver.Poll(200).wake_at_ms, 350);
  EXPECT_EQ(driver.Poll(350).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kStalled);
}

// A server echoing the key inside a chunk that is not JSON: the bad_json error quotes the chunk,
// and the key in it is masked (found by fuzz_http_error / fuzz_session, kCheckKeyInAllErrors).
TEST(Session, InBandErrorsNeverQuoteTheKey) {
  SessionOptions options = ChatOptions();
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses") + "data: {not json " + options.provider.api_key + "}\n\n", 20);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kBadJson);
  EXPECT_EQ(error.message.find(options.provider.api_key), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("{not json [redacted]}"), std::string::npos) << error.message;
  EXPECT_EQ(driver.session.result().error.message, error.message);
}

TEST(Session, InBandErrorTypesNeverQuoteTheKey) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 0;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  const std::string& key = options.provider.api_key;
  driver.Body(
      ChatText("Roses") + R"(data: {"error":{"message":"bad","code":"x)" + key + R"("}})" + "\n\n",
      20);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kProviderError);
  EXPECT_EQ(error.provider_type, "x[redacted]");
  EXPECT_EQ(driver.session.result().error.provider_type, "x[redacted]");
}

TEST(Session, NoTimersMeansWaitingOnlyForIo) {
  SessionOptions options = ChatOptions();
  options.timeouts = {.first_byte_ms = 0, .idle_ms = 0, .total_ms = 0};
  Driver driver(options);
  EXPECT_EQ(driver.Poll(0).wake_at_ms, -1);
  EXPECT_EQ(driver.Poll(1000000).action, SessionAction::kWait);
  EXPECT_EQ(driver.Poll(1000000).wake_at_ms, -1);
}

// --- cancel and estimates ---

TEST(Session, CancelBeforeTheResponseAbortsWithoutAnEstimate) {
  Driver driver(ChatOptions());
  driver.ExpectSend(0);
  driver.Cancel(5);
  ASSERT_EQ(driver.events.size(), 1u);
  EXPECT_EQ(driver.events[0].kind, EventKind::kError);
  EXPECT_EQ(driver.events[0].error->code, ErrorCode::kAborted);
  EXPECT_EQ(driver.Poll(6).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(driver.Poll(6).action, SessionAction::kDone);
  EXPECT_EQ(driver.session.error().code, ErrorCode::kAborted);
  driver.Cancel(7);  // no-op once done
  EXPECT_EQ(driver.events.size(), 1u);
}

TEST(Session, CancelMidStreamEstimatesUsageAndCost) {
  Driver driver(AnthropicOptions());
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(AnthropicStart("msg_1", 40) + AnthropicBlockStart() +
                  AnthropicText("The quick brown fox jumps"),
              20);
  const size_t before = driver.events.size();
  driver.Cancel(30);
  const std::vector<EventKind> kinds = driver.Kinds();
  const std::vector<EventKind> tail(kinds.begin() + static_cast<std::ptrdiff_t>(before),
                                    kinds.end());
  EXPECT_EQ(tail, (std::vector<EventKind>{EventKind::kUsage, EventKind::kCost, EventKind::kError}));
  EXPECT_EQ(driver.events.back().error->code, ErrorCode::kAborted);
  EXPECT_EQ(driver.Poll(31).action, SessionAction::kAbortTransfer);
  EXPECT_EQ(driver.Poll(31).action, SessionAction::kDone);

  const Completion& result = driver.session.result();
  EXPECT_EQ(result.text(), "The quick brown fox jumps");
  EXPECT_EQ(result.error.code, ErrorCode::kAborted);
  EXPECT_TRUE(result.usage.estimated);
  EXPECT_EQ(result.usage.input_tokens, 40);             // reported in message_start
  EXPECT_EQ(result.usage.output_tokens, (25 + 3) / 4);  // 25 chars, not the placeholder 1
  EXPECT_EQ(result.cost.source, CostSource::kEstimated);
  EXPECT_DOUBLE_EQ(result.cost.total_usd, (40 * 1.00 + 7 * 5.00) / 1e6);
  EXPECT_EQ(driver.OfKind(EventKind::kCost).back().cost->source, CostSource::kEstimated);
}

TEST(Session, NoEstimateWhenTheProviderReportedUsage) {
  Driver driver(ChatOptions());
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red.") + ChatFinish() + ChatUsage(12, 5), 20);
  const size_t usages = driver.OfKind(EventKind::kUsage).size();
  driver.Cancel(30);  // before [DONE]
  EXPECT_EQ(driver.OfKind(EventKind::kUsage).size(), usages);
  EXPECT_EQ(driver.events.back().error->code, ErrorCode::kAborted);
  const Usage& usage = driver.session.result().usage;
  EXPECT_FALSE(usage.estimated);
  EXPECT_EQ(usage.input_tokens, 12);
  EXPECT_EQ(usage.output_tokens, 5);
  EXPECT_EQ(driver.session.result().cost.source, CostSource::kPriceTable);
}

TEST(Session, EstimateCanBeTurnedOffAndSkipsUnknownModelsCost) {
  {
    SessionOptions options = ChatOptions();
    options.estimate_usage = false;
    Driver driver(options);
    driver.ExpectSend(0);
    driver.Response(200, {}, 10);  // no content type: lenient, read as a stream
    driver.Body(ChatText("Roses"), 20);
    driver.Cancel(30);
    EXPECT_TRUE(driver.OfKind(EventKind::kUsage).empty());
    EXPECT_EQ(driver.session.result().text(), "Roses");
  }
  {
    SessionOptions options = ChatOptions();
    options.request.model = "some-unpriced-model";
    Driver driver(options);
    driver.ExpectSend(0);
    driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
    driver.Body(Data({{"model", "some-unpriced-model"},
                      {"choices", {{{"index", 0}, {"delta", {{"content", "Roses"}}}}}}}),
                20);
    driver.Cancel(30);
    EXPECT_EQ(driver.OfKind(EventKind::kUsage).size(), 1u);
    EXPECT_TRUE(driver.OfKind(EventKind::kCost).empty());  // the model is not priced
  }
}

TEST(Session, CancelBeforeTheFirstPollOrDuringTheDelayNeedsNoAbort) {
  {
    Driver driver(ChatOptions());
    driver.Cancel(0);
    EXPECT_EQ(OnlyError(driver).code, ErrorCode::kAborted);
    EXPECT_EQ(driver.Poll(1).action, SessionAction::kDone);
    EXPECT_EQ(driver.session.attempts(), 0);
  }
  {
    Driver driver(ChatOptions());
    driver.ExpectSend(0);
    driver.TransportError(ErrorCode::kNetwork, 10);
    EXPECT_EQ(driver.Poll(10).action, SessionAction::kWait);
    driver.Cancel(20);  // in the retry delay
    EXPECT_EQ(OnlyError(driver).code, ErrorCode::kAborted);
    EXPECT_TRUE(driver.OfKind(EventKind::kUsage).empty());
    EXPECT_EQ(driver.Poll(20).action, SessionAction::kDone);
    EXPECT_EQ(driver.Poll(5000).action, SessionAction::kDone);  // never sends again
    EXPECT_EQ(driver.session.attempts(), 1);
  }
}

TEST(Session, ReportsThatDoNotFitTheStateAreIgnored) {
  Driver driver(ChatOptions());
  driver.Body("data: stray\n\n", 0);  // nothing sent yet
  driver.End(0);
  EXPECT_TRUE(driver.events.empty());
  driver.ExpectSend(0);
  driver.Body(ChatText("too early"), 5);  // body before headers
  EXPECT_TRUE(driver.events.empty());
  driver.Stream200(ChatBody({"ok"}), 10);
  driver.End(11);  // a second end
  driver.TransportError(ErrorCode::kNetwork, 12);
  driver.Response(500, {}, 13);
  EXPECT_EQ(driver.Poll(14).action, SessionAction::kDone);
  EXPECT_EQ(driver.session.result().text(), "ok");
  EXPECT_FALSE(driver.session.error());
  EXPECT_TRUE(driver.OfKind(EventKind::kError).empty());
}

TEST(Session, TransportErrorWithoutACodeIsANetworkError) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 0;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.events.clear();
  for (const Event& e : driver.session.OnTransportError(Error{}, 5)) {
    ASSERT_EQ(e.kind, EventKind::kError);
    EXPECT_EQ(e.error->code, ErrorCode::kNetwork);
    EXPECT_FALSE(e.error->message.empty());
  }
  EXPECT_EQ(driver.session.error().code, ErrorCode::kNetwork);
}

TEST(Session, RetryAfterLongerThanTheCapGivesUp) {
  SessionOptions options = ChatOptions();
  options.retry.max_delay_ms = 10000;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(429, {{"retry-after", "60"}}, 10);
  driver.End(20);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(error.retry_after_ms, 60000);  // the caller may still wait and try later
}

TEST(Session, KeepAliveEventsCanBeTurnedOff) {
  SessionOptions options = ChatOptions();
  options.keep_alive_events = false;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Stream200(": OPENROUTER PROCESSING\n\n" + ChatBody({"ok"}), 10);
  EXPECT_TRUE(driver.OfKind(EventKind::kKeepAlive).empty());
  EXPECT_EQ(driver.session.result().text(), "ok");
}

// --- bodies that are not event streams ---

TEST(Session, JsonBodyOn200IsNotAnEventStream) {
  Driver driver(ChatOptions());
  driver.ExpectSend(0);
  driver.Response(200, {{"Content-Type", "application/json"}}, 10);
  driver.Body(R"({"id":"chatcmpl-1","object":"chat.completion","choices":[]})", 20);
  driver.End(30);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kNotEventStream);
  EXPECT_NE(error.message.find("application/json"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("chat.completion"), std::string::npos) << error.message;
  EXPECT_EQ(driver.session.attempts(), 1);
}

TEST(Session, ProviderErrorObjectOn200IsClassifiedAndRetried) {
  SessionOptions options = ChatOptions();
  options.retry.max_retries = 1;
  Driver driver(options);
  int64_t now = 0;
  driver.ExpectSend(now);
  driver.Response(200, {{"content-type", "application/json"}}, 10);
  driver.Body(R"({"error":{"message":"Overloaded, try later","type":"server_error"}})", 20);
  driver.End(30);
  ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
  const Error error = *driver.OfKind(EventKind::kRetry)[0].error;
  EXPECT_EQ(error.code, ErrorCode::kProviderError);
  EXPECT_EQ(error.provider_type, "server_error");
  EXPECT_NE(error.message.find("Overloaded, try later"), std::string::npos);
}

TEST(Session, NotEventStreamMessageNeverShowsTheKey) {
  SessionOptions options = ChatOptions();
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/plain"}}, 10);
  driver.Body("echo: " + options.provider.api_key, 20);
  driver.End(30);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.message.find(options.provider.api_key), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("[redacted]"), std::string::npos) << error.message;
}

// Issue 13: the Session hands the configured key to ClassifyHttpError, which masks it before it
// cuts the message (1,000 bytes) and in provider_type too. Masking the cut message afterwards
// left "sk-test-key-012345", 15 key characters: too short for the key-shaped-word rule.
TEST(Session, HttpErrorNeverShowsAPrefixOfTheKey) {
  SessionOptions options = ChatOptions();
  const std::string& key = options.provider.api_key;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(401, {{"content-type", "application/json"}}, 10);
  driver.Body(R"({"error":{"message":")" + std::string(1000 - 19, 'a') + " " + key +
                  R"(","code":"x)" + key + R"("}})",
              20);
  driver.End(30);
  const Error error = OnlyError(driver);
  EXPECT_EQ(error.code, ErrorCode::kAuth);
  EXPECT_EQ(error.message.find(key.substr(0, 8)), std::string::npos) << error.message.substr(990);
  EXPECT_EQ(error.provider_type, "x[redacted]");
}

// --- continuation ---

// The JSON body of the current request.
json RequestBody(const Driver& driver) { return json::parse(driver.session.http_request().body); }

TEST(Session, ContinuationOffMeansNoRetryAfterOutput) {
  SessionOptions options = AnthropicOptions();
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(AnthropicStart() + AnthropicBlockStart() + AnthropicText("The quick"), 20);
  driver.End(30);  // truncated
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kTruncated);
  EXPECT_TRUE(driver.session.result().truncated);
}

TEST(Session, AnthropicContinuationPrefillsAndSplicesWithoutDuplicates) {
  SessionOptions options = AnthropicOptions();
  options.continuation = true;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(AnthropicStart("msg_1", 20) + AnthropicBlockStart() +
                  AnthropicText("The quick brown ") + AnthropicText("fox "),
              20);
  driver.TransportError(ErrorCode::kNetwork, 30);  // reset mid-stream
  const std::vector<Seen> retries = driver.OfKind(EventKind::kRetry);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_TRUE(retries[0].retry.continuation);
  EXPECT_EQ(retries[0].error->code, ErrorCode::kNetwork);
  EXPECT_EQ(retries[0].retry.attempt, 1u);
  // The failed attempt is billed: its estimate comes before the retry.
  ASSERT_EQ(driver.OfKind(EventKind::kUsage).size(), 2u);  // message_start, then the estimate
  EXPECT_TRUE(driver.OfKind(EventKind::kUsage).back().usage->estimated);

  driver.ExpectSend(driver.Poll(30).wake_at_ms);
  const json body = RequestBody(driver);
  const json& messages = body.at("messages");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "user");
  EXPECT_EQ(messages[0].at("content"), "Finish the pangram.");
  EXPECT_EQ(messages[1].at("role"), "assistant");
  EXPECT_EQ(messages[1].at("content"), "The quick brown fox");  // no trailing whitespace

  // The model continues the prefill; its leading space repeats the one the user already saw.
  driver.Stream200(AnthropicStart("msg_2", 30) + AnthropicBlockStart() + AnthropicText(" ju") +
                       AnthropicText("mps over the lazy dog.") + AnthropicEnd(8),
                   600);
  EXPECT_EQ(driver.Poll(601).action, SessionAction::kDone);
  EXPECT_FALSE(driver.session.error());
  const Completion& result = driver.session.result();
  EXPECT_EQ(result.text(), "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(driver.Text(), result.text());  // what the user saw, nothing twice
  EXPECT_TRUE(result.finished);
  EXPECT_FALSE(result.error);
  // Usage adds both attempts: 20 + estimated output of attempt 1, then 30 + 8 reported.
  EXPECT_EQ(result.usage.input_tokens, 50);
  EXPECT_EQ(result.usage.output_tokens, (20 + 3) / 4 + 8);
  EXPECT_TRUE(result.usage.estimated);
  EXPECT_EQ(result.cost.source, CostSource::kEstimated);
  EXPECT_DOUBLE_EQ(result.cost.total_usd, (50 * 1.00 + 13 * 5.00) / 1e6);
  EXPECT_EQ(driver.session.attempts(), 2);
}

TEST(Session, OpenAiContinuationAsksToContinueAndDropsTheRepeatedTail) {
  SessionOptions options = ChatOptions();
  options.continuation = true;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red,\n") + ChatText("violets are bl"), 20);
  driver.End(30);  // no [DONE]: truncated
  ASSERT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
  EXPECT_EQ(driver.OfKind(EventKind::kRetry)[0].error->code, ErrorCode::kTruncated);

  driver.ExpectSend(driver.Poll(30).wake_at_ms);
  const json messages = RequestBody(driver).at("messages");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].at("content"), "Write a short poem about roses.");
  EXPECT_EQ(messages[1].at("role"), "assistant");
  EXPECT_EQ(messages[1].at("content"), "Roses are red,\nviolets are bl");
  EXPECT_EQ(messages[2].at("role"), "user");
  EXPECT_NE(messages[2].at("content").get<std::string>().find("Continue"), std::string::npos);

  // The model restarts the cut line: the repeated "violets are bl" is dropped.
  driver.Stream200(ChatBody({"violets ", "are ", "blue,\nsugar is sweet."}), 600);
  EXPECT_EQ(driver.Poll(601).action, SessionAction::kDone);
  const std::string want = "Roses are red,\nviolets are blue,\nsugar is sweet.";
  EXPECT_EQ(driver.session.result().text(), want);
  EXPECT_EQ(driver.Text(), want);
  EXPECT_EQ(driver.session.result().choices[0].finish_reason, "stop");
}

TEST(Session, NoContinuationOnceTheModelHadFinished) {
  SessionOptions options = ChatOptions();
  options.continuation = true;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red.") + ChatFinish() + ChatUsage(12, 5), 20);
  driver.End(30);  // [DONE] never came, but the answer had ended
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kTruncated);
  EXPECT_EQ(driver.session.result().text(), "Roses are red.");
  EXPECT_FALSE(driver.session.result().usage.estimated);  // the provider's usage had come
}

TEST(Session, ContinuationCountsAgainstMaxRetries) {
  SessionOptions options = ChatOptions();
  options.continuation = true;
  options.retry.max_retries = 1;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red,"), 20);
  driver.TransportError(ErrorCode::kNetwork, 30);
  driver.ExpectSend(driver.Poll(30).wake_at_ms);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 600);
  driver.Body(ChatText(" violets"), 610);
  driver.TransportError(ErrorCode::kNetwork, 620);
  EXPECT_EQ(driver.OfKind(EventKind::kRetry).size(), 1u);
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kNetwork);
  EXPECT_EQ(driver.session.result().text(), "Roses are red, violets");
  EXPECT_EQ(driver.session.attempts(), 2);
}

TEST(Session, AFailedContinuationIsEstimatedFromItsOwnOutput) {
  SessionOptions options = ChatOptions();
  options.continuation = true;
  options.retry.max_retries = 1;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(ChatText("Roses are red,"), 20);  // 14 characters: 4 tokens
  driver.TransportError(ErrorCode::kNetwork, 30);
  driver.ExpectSend(driver.Poll(30).wake_at_ms);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 600);
  // The model repeats "red," (spliced away) and goes on: 21 characters generated, 6 tokens.
  driver.Body(ChatText("red, violets are blue"), 610);
  driver.TransportError(ErrorCode::kNetwork, 620);
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kNetwork);
  const Completion& result = driver.session.result();
  EXPECT_EQ(result.text(), "Roses are red, violets are blue");
  // Each attempt is billed for what it generated: not the whole answer again for the second
  // (whose Stream assembles its own output, unlike the first's: see MakeAttemptStream).
  EXPECT_TRUE(result.usage.estimated);
  EXPECT_EQ(result.usage.output_tokens, 4 + 6);
}

TEST(Session, NoContinuationWhileAToolCallIsInFlight) {
  SessionOptions options = ChatOptions();
  options.continuation = true;
  Driver driver(options);
  driver.ExpectSend(0);
  driver.Response(200, {{"content-type", "text/event-stream"}}, 10);
  driver.Body(
      Data({{"id", "chatcmpl-1"},
            {"model", "gpt-4o-mini"},
            {"choices",
             {{{"index", 0},
               {"delta",
                {{"tool_calls",
                  {{{"index", 0},
                    {"id", "call_1"},
                    {"type", "function"},
                    {"function", {{"name", "get_weather"}, {"arguments", "{\"ci"}}}}}}}}}}}}),
      20);
  driver.TransportError(ErrorCode::kNetwork, 30);
  EXPECT_TRUE(driver.OfKind(EventKind::kRetry).empty());
  EXPECT_EQ(OnlyError(driver).code, ErrorCode::kNetwork);
}

}  // namespace
}  // namespace llmstream
