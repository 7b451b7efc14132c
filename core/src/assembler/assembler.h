// Assembler: builds the Completion from the event sequence, and nothing else. Every face sees
// the same events, so anything the assembler knows, a user of the events could know too.
// Memory is proportional to the result: deltas are appended, wire bytes are never kept.
#pragma once

#include "llmstream/completion.h"
#include "llmstream/event.h"

namespace llmstream {

class Assembler {
 public:
  void Apply(const Event& event);
  const Completion& result() const { return completion_; }
  void Reset() { completion_ = Completion(); }
  // The body ended without the provider's terminal signal.
  void MarkTruncated() { completion_.truncated = true; }

  // Most warnings kept in Completion::warnings; later ones are counted in the last entry.
  static constexpr size_t kMaxWarnings = 64;

 private:
  Choice& ChoiceAt(uint32_t index);
  static Block* FindBlock(Choice& choice, uint32_t index);
  static ToolCall* FindToolCall(Choice& choice, uint32_t index);
  void SetMetadata(std::string_view key, std::string_view value);

  Completion completion_;
  size_t dropped_warnings_ = 0;
};

}  // namespace llmstream
