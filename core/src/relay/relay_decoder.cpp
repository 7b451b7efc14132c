// RelayDecoder (llmstream/relay.h): an SSE parser in front of the RelayReader, which the relay
// dialect shares (relay_reader.h), so a relay stream has one decoder.
#include <string>
#include <string_view>
#include <utility>

#include "llmstream/relay.h"
#include "relay/relay_reader.h"
#include "stream/emitter.h"

namespace llmstream {

class RelayDecoder::Sink : public SseSink {
 public:
  explicit Sink(RelayDecoderOptions options)
      : options_(std::move(options)),
        reader_(RelayCursor{.resume_after = options_.resume_after}),
        parser_(this, RelaySseLimits(options_.sse_limits)) {}

  void OnEvent(const SseEvent& event) override { reader_.OnEvent(event, out_); }

  RelayDecoderOptions options_;
  RelayReader reader_;
  SseParser parser_;
  Emitter out_;
  bool cut_ = false;
};

RelayDecoder::RelayDecoder(RelayDecoderOptions options)
    : sink_(std::make_unique<Sink>(std::move(options))) {}

RelayDecoder::~RelayDecoder() = default;

std::span<const Event> RelayDecoder::Feed(std::string_view bytes) {
  Sink& s = *sink_;
  s.out_.Clear();
  if (end() != RelayEnd::kOpen) return {};
  if (!s.parser_.Feed(bytes) && end() == RelayEnd::kOpen) {
    // Every relay line that counts is an event's one data line: a line over the (raised) line
    // limit is an event over the event limit.
    s.reader_.Break(ErrorCode::kSseEventTooLarge,
                    "relay stream: an event larger than " +
                        std::to_string(s.options_.sse_limits.max_event_bytes) + " bytes",
                    s.out_);
  }
  return s.out_.events();
}

std::span<const Event> RelayDecoder::Finish() {
  Sink& s = *sink_;
  std::span<const Event> last = Feed({});
  if (end() != RelayEnd::kOpen) return last;
  s.parser_.Finish();
  RelayCursor& cursor = s.reader_.cursor();
  const std::string after =
      cursor.last_id ? "after event " + std::to_string(*cursor.last_id) : "before its first event";
  cursor.error =
      Error{ErrorCode::kTruncated,
            "the relay stream ended without done or error " + after + " (resume from there)",
            {},
            0,
            {}};
  s.cut_ = true;
  s.out_.EmitError(cursor.error);
  return s.out_.events();
}

RelayEnd RelayDecoder::end() const {
  return sink_->cut_ ? RelayEnd::kCut : sink_->reader_.cursor().end;
}
const Error& RelayDecoder::error() const { return sink_->reader_.cursor().error; }
std::string_view RelayDecoder::stream_id() const { return sink_->reader_.cursor().stream_id; }
std::string_view RelayDecoder::model() const { return sink_->reader_.cursor().model; }
std::optional<uint64_t> RelayDecoder::last_event_id() const {
  return sink_->reader_.cursor().last_id;
}
std::string_view RelayDecoder::completion_json() const {
  return sink_->reader_.cursor().completion;
}

}  // namespace llmstream
