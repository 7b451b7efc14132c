// Assembler: builds the Completion from the event sequence, and nothing else. Every face sees
// the same events, so anything the assembler knows, a user of the events could know too.
// Memory is proportional to the result: deltas are appended, wire bytes are never kept.
#pragma once

#include <cstdint>

#include "assembler/text_pieces.h"
#include "common/flat_index.h"
#include "llmstream/completion.h"
#include "llmstream/event.h"
#include "stream/emitter.h"

namespace llmstream {

class Assembler {
 public:
  void Apply(const Event& event);
  // Apply without the per-token deltas (text, reasoning, refusal, tool-call arguments): they
  // only create their choice, as Apply would, since the order of first appearance decides which
  // one is choices[0]. Everything else is built as usual (finish reasons, model, usage, tool
  // calls with the arguments their end event carries). For a Stream whose Session assembles the
  // delivered events itself: the Stream needs those facts, not a second copy of the text.
  void ApplyWithoutDeltas(const Event& event) {
    if (!IsDelta(event.kind)) {
      Apply(event);
    } else if (event.choice != delta_choice_) {
      ChoiceAt(event.choice);
      delta_choice_ = event.choice;  // exists from now on: the next token needs no lookup
    }
  }
  // The completion assembled so far. Text, reasoning, block texts and tool-call arguments that
  // grow past kInlineBytes keep their tail in pieces (text_pieces.h) until asked for: this
  // completes those strings, each with one allocation of its final size.
  const Completion& result() const {
    if (!pending_.empty()) CompleteLongStrings();
    return completion_;
  }
  // The completion without completing the long strings: all of it but the tails of the strings
  // past kInlineBytes (ForEachPending has those). For the checks a Stream makes after every
  // batch, and for the wasm module, which hands the tails to JS where they lie.
  const Completion& facts() const { return completion_; }
  // f(const std::string& string, const TextPieces& tail) for every string of facts() whose
  // tail is pending: its whole value is string + tail.
  template <typename F>
  void ForEachPending(F&& f) const {
    for (const Pending& pending : pending_) {
      if (!pending.tail.empty()) f(LongString(pending.key), pending.tail);
    }
  }
  // Strings grow inline up to this size (a doubling std::string, whose steps cost at most this
  // much), then in pieces.
  static constexpr size_t kInlineBytes = TextPieces::kPieceBytes;

  // For a kToolCallEnd whose arguments are its deltas (Emitter::kArgumentsFromDeltas), before it
  // is applied: its text becomes the arguments assembled here ("{}" when there were none; short
  // ones copied to `out`'s arena, long ones pointed at), and its part says whether they are
  // valid JSON. Returns that.
  bool ResolveToolCallEnd(Event& end, Emitter& out);
  void Reset() {
    completion_ = Completion();
    pending_.clear();
    pending_index_.Clear();
    delta_choice_ = -1;
    created_ = 0;
    parts_ = 0;
    choice_index_.Clear();
    block_index_.Clear();
    call_index_.Clear();
    metadata_index_.Clear();
  }
  // How many choices, blocks, tool calls and metadata keys were created so far: a Stream checks
  // its StreamLimits only when this moved.
  uint64_t created() const { return created_; }
  size_t parts() const { return parts_; }  // blocks and tool calls

  // The body ended without the provider's terminal signal.
  void MarkTruncated() { completion_.truncated = true; }
  // Lets f(Completion&) add to the finished result what no event carried (a relay's completion:
  // relay/relay_completion.h). The long strings are completed first, so no pending tail refers to
  // what f changes; no event may be applied after it.
  template <typename F>
  void Amend(F&& f) {
    result();
    f(completion_);
  }

  // Most warnings kept in Completion::warnings; later ones are counted in the last entry.
  static constexpr size_t kMaxWarnings = 64;

 private:
  Choice& ChoiceAt(uint32_t index);
  Block* FindBlock(Choice& choice, uint32_t index);
  ToolCall* FindToolCall(Choice& choice, uint32_t index);
  // Appends a tool call / block with `index`; lookups by index find it from now on.
  ToolCall& NewToolCall(Choice& choice, uint32_t index);
  Block& NewBlock(Choice& choice, uint32_t index);
  void SetMetadata(std::string_view key, std::string_view value);

  // The strings that may grow long, and a key for one of them: (choice position, which, part
  // position). Positions never change while an assembler lives (nothing is erased).
  enum class LongField : uint64_t { kText, kReasoning, kBlockText, kArguments };
  uint64_t LongKey(LongField which, const Choice& choice, size_t part) const {
    const uint64_t position = static_cast<uint64_t>(&choice - completion_.choices.data());
    return position << 35 | static_cast<uint64_t>(which) << 32 | static_cast<uint32_t>(part);
  }
  std::string& LongString(uint64_t key) const;
  // Appends `delta` to one of those strings: inline while it stays within kInlineBytes (every
  // real answer), else to its pending tail.
  void AppendLong(std::string& string, LongField which, const Choice& choice, size_t part,
                  std::string_view delta) {
    if (string.size() + delta.size() <= kInlineBytes) {
      string.append(delta);
    } else {
      AppendToTail(string, LongKey(which, choice, part), delta);
    }
  }
  void AppendToTail(std::string& string, uint64_t key, std::string_view delta);
  // The pending tail of `key`, nullptr when it has none.
  TextPieces* TailOf(uint64_t key);
  void CompleteLongStrings() const;

  // The key of a block or tool call: its choice's position and its index.
  uint64_t PartHash(const Choice& choice, uint32_t index) const {
    const uint64_t position = static_cast<uint64_t>(&choice - completion_.choices.data());
    return FlatIndex::HashInt(position << 32 | index);
  }

  // Mutable: result() completes the long strings (the value does not change, only where its
  // bytes are).
  mutable Completion completion_;
  struct Pending {
    uint64_t key;
    TextPieces tail;
  };
  mutable std::vector<Pending> pending_;  // at most one per key
  FlatIndex pending_index_;
  size_t dropped_warnings_ = 0;
  int64_t delta_choice_ = -1;  // a choice known to exist (ApplyWithoutDeltas), -1: none yet
  uint64_t created_ = 0;
  size_t parts_ = 0;
  // Choices by index, blocks and tool calls by (choice, index): a hostile stream can make
  // thousands, which a scan per event would make quadratic. Blocks and tool calls map to the
  // newest one with their index, as providers address the newest.
  FlatIndex choice_index_;
  FlatIndex block_index_;
  FlatIndex call_index_;
  FlatIndex metadata_index_;
};

}  // namespace llmstream
