// The provider table (provider_table.h). Default models are each provider's popular inexpensive
// model as of 2026-12 (their pricing rows are in core/src/pricing/prices.inc); key variables are
// the ones the provider's official SDK reads.
#include "request/provider_table.h"

namespace llmstream::request_internal {

namespace {

using enum AuthStyle;
using enum WireApi;

// In Provider order: row i is Provider(i). The last row answers for values outside the enum.
constexpr ProviderFacts kFacts[kProviderCount + 1] = {
    {"openai", "", kChatCompletions, kBearer, true, "https://api.openai.com/v1", "gpt-4o-mini",
     "OPENAI_API_KEY"},
    {"anthropic", "", kAnthropicMessages, kXApiKey, true, "https://api.anthropic.com/v1",
     "claude-haiku-4-5", "ANTHROPIC_API_KEY"},
    {"groq", "", kChatCompletions, kBearer, true, "https://api.groq.com/openai/v1",
     "llama-3.3-70b-versatile", "GROQ_API_KEY"},
    {"openrouter", "", kChatCompletions, kBearer, true, "https://openrouter.ai/api/v1",
     "openai/gpt-4o-mini", "OPENROUTER_API_KEY"},
    {"compatible", "openai-compatible", kChatCompletions, kBearer, false, "", "",
     "LLMSTREAM_API_KEY"},
    {"local", "", kChatCompletions, kBearer, false, "http://127.0.0.1:8787", "local-echo",
     "LLMSTREAM_API_KEY"},
    {"gemini", "google", kGeminiGenerateContent, kGoogApiKey, true,
     "https://generativelanguage.googleapis.com/v1beta", "gemini-2.5-flash", "GEMINI_API_KEY"},
    // {region} is filled in by the Bedrock request builder (bedrock_request.cpp). The key is a
    // Bedrock API key (Bearer); AWS credentials sign instead (ProviderConfig::aws_credentials).
    {"bedrock", "", kBedrockConverse, kAwsSigV4, true,
     "https://bedrock-runtime.{region}.amazonaws.com",
     "us.anthropic.claude-haiku-4-5-20251001-v1:0", "AWS_BEARER_TOKEN_BEDROCK"},
    // A local Ollama needs no key; ollama.com's hosted API takes one as a Bearer token.
    {"ollama", "", kOllamaChat, kBearer, false, "http://127.0.0.1:11434", "llama3.2",
     "OLLAMA_API_KEY"},
    {"cohere", "", kCohereChat, kBearer, true, "https://api.cohere.com/v2", "command-a-03-2025",
     "CO_API_KEY"},
    {"mistral", "", kChatCompletions, kBearer, true, "https://api.mistral.ai/v1",
     "mistral-small-latest", "MISTRAL_API_KEY"},
    {"deepseek", "", kChatCompletions, kBearer, true, "https://api.deepseek.com/v1",
     "deepseek-v4-flash", "DEEPSEEK_API_KEY"},
    // The base URL is the resource endpoint (https://NAME.openai.azure.com); the model names the
    // deployment, which the user chose: no default for either.
    {"azure", "", kChatCompletions, kApiKey, true, "", "", "AZURE_OPENAI_API_KEY"},
    {"xai", "", kChatCompletions, kBearer, true, "https://api.x.ai/v1",
     "grok-4-1-fast-non-reasoning", "XAI_API_KEY"},
    // An app's relay (docs/relay-protocol.md): its URL, its model and the provider's key are the
    // app's; the key here is the app's own token, if it wants one.
    {"relay", "", kRelay, kBearer, false, "", "", "LLMSTREAM_RELAY_TOKEN"},
    {"unknown", "", kChatCompletions, kBearer, false, "", "", "LLMSTREAM_API_KEY"},
};

}  // namespace

const ProviderFacts& Facts(Provider provider) {
  const uint8_t index = static_cast<uint8_t>(provider);
  return kFacts[index < kProviderCount ? index : kProviderCount];
}

AuthStyle AuthFor(Provider provider, WireApi api) {
  const AuthStyle own = Facts(provider).auth;
  if (own != kBearer) return own;
  // A Bearer provider speaking another protocol (the local server imitating Anthropic or Gemini,
  // a compatible proxy) sends that protocol's header, as the protocol's own SDK would.
  if (api == kAnthropicMessages) return kXApiKey;
  if (api == kGeminiGenerateContent) return kGoogApiKey;
  return kBearer;
}

}  // namespace llmstream::request_internal
