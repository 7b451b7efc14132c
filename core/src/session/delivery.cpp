// The Session's event pipeline (session_impl.h): stream events on their way to the caller.
//
// The session assembles exactly what it delivers, with its own Assembler, rather than exposing
// the Stream's result: only then does result() agree with the events after a retry (the failed
// attempt's leftovers are gone), a continuation (old text + spliced new text) or an estimate.
// So that the text is not assembled twice, the Stream leaves the deltas out of its own result
// (MakeAttemptStream in session.cpp).
#include <utility>

#include "session/session_impl.h"
#include "session/usage_estimate.h"

namespace llmstream {
namespace {

bool EndsJoin(EventKind kind) {
  return IsOutput(kind) || kind == EventKind::kCitation || kind == EventKind::kBlockEnd ||
         kind == EventKind::kFinish || kind == EventKind::kDone;
}

}  // namespace

void Session::Impl::ProcessStreamEvents(std::span<const Event> events, bool at_end,
                                        int64_t now_ms) {
  // The stream's own kError (in-band, SSE limits, truncation) is not delivered as it is: the
  // session turns it into a kRetry or the one final kError.
  const Error* failure = nullptr;
  bool done = false;
  const size_t first = out_.size();
  for (const Event& event : events) {
    if (event.kind == EventKind::kError) {
      if (failure == nullptr) failure = event.error;
      continue;
    }
    if (event.kind == EventKind::kDone) {
      done = true;
      // The answer is whole: its last partial objects, then the check of a JSON output, which
      // ends the session instead of kDone when the answer does not fit.
      FlushSplice();
      ShowPartials(first);
      if (Error invalid = CheckJsonOutput()) {
        FailFinally(std::move(invalid), /*transfer_open=*/!at_end, now_ms);
        return;
      }
    }
    Deliver(event, now_ms);
  }
  if (!done) ShowPartials(first);
  if (failure != nullptr) {
    AttemptFailed(*failure, /*transfer_open=*/!at_end, std::nullopt, now_ms);
  } else if (done) {
    Succeeded(now_ms);
  } else if (at_end) {
    // Stream::Finish always ends with kDone or kError; should it ever not, the attempt must
    // still end rather than wait for I/O that will not come.
    Error error;
    error.code = ErrorCode::kTruncated;
    error.message = "the response ended without a result";
    AttemptFailed(std::move(error), /*transfer_open=*/false, std::nullopt, now_ms);
  }
}

bool Session::Impl::PassThrough(std::span<const Event> events, int64_t now_ms) {
  // Deliver changes nothing unless text is being spliced or usage carried over; kError and kDone
  // end the attempt (ProcessStreamEvents).
  if (splicer_.joining() || carrying_) return false;
  for (const Event& event : events) {
    // (A kRetry comes only from a relay's stream: Deliver resets the result for it.)
    if (event.kind == EventKind::kError || event.kind == EventKind::kDone ||
        event.kind == EventKind::kRetry) {
      return false;
    }
    if (event.kind == EventKind::kToolCallEnd && event.part == Emitter::kArgumentsFromDeltas) {
      return false;  // Emit resolves it from the deltas assembled here
    }
  }
  for (const Event& event : events) {
    NoteDelivery(event, now_ms);
    assembler_.Apply(event);
  }
  return true;
}

void Session::Impl::NoteDelivery(const Event& event, int64_t now_ms) {
  if (IsOutput(event.kind) || IsDelta(event.kind)) last_output_ms_ = now_ms;
  if (IsOutput(event.kind)) {
    attempt_output_ = true;
    if (response_.first_output_ms < 0) response_.first_output_ms = now_ms;
    if (!output_started_) {
      output_started_ = true;
      first_output_ms_ = now_ms;
    }
  }
  if (event.kind == EventKind::kUsage && event.usage != nullptr) {
    attempt_usage_ = *event.usage;
    // Usage sent before any output (Anthropic's message_start) has the input count and only a
    // placeholder for the output; what comes after output began is the provider's final count.
    usage_final_ = attempt_output_;
  }
}

void Session::Impl::Deliver(const Event& event, int64_t now_ms) {
  NoteDelivery(event, now_ms);
  if (splicer_.joining()) {
    if (event.kind == EventKind::kText && event.choice == 0) {
      splice_block_ = event.block;
      const std::string_view text = splicer_.Feed(event.text);
      if (!text.empty()) {
        Event spliced = event;
        spliced.text = out_.Copy(text);
        Emit(spliced);
      }
      return;
    }
    // Held-back text must come before whatever follows it in the answer; metadata, usage and
    // keep-alives may overtake it (they do not end the join: they often come before any text).
    if (EndsJoin(event.kind)) FlushSplice();
  }
  if (event.kind == EventKind::kRetry && event.retry != nullptr && !event.retry->continuation) {
    // The relay started its upstream request over: what it sent of the failed attempt no longer
    // counts, as a direct Session forgets it before its kRetry.
    assembler_.Reset();
  }
  if (event.kind == EventKind::kUsage && event.usage != nullptr && carrying_) {
    out_.EmitUsage(session_internal::AddUsage(carried_usage_, *event.usage));
    assembler_.Apply(out_.events().back());
    return;
  }
  if (event.kind == EventKind::kCost && event.cost != nullptr && carrying_) {
    out_.EmitCost(session_internal::AddCost(carried_cost_, *event.cost));
    assembler_.Apply(out_.events().back());
    return;
  }
  Emit(event);
}

void Session::Impl::FlushSplice() {
  if (!splicer_.joining()) return;
  const std::string_view text = splicer_.Flush();
  if (text.empty()) return;
  Event event;
  event.kind = EventKind::kText;
  event.block = splice_block_;
  event.text = out_.Copy(text);
  Emit(event);
}

void Session::Impl::Emit(const Event& event) {
  Event& copy = out_.Push(event);
  if (copy.kind == EventKind::kToolCallEnd && copy.part == Emitter::kArgumentsFromDeltas) {
    // The Stream left the deltas to this assembler, so the arguments are resolved here.
    const bool valid = assembler_.ResolveToolCallEnd(copy, out_);
    assembler_.Apply(copy);
    if (!valid) {
      out_.InsertBadArgumentsWarning(out_.size(), copy.name, copy.id);
      assembler_.Apply(out_.events().back());
    }
    return;
  }
  assembler_.Apply(copy);
}

void Session::Impl::EmitUsageAndCost(const Usage& usage, const Cost& cost) {
  out_.EmitUsage(usage);
  assembler_.Apply(out_.events().back());
  if (!cost.known()) return;
  out_.EmitCost(cost);
  assembler_.Apply(out_.events().back());
}

}  // namespace llmstream
