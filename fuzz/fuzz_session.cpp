// Fuzz target for Session (llmstream/session.h), the sans-I/O driver of one completion across
// attempts, with retries and continuation on, for the three wire APIs. The input is a script: a
// 4-byte header (wire API, provider, options, retry policy, timeouts, seed), then operations a
// platform would perform, each at a fake time that only moves forward:
//   Poll, advance the clock and Poll, OnResponse (status and headers chosen by the input),
//   OnBody (bytes of the input, cut where the input says), OnBody of a motif repeated up to
//   65535 times with "%N" replaced by the repetition number (so one small input can build a
//   stream of 20k distinct choices, keys, blocks or ids: the shapes where a quadratic lookup or
//   a per-event copy shows), OnEnd, OnTransportError, Cancel.
// Every On*() / Cancel() is followed by a Poll, as the header asks. At the end of the script the
// harness plays an honest platform (answers each send with a failure, lets time pass to each
// wake-up) until the session is done. Each read is a fresh heap copy freed after its events were
// taken, so a view kept into an earlier read is a use-after-free (ASan). Invariants:
//   1. no crash, no undefined behaviour; calls that do not fit the state return no events;
//   2. termination: the end-game reaches kDone within a bounded number of steps; kWait names a
//      wake-up in the future (or -1 only while a transfer is open); kSend's attempt counts up;
//   3. exactly one terminal event (kDone, or the session's one kError), and no event after it
//      from any call; done() from then on, Poll says kDone with no events; error() is the final
//      kError's (kNone after kDone);
//   4. at most max_retries kRetry events, attempts() <= max_retries + 1;
//   5. result().text() equals the concatenation of the delivered kText deltas of choice 0: the
//      session assembles exactly what it delivers (delivery.cpp), spliced continuations included,
//      and a plain retry happens only before any output reached the caller;
//   6. peak live heap within a budget linear in the bytes fed (heap_budget.h).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "heap_budget.h"
#include "llmstream/session.h"

