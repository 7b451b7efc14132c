// The core's relay client (provider kRelay, docs/relay-protocol.md): a Session that POSTs to a
// relay and reads its stream through the relay dialect. Every shared fixture is encoded by the
// RelayEncoder, then read back by a relay Session in every split: the events and the assembled
// result are the direct stream's. Then the resume state machine (cuts at many offsets, gaps,
// duplicates, 204, the reconnection budget, no second POST after `start`), the request it sends
// and the cancel request.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/relay.h"
#include "llmstream/session.h"
#include "llmstream/to_json.h"
#include "relay/js_json.h"
#include "support/fixtures.h"
#include "support/relay_fixture.h"
#include "support/request_helpers.h"

namespace llmstream::testing {
namespace {

constexpr std::string_view kRelayUrl = "http://127.0.0.1:9/api/chat";
constexpr std::string_view kStreamId = "r_00000000000000000000";  // EncodeFixture's

SessionOptions RelayOptions() {
  SessionOptions options;
  options.provider.provider = Provider::kRelay;
  options.provider.base_url = std::string(kRelayUrl);
  options.request.model = "fixture-model";
  options.request.prompt = "Hi";
  options.keep_alive_events = false;
  return options;
}

const HeaderList kStreamHeaders = {{"Content-Type", "text/event-stream; charset=utf-8"},
                                   {"Llmstream-Relay", "1"},
                                   {"Llmstream-Relay-Stream", std::string(kStreamId)}};

// A relay Session driven by hand: one clock tick per call.
class Driver {
 public:
  explicit Driver(SessionOptions options = RelayOptions()) : session_(std::move(options)) {}

  // Polls until the session asks for something other than a wait that is due now; returns it.
  SessionStep Poll() {
    for (;;) {
      SessionStep step = session_.Poll(now_);
      Take(step.events);
      if (step.action == SessionAction::kAbortTransfer) continue;
      if (step.action == SessionAction::kWait && step.wake_at_ms >= 0) {
        now_ = std::max(now_, step.wake_at_ms);  // the timer fires (a resume's delay)
        continue;
      }
      return step;
    }
  }
  // Expects a kSend and returns its request.
  HttpRequest Send() {
    const SessionStep step = Poll();
    EXPECT_EQ(step.action, SessionAction::kSend);
    return session_.http_request();
  }
  void Respond(int status, const HeaderList& headers = kStreamHeaders) {
    Take(session_.OnResponse(status, headers, ++now_));
  }
  void Body(std::string_view bytes, const Split& split) {
    size_t at = 0;
    for (size_t n : split.sizes) {
      Take(session_.OnBody(bytes.substr(at, n), ++now_));
      at += n;
    }
  }
  void Body(std::string_view bytes) { Body(bytes, {"whole", {bytes.size()}}); }
  void End() { Take(session_.OnEnd(++now_)); }
  void TransportError() {
    Error error;
    error.code = ErrorCode::kNetwork;
    error.message = "connection reset";
    Take(session_.OnTransportError(error, ++now_));
  }

  Session& session() { return session_; }
  const std::vector<OwnedEvent>& events() const { return events_; }
  int64_t now() const { return now_; }

 private:
  void Take(std::span<const Event> events) {
    for (const Event& e : events) events_.push_back(ToOwned(e));
  }

