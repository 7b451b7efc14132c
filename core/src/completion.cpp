#include "llmstream/completion.h"

namespace llmstream {

const Choice* Completion::FindChoice(uint32_t index) const {
  for (const Choice& choice : choices) {
    if (choice.index == index) return &choice;
  }
  return nullptr;
}

std::string_view Completion::Metadata(std::string_view key) const {
  for (const auto& [name, value] : metadata) {
    if (name == key) return value;
  }
  return {};
}

}  // namespace llmstream
