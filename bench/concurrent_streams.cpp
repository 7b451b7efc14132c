// Many slow streams on one thread: N concurrent streams (default 10,000) at about 20 tokens/s
// each from the local provider, all on one MultiRunner. Prints one JSON line: streams held at
// once, RSS per stream, CPU of this process, the worst gap any stream saw between two tokens
// (starvation), and the added latency from the server writing a token to the callback receiving
// it (the server stamps each token with its CLOCK_MONOTONIC time: scenario `stamp=1`).
//
//   concurrent_streams --base-url http://127.0.0.1:PORT/v1 [--streams 10000] [--tokens 100]
//                      [--pace-ms 50] [--ramp-per-100ms 1000] [--stamp 1] [--batch-ms 0]
//
// --batch-ms N: the server writes each stream's due tokens together at most every N ms (same
// token rate, fewer writes): one Node process cannot make 200,000 writes a second, so at 10,000
// streams it would otherwise measure the server, not the client.
//
// scripts/bench-streams.sh starts the server and runs this. Never asserts a time.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "llmstream/multi_runner.h"

namespace {

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t RssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct StreamStats {
  int64_t last_token_ns = 0;
  int64_t max_gap_ns = 0;
  int tokens = 0;
  bool receiving = false;
  bool ended = false;
};

double Percentile(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return static_cast<double>(values[k]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string base_url;
  int streams = 10000, tokens = 100, pace_ms = 50, ramp = 1000, stamp = 1, batch_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--base-url") base_url = argv[i + 1];
    if (arg == "--streams") streams = std::atoi(argv[i + 1]);
    if (arg == "--tokens") tokens = std::atoi(argv[i + 1]);
    if (arg == "--pace-ms") pace_ms = std::atoi(argv[i + 1]);
    if (arg == "--ramp-per-100ms") ramp = std::atoi(argv[i + 1]);
    if (arg == "--stamp") stamp = std::atoi(argv[i + 1]);
    if (arg == "--batch-ms") batch_ms = std::atoi(argv[i + 1]);
  }
  if (base_url.empty()) {
    std::fprintf(stderr,
                 "usage: concurrent_streams --base-url URL [--streams N] [--tokens T] "
                 "[--pace-ms MS] [--ramp-per-100ms K]\n");
    return 2;
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  llmstream::ClientOptions options;
  options.provider.provider = llmstream::Provider::kLocal;
  options.provider.base_url = base_url;
  options.provider.headers.emplace_back(
      "x-llmstream-scenario", std::string(stamp ? "stamp=1; " : "") + "tokens=" +
                                  std::to_string(tokens) + "; pace_ms=" + std::to_string(pace_ms));
  options.connect_timeout_ms = 60000;
  options.timeouts.first_byte_ms = 120000;
  options.retry.max_retries = 0;
  llmstream::Client client(options);

  llmstream::MultiRunner runner;
  std::vector<StreamStats> stats(static_cast<size_t>(streams));
  // Sized and touched before the RSS baseline, so that it does not count as per-stream memory.
  std::vector<int64_t> latencies_ns(static_cast<size_t>(streams) * static_cast<size_t>(tokens), 0);
  std::vector<int64_t> sample_at_ns(latencies_ns.size(), 0);
  size_t latency_count = 0;
  // The steady window: every stream added (and connected) and none finished yet. Connecting
  // and tearing down thousands of handles are bursts of work that delay the tokens around them;
  // the window shows the latency of the streaming itself, the overall figures include them.
  int64_t all_added_ns = -1, first_end_ns = -1;
  int receiving = 0, max_receiving = 0, open_at_peak = 0, failed = 0;
  int64_t rss_at_peak_kb = 0;
  const int64_t rss_before_kb = RssKb();
  const double cpu_before = CpuSeconds();
  const int64_t start_ns = MonotonicNs();

  auto add = [&](int index) {
    llmstream::CompletionRequest request;
    request.model = "local-echo";
    request.prompt = "stream " + std::to_string(index);
    runner.Add(
        client, std::move(request),
        [&, index](llmstream::MultiRunner::StreamId, const llmstream::Event& event) {
          if (event.kind != llmstream::EventKind::kText) return true;
          int64_t now = MonotonicNs();
          StreamStats& s = stats[static_cast<size_t>(index)];
          if (!s.receiving) {
            s.receiving = true;
            ++receiving;
            // Peak = most streams receiving at once; every open stream's memory counts then
            // (also those still connecting), so RSS is divided by the open ones.
            if (receiving > max_receiving) {
              max_receiving = receiving;
              open_at_peak = static_cast<int>(runner.active());
              rss_at_peak_kb = RssKb();
            }
          } else {
            s.max_gap_ns = std::max(s.max_gap_ns, now - s.last_token_ns);
          }
          s.last_token_ns = now;
          ++s.tokens;
          // Stamped tokens look like " t<ns>": the server's CLOCK_MONOTONIC at write time.
          std::string_view text = event.text;
          size_t t = text.find('t');
          if (t != std::string_view::npos) {
            int64_t stamp_ns = std::atoll(std::string(text.substr(t + 1)).c_str());
            if (stamp_ns > 0 && latency_count < latencies_ns.size()) {
              sample_at_ns[latency_count] = now;
              latencies_ns[latency_count++] = now - stamp_ns;
            }
          }
          return true;
        },
        [&, index](llmstream::MultiRunner::StreamId id, const llmstream::Completion& result) {
          StreamStats& s = stats[static_cast<size_t>(index)];
          if (s.receiving) --receiving;
          s.ended = true;
          if (first_end_ns < 0) first_end_ns = MonotonicNs();
          if (result.error) {
            if (++failed <= 3) {
              std::fprintf(stderr, "stream %d: %s\n", index, result.error.message.c_str());
            }
          }
          runner.Forget(id);
        });
  };

  // Streams start evenly spread over the ramp (not in bursts), so that their 50 ms token grids
  // are out of phase as real traffic is; synchronized streams would measure burst queueing.
  int added = 0;
  while (added < streams || runner.active() > 0) {
    const int64_t elapsed_ms = (MonotonicNs() - start_ns) / 1'000'000;
    const int64_t due = std::min<int64_t>(streams, (elapsed_ms + 1) * ramp / 100);
    while (added < due) add(added++);
    if (added == streams && all_added_ns < 0) all_added_ns = MonotonicNs();
    runner.RunOnce(added < streams ? 1 : -1);
  }
  const double wall_s = static_cast<double>(MonotonicNs() - start_ns) / 1e9;
  const double cpu_s = CpuSeconds() - cpu_before;

  latencies_ns.resize(latency_count);
  // Steady: from one token period after the last stream was added (all are connected and
  // receiving by then) until the first stream finished.
  std::vector<int64_t> steady_ns;
  const int64_t steady_from = all_added_ns + 2LL * pace_ms * 1'000'000;
  for (size_t i = 0; i < latency_count; ++i) {
    if (sample_at_ns[i] >= steady_from && (first_end_ns < 0 || sample_at_ns[i] < first_end_ns)) {
      steady_ns.push_back(latencies_ns[i]);
    }
  }
  int64_t worst_gap_ns = 0;
  int complete = 0;
  for (const StreamStats& s : stats) {
    worst_gap_ns = std::max(worst_gap_ns, s.max_gap_ns);
    if (s.tokens == tokens) ++complete;
  }
  std::printf(
      "{\"streams\":%d,\"tokens_per_stream\":%d,\"pace_ms\":%d,\"max_streams_receiving\":%d,"
      "\"open_at_peak\":%d,\"batch_ms\":%d,"
      "\"complete\":%d,\"failed\":%d,\"rss_before_kb\":%lld,\"rss_at_peak_kb\":%lld,"
      "\"rss_per_stream_kb\":%.1f,\"wall_s\":%.2f,\"cpu_s\":%.2f,\"cpu_percent_of_one_core\":%.1f,"
      "\"worst_token_gap_ms\":%.1f,\"latency_samples\":%zu,\"latency_p50_ms\":%.3f,"
      "\"latency_p99_ms\":%.3f,\"latency_max_ms\":%.3f,\"steady_samples\":%zu,"
      "\"steady_p50_ms\":%.3f,\"steady_p99_ms\":%.3f,\"steady_max_ms\":%.3f}\n",
      streams, tokens, pace_ms, max_receiving, open_at_peak, batch_ms, complete, failed,
      static_cast<long long>(rss_before_kb), static_cast<long long>(rss_at_peak_kb),
      open_at_peak > 0 ? static_cast<double>(rss_at_peak_kb - rss_before_kb) / open_at_peak : 0,
      wall_s, cpu_s, 100.0 * cpu_s / wall_s, static_cast<double>(worst_gap_ns) / 1e6,
      latencies_ns.size(), Percentile(latencies_ns, 0.50) / 1e6,
      Percentile(latencies_ns, 0.99) / 1e6,
      latencies_ns.empty()
          ? 0.0
          : static_cast<double>(*std::max_element(latencies_ns.begin(), latencies_ns.end())) / 1e6,
      steady_ns.size(), Percentile(steady_ns, 0.50) / 1e6, Percentile(steady_ns, 0.99) / 1e6,
      steady_ns.empty()
          ? 0.0
          : static_cast<double>(*std::max_element(steady_ns.begin(), steady_ns.end())) / 1e6);
  return failed == 0 ? 0 : 1;
}
