#include "llmstream/stream.h"

#include <algorithm>
#include <functional>
#include <string>

#include "assembler/assembler.h"
#include "framing/framer.h"
#include "providers/dialect.h"
#include "sse/scan.h"
#include "stream/emitter.h"
#include "stream/stream_internal.h"

namespace llmstream {
namespace {

bool Within(std::string_view inner, std::string_view outer) {
  std::less_equal<const char*> le;
  return le(outer.data(), inner.data()) &&
         le(inner.data() + inner.size(), outer.data() + outer.size());
}

// A Stream asked for a framing or a dialect its build left out (the web core module reads the
// SSE dialects only).
Error NotBuiltIn() {
  Error error;
  error.code = ErrorCode::kInvalidRequest;
  error.message = "this build does not read this API's streams";
  return error;
}

}  // namespace

class Stream::Impl final : public SseSink, public framing::PayloadShortcut {
 public:
  explicit Impl(StreamOptions options)
      : options_(std::move(options)),
        parser_(this, options_.sse_limits),
        framer_(framing::MakeFramer(options_.framing, this, options_.frame_limits)),
        created_ms_(options_.start_ms) {
    NewDialect();
    out_.set_max_metadata_keys(options_.limits.max_metadata_keys);
    // As for SSE's template events: only while no raw event must precede each payload.
    if (framer_ && options_.chunk_templates && !options_.raw_events) framer_->set_shortcut(this);
  }

  std::span<const Event> Feed(std::string_view bytes, int64_t now_ms) {
    out_.Clear();
    if (ended_) return {};
    if (!bytes.empty()) {
      if (first_byte_ms_ < 0) first_byte_ms_ = now_ms;
      last_byte_ms_ = now_ms;
    }
    now_ms_ = now_ms;
    input_ = bytes;
    if (!built_in_) {
      End(NotBuiltIn());  // never read the body with another framing or dialect
    } else if (framer_) {
      // Another framing: whole reads go to its framer (one call per read, never per byte); the
      // template shortcut below reads SSE bytes and stays off.
      // A framing error after an error that ended the stream in the same read is past the end,
      // as it is when a later read brings it (fuzz_dialects: split invariance).
      if (!framer_->Feed(bytes) && !ended_) End(framer_->error());
    } else if (!template_events_) {
      if (!parser_.Feed(bytes)) End(parser_.error());
    } else {
      // Whenever the parser is between events and the dialect holds a template, the next events
      // may be read without the parser; the parser takes over (up to the end of its next
      // event) where that stops, and takes the whole rest when no template is held.
      std::string_view rest = bytes;
      while (!rest.empty()) {
        if (ended_ || !dialect_->template_ready()) {
          // (After an end the rest is only counted, as before.)
          if (!parser_.Feed(rest)) End(parser_.error());
          break;
        }
        if (parser_.between_events()) {
          const size_t used = ReadTemplateEvents(rest);
          parser_.CountBytesReadElsewhere(used);
          rest.remove_prefix(used);
          if (rest.empty()) break;
        }
        rest.remove_prefix(parser_.FeedUntilEvent(rest));
        if (parser_.failed()) {
          End(parser_.error());
          break;
        }
      }
    }
    input_ = {};
    return out_.events();
  }

  std::span<const Event> Finish(int64_t now_ms) {
    out_.Clear();
    if (ended_) return {};
    now_ms_ = now_ms;
    SseEnd lost;
    if (!built_in_) {
      End(NotBuiltIn());
      return out_.events();
    }
    if (framer_) {
      const framing::FramingEnd end = framer_->Finish();  // may still deliver a last NDJSON line
      if (framer_->failed()) {
        End(framer_->error());
        return out_.events();
      }
      lost.partial_line = end.partial_payload;
      lost.pending_event = end.unclosed;
    } else {
      lost = FinishParser();
    }
    size_t first = out_.size();
    dialect_->OnEnd(out_);
    AfterDialect(first);
    if (ended_) return out_.events();  // a provider error already ended the stream
    if (dialect_->terminal()) {
      Event& done = out_.Emit(EventKind::kDone);
      const Completion& result = assembler_.facts();
      if (!result.choices.empty()) done.text = out_.Copy(result.choices[0].finish_reason);
      Assemble(done);
      ended_ = true;
    } else {
      Error error;
      error.code = ErrorCode::kTruncated;
      error.message = "the response ended before the provider's end-of-stream signal";
      if (lost.pending_event || lost.partial_line) error.message += " (in the middle of an event)";
      assembler_.MarkTruncated();
      End(std::move(error));
    }
    return out_.events();
  }