  Session session_;
  int64_t now_ = 0;
  std::vector<OwnedEvent> events_;
};

// The result as JSON, its JSON metadata values in their canonical form: the protocol carries
// JSON as JSON.stringify writes it (docs/relay-protocol.md), not with the provider's whitespace.
std::string Json(Completion completion) {
  for (auto& [key, value] : completion.metadata) {
    std::string canonical;
    if (relay::AppendCanonicalJson(&canonical, value)) value = canonical;
  }
  std::string out;
  AppendJson(&out, completion);
  return out;
}

// What a direct stream of the fixture gives, and its relay bytes.
struct Direct {
  Encoded encoded;
  std::vector<OwnedEvent> events;  // as the protocol carries them, coalesced
};

Direct DirectRun(const std::string& file) {
  const std::string body = ReadFixture(file);
  Direct direct;
  direct.encoded = EncodeFixture(RelayFixtureOptions(file), body, {"whole", {body.size()}},
                                 /*with_completion=*/true);
  direct.events = Coalesce(AsRelayed(direct.encoded.events));
  return direct;
}

// `size` bytes in reads of `n` (the last one shorter).
Split Reads(size_t size, size_t n) {
  Split split{"reads of " + std::to_string(n), {}};
  for (size_t at = 0; at < size; at += n) split.sizes.push_back(std::min(n, size - at));
  return split;
}

// Where event `id` of a relay stream starts (its "id:" line); npos when there is none.
size_t EventOffset(std::string_view bytes, uint64_t id) {
  const std::string line = "id: " + std::to_string(id) + "\n";
  if (bytes.starts_with(line)) return 0;
  const size_t at = bytes.find("\n" + line);
  return at == std::string_view::npos ? at : at + 1;
}

// --- every fixture through a relay Session ---

class RelayClientFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(RelayClientFixtures, SameEventsAndResultAsADirectStreamInEverySplit) {
  const Direct direct = DirectRun(GetParam());
  const std::string& bytes = direct.encoded.bytes;
  for (const Split& split : StandardSplits(bytes.size())) {
    Driver driver;
    const HttpRequest post = driver.Send();
    EXPECT_EQ(post.method, "POST");
    driver.Respond(200);
    driver.Body(bytes, split);
    driver.End();
    ASSERT_EQ(driver.Poll().action, SessionAction::kDone) << split.name;
    EXPECT_EQ(driver.session().attempts(), 1) << split.name;
    ExpectSameEvents(Coalesce(driver.events()), direct.events, "relay split " + split.name);
    EXPECT_EQ(Json(driver.session().result()), Json(direct.encoded.result)) << split.name;
    const bool failed = direct.events.back().kind == EventKind::kError;
    EXPECT_EQ(static_cast<bool>(driver.session().error()), failed) << split.name;
  }
}

// A cut after any event, then the resume's body (the encoder's bytes after Last-Event-ID): one
// unbroken stream, as if nothing happened.
TEST_P(RelayClientFixtures, ACutIsResumedAfterTheLastEventWithoutAGapOrADuplicate) {
  const Direct direct = DirectRun(GetParam());
  const std::string& bytes = direct.encoded.bytes;
  // Cuts at a few places: inside the first events, in the middle, just before the end; each at
  // an event's start, and one byte on (inside an event, which is then read again).
  std::vector<size_t> cuts;
  for (size_t share : {3u, 25u, 50u, 90u}) {
    const size_t at = bytes.size() * share / 100;
    const size_t event = bytes.rfind("\nid: ", at);
    if (event == std::string::npos) continue;
    cuts.push_back(event + 1);
    cuts.push_back(event + 2);
  }
  cuts.push_back(bytes.size() - 1);  // the terminal event's last blank line missing
  for (size_t cut : cuts) {
    const std::string what = "cut at " + std::to_string(cut);
    Driver driver;
    driver.Send();
    driver.Respond(200);
    driver.Body(std::string_view(bytes).substr(0, cut));
    driver.End();
    const HttpRequest resume = driver.Send();
    EXPECT_EQ(resume.method, "GET") << what;
    EXPECT_EQ(resume.url, std::string(kRelayUrl) + "?stream=" + std::string(kStreamId)) << what;
    EXPECT_TRUE(resume.body.empty()) << what;
    EXPECT_EQ(test::HeaderOf(resume, "Llmstream-Relay"), "1") << what;
    const std::string last = test::HeaderOf(resume, "Last-Event-ID");
    // (Cut before `start`: the stream is named by its header, resumed from event 0.)
    const size_t tail = EventOffset(bytes, last == "<absent>" ? 0 : std::stoull(last) + 1);
    ASSERT_NE(tail, std::string::npos) << what;
    EXPECT_LE(tail, cut) << what;  // everything complete before the cut was read
    driver.Respond(200);
    driver.Body(std::string_view(bytes).substr(tail), Reads(bytes.size() - tail, 13));
    driver.End();
    ASSERT_EQ(driver.Poll().action, SessionAction::kDone) << what;
    EXPECT_EQ(driver.session().attempts(), 2) << what;
    ExpectSameEvents(Coalesce(driver.events()), direct.events, what);
    EXPECT_EQ(Json(driver.session().result()), Json(direct.encoded.result)) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, RelayClientFixtures, ::testing::ValuesIn(AllFixtures()),
                         FixtureTestName);

// --- the resume rules, one at a time, on one fixture ---

const Direct& OneFixture() {
  static const Direct direct = DirectRun(FixtureFiles().front());
  return direct;
}

// The session after a cut after event `id` (complete), waiting to resume.
Driver CutAfter(uint64_t id, SessionOptions options = RelayOptions()) {
  const std::string& bytes = OneFixture().encoded.bytes;
  Driver driver(std::move(options));
  driver.Send();
  driver.Respond(200);
  driver.Body(std::string_view(bytes).substr(0, EventOffset(bytes, id + 1)));
  driver.End();
  return driver;
}

std::string TailFrom(uint64_t id) {
  const std::string& bytes = OneFixture().encoded.bytes;
  return bytes.substr(EventOffset(bytes, id));
}

const OwnedEvent& LastEvent(const Driver& driver) { return driver.events().back(); }

TEST(RelayClient, AGapAfterAResumeBreaksTheProtocol) {
  Driver driver = CutAfter(2);
  EXPECT_EQ(test::HeaderOf(driver.Send(), "Last-Event-ID"), "2");
  driver.Respond(200);
  driver.Body(TailFrom(4));  // event 3 is missing
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kBadFrame);
  EXPECT_NE(driver.session().error().message.find("(a gap)"), std::string::npos);
  EXPECT_EQ(driver.session().attempts(), 2);  // no resume of a broken stream
  // Failed here, not ended by the relay: its upstream is still to be cancelled.
  EXPECT_TRUE(driver.session().relay_cancel_request());
}

TEST(RelayClient, ADuplicateAfterAResumeBreaksTheProtocol) {
  Driver driver = CutAfter(2);
  driver.Send();
  driver.Respond(200);
  driver.Body(TailFrom(2));  // event 2 again
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kBadFrame);
  EXPECT_NE(driver.session().error().message.find("duplicate"), std::string::npos);
}

TEST(RelayClient, NoContentToAResumeMeansTheEndWasMissed) {
  Driver driver = CutAfter(2);
  driver.Send();
  driver.Respond(204, {});
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kTruncated);
  EXPECT_EQ(driver.session().error().http_status, 204);
  EXPECT_EQ(LastEvent(driver).kind, EventKind::kError);
  EXPECT_TRUE(driver.session().result().truncated);
  EXPECT_EQ(driver.session().attempts(), 2);
}

