#include "stream/emitter.h"

#include <string>

#include "providers/field_reading.h"

namespace llmstream {

void Emitter::EmitToolCallEnd(uint32_t choice, uint32_t index, std::string_view id,
                              std::string_view name, std::string_view arguments) {
  Event& end = Emit(EventKind::kToolCallEnd, choice, index);
  end.id = Copy(id);
  end.name = Copy(name);
  if (!SetToolArguments(end, arguments, /*copy=*/true)) {
    InsertBadArgumentsWarning(events_.size() - 1, name, id);  // before its end event
  }
}

bool Emitter::SetToolArguments(Event& end, std::string_view arguments, bool copy) {
  if (arguments.empty()) arguments = "{}";  // "" means a call without arguments
  const bool valid = providers::IsValidJson(arguments, &arena_);
  end.text = copy ? Copy(arguments) : arguments;
  end.part = static_cast<uint8_t>(valid ? ToolArguments::kValidJson : ToolArguments::kInvalidJson);
  return valid;
}

void Emitter::InsertBadArgumentsWarning(size_t position, std::string_view name,
                                        std::string_view id) {
  std::string message = "bad_tool_arguments: tool call ";
  message.append(name);
  if (!id.empty()) {
    message.append(" (");
    message.append(id);
    message.append(")");
  }
  message.append(" ended with arguments that are not valid JSON");
  EmitWarning(message);
  MoveLastTo(position);
}

}  // namespace llmstream