  std::span<const Event> Fail(Error error, int64_t now_ms) {
    out_.Clear();
    if (ended_) return {};
    now_ms_ = now_ms;
    End(std::move(error));
    return out_.events();
  }

  const Completion& result() const { return assembler_.result(); }
  void set_assemble_deltas(bool on) { assemble_deltas_ = on; }
  bool ended() const { return ended_; }
  bool output_started() const { return first_output_ms_ >= 0; }
  int64_t IdleFor(int64_t now_ms) const { return now_ms - std::max(last_byte_ms_, created_ms_); }
  uint64_t bytes_fed() const {
    return framer_ ? framer_->bytes_fed() : parser_.bytes_fed() - probe_bytes_;
  }
  int64_t first_byte_ms() const { return first_byte_ms_; }
  int64_t first_output_ms() const { return first_output_ms_; }

  RelayCursor* relay() const { return dialect_ ? dialect_->relay_cursor() : nullptr; }
  void ResumeBody() {
    parser_.Reset();
    out_.Clear();
    ended_ = false;
  }

  void Reset() {
    parser_.Reset();
    if (framer_) framer_->Reset();
    NewDialect();
    out_.Clear();
    assembler_.Reset();
    completion_bytes_ = 0;
    created_seen_ = 0;
    probe_bytes_ = 0;
    ended_ = false;
    first_byte_ms_ = last_byte_ms_ = first_output_ms_ = -1;
  }

  // The chunk-template shortcut at the level of SSE events (chunk_template.h has the one of the
  // dialects): with the parser between events, an event whose data is a chunk the dialect's
  // template matches is read here, without the parser, when it is exactly
  //   ["event:" TYPE LF] "data:" [" "] CHUNK LF LF      (TYPE not "error")
  // The parser would dispatch it as {TYPE or "message", CHUNK} and stay between events, and the
  // dialect would replay its template for it, which is what this does. Any other shape stops the
  // loop and the parser reads on. Returns the bytes read.
  size_t ReadTemplateEvents(std::string_view in) {
    const char* const begin = in.data();
    const char* const end = begin + in.size();
    const char* p = begin;
    while (!ended_) {
      const char* q = p;
      if (end - q >= 8 && sse::StartsWithField(q, "event:")) {
        bool non_ascii = false;  // the type only matters for being "error" or not
        const char* const eol = sse::FindLineEnd(q, end, &non_ascii);
        if (eol == end || *eol != '\n' ||
            static_cast<size_t>(eol - q) > options_.sse_limits.max_line_bytes) {
          break;
        }
        std::string_view type(q + 6, static_cast<size_t>(eol - q - 6));
        if (!type.empty() && type.front() == ' ') type.remove_prefix(1);
        if (type == "error") break;
        q = eol + 1;
      }
      if (end - q < 8 || !sse::StartsWithField(q, "data:")) break;
      const char* const data = q[5] == ' ' ? q + 6 : q + 5;
      const size_t size =
          dialect_->MatchTemplate(std::string_view(data, static_cast<size_t>(end - data)), out_);
      // The chunk must end its line and the event (LF LF), within the parser's limits.
      if (size == 0 || static_cast<size_t>(end - data) - size < 2 || data[size] != '\n' ||
          data[size + 1] != '\n' ||
          static_cast<size_t>(data + size - q) > options_.sse_limits.max_line_bytes ||
          size > options_.sse_limits.max_event_bytes) {
        break;
      }
      const size_t first = out_.size();
      dialect_->ReplayTemplate(out_);
      AfterDialect(first);
      p = data + size + 2;
    }
    return static_cast<size_t>(p - begin);
  }

