#include "cli/args.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace llmstream::cli {
namespace {

template <typename T>
std::optional<T> ParseNumber(std::string_view text, T min, T max) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

constexpr int64_t kMaxMs = int64_t{24} * 3600 * 1000;

}  // namespace

ParseResult ParseArgs(std::span<const std::string_view> argv) {
  Args args;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (options_done || arg == "-" || arg.substr(0, 2) != "--") {
      if (!options_done && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        return {std::nullopt, "unknown option " + std::string(arg) + " (see --help)"};
      }
      args.prompt.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    // "--name=value" or "--name value".
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    std::string error;
    auto value = [&]() -> std::optional<std::string_view> {
      if (inline_value) return inline_value;
      if (i + 1 >= argv.size()) {
        error = std::string(name) + " needs a value";
        return std::nullopt;
      }
      return argv[++i];
    };
    auto bad = [&](std::string_view v, std::string_view what) {
      return ParseResult{std::nullopt, std::string(name) + ": invalid value '" + std::string(v) +
                                           "' (" + std::string(what) + ")"};
    };
    auto flag = [&](bool* target) -> bool {
      if (inline_value) {
        error = std::string(name) + " takes no value";
        return false;
      }
      *target = true;
      return true;
    };
    // Every option that takes a value: read it once, then dispatch.
    static constexpr std::string_view kValued[] = {"--provider",
                                                   "--model",
                                                   "--base-url",
                                                   "--api",
                                                   "--system",
                                                   "--max-tokens",
                                                   "--temperature",
                                                   "--header",
                                                   "--scenario",
                                                   "--retries",
                                                   "--timeout-ms",
                                                   "--idle-timeout-ms",
                                                   "--connect-timeout-ms",
                                                   "--total-timeout-ms",
                                                   "--output-idle-timeout-ms",
                                                   "--max-completion-bytes",
                                                   "--record",
                                                   "--replay",
                                                   "--pace-ms",
                                                   "--speed"};
    bool valued = false;
    for (std::string_view known : kValued) valued = valued || known == name;
    if (valued) {
      std::optional<std::string_view> v = value();
      if (!v) return {std::nullopt, error};
      if (name == "--provider") {
        std::optional<Provider> provider = ParseProvider(*v);
        if (!provider) {
          return bad(*v, "local, openai, anthropic, groq, openrouter or compatible");
        }
        args.provider = *provider;
        args.provider_given = true;
      } else if (name == "--model") {
        args.model = *v;
      } else if (name == "--base-url") {
        args.base_url = *v;
      } else if (name == "--api") {
        args.api = ParseWireApi(*v);
        if (!args.api) {
          return bad(*v,
                     "chat, responses, messages, gemini_generate_content, bedrock_converse, "
                     "ollama_chat, ollama_generate or cohere_chat");
        }
      } else if (name == "--system") {
        args.system = *v;
      } else if (name == "--max-tokens") {
        args.max_tokens = ParseNumber<int>(*v, 1, std::numeric_limits<int>::max());
        if (!args.max_tokens) return bad(*v, "a positive integer");
      } else if (name == "--temperature") {
        args.temperature = ParseNumber<double>(*v, 0.0, 2.0);
        if (!args.temperature) return bad(*v, "a number from 0 to 2");
      } else if (name == "--header") {
        size_t colon = v->find(':');
        std::string_view header_name = Trim(v->substr(0, colon));
        if (colon == std::string_view::npos || header_name.empty()) {
          return {std::nullopt, "--header: expected 'Name: value'"};
        }
        args.headers.emplace_back(header_name, Trim(v->substr(colon + 1)));
      } else if (name == "--scenario") {
        args.scenario = *v;
      } else if (name == "--retries") {
        args.retries = ParseNumber<int>(*v, 0, 100);
        if (!args.retries) return bad(*v, "an integer from 0 to 100");
      } else if (name == "--timeout-ms" || name == "--idle-timeout-ms" ||
                 name == "--connect-timeout-ms" || name == "--total-timeout-ms" ||
                 name == "--output-idle-timeout-ms") {
        std::optional<int64_t> ms = ParseNumber<int64_t>(*v, 0, kMaxMs);
        if (!ms) return bad(*v, "milliseconds, 0 disables");
        (name == "--timeout-ms"               ? args.timeout_ms
         : name == "--idle-timeout-ms"        ? args.idle_timeout_ms
         : name == "--total-timeout-ms"       ? args.total_timeout_ms
         : name == "--output-idle-timeout-ms" ? args.output_idle_timeout_ms
                                              : args.connect_timeout_ms) = ms;
      } else if (name == "--max-completion-bytes") {
        args.max_completion_bytes =
            ParseNumber<int64_t>(*v, 0, std::numeric_limits<int64_t>::max());
        if (!args.max_completion_bytes) return bad(*v, "bytes, 0 disables");
      } else if (name == "--record") {
        args.record = *v;
      } else if (name == "--replay") {
        args.replay = *v;
      } else if (name == "--pace-ms") {
        std::optional<int64_t> ms = ParseNumber<int64_t>(*v, 0, kMaxMs);
        if (!ms) return bad(*v, "milliseconds");
        args.pace_ms = *ms;
      } else if (name == "--speed") {
        std::optional<double> speed = ParseNumber<double>(*v, 0.0, 1e6);
        if (!speed) return bad(*v, "a factor: 1 = recorded pace, 2 = twice as fast, 0 = no wait");
        args.speed = *speed;
      }
      continue;
    }
    bool ok = true;
    if (name == "--continue") {
      ok = flag(&args.continuation);
    } else if (name == "--json") {
      ok = flag(&args.json);
    } else if (name == "--metrics") {
      ok = flag(&args.metrics);
    } else if (name == "--quiet") {
      ok = flag(&args.quiet);
    } else if (name == "--no-color") {
      ok = flag(&args.no_color);
    } else if (name == "--help") {
      ok = flag(&args.help);
    } else {
      return {std::nullopt, "unknown option " + std::string(name) + " (see --help)"};
    }
    if (!ok) return {std::nullopt, error};
  }
  if (args.help) return {std::move(args), ""};

  if (args.replay.empty() && args.provider == Provider::kCompatible &&
      (args.model.empty() || args.base_url.empty())) {
    return {std::nullopt, "--provider compatible needs --model and --base-url"};
  }
  if (!args.replay.empty()) {
    if (!args.record.empty()) return {std::nullopt, "--record and --replay exclude each other"};
    if (!args.prompt.empty()) {
      return {std::nullopt, "--replay takes no prompt (the recording holds the request)"};
    }
  } else if (args.pace_ms != 0 || args.speed != 1) {
    return {std::nullopt, "--pace-ms and --speed only apply to --replay"};
  }
  return {std::move(args), ""};
}

