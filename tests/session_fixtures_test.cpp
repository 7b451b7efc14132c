// A Session over one attempt must assemble exactly what a bare Stream assembles from the same
// bytes: every recorded fixture, in every standard split. The Session's Stream leaves the deltas
// out of its own result (stream_internal::Access::SetAssembleDeltas) because the Session builds
// the result from the events it delivers; these tests pin down that nothing is lost by that,
// including the usage the Session estimates from the attempt's output when a stream fails.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "llmstream/session.h"
#include "llmstream/stream.h"
#include "session/usage_estimate.h"
#include "stream/emitter.h"
#include "stream/stream_internal.h"
#include "support/fixtures.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;

constexpr const char* kModel = "gpt-4o";  // priced in the default table: costs are compared too

void ExpectSameUsage(const Usage& got, const Usage& want) {
  EXPECT_EQ(got.input_tokens, want.input_tokens);
  EXPECT_EQ(got.output_tokens, want.output_tokens);
  EXPECT_EQ(got.total_tokens, want.total_tokens);
  EXPECT_EQ(got.cached_input_tokens, want.cached_input_tokens);
  EXPECT_EQ(got.cache_write_tokens, want.cache_write_tokens);
  EXPECT_EQ(got.reasoning_tokens, want.reasoning_tokens);
  EXPECT_EQ(got.reported_cost_usd, want.reported_cost_usd);
  EXPECT_EQ(got.estimated, want.estimated);
}

void ExpectSameCost(const Cost& got, const Cost& want) {
  EXPECT_DOUBLE_EQ(got.total_usd, want.total_usd);
  EXPECT_DOUBLE_EQ(got.input_usd, want.input_usd);
  EXPECT_DOUBLE_EQ(got.cached_input_usd, want.cached_input_usd);
  EXPECT_DOUBLE_EQ(got.cache_write_usd, want.cache_write_usd);
  EXPECT_DOUBLE_EQ(got.output_usd, want.output_usd);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.price_date, want.price_date);
}

// Every field of the Completion; usage and cost apart (see the callers).
void ExpectSameContent(const Completion& got, const Completion& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.model, want.model);
  EXPECT_EQ(got.provider, want.provider);
  ASSERT_EQ(got.choices.size(), want.choices.size());
  for (size_t i = 0; i < got.choices.size(); ++i) {
    SCOPED_TRACE("choice " + std::to_string(i));
    const Choice& g = got.choices[i];
    const Choice& w = want.choices[i];
    EXPECT_EQ(g.index, w.index);
    EXPECT_EQ(g.role, w.role);
    EXPECT_EQ(g.text, w.text);
    EXPECT_EQ(g.reasoning, w.reasoning);
    EXPECT_EQ(g.reasoning_signature, w.reasoning_signature);
    EXPECT_EQ(g.refusal, w.refusal);
    EXPECT_EQ(g.citations, w.citations);
    EXPECT_EQ(g.finish_reason, w.finish_reason);
    EXPECT_EQ(g.raw_finish_reason, w.raw_finish_reason);
    EXPECT_EQ(g.stop_sequence, w.stop_sequence);
    EXPECT_EQ(g.logprob_tokens, w.logprob_tokens);
    ASSERT_EQ(g.tool_calls.size(), w.tool_calls.size());
    for (size_t t = 0; t < g.tool_calls.size(); ++t) {
      const ToolCall& gc = g.tool_calls[t];
      const ToolCall& wc = w.tool_calls[t];
      EXPECT_EQ(gc.index, wc.index);
      EXPECT_EQ(gc.kind, wc.kind);
      EXPECT_EQ(gc.id, wc.id);
      EXPECT_EQ(gc.type, wc.type);
      EXPECT_EQ(gc.name, wc.name);
      EXPECT_EQ(gc.arguments, wc.arguments);
      EXPECT_EQ(gc.complete, wc.complete);
      EXPECT_EQ(gc.arguments_valid, wc.arguments_valid);
    }
    ASSERT_EQ(g.blocks.size(), w.blocks.size());
    for (size_t b = 0; b < g.blocks.size(); ++b) {
      const Block& gb = g.blocks[b];
      const Block& wb = w.blocks[b];
      EXPECT_EQ(gb.index, wb.index);
      EXPECT_EQ(gb.type, wb.type);
      EXPECT_EQ(gb.text, wb.text);
      EXPECT_EQ(gb.signature, wb.signature);
      EXPECT_EQ(gb.data, wb.data);
      EXPECT_EQ(gb.citations, wb.citations);
      EXPECT_EQ(gb.tool_call, wb.tool_call);
    }
  }
  EXPECT_EQ(got.metadata, want.metadata);
  EXPECT_EQ(got.warnings, want.warnings);
  EXPECT_EQ(got.error.code, want.error.code);
  EXPECT_EQ(got.error.message, want.error.message);
  EXPECT_EQ(got.error.provider_type, want.error.provider_type);
  EXPECT_EQ(got.error.http_status, want.error.http_status);
  EXPECT_EQ(got.finished, want.finished);
  EXPECT_EQ(got.truncated, want.truncated);
}