  // A last event without its blank line is discarded (WHATWG), and the body reported cut, except
  // `data: [DONE]`: gateways were seen ending a complete answer that way. Only while the dialect
  // has not ended normally, the parser is given the blank line; the event it then dispatches
  // reaches the dialect if it is [DONE], and is dropped otherwise.
  SseEnd FinishParser() {
    if (parser_.between_events() || parser_.failed() || parser_.bytes_fed() == 0 ||
        dialect_->terminal()) {
      return parser_.Finish();
    }
    const uint64_t fed = parser_.bytes_fed();
    probing_ = true;
    parser_.Feed("\n\n");
    probing_ = false;
    probe_bytes_ = parser_.bytes_fed() - fed;
    parser_.Finish();
    SseEnd lost;
    lost.pending_event = true;  // something was pending (if it was [DONE], the stream is done)
    return lost;
  }
  static bool IsDone(std::string_view data) {
    if (data.substr(0, 6) != "[DONE]") return false;
    for (char c : data.substr(6)) {
      if (c != ' ' && c != '\t') return false;
    }
    return true;
  }

  // SseSink
  void OnEvent(const SseEvent& event) override {
    if (ended_) return;
    if (probing_ && !IsDone(event.data)) return;  // FinishParser: discarded, as the spec says
    SseEvent stable = event;
    // Views into the caller's bytes live until Feed returns; anything the parser had to buffer
    // (a line split across reads, multi-line data) is copied once so events may point into it.
    // The default type ("message": no `event:` field) is static and needs no copy either.
    // A huge event (a base64 image, one giant delta) is taken from the parser instead.
    if (!Within(event.data, input_)) {
      std::string taken;
      stable.data = !framer_ && parser_.TakeEventData(&taken) ? out_.Hold(std::move(taken))
                                                              : out_.Copy(event.data);
    }
    if (!event.has_default_type() && !Within(event.type, input_)) {
      stable.type = out_.Copy(event.type);
    }
    if (!Within(event.id, input_)) stable.id = out_.Copy(event.id);
    if (options_.raw_events) {
      // Before the dialect's events and outside AfterDialect: nothing assembles or counts it.
      Event& raw = out_.Emit(EventKind::kRaw);
      raw.text = stable.data;
      raw.name = stable.type;
      raw.id = stable.id;
    }
    size_t first = out_.size();
    dialect_->OnEvent(stable, out_);
    // Keep-alives a dialect recognises in the payload (Anthropic's `ping` events) obey the same
    // option as SSE comments.
    if (!options_.keep_alive_events) out_.Drop(first, EventKind::kKeepAlive);
    AfterDialect(first);
  }
  // framing::PayloadShortcut: what OnEvent would do for a payload the dialect replays from its
  // template (views into the read, no keep-alive, no raw event).
  size_t MatchPayload(std::string_view type, std::string_view id, std::string_view rest,
                      bool same_names) override {
    return ended_ ? 0 : dialect_->MatchPayload(type, id, rest, out_, same_names);
  }
  void TakePayload() override {
    const size_t first = out_.size();
    dialect_->ReplayTemplate(out_);
    AfterDialect(first);
  }
  void OnComment(std::string_view text) override {
    if (!options_.keep_alive_events || ended_ || probing_) return;
    Event& event = out_.Emit(EventKind::kKeepAlive);
    event.text = Within(text, input_) ? text : out_.Copy(text);
  }

