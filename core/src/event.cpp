#include "llmstream/event.h"

namespace llmstream {

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kText:
      return "text";
    case EventKind::kReasoning:
      return "reasoning";
    case EventKind::kRefusal:
      return "refusal";
    case EventKind::kToolCallStart:
      return "tool_call_start";
    case EventKind::kToolCallDelta:
      return "tool_call_delta";
    case EventKind::kToolCallEnd:
      return "tool_call_end";
    case EventKind::kCitation:
      return "citation";
    case EventKind::kMetadata:
      return "metadata";
    case EventKind::kUsage:
      return "usage";
    case EventKind::kCost:
      return "cost";
    case EventKind::kKeepAlive:
      return "keep_alive";
    case EventKind::kWarning:
      return "warning";
    case EventKind::kError:
      return "error";
    case EventKind::kFinish:
      return "finish";
    case EventKind::kDone:
      return "done";
    case EventKind::kBlockStart:
      return "block_start";
    case EventKind::kBlockEnd:
      return "block_end";
    case EventKind::kRetry:
      return "retry";
    case EventKind::kRaw:
      return "raw";
    case EventKind::kPartialObject:
      return "partial_object";
  }
  return "unknown";
}

std::string_view ReasoningPartName(ReasoningPart part) {
  switch (part) {
    case ReasoningPart::kText:
      return "text";
    case ReasoningPart::kSignature:
      return "signature";
    case ReasoningPart::kRedacted:
      return "redacted";
    case ReasoningPart::kSummary:
      return "summary";
  }
  return "unknown";
}

std::string_view ToolKindName(ToolKind kind) {
  switch (kind) {
    case ToolKind::kFunction:
      return "function";
    case ToolKind::kServer:
      return "server";
  }
  return "unknown";
}

std::string_view PartialSourceName(PartialSource source) {
  switch (source) {
    case PartialSource::kText:
      return "text";
    case PartialSource::kToolArguments:
      return "tool_arguments";
  }
  return "unknown";
}

}  // namespace llmstream