TEST(RelayClient, GivesUpAfterMaxRetriesResumesWithoutANewEvent) {
  SessionOptions options = RelayOptions();
  options.retry.max_retries = 3;
  Driver driver = CutAfter(2, options);
  // Failed resumes: a transport error, a 503 from a proxy, an empty body.
  driver.Send();
  driver.TransportError();
  driver.Send();
  driver.Respond(503, {{"Content-Type", "text/html"}});
  EXPECT_EQ(test::HeaderOf(driver.Send(), "Last-Event-ID"), "2");
  driver.Respond(200);
  driver.End();
  // The budget is spent: the cut's error, no fourth resume.
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().attempts(), 4);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kTruncated);
  for (const OwnedEvent& e : driver.events()) EXPECT_NE(e.kind, EventKind::kRetry);  // invisible
}

TEST(RelayClient, ANewEventRenewsTheResumeBudget) {
  SessionOptions options = RelayOptions();
  options.retry.max_retries = 1;
  const std::string& bytes = OneFixture().encoded.bytes;
  Driver driver = CutAfter(2, options);
  driver.Send();
  driver.Respond(200);
  // One more event, then a cut again: a fresh resume is allowed.
  driver.Body(std::string_view(bytes).substr(EventOffset(bytes, 3),
                                             EventOffset(bytes, 4) - EventOffset(bytes, 3)));
  driver.End();
  EXPECT_EQ(test::HeaderOf(driver.Send(), "Last-Event-ID"), "3");
  driver.TransportError();
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);  // that one had no new event
  EXPECT_EQ(driver.session().attempts(), 3);
}

TEST(RelayClient, NeverPostsAgainOnceTheRelayNamedTheStream) {
  SessionOptions options = RelayOptions();
  options.retry.max_retries = 5;
  // Named by the header only, cut before `start`: resumed from event 0 (no Last-Event-ID).
  Driver driver(options);
  EXPECT_EQ(driver.Send().method, "POST");
  driver.Respond(200);
  driver.TransportError();
  const HttpRequest resume = driver.Send();
  EXPECT_EQ(resume.method, "GET");
  EXPECT_EQ(test::HeaderOf(resume, "Last-Event-ID"), "<absent>");
  // Whatever follows, only GETs.
  for (int i = 0; i < 4; ++i) {
    driver.TransportError();
    EXPECT_EQ(driver.Send().method, "GET");
  }
}