SessionOptions OptionsFor(const StreamOptions& stream) {
  SessionOptions options;
  options.provider.provider = stream.provider;
  options.provider.api = stream.api;
  options.provider.api_key = "test-key-0123456789abcdef";
  options.request.model = kModel;
  options.request.prompt = "Write a short poem about roses.";
  // One attempt, so that it can be compared with one Stream: a failing fixture ends the session.
  options.retry.max_retries = 0;
  return options;
}

struct SessionRun {
  std::vector<lt::OwnedEvent> events;  // everything but kError
  std::vector<Error> errors;
  std::vector<Usage> usages;  // of the kUsage events, in order
  Completion result;
};

// One Session attempt answered 200 with `body`, fed in `split` reads.
SessionRun RunSession(const SessionOptions& options, std::string_view body,
                      const lt::Split& split) {
  Session session(options);
  SessionRun run;
  auto take = [&run](std::span<const Event> events) {
    for (const Event& event : events) {
      if (event.kind == EventKind::kError) {
        run.errors.push_back(*event.error);
        continue;
      }
      if (event.kind == EventKind::kUsage) run.usages.push_back(*event.usage);
      run.events.push_back(lt::ToOwned(event));
    }
  };
  int64_t now = 100;
  const SessionStep send = session.Poll(now);
  EXPECT_EQ(send.action, SessionAction::kSend);
  take(send.events);
  take(session.OnResponse(200, {{"content-type", "text/event-stream"}}, ++now));
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
  EXPECT_EQ(session.attempts(), 1);
  run.result = session.result();
  return run;
}

class SessionFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(SessionFixtures, AssemblesLikeTheStreamAloneInEverySplit) {
  const std::string body = lt::ReadFixture(GetParam());
  ASSERT_FALSE(body.empty());
  StreamOptions stream_options = lt::OptionsForFixture(GetParam());
  stream_options.model = kModel;
  SessionOptions options = OptionsFor(stream_options);
  options.estimate_usage = false;  // the Stream alone estimates nothing
  std::vector<lt::Split> splits = lt::StandardSplits(body.size());
  splits.insert(splits.begin(), lt::Split{"whole", {body.size()}});
  for (const lt::Split& split : splits) {
    SCOPED_TRACE(GetParam() + " split " + split.name);
    const lt::RunResult alone = lt::RunStream(stream_options, body, split);
    const SessionRun run = RunSession(options, body, split);
    ExpectSameContent(run.result, alone.completion);
    ExpectSameUsage(run.result.usage, alone.completion.usage);
    ExpectSameCost(run.result.cost, alone.completion.cost);

    // The events too: the stream's, its kError turned into the session's one final kError.
    std::vector<lt::OwnedEvent> want;
    std::optional<ErrorCode> failure;
    for (const lt::OwnedEvent& event : alone.events) {
      if (event.kind != EventKind::kError) {
        want.push_back(event);
      } else if (!failure) {
        failure = alone.completion.error.code;
      }
    }
    ASSERT_EQ(run.events.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(run.events[i], want[i]) << "event " << i << ": " << lt::Describe(run.events[i])
                                        << " vs " << lt::Describe(want[i]);
    }
    ASSERT_EQ(run.errors.size(), failure ? 1u : 0u);
    if (failure) {
      EXPECT_EQ(run.errors[0].code, *failure);
    }
  }
}