namespace {

using llmstream::ErrorCode;
using llmstream::Event;
using llmstream::EventKind;
using llmstream::HeaderList;
using llmstream::Session;
using llmstream::SessionAction;
using llmstream::SessionOptions;
using llmstream::SessionStep;
using llmstream::WireApi;

constexpr size_t kMaxExpandedBytes = size_t{1} << 20;  // bytes fed by repeat operations
constexpr int kEndGameSteps = 256;
// Every error message the session hands out masks the exact key (Session::Impl::AttemptFailed;
// it was reported here: a stream echoing the key into a bad_json or provider_error message).
constexpr bool kCheckKeyInAllErrors = true;
// Peak live heap allowed (heap_budget.h): kHeapPerByte per input byte (and per byte a repeat
// operation fed), kHeapPerContinuedByte per byte of text a continuation sent back (its request
// holds the partial answer: message, JSON body, the next attempt's copy), kHeapPerKey per
// metadata event and kHeapPerPart per block / tool call started (each counted up to the
// StreamLimits, 4096 + 1: what the assembler and the trackers keep per key or part), plus
// kHeapFixed. Measured worst cases: 6.2 bytes per input byte for one huge event (text, tool
// arguments, reasoning, metadata value), 10.6 for 20k tool calls in one event; +5 per continued
// byte; ~400 bytes kept per metadata key (~960 at the peak when the key limit ends the stream),
// ~600 per part; 12 per byte for 20k new keys in one event.
constexpr long long kHeapPerByte = 12;
constexpr long long kHeapPerContinuedByte = 6;
constexpr long long kHeapPerKey = 1024;
constexpr long long kHeapPerPart = 768;
constexpr size_t kCountedItems = 4097;
constexpr long long kHeapFixed = 512 << 10;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_session: property violated: %s\n", what);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  size_t Uint(int bytes) {
    size_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<size_t>(Byte()) << (8 * i);
    return v;
  }
  std::string_view Bytes(size_t n) {
    n = std::min(n, size_ - std::min(at_, size_));
    const std::string_view out(reinterpret_cast<const char*>(data_) + at_, n);
    at_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

class Harness {
 public:
  Harness(SessionOptions options, int max_retries)
      : key_(options.provider.api_key), max_retries_(max_retries), session_(std::move(options)) {}

  int64_t now() const { return now_; }
  void Advance(int64_t ms) { now_ += ms; }
  bool transfer_open() const { return transfer_open_; }
  void Expanded(size_t bytes) { expanded_ += bytes; }

  SessionStep Poll() {
    const SessionStep step = session_.Poll(now_);
    Take(step.events);
    switch (step.action) {
      case SessionAction::kSend:
        Check(!terminal_, "kSend after the terminal event");
        Check(step.attempt == sends_, "kSend's attempt is not the number of earlier sends");
        ++sends_;
        transfer_open_ = true;
        Check(step.wake_at_ms < 0 || step.wake_at_ms > now_, "kSend wakes in the past");
        break;
      case SessionAction::kWait:
        Check(!terminal_, "kWait after the terminal event");
        Check(step.wake_at_ms < 0 ? transfer_open_ : step.wake_at_ms > now_,
              "kWait with nothing to wait for, or a wake-up that is not in the future");
        break;
      case SessionAction::kAbortTransfer:
        Check(transfer_open_, "kAbortTransfer without an open transfer");
        transfer_open_ = false;
        break;
      case SessionAction::kDone:
        Check(terminal_ && session_.done(), "kDone before the terminal event");
        Check(step.events.empty() || terminal_events_ == 1, "events with kDone");
        break;
    }
    return step;
  }

  void Response(int status, const HeaderList& headers) {
    Expect(session_.OnResponse(status, headers, now_));
  }
  void Body(std::string_view bytes) {
    // A fresh copy per read, freed once its events are taken: the session must not keep views
    // into an earlier read (ASan reports the use after free).
    std::string* read = new std::string(bytes);
    // "@K" stands for the API key (a server echoing the request).
    for (size_t at = read->find("@K"); at != std::string::npos; at = read->find("@K", at)) {
      read->replace(at, 2, key_);
      at += key_.size();
    }
    Expect(session_.OnBody(*read, now_));
    delete read;
    fed_ += bytes.size();
  }
  void End() {
    Expect(session_.OnEnd(now_));
    transfer_open_ = false;
  }
  void TransportError(ErrorCode code) {
    llmstream::Error error;
    error.code = code;
    Expect(session_.OnTransportError(error, now_));
    transfer_open_ = false;
  }
  void Cancel() {
    const bool was_done = session_.done();
    const std::span<const Event> events = session_.Cancel(now_);
    Check(!was_done || events.empty(), "Cancel after the end returned events");
    Take(events);
  }

  // The honest platform until the end: every send fails at once, time moves to each wake-up.
  void EndGame() {
    for (int step = 0; step < kEndGameSteps; ++step) {
      const SessionStep s = Poll();
      switch (s.action) {
        case SessionAction::kDone:
          return;
        case SessionAction::kAbortTransfer:
          break;
        case SessionAction::kSend:
          TransportError(ErrorCode::kNetwork);
          break;
        case SessionAction::kWait:
          if (transfer_open_) {
            End();
          } else {
            now_ = s.wake_at_ms;
          }
          break;
      }
    }
    Fail("the session did not finish within the end-game's steps");
  }

  void CheckEnd(const llmstream_fuzz::HeapBudget& budget, size_t input_size) {
    Check(session_.done() && terminal_ && terminal_events_ == 1, "one terminal event at the end");
    const SessionStep again = session_.Poll(now_);
    Check(again.action == SessionAction::kDone && again.events.empty(), "Poll after kDone");
    Check(retries_ <= max_retries_, "more kRetry events than max_retries");
    Check(session_.attempts() == sends_ && sends_ <= max_retries_ + 1, "attempts()");
    if (final_error_ == ErrorCode::kNone) {
      Check(!session_.error(), "error() set after kDone");
    } else {
      Check(session_.error().code == final_error_, "error() is not the final kError's");
    }
    const llmstream::Choice* choice = session_.result().FindChoice(0);
    const std::string_view result_text = choice == nullptr ? std::string_view() : choice->text;
    if (result_text != text_) {
      std::fprintf(stderr, "result %zu bytes [%.*s]\ndelivered %zu bytes [%.*s]\n",
                   result_text.size(), static_cast<int>(std::min<size_t>(result_text.size(), 300)),
                   result_text.data(), text_.size(),
                   static_cast<int>(std::min<size_t>(text_.size(), 300)), text_.data());
      Fail("result() text is not the concatenation of the delivered kText deltas of choice 0");
    }
    if (verbose_) {
      std::fprintf(stderr,
                   "fuzz_session: %d attempts, %d retries, %zu bytes fed, %zu of text, %s\n",
                   sends_, retries_, fed_, text_.size(),
                   std::string(llmstream::ErrorCodeName(final_error_)).c_str());
    }
    const long long allowance =
        kHeapPerContinuedByte * static_cast<long long>(continued_) +
        kHeapPerKey * static_cast<long long>(std::min(keys_, kCountedItems)) +
        kHeapPerPart * static_cast<long long>(std::min(parts_, kCountedItems));
    budget.Check("fuzz_session", input_size + expanded_, kHeapPerByte, kHeapFixed + allowance);
  }

 private:
  // A call that does not fit (no transfer open) must be ignored.
  void Expect(std::span<const Event> events) {
    if (!transfer_open_) Check(events.empty(), "events from a call that did not fit the state");
    Take(events);
  }

  // "@K" in a body stands for the API key. Every error the session reports masks the exact key
  // (HTTP error messages also mask key-shaped words: fuzz_http_error checks those).
  void CheckNoKey(const llmstream::Error& error) const {
    if (!kCheckKeyInAllErrors && error.code != ErrorCode::kNotEventStream) return;
    if (error.message.find(key_) != std::string::npos) {
      std::fprintf(stderr, "message: %s\n", error.message.c_str());
      Fail("an error message holds the API key");
    }
  }

  void Take(std::span<const Event> events) {
    for (const Event& event : events) {
      if (verbose_) {
        std::fprintf(
            stderr, "  t=%lld %s %s/%s %.*s\n", static_cast<long long>(now_),
            (std::to_string(int(event.kind)) + std::string(llmstream::EventKindName(event.kind)))
                .c_str(),
            std::string(event.name).c_str(), std::string(event.id).c_str(),
            static_cast<int>(std::min<size_t>(event.text.size(), 60)), event.text.data());
      }
      Check(!terminal_, "an event after the terminal event");
      switch (event.kind) {
        case EventKind::kText:
          if (event.choice == 0) text_.append(event.text);
          break;
        case EventKind::kMetadata:
          ++keys_;
          break;
        case EventKind::kBlockStart:
        case EventKind::kToolCallStart:
          ++parts_;
          break;
        case EventKind::kRetry:
          Check(event.retry != nullptr && event.error != nullptr, "kRetry without its info");
          CheckNoKey(*event.error);
          ++retries_;
          if (event.retry->continuation) continued_ = std::max(continued_, text_.size());
          break;
        case EventKind::kError:
          Check(event.error != nullptr && event.error->code != ErrorCode::kNone,
                "kError without an error");
          CheckNoKey(*event.error);
          final_error_ = event.error->code;
          terminal_ = true;
          ++terminal_events_;
          break;
        case EventKind::kDone:
          final_error_ = ErrorCode::kNone;
          terminal_ = true;
          ++terminal_events_;
          break;
        default:
          break;
      }
    }
  }

  bool verbose_ = std::getenv("LLMSTREAM_FUZZ_VERBOSE") != nullptr;
  std::string key_;
  int max_retries_;
  Session session_;
  int64_t now_ = 1000;
  bool transfer_open_ = false;
  int sends_ = 0;
  int retries_ = 0;
  bool terminal_ = false;
  int terminal_events_ = 0;
  ErrorCode final_error_ = ErrorCode::kNone;
  std::string text_;
  size_t fed_ = 0;
  size_t expanded_ = 0;   // bytes fed that are not bytes of the input (repeat operations)
  size_t continued_ = 0;  // the most text a continuation was asked to continue
  size_t keys_ = 0;       // kMetadata events
  size_t parts_ = 0;      // kBlockStart and kToolCallStart events
};

HeaderList MakeHeaders(Reader& in) {
  const uint8_t mask = in.Byte();
  const uint8_t value = in.Byte();
  HeaderList headers;
  switch (mask & 3) {
    case 0:
      headers.emplace_back("Content-Type", "text/event-stream; charset=utf-8");
      break;
    case 1:
      headers.emplace_back("content-type", "application/json");
      break;
    case 2:
      headers.emplace_back("Content-Type", "text/html");
      break;
    case 3:
      break;  // none: read as an event stream
  }
  if (mask & 4) headers.emplace_back("retry-after", std::to_string(value % 64));
  if (mask & 8) headers.emplace_back("retry-after-ms", std::to_string(value * 37));
  if (mask & 16) headers.emplace_back("x-should-retry", (value & 1) ? "true" : "false");
  if (mask & 32) headers.emplace_back("Date", "Sun, 06 Nov 2044 08:49:37 GMT");
  if (mask & 64) {
    headers.emplace_back("x-ratelimit-remaining-requests", std::to_string(value));
    headers.emplace_back("x-ratelimit-reset-requests", "1m" + std::to_string(value) + "s");
    headers.emplace_back("anthropic-ratelimit-tokens-reset", "2044-11-06T08:50:00Z");
  }
  if (mask & 128) headers.emplace_back("retry-after", "Sun, 06 Nov 2044 08:50:37 GMT");
  return headers;
}

// The motif repeated `count` times, "%N" replaced by the repetition number.
void Repeat(Harness& h, std::string_view motif, size_t count, size_t* budget) {
  std::string chunk;
  for (size_t i = 0; i<count&& * budget> 0; ++i) {
    chunk.clear();
    for (size_t at = 0; at < motif.size(); ++at) {
      if (motif[at] == '%' && at + 1 < motif.size() && motif[at + 1] == 'N') {
        chunk += std::to_string(i);
        ++at;
      } else {
        chunk += motif[at];
      }
    }
    if (chunk.size() > *budget) chunk.resize(*budget);
    *budget -= chunk.size();
    h.Body(chunk);
    h.Expanded(chunk.size());
    if (((i + 1) & 63) == 0) h.Poll();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const llmstream_fuzz::HeapBudget budget;
  Reader in(data, size);
  const uint8_t b0 = in.Byte(), b1 = in.Byte(), b2 = in.Byte(), b3 = in.Byte();

  SessionOptions options;
  static const WireApi kApis[] = {WireApi::kChatCompletions, WireApi::kAnthropicMessages,
                                  WireApi::kResponses};
  const WireApi api = kApis[(b0 & 3) % 3];  // 3: chat too
  static const llmstream::Provider kChatProviders[] = {
      llmstream::Provider::kOpenAI, llmstream::Provider::kGroq, llmstream::Provider::kOpenRouter,
      llmstream::Provider::kLocal};
  options.provider.provider = api == WireApi::kAnthropicMessages ? llmstream::Provider::kAnthropic
                              : api == WireApi::kResponses       ? llmstream::Provider::kOpenAI
                                                                 : kChatProviders[b0 >> 6];
  options.provider.api = api;
  options.provider.api_key = "sk-fuzz-0123456789abcdefghijklmnop";
  options.request.model = (b0 & 0x20) ? "gpt-4o-mini" : "claude-haiku-4-5";
  options.request.prompt = "Hello";
  options.continuation = (b0 & 0x04) == 0;  // on, unless the input says otherwise
  options.estimate_usage = (b0 & 0x08) == 0;
  options.keep_alive_events = (b0 & 0x10) == 0;
  options.raw_events = (b1 & 0x80) != 0;
  const int max_retries = b1 & 7;
  options.retry.max_retries = max_retries;
  options.retry.jitter = (b1 & 0x08) ? 0.0 : 0.25;
  if (b1 & 0x10) options.unix_ms_at_zero = int64_t{1700000000000};
  if (b1 & 0x20) {  // small limits, to reach their paths with small inputs
    options.limits.max_choices = 4;
    options.limits.max_metadata_keys = 8;
    options.limits.max_parts = 8;
    options.limits.max_completion_bytes = 4096;
  }
  if (b1 & 0x40) {
    options.sse_limits.max_line_bytes = 1024;
    options.sse_limits.max_event_bytes = 4096;
  }
  static const int64_t kFirstByte[] = {0, 100, 1000, 60000};
  static const int64_t kIdle[] = {0, 50, 1000, 60000};
  static const int64_t kTotal[] = {0, 500, 5000, 0};
  static const int64_t kBaseDelay[] = {0, 1, 500, 30000};
  options.timeouts.first_byte_ms = kFirstByte[b2 & 3];
  options.timeouts.idle_ms = kIdle[(b2 >> 2) & 3];
  options.timeouts.total_ms = kTotal[(b2 >> 4) & 3];
  options.retry.base_delay_ms = kBaseDelay[b2 >> 6];
  options.random_seed = b3;

  Harness h(std::move(options), max_retries);
  size_t expand_budget = kMaxExpandedBytes;
  h.Poll();
  static const int64_t kSteps[] = {0,   1,    5,    20,   50,    100,   250,   500,
                                   999, 1000, 2000, 5000, 10000, 30000, 60000, 1000000};
  static const int kStatuses[] = {200, 200, 200, 201, 204, 400, 401, 403,
                                  404, 408, 409, 429, 500, 503, 529, 302};
  static const ErrorCode kTransportErrors[] = {ErrorCode::kNetwork, ErrorCode::kTimeout,
                                               ErrorCode::kNone, ErrorCode::kAborted};
  while (!in.empty()) {
    const uint8_t op = in.Byte();
    switch (op & 15) {
      case 0:
      case 9:
        break;  // a Poll only
      case 1:
      case 10:
        h.Advance(kSteps[op >> 4]);
        break;
      case 2: {
        const int status = kStatuses[in.Byte() & 15];
        h.Response(status, MakeHeaders(in));
        break;
      }
      case 3:
      case 11:
      case 12:
      case 13: {  // a read of the next bytes: 2-byte length, or 3 bytes when op's bit 4 is set
        const size_t n = in.Uint((op & 16) ? 3 : 2);
        h.Body(in.Bytes(n));
        break;
      }
      case 4:
        h.End();
        break;
      case 5:
        h.TransportError(kTransportErrors[op >> 6]);
        break;
      case 6:
        if ((op >> 4) == 0) h.Cancel();  // rare: it ends everything
        break;
      case 7: {  // motif repeated
        const size_t count = in.Uint(2);
        const size_t motif_size = 1 + in.Byte();
        Repeat(h, in.Bytes(motif_size), count, &expand_budget);
        break;
      }
      case 8:
        h.Advance(1 + (op >> 4));
        break;
      default:
        break;
    }
    h.Poll();
  }
  h.EndGame();
  h.CheckEnd(budget, size);
  return 0;
}
