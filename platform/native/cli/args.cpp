#include "cli/args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "cli/replay_guess.h"

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

// Every Provider, in the order of the core's provider table.
std::vector<Provider> AllProviders() {
  std::vector<Provider> providers;
  for (uint8_t value = 0; value < kProviderCount; ++value) {
    providers.push_back(static_cast<Provider>(value));
  }
  return providers;
}

// Every WireApi (the values WireApiName names).
std::vector<WireApi> AllWireApis() {
  std::vector<WireApi> apis;
  for (int value = 0; value <= std::numeric_limits<uint8_t>::max(); ++value) {
    const auto api = static_cast<WireApi>(value);
    if (WireApiName(api) != "unknown") apis.push_back(api);
  }
  return apis;
}

// "gemini" or "gemini (or google)".
std::string ProviderWithAlias(Provider provider) {
  std::string text(ProviderName(provider));
  if (!ProviderAlias(provider).empty())
    text += " (or " + std::string(ProviderAlias(provider)) + ")";
  return text;
}

// The providers part of the help: a line per provider (its name, default model and key
// variable), then a line with its alias and what it needs, if any.
std::string ProviderTable() {
  size_t name_width = 0;
  size_t model_width = std::string_view("needs --model").size();
  for (Provider provider : AllProviders()) {
    name_width = std::max(name_width, ProviderName(provider).size());
    model_width = std::max(model_width, DefaultModel(provider).size());
  }
  const size_t model_column = 2 + name_width + 2;
  const size_t key_column = model_column + model_width + 2;
  std::string table;
  for (Provider provider : AllProviders()) {
    std::string line = "  " + std::string(ProviderName(provider));
    line.resize(model_column, ' ');
    const std::string_view model = DefaultModel(provider);
    // (A relay has a default model of its own.)
    line += !model.empty()                 ? std::string(model)
            : provider == Provider::kRelay ? "the relay's"
                                           : "needs --model";
    line.resize(key_column, ' ');
    line += ApiKeyVariable(provider);
    if (!ApiKeyRequired(provider)) line += " (optional)";
    table += line + "\n";
    std::string notes;
    if (!ProviderAlias(provider).empty())
      notes = "(or " + std::string(ProviderAlias(provider)) + ")";
    if (DefaultBaseUrl(provider).empty())
      notes += (notes.empty() ? "" : "; ") + std::string("needs --base-url");
    if (provider == Provider::kRelay) notes += " (an app's relay: docs/relay-protocol.md)";
    if (!notes.empty()) table += std::string(model_column, ' ') + notes + "\n";
  }
  return table;
}

// The --api names for the help, wrapped into lines of the option column.
std::string WireApiLines() {
  constexpr size_t kIndent = 24;
  constexpr size_t kWidth = 96;
  std::string text;
  size_t column = kIndent;
  const std::string choices = WireApiChoices();
  std::string_view rest = choices;
  while (!rest.empty()) {
    const size_t bar = rest.find(" | ");
    const size_t end = bar == std::string_view::npos ? rest.size() : bar + 2;
    const std::string_view item = rest.substr(0, end);
    rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 3);
    if (column > kIndent && column + 1 + item.size() > kWidth) {
      text += "\n" + std::string(kIndent, ' ');
      column = kIndent;
    } else if (column > kIndent) {
      text += ' ';
      ++column;
    }
    text += item;
    column += item.size();
  }
  return text;
}

}  // namespace

std::string ProviderChoices() {
  std::string list;
  for (Provider provider : AllProviders()) {
    if (!list.empty()) list += ", ";
    list += ProviderWithAlias(provider);
  }
  return list;
}

std::string WireApiChoices() {
  std::string list;
  for (WireApi api : AllWireApis()) {
    if (!list.empty()) list += " | ";
    list += WireApiName(api);
    for (const WireApiShortName& short_name : kWireApiShortNames) {
      if (short_name.api == api) list += " (or " + std::string(short_name.name) + ")";
    }
  }
  return list;
}

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
        if (!provider) return bad(*v, "one of " + ProviderChoices());
        args.provider = *provider;
        args.provider_given = true;
      } else if (name == "--model") {
        args.model = *v;
      } else if (name == "--base-url") {
        args.base_url = *v;
      } else if (name == "--api") {
        args.api = ParseWireApi(*v);
        if (!args.api) return bad(*v, "one of " + WireApiChoices() + "; dashes work too");
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

  // A provider without a default model (compatible: any server; azure: the deployment) or
  // without a default base URL (compatible; azure: the resource endpoint) needs them given.
  // (A relay picks its own default model.)
  const bool needs_model = args.model.empty() && DefaultModel(args.provider).empty() &&
                           args.provider != Provider::kRelay;
  const bool needs_base_url = args.base_url.empty() && DefaultBaseUrl(args.provider).empty();
  if (args.replay.empty() && (needs_model || needs_base_url)) {
    std::string message = "--provider " + std::string(ProviderName(args.provider)) + " needs " +
                          (needs_model && needs_base_url ? "--model and --base-url"
                           : needs_model                 ? "--model"
                                                         : "--base-url");
    if (args.provider == Provider::kAzure) {
      message +=
          " (--base-url: the resource endpoint, https://NAME.openai.azure.com; --model: the "
          "deployment name)";
    }
    if (args.provider == Provider::kRelay)
      message += " (the relay's URL, e.g. http://127.0.0.1:3000/api/chat)";
    return {std::nullopt, message};
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
  --provider P          who serves the request (default: local, the local provider server,
                        http://127.0.0.1:8787); the providers are listed below
  --model M             default: the provider's (below)
  --base-url URL        another server than the provider's own, e.g. http://127.0.0.1:8000/v1
  --api A               the wire protocol (default: the provider's own):
                        )" +
         WireApiLines() + R"(
                        (dashes work too)
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
                        )" +
         KnownDialectPrefixes() + R"()

providers (names in any case; default model; the environment variable of the key)
)" + ProviderTable() +
         R"(
environment
  The key comes from the provider's variable (above). A key not marked optional is required
  at the provider's own URL: with --base-url or an auth --header it may be left unset.
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
