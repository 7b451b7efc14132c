// The native client: streams completions over HTTP with libcurl.
//
//   llmstream::Client client({.provider = {.provider = llmstream::Provider::kOpenAI,
//                                          .api_key = std::getenv("OPENAI_API_KEY")}});
//   llmstream::CompletionRequest request{.model = "gpt-4o-mini", .prompt = "Hello"};
//
//   // 1. pull iterator: events as they arrive
//   auto stream = client.StreamCompletion(request);
//   for (const llmstream::Event& event : stream) {
//     if (event.kind == llmstream::EventKind::kText) std::cout << event.text << std::flush;
//   }
//   if (stream.error()) std::cerr << stream.error().message << "\n";
//
//   // 2. callback: return false to stop
//   client.StreamCompletion(request, [](const llmstream::Event& event) { ...; return true; });
//
//   // 3. blocking
//   llmstream::Completion completion = client.Complete(request);
//
// Retries (before any output only), timeouts, error classification and usage estimates are the
// core Session's (llmstream/session.h), identical to the wasm build.
//
// An app's relay (docs/relay-protocol.md) is a provider like the others:
//
//   llmstream::Client client({.provider = {.provider = llmstream::Provider::kRelay,
//                                          .base_url = "https://app.example/api/chat"}});
//   for (const llmstream::Event& e : client.StreamCompletion({.model = "gpt-4o-mini",
//                                                            .prompt = "Hi"})) ...
//
// base_url is the relay's URL as it is; api_key, if set, is the app's own token (sent as
// `Authorization: Bearer`), not a provider key: the relay holds that. The events, errors, usage,
// cost and result() are those of a direct stream; a cut connection is resumed invisibly (no
// second request to the provider), and Cancel() or destroying an unfinished stream sends the
// relay its DELETE (best effort, blocking the stream's thread for at most 2 s). Nothing here
// throws: a failure is the Error in result().error / error().
//
// Events are views, valid until the iterator advances (or the callback returns). Copy what you
// keep, or read the assembled result() at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/completion.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/http_error.h"
#include "llmstream/pricing.h"
#include "llmstream/request.h"
#include "llmstream/retry_policy.h"
#include "llmstream/session.h"

namespace llmstream {

// Raw wire access, for recorders (CLI --record) and wire inspectors. Called on the thread that
// runs the stream, before the bytes reach the core; keep the callbacks cheap.
struct WireTap {
  // Every attempt's request just before it is sent, redacted (Redacted(): no key in it).
  std::function<void(int attempt, const HttpRequest& redacted)> on_request;
  // Final status and headers of each response.
  std::function<void(int status, const HeaderList& headers, int64_t now_ms)> on_response;
  // Every body read, exactly once, in order (also the bodies of error responses).
  std::function<void(std::string_view bytes, int64_t now_ms)> on_body;
  // The attempt's transfer ended: error.code kNone for a clean end of body, else how it failed
  // (kNetwork / kTimeout from libcurl, kAborted when llmstream closed it: a timeout, a cancel).
  std::function<void(const Error& error, int64_t now_ms)> on_end;
};

struct ClientOptions {
  // Provider, key, base URL, extra headers, wire API (request.h). The key is never logged.
  ProviderConfig provider{};
  // The model for requests that leave CompletionRequest::model empty: lets one request go to
  // clients of different providers (FanOut, Race), each with its own model. Empty = the
  // provider's DefaultModel (request.h).
  std::string model{};
  // Retries happen only before any output reached the caller (retry_policy.h).
  RetryPolicy retry{};
  // First byte / idle (stall) / total deadlines (session.h).
  Timeouts timeouts{};
  // TCP + TLS connect deadline, enforced by libcurl.
  int64_t connect_timeout_ms = 10000;
  // What one response may make the client hold (output bytes, choices, keys, parts; stream.h).
  StreamLimits limits{};
  // Price table for cost events; nullptr = PriceTable::Default().
  const PriceTable* prices = nullptr;
  // Deliver kKeepAlive events (SSE comments, pings).
  bool keep_alive_events = false;
  // Opt-in: after a retryable mid-stream failure, re-issue the request with the partial text and
  // splice the continuation without repeating it (session.h).
  bool continuation = false;
  // Estimated usage and cost when the provider sent none (early stop, failure).
  bool estimate_usage = true;
  std::string user_agent = "llmstream/0.1";
  // Seeds the retry jitter (reproducible delays, e.g. when replaying a recording); unset = random.
  std::optional<uint64_t> random_seed{};
  WireTap wire_tap{};
};

namespace native {
class Engine;
class Transfer;
}  // namespace native

// One streaming completion, iterated with range-for. Move-only. Destroying it (or Cancel)
// closes the connection (a relay's stream also gets its DELETE, so the relay stops the upstream).
class CompletionStream {
 public:
  CompletionStream(CompletionStream&&) noexcept;
  CompletionStream& operator=(CompletionStream&&) noexcept;
  ~CompletionStream();

  // The next event, waiting for the network as needed; nullptr once the stream has ended (the
  // last events are kDone, or kError after a failure). The pointer is valid until the next call.
  const Event* Next();

  // Stops the stream: the connection is closed, the result keeps what arrived, and the last
  // events are the usage estimate (when the provider sent none) and a kAborted error.
  // Thread-safe: may be called from any thread while another one iterates.
  void Cancel();

  // The completion assembled so far (final after Next() returned nullptr).
  const Completion& result() const;
  // The error that ended the stream; code kNone while running and after success.
  const Error& error() const;
  bool done() const;
  // Requests sent so far (1 + retries).
  int attempts() const;

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Event;
    using difference_type = std::ptrdiff_t;
    using pointer = const Event*;
    using reference = const Event&;

    Iterator() = default;
    explicit Iterator(CompletionStream* stream) : stream_(stream), event_(stream->Next()) {}
    const Event& operator*() const { return *event_; }
    const Event* operator->() const { return event_; }
    Iterator& operator++() {
      event_ = stream_->Next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return event_ == nullptr; }

   private:
    CompletionStream* stream_ = nullptr;
    const Event* event_ = nullptr;
  };
  Iterator begin() { return Iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  friend class Client;
  CompletionStream();
  struct State;
  std::unique_ptr<State> state_;
};

// A provider to stream from. Cheap to copy; holds no connection (each stream has its own, and
// MultiRunner shares one loop between many).
class Client {
 public:
  explicit Client(ClientOptions options);

  CompletionStream StreamCompletion(CompletionRequest request) const;

  // Calls on_event for every event on this thread, until the stream ends or on_event returns
  // false (which cancels it). Returns the assembled completion (error inside when it failed).
  // An exception thrown by on_event stops the stream and is rethrown from here (never through
  // libcurl); nothing else throws.
  Completion StreamCompletion(CompletionRequest request,
                              const std::function<bool(const Event&)>& on_event) const;

  // Waits for the whole completion.
  Completion Complete(CompletionRequest request) const;

  const ClientOptions& options() const { return options_; }

  // The Session options this client uses for `request` (MultiRunner and tests use it).
  SessionOptions MakeSessionOptions(CompletionRequest request) const;

 private:
  ClientOptions options_;
};

}  // namespace llmstream