TEST(RelayClient, TheRelaysErrorEventEndsTheStreamWithoutARetry) {
  RelayEncoder encoder(kStreamId, "m");
  std::string bytes;
  encoder.WriteStart(&bytes);
  Error upstream{ErrorCode::kServer, "upstream overloaded", "overloaded_error", 529, 1500};
  Event error;
  error.kind = EventKind::kError;
  error.error = &upstream;
  encoder.WriteBatch({&error, 1}, &bytes, R"({"text":""})");
  Driver driver;
  driver.Send();
  driver.Respond(200);
  driver.Body(bytes);
  driver.End();
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().attempts(), 1);
  const Error& got = driver.session().error();
  EXPECT_EQ(got.code, ErrorCode::kServer);
  EXPECT_EQ(got.message, "upstream overloaded");
  EXPECT_EQ(got.http_status, 529);
  EXPECT_EQ(got.retry_after_ms, 1500);
  EXPECT_EQ(got.provider_type, "overloaded_error");
  EXPECT_FALSE(driver.session().relay_cancel_request());  // the stream ended
}

// The relay retried upstream before any output: as after a direct Session's retry, what the
// failed attempt said (its metadata, a usage) is not in the result; the kRetry is shown.
TEST(RelayClient, TheRelaysRetryStartsTheResultOver) {
  RelayEncoder encoder(kStreamId, "m");
  std::string bytes;
  encoder.WriteStart(&bytes);
  Usage usage;
  usage.input_tokens = 7;
  Error cause{ErrorCode::kServer, "overloaded", "", 503, {}};
  RetryInfo retry_info;
  retry_info.attempt = 1;
  retry_info.delay_ms = 500;
  std::vector<Event> batch(5);
  batch[0].kind = EventKind::kMetadata;
  batch[0].name = "custom";
  batch[0].text = "first-attempt";
  batch[1].kind = EventKind::kUsage;
  batch[1].usage = &usage;
  batch[2].kind = EventKind::kRetry;
  batch[2].error = &cause;
  batch[2].retry = &retry_info;
  batch[2].text = "server error";
  batch[3].kind = EventKind::kText;
  batch[3].text = "Hello";
  batch[4].kind = EventKind::kDone;
  batch[4].text = "stop";
  encoder.WriteBatch(batch, &bytes, "{}");
  Driver driver;
  driver.Send();
  driver.Respond(200);
  driver.Body(bytes);
  driver.End();
  ASSERT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_FALSE(driver.session().error());
  const Completion& result = driver.session().result();
  EXPECT_EQ(result.text(), "Hello");
  EXPECT_TRUE(result.metadata.empty());
  EXPECT_FALSE(result.usage.input_tokens);
  ASSERT_GE(driver.events().size(), 3u);
  EXPECT_EQ(driver.events()[2].kind, EventKind::kRetry);
  EXPECT_EQ(driver.session().attempts(), 1);
}

// A relay's partialObject members are its caller's choice: this client shows its own, when its
// caller asked (SessionOptions::partial_objects), never the relay's.
TEST(RelayClient, PartialObjectsAreTheClientsOwn) {
  RelayEncoder encoder(kStreamId, "m");
  std::string bytes;
  encoder.WriteStart(&bytes);
  std::vector<Event> batch(3);
  batch[0].kind = EventKind::kText;
  batch[0].text = R"({"a": 1)";
  batch[1].kind = EventKind::kPartialObject;
  batch[1].part = static_cast<uint8_t>(PartialSource::kText);
  batch[1].text = R"({"a":1})";
  batch[2].kind = EventKind::kDone;
  batch[2].text = "stop";
  encoder.WriteBatch(batch, &bytes, "{}");
  ASSERT_NE(bytes.find("partialObject"), std::string::npos);
  auto partials = [&](bool asked) {
    SessionOptions options = RelayOptions();
    options.request.response_format.type = ResponseFormatType::kJsonObject;
    options.partial_objects = asked;
    Driver driver(options);
    driver.Send();
    driver.Respond(200);
    driver.Body(bytes);
    driver.End();
    driver.Poll();
    std::vector<std::string> texts;
    for (const OwnedEvent& e : driver.events()) {
      if (e.kind == EventKind::kPartialObject) texts.push_back(e.text);
    }
    return texts;
  };
  EXPECT_TRUE(partials(false).empty());
  // One, the client's own: to it the number may still go on (the relay's said {"a":1}).
  EXPECT_EQ(partials(true), std::vector<std::string>{"{}"});
}

