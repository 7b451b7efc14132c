#include "cli/replay_guess.h"

#include <array>

namespace llmstream::cli {
namespace {

struct Prefix {
  std::string_view prefix;
  std::string_view provider;  // ParseProvider's name; unknown ones are read as kCompatible
  WireApi api;
};

// Longer prefixes first where one starts another (openai-responses before openai).
constexpr std::array kPrefixes = {
    Prefix{"anthropic", "anthropic", WireApi::kAnthropicMessages},
    Prefix{"openai-responses", "openai", WireApi::kResponses},
    Prefix{"openai", "openai", WireApi::kChatCompletions},
    Prefix{"groq", "groq", WireApi::kChatCompletions},
    Prefix{"openrouter", "openrouter", WireApi::kChatCompletions},
    Prefix{"gemini", "gemini", WireApi::kGeminiGenerateContent},
    Prefix{"bedrock", "bedrock", WireApi::kBedrockConverse},
    Prefix{"ollama-generate", "ollama", WireApi::kOllamaGenerate},
    Prefix{"ollama", "ollama", WireApi::kOllamaChat},
    Prefix{"cohere", "cohere", WireApi::kCohereChat},
    Prefix{"mistral", "mistral", WireApi::kChatCompletions},
    Prefix{"deepseek", "deepseek", WireApi::kChatCompletions},
};

std::string_view FileName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::optional<GuessedDialect> GuessDialect(std::string_view path) {
  const std::string_view name = FileName(path);
  for (const Prefix& entry : kPrefixes) {
    if (!name.starts_with(entry.prefix)) continue;
    GuessedDialect guess;
    guess.provider = ParseProvider(entry.provider).value_or(Provider::kCompatible);
    guess.api = entry.api;
    return guess;
  }
  return std::nullopt;
}

std::string KnownDialectPrefixes() {
  std::string list;
  for (const Prefix& entry : kPrefixes) {
    if (!list.empty()) list += ", ";
    list += std::string(entry.prefix) + "-";
  }
  return list;
}

std::optional<std::string_view> ContentTypeOfFile(std::string_view path) {
  const std::string_view name = FileName(path);
  const size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view extension = name.substr(dot);
  if (extension == ".sse") return FramingMediaType(Framing::kSse);
  if (extension == ".json") return FramingMediaType(Framing::kJsonArray);
  if (extension == ".ndjson" || extension == ".jsonl") return FramingMediaType(Framing::kNdjson);
  if (extension == ".eventstream") return FramingMediaType(Framing::kAwsEventStream);
  return std::nullopt;
}

}  // namespace llmstream::cli