 private:
  void NewDialect() {
    dialect_ = MakeDialect(options_.api, options_.provider);
    // Without them (!built_in_) Feed and Finish end the stream before anything reaches the
    // dialect: dialect_ may stay null.
    built_in_ = dialect_ != nullptr && (framer_ || options_.framing == Framing::kSse);
    if (dialect_) dialect_->set_fast_path(options_.chunk_templates);
  }

  // Applies the events a dialect just produced: assembly, cost after usage, errors that end.
  void AfterDialect(size_t first) {
    // The mode is chosen once per batch, not per event: the bare Stream's loop stays as tight as
    // it was before the mode existed (a per-event branch measured ~10 instructions a token).
    const bool provider_error =
        assemble_deltas_ ? ApplyBatch<true>(first) : ApplyBatch<false>(first);
    // In-band provider errors end the stream: what came before stays in the result.
    if (provider_error) ended_ = true;
  }

  // Returns whether the batch had a provider error.
  template <bool kDeltas>
  bool ApplyBatch(size_t first) {
    bool provider_error = false;
    for (size_t i = first; i < out_.size(); ++i) {
      const Event& event = out_.events()[i];
      if (first_output_ms_ < 0 && IsOutput(event.kind)) first_output_ms_ = now_ms_;
      if (event.kind == EventKind::kError) provider_error = true;
      if (IsDelta(event.kind)) completion_bytes_ += event.text.size();
      bool bad_arguments = false;
      if constexpr (kDeltas) {
        if (event.kind == EventKind::kToolCallEnd && event.part == Emitter::kArgumentsFromDeltas) {
          bad_arguments = !assembler_.ResolveToolCallEnd(out_.event(i), out_);
        }
        assembler_.Apply(event);
      } else {  // a pending kToolCallEnd is the Session's to resolve: it has the deltas
        assembler_.ApplyWithoutDeltas(event);
      }
      if (completion_bytes_ > max_completion_bytes_ || assembler_.created() != created_seen_) {
        if (Error error; OverLimit(&error)) {
          // The rest of the batch is dropped: a bound holds inside one SSE event too.
          out_.Truncate(i + 1);
          out_.EmitError(std::move(error));
          Assemble(out_.events().back());
          return true;
        }
      }
      // Last: these insert an event, which moves `event`. The loop then assembles it.
      if (bad_arguments) {
        out_.InsertBadArgumentsWarning(i + 1, event.name, event.id);
      } else if (event.kind == EventKind::kUsage && prices_usage_) {
        InsertCost(i + 1, *event.usage);
      }
    }
    return provider_error;
  }

  // Whether the completion passed a StreamLimits bound; `error` then says which and how to raise
  // it. Called when the output grew past the size bound or something new was created.
  bool OverLimit(Error* error) {
    const StreamLimits& limits = options_.limits;
    const Completion& result = assembler_.facts();
    created_seen_ = assembler_.created();
    auto over = [](uint64_t count, uint64_t bound) { return bound != 0 && count > bound; };
    const char* what;
    uint64_t bound;
    if (completion_bytes_ > max_completion_bytes_) {
      what = " bytes of text and tool arguments (StreamLimits::max_completion_bytes)";
      bound = limits.max_completion_bytes;
    } else if (over(result.choices.size(), limits.max_choices)) {
      what = " choices (StreamLimits::max_choices)";
      bound = limits.max_choices;
    } else if (over(result.metadata.size(), limits.max_metadata_keys)) {
      what = " distinct metadata keys (StreamLimits::max_metadata_keys)";
      bound = limits.max_metadata_keys;
    } else if (over(assembler_.parts(), limits.max_parts)) {
      what = " content blocks and tool calls (StreamLimits::max_parts)";
      bound = limits.max_parts;
    } else {
      return false;
    }
    error->code = completion_bytes_ > max_completion_bytes_ ? ErrorCode::kCompletionTooLarge
                                                            : ErrorCode::kLimitExceeded;
    error->message = "the response had more than " + std::to_string(bound) + what;
    return true;
  }

