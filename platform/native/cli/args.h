// The llmstream command line: what the user asked for, parsed without side effects (no
// environment, no files), so that every option's rules live in one place and HelpText documents
// exactly what ParseArgs accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmstream/request.h"

namespace llmstream::cli {

struct Args {
  // The prompt words, joined with spaces. Empty (or a single "-") = read the prompt from stdin.
  std::vector<std::string> prompt;

  Provider provider = Provider::kLocal;
  bool provider_given = false;  // --provider was on the command line
  std::string model;            // empty = the provider's default (DefaultModel)
  std::string base_url;         // empty = the provider's default
  std::optional<WireApi> api;
  std::string system;
  std::optional<int> max_tokens;
  std::optional<double> temperature;
  std::vector<std::pair<std::string, std::string>> headers;  // --header 'Name: value'
  std::string scenario;                                      // x-llmstream-scenario

  std::optional<int> retries;
  std::optional<int64_t> timeout_ms;  // first byte
  std::optional<int64_t> idle_timeout_ms;
  std::optional<int64_t> connect_timeout_ms;
  std::optional<int64_t> total_timeout_ms;        // the whole attempt
  std::optional<int64_t> output_idle_timeout_ms;  // longest gap without output
  std::optional<int64_t> max_completion_bytes;
  bool continuation = false;

  bool json = false;
  bool metrics = false;
  bool quiet = false;
  bool no_color = false;
  bool help = false;

  std::string record;  // --record FILE
  std::string replay;  // --replay FILE
  int64_t pace_ms = 0;
  double speed = 1;  // recordings: 2 = twice as fast, 0 = no waiting

  bool PromptFromStdin() const {
    return prompt.empty() || (prompt.size() == 1 && prompt[0] == "-");
  }
};

struct ParseResult {
  std::optional<Args> args;  // nullopt: `error` says why (one line, no "llmstream:" prefix)
  std::string error;
};

// argv without the program name. Accepts "--name value" and "--name=value"; "--" ends the
// options (everything after it is prompt).
ParseResult ParseArgs(std::span<const std::string_view> argv);

// The --help text (usage, options, the providers, environment, exit codes).
std::string HelpText();

// Every name --provider takes, from the core's provider table: "openai, anthropic, ...,
// compatible (or openai-compatible), local, gemini (or google), ...".
std::string ProviderChoices();

// Every name --api takes: "chat_completions (or chat) | responses | ...".
std::string WireApiChoices();

}  // namespace llmstream::cli