// A stream that fails without final usage gets an estimate from the attempt's output: the same
// estimate that the bare Stream's result gives (the Session's Stream assembled no deltas).
TEST_P(SessionFixtures, EstimatesUsageFromTheAttemptsWholeOutput) {
  const std::string body = lt::ReadFixture(GetParam());
  StreamOptions stream_options = lt::OptionsForFixture(GetParam());
  stream_options.model = kModel;
  const SessionOptions options = OptionsFor(stream_options);
  // Cut off in the middle too: most fixtures end well, a cut one must be estimated.
  for (size_t cut : {body.size(), body.size() / 2, body.size() * 3 / 4}) {
    SCOPED_TRACE(GetParam() + " cut at " + std::to_string(cut));
    const std::string_view part = std::string_view(body).substr(0, cut);
    const lt::Split split{"random-ish", {cut / 3, cut / 3, cut - 2 * (cut / 3)}};
    const lt::RunResult alone = lt::RunStream(stream_options, part, split);
    const SessionRun run = RunSession(options, part, split);
    ExpectSameContent(run.result, alone.completion);

    // Session::Impl::EstimateAttemptUsage, from what the bare Stream saw.
    bool output = false;
    bool usage_final = false;
    Usage reported;
    for (const lt::OwnedEvent& event : alone.events) {
      if (event.kind == EventKind::kText || event.kind == EventKind::kReasoning ||
          event.kind == EventKind::kRefusal || event.kind == EventKind::kToolCallStart) {
        output = true;
      }
      if (event.kind == EventKind::kUsage) usage_final = output;
    }
    if (!alone.completion.usage.empty()) reported = alone.completion.usage;
    if (alone.completion.finished || usage_final) {
      ExpectSameUsage(run.result.usage, alone.completion.usage);
      continue;
    }
    const Usage estimate =
        session_internal::EstimateUsage(options.request, alone.completion, reported);
    ASSERT_FALSE(run.usages.empty());
    ExpectSameUsage(run.usages.back(), estimate);
    ExpectSameUsage(run.result.usage, estimate);
  }
}

// The Stream without deltas: the same events, and the facts it reads from its own result (the
// kDone event's finish reason, the model that prices usage) are still there.
TEST_P(SessionFixtures, StreamWithoutDeltasEmitsTheSameEvents) {
  const std::string body = lt::ReadFixture(GetParam());
  StreamOptions options = lt::OptionsForFixture(GetParam());
  options.model = kModel;
  for (const lt::Split& split : {lt::Split{"whole", {body.size()}}, lt::Split{"bytes", {}}}) {
    SCOPED_TRACE(GetParam() + " split " + split.name);
    std::vector<size_t> sizes = split.sizes;
    if (sizes.empty()) sizes.assign(body.size(), 1);
    Stream full(options);
    Stream lean(options);
    stream_internal::Access::SetAssembleDeltas(lean, false);
    size_t at = 0;
    int64_t now = 0;
    auto same = [](std::span<const Event> a, std::span<const Event> b) {
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        const lt::OwnedEvent full_event = lt::ToOwned(a[i]);
        lt::OwnedEvent lean_event = lt::ToOwned(b[i]);
        if (lean_event.kind == EventKind::kToolCallEnd &&
            lean_event.part == Emitter::kArgumentsFromDeltas) {
          // Its arguments are the deltas, which the lean Stream leaves to its Session.
          EXPECT_TRUE(lean_event.text.empty());
          lean_event.text = full_event.text;
          lean_event.part = full_event.part;
        }
        ASSERT_EQ(full_event, lean_event) << "event " << i;
        ASSERT_EQ(a[i].usage != nullptr, b[i].usage != nullptr);
        if (a[i].usage) ExpectSameUsage(*a[i].usage, *b[i].usage);
        ASSERT_EQ(a[i].cost != nullptr, b[i].cost != nullptr);
        if (a[i].cost) ExpectSameCost(*a[i].cost, *b[i].cost);
      }
    };
    for (size_t n : sizes) {
      const std::string_view read = std::string_view(body).substr(at, n);
      same(full.Feed(read, now), lean.Feed(read, now));
      ++now;
      at += n;
    }
    same(full.Finish(now), lean.Finish(now));
    const Completion& a = full.result();
    const Completion& b = lean.result();
    EXPECT_EQ(a.model, b.model);
    ASSERT_EQ(a.choices.size(), b.choices.size());
    for (size_t i = 0; i < a.choices.size(); ++i) {
      EXPECT_EQ(a.choices[i].index, b.choices[i].index);
      EXPECT_EQ(a.choices[i].finish_reason, b.choices[i].finish_reason);
      EXPECT_TRUE(b.choices[i].text.empty());
    }
    ExpectSameUsage(b.usage, a.usage);
    ExpectSameCost(b.cost, a.cost);
    EXPECT_EQ(a.finished, b.finished);
    EXPECT_EQ(a.error.code, b.error.code);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, SessionFixtures, ::testing::ValuesIn(lt::FixtureFiles()),
                         lt::FixtureTestName);

}  // namespace
}  // namespace llmstream
