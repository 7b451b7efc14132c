// Throughput of the core: bytes -> assembled completion (every event produced, text, tool calls
// and usage assembled), on the deterministic streams of ../shared/bench/gen.mjs (SSE Chat
// Completions / Messages) and bench/gen_more.mjs (Gemini, Ollama, Cohere, Bedrock: their meta
// file names the wire API and the content type, which chooses the framing), fed in 1-16 KiB
// reads. In the same run it times a plain memchr('\n') scan over the same reads (the floor) and
// prints the ratio. Never asserts a time: figures are for the README / issue notes.
//
//   core_throughput FILE.sse|FILE.body [--runs N] [--seed S] [--text FILE.txt] [--once] [--session]
//
// --once: a single untimed pass (for valgrind --tool=callgrind instruction counts).
// --session: through a Session (attempts, timeouts, the Session's own assembly), the path the
// native client and the wasm build take, instead of a bare Stream.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "llmstream/framing.h"
#include "llmstream/request.h"
#include "llmstream/session.h"
#include "llmstream/stream.h"

namespace {

// Counts heap allocations so that "no allocation per token in steady state" is measured.
uint64_t g_allocations = 0;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// mulberry32, as gen.mjs and the reference kit use for read sizes.
struct Mulberry32 {
  uint32_t state;
  double Next() {
    state += 0x6d2b79f5u;
    uint32_t t = state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
  }
};

std::vector<std::string_view> CutReads(std::string_view body, uint32_t seed) {
  Mulberry32 rng{seed};
  std::vector<std::string_view> reads;
  for (size_t at = 0; at < body.size();) {
    size_t n = 1024 + static_cast<size_t>(rng.Next() * (16 * 1024 - 1024 + 1));
    n = std::min(n, body.size() - at);
    reads.push_back(body.substr(at, n));
    at += n;
  }
  return reads;
}

__attribute__((noinline)) size_t ScanNewlines(const std::vector<std::string_view>& reads) {
  size_t lines = 0;
  for (std::string_view read : reads) {
    const char* p = read.data();
    const char* end = p + read.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr) {
      ++lines;
      ++p;
    }
  }
  return lines;
}

struct CoreRun {
  size_t events = 0;
  std::string text;  // assembled text of choice 0, or the tool arguments for tool streams
  int64_t output_tokens = -1;
  uint64_t allocations_second_half = 0;
};

// What the stream is: its wire API and content type (from the meta file).
struct Wire {
  llmstream::WireApi api = llmstream::WireApi::kChatCompletions;
  std::string content_type = "text/event-stream";
  llmstream::Provider Provider() const {
    return api == llmstream::WireApi::kAnthropicMessages ? llmstream::Provider::kAnthropic
                                                         : llmstream::Provider::kOpenAI;
  }
};

__attribute__((noinline)) CoreRun FeedAll(const std::vector<std::string_view>& reads,
                                          const Wire& wire) {
  llmstream::StreamOptions options;
  options.api = wire.api;
  options.provider = wire.Provider();
  options.framing =
      llmstream::FramingFor(wire.api, wire.content_type).value_or(llmstream::Framing::kSse);
  llmstream::Stream stream(options);
  CoreRun run;
  uint64_t allocations_at_half = 0;
  for (size_t i = 0; i < reads.size(); ++i) {
    if (i == reads.size() / 2) allocations_at_half = g_allocations;
    run.events += stream.Feed(reads[i], static_cast<int64_t>(i)).size();
  }
  run.allocations_second_half = g_allocations - allocations_at_half;
  run.events += stream.Finish(static_cast<int64_t>(reads.size())).size();
  const llmstream::Completion& result = stream.result();
  if (!result.choices.empty()) {
    const llmstream::Choice& choice = result.choices[0];
    run.text = choice.text;
    for (const llmstream::ToolCall& call : choice.tool_calls) run.text += call.arguments;
  }
  run.output_tokens = result.usage.output_tokens.value_or(-1);
  return run;
}

