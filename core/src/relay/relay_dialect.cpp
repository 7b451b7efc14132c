// The relay dialect (relay_dialect.h). What it changes on the way from RelayReader to the Stream:
//  - `done` makes the stream end normally (terminal()); the Stream emits the kDone itself at the
//    end of the body, as for every provider.
//  - a relayed partialObject is dropped: the client's Session computes its own when its caller
//    asked for them (SessionOptions::partial_objects), as for a direct stream.
//  - nothing at the end of a body: a body cut before the terminal event is the Session's to
//    resume (the next body goes on with the same reader).
// A relayed usage keeps the relay's cost (the Stream prices no usage of a relay's): the relay
// priced it with its table, as a direct stream on the relay would.
#include "relay/relay_dialect.h"

#include "relay/relay_reader.h"

namespace llmstream {
namespace {

class RelayDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& event, Emitter& out) override {
    const size_t first = out.size();
    reader_.OnEvent(event, out);
    if (out.size() == first) return;
    out.Drop(first, EventKind::kPartialObject);
    out.Drop(first, EventKind::kDone);
  }
  void OnEnd(Emitter& /*out*/) override {}
  bool terminal() const override { return reader_.cursor().end == RelayEnd::kDone; }
  RelayCursor* relay_cursor() override { return &reader_.cursor(); }

 private:
  RelayReader reader_;
};

}  // namespace

std::unique_ptr<Dialect> MakeRelayDialect() { return std::make_unique<RelayDialect>(); }

}  // namespace llmstream