  void Assemble(const Event& event) {
    if (assemble_deltas_) {
      assembler_.Apply(event);
    } else {
      assembler_.ApplyWithoutDeltas(event);
    }
  }

  // The cost of a usage goes right after it: a consumer reading events one at a time knows the
  // cost of each usage when it sees the next event (the npm package folds the pair into one
  // chunk), whatever the dialect emitted after the usage in the same batch (a finish, the done).
  void InsertCost(size_t position, const Usage& usage) {
    const PriceTable& prices = options_.prices ? *options_.prices : PriceTable::Default();
    // The resolved model the stream names is the better key; the requested one is the fallback
    // (gateways may name models the table does not know).
    const ModelPrice* price = prices.Find(assembler_.facts().model);
    if (!price) price = prices.Find(options_.model);
    Cost cost = ComputeCost(usage, price, usage.reported_cost_usd);
    if (cost.known()) out_.InsertCost(position, cost);
  }

  void End(Error error) {
    out_.EmitError(std::move(error));
    Assemble(out_.events().back());
    ended_ = true;
  }

  StreamOptions options_;
  // ReadTemplateEvents is on: chunk templates are, and no raw event must precede each one.
  const bool template_events_ =
      options_.chunk_templates && !options_.raw_events && options_.framing == Framing::kSse;
  SseParser parser_;
  std::unique_ptr<framing::Framer> framer_;  // null for SSE: parser_ reads the body
  std::unique_ptr<Dialect> dialect_;
  // Whether this build has the framer and the dialect the options ask for.
  bool built_in_ = true;
  Emitter out_;
  Assembler assembler_;
  bool assemble_deltas_ = true;  // stream_internal::Access::SetAssembleDeltas
  // A relay's usage comes with the relay's cost (its kCost follows): priced once, there.
  const bool prices_usage_ = options_.api != WireApi::kRelay;
  // StreamLimits accounting: output bytes so far, and the assembler's creation count last seen.
  uint64_t completion_bytes_ = 0;
  const uint64_t max_completion_bytes_ =
      options_.limits.max_completion_bytes ? options_.limits.max_completion_bytes : UINT64_MAX;
  uint64_t created_seen_ = 0;
  bool probing_ = false;      // FinishParser is feeding the blank line
  uint64_t probe_bytes_ = 0;  // what it fed: not the body's
  int64_t created_ms_;
  std::string_view input_;
  bool ended_ = false;
  int64_t now_ms_ = 0;
  int64_t first_byte_ms_ = -1;
  int64_t last_byte_ms_ = -1;
  int64_t first_output_ms_ = -1;
};

Stream::Stream(StreamOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

std::span<const Event> Stream::Feed(std::string_view bytes, int64_t now_ms) {
  return impl_->Feed(bytes, now_ms);
}
std::span<const Event> Stream::Finish(int64_t now_ms) { return impl_->Finish(now_ms); }
std::span<const Event> Stream::Fail(Error error, int64_t now_ms) {
  return impl_->Fail(std::move(error), now_ms);
}
const Completion& Stream::result() const { return impl_->result(); }
bool Stream::ended() const { return impl_->ended(); }
bool Stream::output_started() const { return impl_->output_started(); }
int64_t Stream::IdleFor(int64_t now_ms) const { return impl_->IdleFor(now_ms); }
uint64_t Stream::bytes_fed() const { return impl_->bytes_fed(); }
int64_t Stream::first_byte_ms() const { return impl_->first_byte_ms(); }
int64_t Stream::first_output_ms() const { return impl_->first_output_ms(); }
void Stream::Reset() { impl_->Reset(); }

namespace stream_internal {

void Access::SetAssembleDeltas(Stream& stream, bool on) { stream.impl_->set_assemble_deltas(on); }
RelayCursor* Access::Relay(const Stream& stream) { return stream.impl_->relay(); }
void Access::ResumeBody(Stream& stream) { stream.impl_->ResumeBody(); }

}  // namespace stream_internal

}  // namespace llmstream