TEST(RelayClient, ARefusalBeforeTheStreamIsTheRelaysErrorAndMayBeRetried) {
  SessionOptions options = RelayOptions();
  options.retry.max_retries = 1;
  options.retry.base_delay_ms = 0;
  Driver driver(options);
  driver.Send();
  driver.Respond(503, {{"Content-Type", "application/json"}});
  driver.Body(R"({"error":{"code":"server","message":"no room","retryable":true}})");
  driver.End();
  EXPECT_EQ(driver.Send().method, "POST");  // nothing was named: the policy retries the POST
  driver.Respond(403, {{"Content-Type", "application/json"}});
  driver.Body(R"({"error":{"code":"policy_violation","message":"model 'x' is not allowed here",)"
              R"("retryable":false}})");
  driver.End();
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kPolicyViolation);
  EXPECT_EQ(driver.session().error().message, "model 'x' is not allowed here");
  EXPECT_EQ(driver.session().error().http_status, 403);
}

TEST(RelayClient, AResumeTheRelayRefusesEndsTheStream) {
  Driver driver = CutAfter(2);
  driver.Send();
  driver.Respond(409, {{"Content-Type", "application/json"}});
  driver.Body(
      R"({"error":{"code":"invalid_request","message":"unknown stream","retryable":false}})");
  driver.End();
  EXPECT_EQ(driver.Poll().action, SessionAction::kDone);
  EXPECT_EQ(driver.session().error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(driver.session().attempts(), 2);
}

// --- what is sent ---

TEST(RelayClient, CancelRequestNamesTheStreamUntilItEnds) {
  Driver driver;
  driver.Send();
  EXPECT_FALSE(driver.session().relay_cancel_request());  // nothing named yet
  driver.Respond(200);
  std::optional<HttpRequest> cancel = driver.session().relay_cancel_request();
  ASSERT_TRUE(cancel);  // by the header, before `start` was read
  EXPECT_EQ(cancel->method, "DELETE");
  EXPECT_EQ(cancel->url, std::string(kRelayUrl) + "?stream=" + std::string(kStreamId));
  EXPECT_EQ(test::HeaderOf(*cancel, "Llmstream-Relay"), "1");
  EXPECT_TRUE(cancel->body.empty());
  driver.session().Cancel(driver.now());
  EXPECT_EQ(driver.session().error().code, ErrorCode::kAborted);
  EXPECT_TRUE(driver.session().relay_cancel_request());  // still to be sent after Cancel

  Driver whole;
  whole.Send();
  whole.Respond(200);
  whole.Body(OneFixture().encoded.bytes);
  whole.End();
  EXPECT_FALSE(whole.session().relay_cancel_request());  // done: nothing to cancel
}

TEST(RelayRequest, PostsThePackagesFieldsToTheRelayUrlAsItIs) {
  ProviderConfig config{.provider = Provider::kRelay,
                        .api_key = "app-token-1234567890",
                        .base_url = "https://app.example/api/chat?tenant=a",
                        .headers = {{"X-App", "7"}}};
  CompletionRequest request{.model = "gpt-4o-mini", .prompt = "Hi", .system = "Be brief"};
  request.messages = {
      Message{.role = "user", .content = "earlier"},
      Message{.role = "assistant", .tool_calls = {{.id = "c1", .name = "f", .arguments = "{}"}}},
      Message{.role = "tool", .content = "42", .tool_call_id = "c1"}};
  request.max_tokens = 256;
  request.temperature = 0.5;
  request.top_p = 0.9;
  request.stop = {"END"};
  request.n = 2;
  request.reasoning_effort = "low";
  request.reasoning_budget_tokens = 2048;
  request.tools = {{.name = "f", .description = "d", .parameters_json = R"({"type":"object"})"}};
  request.tool_choice = "auto";
  request.response_format = {.type = ResponseFormatType::kJsonSchema,
                             .name = "answer",
                             .schema_json = R"({"type":"object"})"};
  const test::BuiltRequest built = test::BuildOk(config, request);
  EXPECT_EQ(built.http.method, "POST");
  EXPECT_EQ(built.http.url, "https://app.example/api/chat?tenant=a");
  EXPECT_EQ(test::HeaderOf(built.http, "Content-Type"), "application/json");
  EXPECT_EQ(test::HeaderOf(built.http, "Accept"), "text/event-stream");
  EXPECT_EQ(test::HeaderOf(built.http, "Llmstream-Relay"), "1");
  EXPECT_EQ(test::HeaderOf(built.http, "Authorization"), "Bearer app-token-1234567890");
  EXPECT_EQ(test::HeaderOf(built.http, "X-App"), "7");
  EXPECT_EQ(
      built.http.body,
      R"({"model":"gpt-4o-mini","prompt":"Hi","system":"Be brief","messages":[)"
      R"({"role":"user","content":"earlier"},)"
      R"({"role":"assistant","content":"","toolCalls":[{"id":"c1","name":"f","arguments":"{}"}]},)"
      R"({"role":"tool","content":"42","toolCallId":"c1"}],)"
      R"("maxTokens":256,"temperature":0.5,"topP":0.9,"stop":["END"],"n":2,)"
      R"("reasoningEffort":"low","reasoningBudgetTokens":2048,)"
      R"("responseFormat":{"type":"json_schema","name":"answer","schema":{"type":"object"}},)"
      R"("tools":[{"name":"f","description":"d","parameters":{"type":"object"}}],)"
      R"("toolChoice":"auto"})");
  // The app's token travels in its header only; nothing names where a provider key would go.
  EXPECT_EQ(built.http.body.find("app-token"), std::string::npos);
  for (std::string_view owned : {"apiKey", "baseURL", "headers", "provider", "\"api\""}) {
    EXPECT_EQ(built.http.body.find(owned), std::string::npos) << owned;
  }
  test::ExpectNeverLogged(built.http, config.api_key);

  // The resume and cancel of a relay URL with a query of its own: &stream=.
  Session session(SessionOptions{.provider = config, .request = request});
  session.Poll(0);
  session.OnResponse(200, kStreamHeaders, 1);
  const std::optional<HttpRequest> cancel = session.relay_cancel_request();
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->url, "https://app.example/api/chat?tenant=a&stream=" + std::string(kStreamId));
  EXPECT_EQ(test::HeaderOf(*cancel, "Authorization"), "Bearer app-token-1234567890");
}

