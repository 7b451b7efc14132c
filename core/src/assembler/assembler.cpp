#include "assembler/assembler.h"

#include <string>

#include "json/arena.h"
#include "json/reader.h"

namespace llmstream {
namespace {

// Counts the tokens of an OpenAI `logprobs` object: entries of `content` and `refusal`.
int64_t CountLogprobTokens(std::string_view json_text) {
  json::Arena arena;
  json::Reader reader(json_text, &arena);
  int64_t tokens = 0;
  if (!reader.BeginObject()) return 0;
  std::string_view key;
  while (reader.NextField(&key)) {
    if ((key == "content" || key == "refusal") && reader.BeginArray()) {
      while (reader.NextElement()) {
        ++tokens;
        reader.Skip();
      }
    } else {
      reader.Skip();
    }
  }
  return tokens;
}

}  // namespace

Choice& Assembler::ChoiceAt(uint32_t index) {
  std::vector<Choice>& choices = completion_.choices;
  // Nearly every event is for choices[0]: no hashing for it.
  if (!choices.empty() && choices[0].index == index) return choices[0];
  const uint64_t hash = FlatIndex::HashInt(index);
  const uint32_t at =
      choice_index_.Find(hash, [&](uint32_t i) { return choices[i].index == index; });
  if (at != FlatIndex::kNone) return choices[at];
  Choice& choice = choices.emplace_back();
  choice.index = index;
  ++created_;
  choice_index_.Insert(hash, static_cast<uint32_t>(choices.size() - 1));
  return choice;
}

Block* Assembler::FindBlock(Choice& choice, uint32_t index) {
  if (choice.blocks.empty()) return nullptr;
  if (choice.blocks.back().index == index) return &choice.blocks.back();  // the usual case
  const uint32_t at = block_index_.Find(PartHash(choice, index), [&](uint32_t i) {
    return i < choice.blocks.size() && choice.blocks[i].index == index;
  });
  return at == FlatIndex::kNone ? nullptr : &choice.blocks[at];
}

ToolCall* Assembler::FindToolCall(Choice& choice, uint32_t index) {
  if (choice.tool_calls.empty()) return nullptr;
  if (choice.tool_calls.back().index == index) return &choice.tool_calls.back();
  const uint32_t at = call_index_.Find(PartHash(choice, index), [&](uint32_t i) {
    return i < choice.tool_calls.size() && choice.tool_calls[i].index == index;
  });
  return at == FlatIndex::kNone ? nullptr : &choice.tool_calls[at];
}

bool Assembler::ResolveToolCallEnd(Event& end, Emitter& out) {
  Choice& choice = ChoiceAt(end.choice);
  ToolCall* call = FindToolCall(choice, end.block);
  // The end event carries the whole arguments in one view: a pending tail joins them first.
  if (call != nullptr) {
    if (TextPieces* tail =
            TailOf(LongKey(LongField::kArguments, choice, call - choice.tool_calls.data()))) {
      tail->MoveTo(&call->arguments);
    }
  }
  const std::string_view arguments = call ? std::string_view(call->arguments) : std::string_view();
  // Long arguments are not copied: the event points into the call's own string, which lives
  // until the next Feed (a later call in this batch may move the ToolCall, but a moved string
  // keeps its heap buffer; only a short, inline one would move, so those are copied). Nothing
  // resets an assembler within the batch that delivered a tool call: that is output, and a
  // session never starts over after output.
  return out.SetToolArguments(end, arguments, /*copy=*/arguments.size() <= 64);
}

std::string& Assembler::LongString(uint64_t key) const {
  Choice& choice = completion_.choices[key >> 35];
  const uint32_t part = static_cast<uint32_t>(key);
  switch (static_cast<LongField>(key >> 32 & 7)) {
    case LongField::kText:
      return choice.text;
    case LongField::kReasoning:
      return choice.reasoning;
    case LongField::kBlockText:
      return choice.blocks[part].text;
    case LongField::kArguments:
      break;
  }
  return choice.tool_calls[part].arguments;
}

TextPieces* Assembler::TailOf(uint64_t key) {
  const uint32_t at = pending_index_.Find(FlatIndex::HashInt(key),
                                          [&](uint32_t i) { return pending_[i].key == key; });
  return at == FlatIndex::kNone ? nullptr : &pending_[at].tail;
}

void Assembler::AppendToTail(std::string& string, uint64_t key, std::string_view delta) {
  TextPieces* tail = TailOf(key);
  if (tail == nullptr) {
    pending_.push_back({key, TextPieces()});
    pending_index_.Insert(FlatIndex::HashInt(key), static_cast<uint32_t>(pending_.size() - 1));
    tail = &pending_.back().tail;
  }
  if (tail->empty() && string.size() < kInlineBytes) {
    // The string is filled up to kInlineBytes first: from then on no delta fits inline
    // (AppendLong), so none can overtake the tail.
    const size_t fill = kInlineBytes - string.size();
    string.append(delta.substr(0, fill));
    delta.remove_prefix(fill);
  }
  tail->Append(delta);
}

void Assembler::CompleteLongStrings() const {
  for (Pending& pending : pending_) {
    if (!pending.tail.empty()) pending.tail.MoveTo(&LongString(pending.key));
  }
}

ToolCall& Assembler::NewToolCall(Choice& choice, uint32_t index) {
  const uint64_t hash = PartHash(choice, index);
  if (const ToolCall* older = FindToolCall(choice, index)) {
    call_index_.Erase(hash, static_cast<uint32_t>(older - choice.tool_calls.data()));
  }
  ToolCall& call = choice.tool_calls.emplace_back();
  call.index = index;
  ++created_;
  ++parts_;
  call_index_.Insert(hash, static_cast<uint32_t>(choice.tool_calls.size() - 1));
  return call;
}

Block& Assembler::NewBlock(Choice& choice, uint32_t index) {
  const uint64_t hash = PartHash(choice, index);
  if (const Block* older = FindBlock(choice, index)) {
    block_index_.Erase(hash, static_cast<uint32_t>(older - choice.blocks.data()));
  }
  Block& block = choice.blocks.emplace_back();
  block.index = index;
  ++created_;
  ++parts_;
  block_index_.Insert(hash, static_cast<uint32_t>(choice.blocks.size() - 1));
  return block;
}

void Assembler::SetMetadata(std::string_view key, std::string_view value) {
  auto& metadata = completion_.metadata;
  const uint64_t hash = FlatIndex::HashString(key);
  const uint32_t at =
      metadata_index_.Find(hash, [&](uint32_t i) { return metadata[i].first == key; });
  if (at != FlatIndex::kNone) {
    metadata[at].second.assign(value);
    return;
  }
  metadata.emplace_back(std::string(key), std::string(value));
  ++created_;
  metadata_index_.Insert(hash, static_cast<uint32_t>(metadata.size() - 1));
}

void Assembler::Apply(const Event& event) {
  switch (event.kind) {
    case EventKind::kText: {
      Choice& choice = ChoiceAt(event.choice);
      AppendLong(choice.text, LongField::kText, choice, 0, event.text);
      if (Block* block = FindBlock(choice, event.block)) {
        AppendLong(block->text, LongField::kBlockText, choice, block - choice.blocks.data(),
                   event.text);
      }
      break;
    }
    case EventKind::kReasoning: {
      Choice& choice = ChoiceAt(event.choice);
      Block* block = FindBlock(choice, event.block);
      switch (event.reasoning_part()) {
        case ReasoningPart::kText:
        case ReasoningPart::kSummary:
          AppendLong(choice.reasoning, LongField::kReasoning, choice, 0, event.text);
          if (block) {
            AppendLong(block->text, LongField::kBlockText, choice, block - choice.blocks.data(),
                       event.text);
          }
          break;
        case ReasoningPart::kSignature:
          choice.reasoning_signature.append(event.text);
          if (block) block->signature.append(event.text);
          break;
        case ReasoningPart::kRedacted:
          if (block) block->data.append(event.text);
          break;
      }
      break;
    }
    case EventKind::kRefusal:
      ChoiceAt(event.choice).refusal.append(event.text);
      break;
    case EventKind::kToolCallStart: {
      Choice& choice = ChoiceAt(event.choice);
      ToolCall& call = NewToolCall(choice, event.block);
      call.kind = event.tool_kind();
      call.id.assign(event.id);
      call.name.assign(event.name);
      Block* block = FindBlock(choice, event.block);
      call.type = block ? block->type : "function";
      if (block) block->tool_call = static_cast<int>(choice.tool_calls.size() - 1);
      break;
    }
    case EventKind::kToolCallDelta: {
      Choice& choice = ChoiceAt(event.choice);
      if (ToolCall* call = FindToolCall(choice, event.block)) {
        AppendLong(call->arguments, LongField::kArguments, choice, call - choice.tool_calls.data(),
                   event.text);
      }
      break;
    }
    case EventKind::kToolCallEnd: {
      Choice& choice = ChoiceAt(event.choice);
      ToolCall* call = FindToolCall(choice, event.block);
      if (!call) {  // an end without a start still yields a call: nothing is dropped
        call = &NewToolCall(choice, event.block);
        call->type = "function";
      }
      if (call->id.empty()) call->id.assign(event.id);
      if (call->name.empty()) call->name.assign(event.name);
      // Unresolved (a Stream that leaves deltas to its Session): the deltas are the arguments.
      // Resolved from this call (ResolveToolCallEnd): the text is the arguments already.
      if (event.part != Emitter::kArgumentsFromDeltas &&
          event.text.data() != call->arguments.data()) {
        // Whole arguments replace the deltas', a pending tail of them included.
        if (TextPieces* tail =
                TailOf(LongKey(LongField::kArguments, choice, call - choice.tool_calls.data()))) {
          *tail = TextPieces();
        }
        call->arguments.assign(event.text);
      }
      call->complete = true;
      call->arguments_valid = event.arguments_valid();
      break;
    }
    case EventKind::kCitation: {
      Choice& choice = ChoiceAt(event.choice);
      choice.citations.emplace_back(event.text);
      if (Block* block = FindBlock(choice, event.block)) block->citations.emplace_back(event.text);
      break;
    }
    case EventKind::kMetadata: {
      if (event.name == "id") {
        if (completion_.id.empty()) completion_.id.assign(event.text);
      } else if (event.name == "model") {
        completion_.model.assign(event.text);
      } else if (event.name == "provider") {
        completion_.provider.assign(event.text);
      } else if (event.name == "role") {
        ChoiceAt(event.choice).role.assign(event.text);
      } else if (event.name == "logprobs") {
        ChoiceAt(event.choice).logprob_tokens += CountLogprobTokens(event.text);
      }
      SetMetadata(event.name, event.text);
      break;
    }
    case EventKind::kUsage:
      if (event.usage) completion_.usage = *event.usage;
      break;
    case EventKind::kCost:
      if (event.cost) completion_.cost = *event.cost;
      break;
    case EventKind::kKeepAlive:
    case EventKind::kBlockEnd:
    case EventKind::kRetry:  // the session's business: the next attempt's events say what changed
    case EventKind::kRaw:    // the provider's own event: the decoded events carry its content
    case EventKind::kPartialObject:  // a view of the deltas, which are assembled
      break;
    case EventKind::kWarning:
      if (completion_.warnings.size() < kMaxWarnings) {
        completion_.warnings.emplace_back(event.text);
      } else {
        completion_.warnings.back() =
            "(" + std::to_string(++dropped_warnings_) + " more warnings not kept)";
      }
      break;
    case EventKind::kError:
      if (event.error && !completion_.error) completion_.error = *event.error;
      break;
    case EventKind::kFinish: {
      Choice& choice = ChoiceAt(event.choice);
      choice.finish_reason.assign(event.text);
      choice.raw_finish_reason.assign(event.id);
      choice.stop_sequence.assign(event.name);
      break;
    }
    case EventKind::kDone:
      completion_.finished = true;
      break;
    case EventKind::kBlockStart: {
      Choice& choice = ChoiceAt(event.choice);
      Block& block = NewBlock(choice, event.block);
      block.type.assign(event.name);
      block.data.assign(event.text);
      block.id.assign(event.id);
      break;
    }
  }
}

}  // namespace llmstream
