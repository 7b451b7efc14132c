// Which framing a response is read with (llmstream/framing.h: FramingFor). Linked into the web
// module too, where the Session decides with it; the types of the framings that module lacks are
// accepted in more_framing_for.cpp, which it leaves out.
#include <optional>
#include <string_view>

#include "framing/media_type.h"
#include "llmstream/framing.h"

namespace llmstream {
namespace framing {

bool SameMediaType(std::string_view type, std::string_view lower) {
  if (type.size() != lower.size()) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace framing

namespace {

// "Text/Event-Stream; charset=utf-8" -> "Text/Event-Stream": the media type without its
// parameters and the optional whitespace around it (RFC 9110 section 8.3).
std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  const size_t begin = content_type.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = content_type.find_last_not_of(" \t");
  return content_type.substr(begin, end + 1 - begin);
}

}  // namespace
std::string_view FramingMediaType(Framing framing) {
  switch (framing) {
    case Framing::kSse:
      return "text/event-stream";
    case Framing::kNdjson:
      return "application/x-ndjson";
    case Framing::kAwsEventStream:
      return "application/vnd.amazon.eventstream";
    case Framing::kJsonArray:
      return "application/json";
  }
  return "";
}

Framing DefaultFraming(WireApi api) {
  switch (api) {
    case WireApi::kBedrockConverse:
      return Framing::kAwsEventStream;
    case WireApi::kOllamaChat:
    case WireApi::kOllamaGenerate:
      return Framing::kNdjson;
    case WireApi::kChatCompletions:
    case WireApi::kResponses:
    case WireApi::kAnthropicMessages:
    case WireApi::kGeminiGenerateContent:
    case WireApi::kCohereChat:
    case WireApi::kRelay:
      break;
  }
  return Framing::kSse;
}

std::optional<Framing> FramingFor(WireApi api, std::optional<std::string_view> content_type) {
  const Framing own = DefaultFraming(api);
  if (!content_type) return own;
  const std::string_view type = MediaType(*content_type);
  // Each API accepts its own framing's type, and a few more (OtherFramingFor). A type that names
  // another API's framing is refused: its bytes would only be misread.
  if (framing::SameMediaType(type, FramingMediaType(own))) return own;
  return framing::OtherFramingFor(api, type);
}

}  // namespace llmstream