std::string HelpText() {
  return R"(usage: llmstream [options] [PROMPT...]
       llmstream --replay FILE [--speed X | --pace-ms N] [options]

Streams a completion to stdout as it arrives. The prompt is the arguments joined with spaces,
or stdin when there are none (or a single "-").

provider
  --provider P          local (default: the local provider server, http://127.0.0.1:8787),
                        openai, anthropic, groq, openrouter, compatible
  --model M             default per provider: local-echo, gpt-4o-mini, claude-haiku-4-5,
                        llama-3.3-70b-versatile, openai/gpt-4o-mini; compatible needs one
  --base-url URL        another server (compatible needs one), e.g. http://127.0.0.1:8000/v1
  --api A               chat | responses | messages | gemini_generate_content |
                        bedrock_converse | ollama_chat | ollama_generate | cohere_chat
                        (dashes work too; default: the provider's own)
  --header 'N: V'       an extra request header (repeatable)
  --scenario S          the local provider's x-llmstream-scenario header,
                        e.g. 'pace_ms=20; error_after=3' or 'fixture=anthropic-text'

request
  --system TEXT         system instructions
  --max-tokens N        output token limit
  --temperature T       0..2

reliability
  --retries N           retries before any output (default 2)
  --timeout-ms N        request sent -> first byte (default 60000; 0 = none)
  --idle-timeout-ms N   longest silence once the body started (default 60000; 0 = none)
  --connect-timeout-ms N  TCP + TLS connect (default 10000)
  --total-timeout-ms N  the whole attempt, sent -> end (default none): the bound on a server
                        that keeps the connection alive with keep-alives forever
  --output-idle-timeout-ms N  longest gap without output (text, reasoning, tool calls) once
                        the body started; keep-alives do not reset it (default none)
  --max-completion-bytes N  most text + reasoning + tool arguments to hold (default 67108864,
                        64 MiB; 0 = none); past it: exit 1, completion_too_large
  --continue            after a mid-stream failure, ask the model to continue the partial
                        answer instead of giving up

output
  --json                one JSON object per event per line on stdout
  --metrics             a summary on stderr: time to first token, tokens/s, inter-token
                        latency, usage, cost, attempts (with --json: a last line
                        {"type":"metrics",...} on stdout instead)
  --quiet               no reasoning, warnings or retry notices on stderr (errors remain)
  --no-color            never dim reasoning (also: the NO_COLOR environment variable)
                        Text output shows control characters as escapes (\x1b, \u009b);
                        --json is exact.
  --help                this text

record and replay
  --record FILE         write the raw wire bytes with their timing (all attempts)
  --replay FILE         replay a --record file (original timing, no network) or a plain
                        body: .sse (SSE), .ndjson, .eventstream (AWS), .json (Gemini's
                        JSON array); one event, line or message per read
  --speed X             recordings: X times faster (default 1; 0 = no waiting)
  --pace-ms N           plain bodies: wait N ms between events (default 0)
  --provider/--api      plain bodies: the dialect (default: guessed from the file name:
                        anthropic-, openai-, openai-responses-, groq-, openrouter-, gemini-,
                        bedrock-, ollama-, cohere-, mistral-, deepseek-)

environment
  OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, OPENROUTER_API_KEY  keys of the hosted
                        providers (required unless --base-url or an auth --header is given);
  LLMSTREAM_API_KEY     optional key for local and compatible servers.
  Keys are never printed: not in errors, --json output or recordings.

exit codes
  0    ok
  1    provider / stream error (in-band error, content filter, bad JSON, a bound passed)
  2    usage (bad option, missing key, invalid request)
  3    file I/O (--replay, --record, stdin)
  4    authentication (HTTP 401 / 403)
  5    rate limited (HTTP 429)
  6    network, timeout or stall
  7    HTTP server error (5xx) or another HTTP status
  8    truncated: the stream ended without the provider's terminal signal
  130  interrupted (Ctrl-C): the partial answer, usage and metrics are still reported
)";
}

}  // namespace llmstream::cli