// The same bytes through the core Session (what the native client and the wasm build drive):
// the Stream plus attempt bookkeeping and the Session's own assembly of what it delivers.
__attribute__((noinline)) CoreRun FeedAllSession(const std::vector<std::string_view>& reads,
                                                 const Wire& wire) {
  llmstream::SessionOptions options;
  options.provider.provider = wire.Provider();
  options.provider.api_key = "bench";
  options.provider.api = wire.api;
  options.request.model = "bench";
  options.request.prompt = "bench";
  llmstream::Session session(std::move(options));
  session.Poll(0);  // kSend
  CoreRun run;
  run.events += session.OnResponse(200, {{"content-type", wire.content_type}}, 0).size();
  uint64_t allocations_at_half = 0;
  for (size_t i = 0; i < reads.size(); ++i) {
    if (i == reads.size() / 2) allocations_at_half = g_allocations;
    run.events += session.OnBody(reads[i], static_cast<int64_t>(i)).size();
  }
  run.allocations_second_half = g_allocations - allocations_at_half;
  run.events += session.OnEnd(static_cast<int64_t>(reads.size())).size();
  run.events += session.Poll(static_cast<int64_t>(reads.size())).events.size();
  const llmstream::Completion& result = session.result();
  if (!result.choices.empty()) {
    const llmstream::Choice& choice = result.choices[0];
    run.text = choice.text;
    for (const llmstream::ToolCall& call : choice.tool_calls) run.text += call.arguments;
  }
  run.output_tokens = result.usage.output_tokens.value_or(-1);
  return run;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

void* operator new(size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: core_throughput FILE.sse [--runs N] [--seed S] [--text FILE] [--once]\n");
    return 2;
  }
  std::string path = argv[1], text_path;
  int runs = 5;
  uint32_t seed = 1;
  bool once = false;
  bool session = false;  // drive a Session (native client / wasm path) instead of a Stream
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--seed" && i + 1 < argc)
      seed = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (arg == "--text" && i + 1 < argc)
      text_path = argv[++i];
    else if (arg == "--once")
      once = true;
    else if (arg == "--session")
      session = true;
  }
  const std::string body = ReadFile(path);
  if (body.empty()) {
    std::fprintf(stderr, "core_throughput: cannot read %s\n", path.c_str());
    return 3;
  }
  const std::vector<std::string_view> reads = CutReads(body, seed);

  // Tokens = text-bearing deltas, from the generator's meta file next to the stream; gen_more's
  // meta files also name the wire API and the content type.
  const size_t dot = path.rfind('.');
  const std::string meta = ReadFile(path.substr(0, dot) + ".meta.json");
  double tokens = 0;
  if (size_t at = meta.find("\"tokens\":"); at != std::string::npos) {
    tokens = std::atof(meta.c_str() + at + 9);
  }
  if (tokens <= 0) tokens = 1;
  const auto meta_string = [&meta](std::string_view key) -> std::string {
    const std::string quoted_key = "\"" + std::string(key) + "\":\"";
    const size_t at = meta.find(quoted_key);
    if (at == std::string::npos) return {};
    const size_t from = at + quoted_key.size();
    return meta.substr(from, meta.find('"', from) - from);
  };
  Wire wire;
  if (path.find("anthropic") != std::string::npos)
    wire.api = llmstream::WireApi::kAnthropicMessages;
  if (const std::string api = meta_string("api"); !api.empty()) {
    const auto parsed = llmstream::ParseWireApi(api);
    if (!parsed) {
      std::fprintf(stderr, "core_throughput: unknown api %s in the meta file\n", api.c_str());
      return 3;
    }
    wire.api = *parsed;
    wire.content_type = meta_string("contentType");
  }

  auto feed_all = session ? &FeedAllSession : &FeedAll;
  if (once) {
    CoreRun run = feed_all(reads, wire);
    std::printf("{\"events\":%zu}\n", run.events);
    return 0;
  }

  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  std::vector<double> floor_times, core_times;
  size_t lines = 0;
  CoreRun last;
  feed_all(reads, wire);  // warm-up
  for (int r = 0; r < runs; ++r) {
    Clock::time_point t0 = Clock::now();
    lines += ScanNewlines(reads);
    Clock::time_point t1 = Clock::now();
    last = feed_all(reads, wire);
    Clock::time_point t2 = Clock::now();
    floor_times.push_back(seconds(t0, t1));
    core_times.push_back(seconds(t1, t2));
  }
  bool text_ok = true;
  if (!text_path.empty()) text_ok = ReadFile(text_path) == last.text;
  const double mb = body.size() / 1e6;
  const double core = Median(core_times), floor = Median(floor_times);
  std::printf(
      "{\"file\":\"%s\",\"driver\":\"%s\",\"bytes\":%zu,\"reads\":%zu,\"tokens\":%.0f,\"events\":%"
      "zu,"
      "\"runs\":%d,\"core_mb_s\":%.1f,\"core_ns_per_token\":%.1f,\"floor_mb_s\":%.1f,"
      "\"floor_ns_per_token\":%.1f,\"ratio_to_floor\":%.2f,\"allocs_per_token_steady\":%.4f,"
      "\"text_matches\":%s,\"lines\":%zu}\n",
      path.c_str(), session ? "session" : "stream", body.size(), reads.size(), tokens, last.events,
      runs, mb / core, core * 1e9 / tokens, mb / floor, floor * 1e9 / tokens, core / floor,
      static_cast<double>(last.allocations_second_half) / (tokens / 2),
      text_path.empty() ? "null" : (text_ok ? "true" : "false"), lines / runs);
  return text_ok ? 0 : 1;
}