TEST(RelayRequest, AnEmptyModelIsTheRelaysDefaultAndProviderOptionsAreRefused) {
  ProviderConfig config{.provider = Provider::kRelay, .base_url = std::string(kRelayUrl)};
  const test::BuiltRequest built = test::BuildOk(config, {.prompt = "Hi"});
  EXPECT_EQ(built.http.body, R"({"prompt":"Hi"})");
  EXPECT_EQ(test::HeaderOf(built.http, "Authorization"), "<absent>");
  EXPECT_NE(test::BuildFails(config, {.prompt = "Hi", .extra_body_json = R"({"seed":1})"})
                .find("extra_body_json"),
            std::string::npos);
  EXPECT_NE(test::BuildFails({.provider = Provider::kRelay}, {.prompt = "Hi"}).find("base_url"),
            std::string::npos);
  // A relay speaks only the relay protocol, and only a relay speaks it.
  EXPECT_NE(test::BuildFails({.provider = Provider::kRelay,
                              .base_url = std::string(kRelayUrl),
                              .api = WireApi::kChatCompletions},
                             {.prompt = "Hi"})
                .find("does not serve"),
            std::string::npos);
  EXPECT_NE(
      test::BuildFails({.provider = Provider::kOpenAI, .api_key = "k", .api = WireApi::kRelay},
                       {.model = "m", .prompt = "Hi"})
          .find("does not serve"),
      std::string::npos);
  EXPECT_EQ(ParseProvider("relay"), Provider::kRelay);
  EXPECT_EQ(ParseWireApi("relay"), WireApi::kRelay);
  EXPECT_FALSE(ApiKeyRequired(Provider::kRelay));
}

}  // namespace
}  // namespace llmstream::testing
