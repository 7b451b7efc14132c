// llmstream CLI. For now it replays recorded provider streams through the core at a realistic
// pace (the network client arrives with the native issue):
//
//   llmstream --replay FILE.sse [--provider openai|anthropic|groq|openrouter|compatible]
//             [--api chat|responses|messages] [--pace-ms N] [--json] [--metrics] [--quiet]
//
// Text goes to stdout as it arrives; reasoning, warnings and errors go to stderr. Exit codes:
// 0 ok, 1 the stream ended with an error, 2 bad usage, 3 cannot read the file.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/event_json.h"
#include "llmstream/stream.h"

namespace {

using llmstream::Event;
using llmstream::EventKind;

struct Args {
  std::string replay;
  llmstream::Provider provider = llmstream::Provider::kOpenAI;
  std::optional<llmstream::WireApi> api;
  int pace_ms = 0;
  bool json = false;
  bool metrics = false;
  bool quiet = false;
};

constexpr int kExitOk = 0, kExitStreamError = 1, kExitUsage = 2, kExitIo = 3;

void Usage() {
  std::cerr << "usage: llmstream --replay FILE.sse [--provider openai|anthropic|groq|openrouter|"
               "compatible] [--api chat|responses|messages] [--pace-ms N] [--json] [--metrics] "
               "[--quiet]\n";
}

std::optional<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "--replay") {
      auto v = value();
      if (!v) return std::nullopt;
      args.replay = *v;
    } else if (arg == "--provider") {
      auto v = value();
      auto provider = v ? llmstream::ParseProvider(*v) : std::nullopt;
      if (!provider) {
        std::cerr << "llmstream: unknown provider " << (v ? *v : "") << "\n";
        return std::nullopt;
      }
      args.provider = *provider;
    } else if (arg == "--api") {
      auto v = value();
      if (v == "chat")
        args.api = llmstream::WireApi::kChatCompletions;
      else if (v == "responses")
        args.api = llmstream::WireApi::kResponses;
      else if (v == "messages")
        args.api = llmstream::WireApi::kAnthropicMessages;
      else
        return std::nullopt;
    } else if (arg == "--pace-ms") {
      auto v = value();
      if (!v) return std::nullopt;
      args.pace_ms = std::max(0, std::atoi(v->c_str()));
    } else if (arg == "--json") {
      args.json = true;
    } else if (arg == "--metrics") {
      args.metrics = true;
    } else if (arg == "--quiet") {
      args.quiet = true;
    } else {
      std::cerr << "llmstream: unknown argument " << arg << "\n";
      return std::nullopt;
    }
  }
  if (args.replay.empty()) return std::nullopt;
  return args;
}

// Splits a recorded body into the pieces a server would have flushed: one SSE event each.
std::vector<std::string_view> SplitEvents(std::string_view body) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    end = end == std::string_view::npos ? body.size() : end + 2;
    pieces.push_back(body.substr(start, end - start));
    start = end;
  }
  return pieces;
}

class Printer {
 public:
  explicit Printer(const Args& args) : args_(args) {}

  void Print(const Event& event) {
    if (args_.json) {
      std::string line;
      llmstream::cli::AppendEventJson(event, &line);
      std::cout << line << '\n';
      return;
    }
    switch (event.kind) {
      case EventKind::kText:
        std::cout << event.text << std::flush;
        break;
      case EventKind::kReasoning:
        if (!args_.quiet && event.reasoning_part() == llmstream::ReasoningPart::kText) {
          std::cerr << "\033[2m" << event.text << "\033[0m" << std::flush;
        }
        break;
      case EventKind::kRefusal:
        std::cout << event.text << std::flush;
        break;
      case EventKind::kToolCallEnd:
        std::cout << "\n[tool call " << event.name << " " << event.text << "]\n";
        break;
      case EventKind::kWarning:
        if (!args_.quiet) std::cerr << "\nllmstream: warning: " << event.text << "\n";
        break;
      case EventKind::kError:
        std::cerr << "\nllmstream: error: " << llmstream::ErrorCodeName(event.error->code) << ": "
                  << event.error->message << "\n";
        break;
      default:
        break;
    }
  }

 private:
  const Args& args_;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<Args> args = ParseArgs(argc, argv);
  if (!args) {
    Usage();
    return kExitUsage;
  }
  std::ifstream in(args->replay, std::ios::binary);
  if (!in) {
    std::cerr << "llmstream: cannot read " << args->replay << "\n";
    return kExitIo;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string body = buffer.str();

  llmstream::ProviderConfig config;
  config.provider = args->provider;
  config.api = args->api;
  llmstream::StreamOptions options;
  options.provider = args->provider;
  options.api = llmstream::ResolveApi(config);
  options.keep_alive_events = args->json;

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  auto now_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  };
  llmstream::Stream stream(options);
  Printer printer(*args);
  std::vector<int64_t> token_times;
  auto handle = [&](std::span<const Event> events) {
    for (const Event& event : events) {
      if (event.kind == EventKind::kText) token_times.push_back(now_ms());
      printer.Print(event);
    }
  };
  for (std::string_view piece : SplitEvents(body)) {
    handle(stream.Feed(piece, now_ms()));
    if (args->pace_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(args->pace_ms));
  }
  handle(stream.Finish(now_ms()));
  if (!args->json) std::cout << "\n";

  const llmstream::Completion& result = stream.result();
  if (args->metrics) {
    double mean = 0, m2 = 0;
    for (size_t i = 1; i < token_times.size(); ++i) {
      double gap = static_cast<double>(token_times[i] - token_times[i - 1]);
      double delta = gap - mean;
      mean += delta / static_cast<double>(i);
      m2 += delta * (gap - mean);
    }
    double stddev = token_times.size() > 2 ? std::sqrt(m2 / (token_times.size() - 2)) : 0;
    double seconds =
        token_times.size() > 1 ? (token_times.back() - token_times.front()) / 1000.0 : 0;
    std::fprintf(stderr,
                 "--- metrics: model %s | first token %lld ms | %zu text chunks | %.1f chunks/s | "
                 "inter-token %.1f ms (stddev %.1f) | tokens in %lld out %lld | cost $%.6f (%s)\n",
                 result.model.c_str(), static_cast<long long>(stream.first_output_ms()),
                 token_times.size(), seconds > 0 ? (token_times.size() - 1) / seconds : 0.0, mean,
                 stddev, static_cast<long long>(result.usage.input_tokens.value_or(-1)),
                 static_cast<long long>(result.usage.output_tokens.value_or(-1)),
                 result.cost.total_usd,
                 result.cost.source == llmstream::CostSource::kProvider     ? "provider"
                 : result.cost.source == llmstream::CostSource::kPriceTable ? "price table"
                                                                            : "unknown");
  }
  return result.error ? kExitStreamError : kExitOk;
}
