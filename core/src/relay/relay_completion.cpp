// OverlayCompletionFacts (relay_completion.h), reading the completion as AppendJson(Completion)
// writes it (core/src/json/to_json.cpp).
#include "relay/relay_completion.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json/arena.h"
#include "json/reader.h"

namespace llmstream::relay_internal {
namespace {

// A string member, or null for "".
bool ReadText(json::Reader& r, std::string* out) {
  if (r.GetNull()) {
    out->clear();
    return true;
  }
  std::string_view s;
  if (!r.GetString(&s)) return false;
  *out = std::string(s);
  return true;
}

bool ReadBlock(json::Reader& r, Block* block) {
  if (!r.BeginObject()) return false;
  std::string_view key;
  while (r.NextField(&key)) {
    bool ok = true;
    int64_t number = 0;
    if (key == "index" && r.GetInt(&number)) {
      block->index = static_cast<uint32_t>(number);
    } else if (key == "toolCall" && r.GetInt(&number)) {
      block->tool_call = static_cast<int>(number);
    } else if (key == "type") {
      ok = ReadText(r, &block->type);
    } else if (key == "id") {
      ok = ReadText(r, &block->id);
    } else if (key == "text") {
      ok = ReadText(r, &block->text);
    } else if (key == "signature") {
      ok = ReadText(r, &block->signature);
    } else if (key == "data") {
      ok = ReadText(r, &block->data);
    } else if (key == "citations" && r.BeginArray()) {
      while (r.NextElement()) {
        std::string_view raw;
        if (!r.SkipRaw(&raw)) return false;
        block->citations.emplace_back(raw);
      }
    } else {
      ok = r.Skip();
    }
    if (!ok) return false;
  }
  return !r.failed();
}

struct ChoiceFacts {
  std::optional<int64_t> index;
  std::string raw_finish_reason;
  std::string stop_sequence;
  std::optional<std::vector<Block>> blocks;
};

bool ReadChoice(json::Reader& r, ChoiceFacts* facts) {
  if (!r.BeginObject()) return false;
  std::string_view key;
  while (r.NextField(&key)) {
    bool ok = true;
    int64_t number = 0;
    if (key == "index" && r.GetInt(&number)) {
      facts->index = number;
    } else if (key == "rawFinishReason") {
      ok = ReadText(r, &facts->raw_finish_reason);
    } else if (key == "stopSequence") {
      ok = ReadText(r, &facts->stop_sequence);
    } else if (key == "blocks" && r.BeginArray()) {
      facts->blocks.emplace();
      while (r.NextElement()) {
        if (!ReadBlock(r, &facts->blocks->emplace_back())) return false;
      }
    } else {
      ok = r.Skip();
    }
    if (!ok) return false;
  }
  return !r.failed();
}

}  // namespace

bool OverlayCompletionFacts(std::string_view json, Completion* completion) {
  json::Arena arena;
  json::Reader r(json, &arena);
  std::vector<ChoiceFacts> choices;
  if (!r.BeginObject()) return false;
  std::string_view key;
  while (r.NextField(&key)) {
    if (key == "choices" && r.BeginArray()) {
      while (r.NextElement()) {
        if (!ReadChoice(r, &choices.emplace_back())) return false;
      }
    } else if (!r.Skip()) {
      return false;
    }
  }
  if (!r.Finish()) return false;
  for (ChoiceFacts& facts : choices) {
    for (Choice& choice : completion->choices) {
      if (!facts.index || choice.index != *facts.index) continue;
      choice.raw_finish_reason = std::move(facts.raw_finish_reason);
      choice.stop_sequence = std::move(facts.stop_sequence);
      if (facts.blocks) choice.blocks = std::move(*facts.blocks);
    }
  }
  return true;
}

}  // namespace llmstream::relay_internal
