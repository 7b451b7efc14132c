// What every example shares: its command line and the choice of provider.
//
// Each example is written for the provider its seed-guide section uses (OpenAI, Anthropic or
// Groq). With that provider's key in the environment it talks to the real API; without one it
// talks to the local provider server (`node server/local-provider.mjs`), which needs no key and
// speaks all three wire APIs, so every example runs offline:
//
//   OPENAI_API_KEY / ANTHROPIC_API_KEY / GROQ_API_KEY   use the real provider
//   OPENAI_BASE_URL / ANTHROPIC_BASE_URL / GROQ_BASE_URL  ... at this URL instead (a proxy)
//   --base-url URL     where to send the requests: with a key, the provider at this URL (a
//                      proxy; it wins over *_BASE_URL); without one, the local provider
//                      (default http://127.0.0.1:8787/v1)
//   --model NAME       another model than the example's default
//
// Keys are read here, by the application: the library never reads the environment.
#pragma once

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "llmstream/client.h"
#include "llmstream/error.h"
#include "llmstream/request.h"

namespace examples {

// A provider an example can be pointed at, and a small current model of it.
struct Target {
  llmstream::Provider provider;
  const char* key_env;
  const char* base_url_env;
  const char* model;
};

inline constexpr Target kOpenAI{llmstream::Provider::kOpenAI, "OPENAI_API_KEY", "OPENAI_BASE_URL",
                                "gpt-4o-mini"};
inline constexpr Target kAnthropic{llmstream::Provider::kAnthropic, "ANTHROPIC_API_KEY",
                                   "ANTHROPIC_BASE_URL", "claude-haiku-4-5"};
inline constexpr Target kGroq{llmstream::Provider::kGroq, "GROQ_API_KEY", "GROQ_BASE_URL",
                              "llama-3.1-8b-instant"};

inline constexpr std::string_view kLocalBaseUrl = "http://127.0.0.1:8787/v1";

struct Args {
  std::optional<std::string> base_url;  // --base-url, when given
  std::optional<std::string> model;
};

// Parses --base-url URL and --model NAME. `about` is the one-line description --help prints.
// Exits with status 2 on anything else.
inline Args ParseArgs(int argc, char** argv, std::string_view about) {
  Args args;
  auto usage = [&](std::ostream& out) {
    out << about << "\n\nusage: " << argv[0] << " [--base-url URL] [--model NAME]\n"
        << "  Uses OPENAI_API_KEY / ANTHROPIC_API_KEY / GROQ_API_KEY when set (at --base-url,\n"
        << "  else *_BASE_URL, else the provider's URL), else the local provider at --base-url\n"
        << "  (default " << kLocalBaseUrl << ").\n";
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage(std::cout);
      std::exit(0);
    } else if (arg == "--base-url" && i + 1 < argc) {
      args.base_url = argv[++i];
    } else if (arg == "--model" && i + 1 < argc) {
      args.model = argv[++i];
    } else {
      std::cerr << argv[0] << ": unexpected argument '" << arg << "'\n";
      usage(std::cerr);
      std::exit(2);
    }
  }
  return args;
}

// A configured provider: the client options and the model to ask for.
struct Setup {
  llmstream::ClientOptions options;
  std::string model;
  bool local = false;  // the local provider: fault injection through scenarios works
  std::string label;   // "openai", "local (anthropic_messages)", ... for messages
};

inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

// The options for `target`: its real API when its key variable is set (at --base-url when given:
// a proxy), else the local provider at --base-url speaking the target's wire API (Anthropic
// Messages for Anthropic, Chat Completions otherwise), so the same dialect code runs either way.
inline Setup Configure(const Args& args, const Target& target) {
  Setup setup;
  setup.model = args.model.value_or(target.model);
  llmstream::ProviderConfig& provider = setup.options.provider;
  provider.api_key = Env(target.key_env);
  if (!provider.api_key.empty()) {
    provider.provider = target.provider;
    // "" = the provider's default URL
    provider.base_url = args.base_url.value_or(Env(target.base_url_env));
    setup.label = std::string(llmstream::ProviderName(target.provider));
  } else {
    provider.provider = llmstream::Provider::kLocal;
    provider.base_url = args.base_url.value_or(std::string(kLocalBaseUrl));
    provider.api = target.provider == llmstream::Provider::kAnthropic
                       ? llmstream::WireApi::kAnthropicMessages
                       : llmstream::WireApi::kChatCompletions;
    setup.local = true;
    setup.label = "local (" + std::string(llmstream::WireApiName(*provider.api)) + ")";
  }
  std::cerr << "# " << setup.label << " at "
            << (provider.base_url.empty() ? llmstream::DefaultBaseUrl(provider.provider)
                                          : std::string_view(provider.base_url))
            << ", model " << setup.model << "\n";
  return setup;
}

// The local provider's fault injection and output shaping (server/lib/scenario.mjs): "key=value;
// ..." in the x-llmstream-scenario header. Real providers would ignore it, so it is only sent to
// the local one.
inline llmstream::ClientOptions WithScenario(const Setup& setup, std::string_view scenario) {
  llmstream::ClientOptions options = setup.options;
  if (setup.local && !scenario.empty()) {
    options.provider.headers.emplace_back("x-llmstream-scenario", std::string(scenario));
  }
  return options;
}

// "rate_limited (HTTP 429, rate_limit_exceeded): Rate limit reached ..." for messages.
inline std::string Describe(const llmstream::Error& error) {
  std::string out(llmstream::ErrorCodeName(error.code));
  if (error.http_status != 0 || !error.provider_type.empty()) {
    out += " (";
    if (error.http_status != 0) out += "HTTP " + std::to_string(error.http_status);
    if (error.http_status != 0 && !error.provider_type.empty()) out += ", ";
    out += error.provider_type;
    out += ")";
  }
  return out + ": " + error.message;
}

}  // namespace examples
