// Placeholder until the dialect lands (issue 14): reads nothing, never terminal, so a stream of
// this API ends as truncated.
#include "providers/more_dialects.h"

namespace llmstream {
namespace {

class GeminiDialect final : public Dialect {
 public:
  void OnEvent(const SseEvent& /*event*/, Emitter& /*out*/) override {}
  void OnEnd(Emitter& /*out*/) override {}
  bool terminal() const override { return false; }
};

}  // namespace

std::unique_ptr<Dialect> MakeGeminiDialect() { return std::make_unique<GeminiDialect>(); }

}  // namespace llmstream
