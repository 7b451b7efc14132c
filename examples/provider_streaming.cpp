// The same streaming code against OpenAI, Anthropic and Groq, one section each.
// Mirrors the seed guide's "Provider-Specific Streaming": "OpenAI Streaming" (text, finish
// reason and usage with stream_options.include_usage), "Anthropic Streaming" (streamWithDeltas:
// message_start, content_block_start / delta / stop, message_delta usage, message_stop) and
// "Groq Streaming (Ultra-Fast)" (benchmarkStreaming: first-token latency, tokens per second,
// consistency).
//
// The JS reads each provider's own wire events (chunk.choices[0].delta, event.type ===
// 'content_block_delta'); llmstream turns all of them into the one event model, so only the
// ProviderConfig differs between the sections. Usage is always requested. OpenAI's function-call
// part is tool_calls.cpp's.
//
// Each section uses its provider's key from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY,
// GROQ_API_KEY) and falls back to the local provider, which speaks Anthropic Messages too.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/metrics.h"

namespace {

using llmstream::Event;
using llmstream::EventKind;

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Fixed(double value, int digits = 1) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

bool OpenAISection(const examples::Args& args) {
  std::cout << "=== OpenAI ===\n";
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);
  llmstream::CompletionStream stream =
      llmstream::Client(setup.options)
          .StreamCompletion(
              {.model = setup.model, .prompt = "Name three uses of streaming responses."});
  for (const Event& event : stream) {
    if (event.kind == EventKind::kText) {
      std::cout << event.text << std::flush;  // {type: 'text', content}
    } else if (event.kind == EventKind::kFinish) {
      std::cout << "\n[done] reason: " << event.text;  // {type: 'done', reason, usage}
    } else if (event.kind == EventKind::kUsage) {
      std::cout << ", usage: " << event.usage->input_tokens.value_or(0) << " in / "
                << event.usage->output_tokens.value_or(0) << " out\n";
    }
  }
  if (stream.error()) std::cerr << "\nerror: " << examples::Describe(stream.error()) << "\n";
  return !stream.error();
}

bool AnthropicSection(const examples::Args& args) {
  std::cout << "=== Anthropic ===\n";
  const examples::Setup setup = examples::Configure(args, examples::kAnthropic);
  llmstream::CompletionStream stream =
      llmstream::Client(setup.options)
          .StreamCompletion(
              {.model = setup.model, .prompt = "Describe a sunrise in two sentences."});
  size_t total_text = 0;
  for (const Event& event : stream) {
    switch (event.kind) {
      case EventKind::kMetadata:  // message_start's id and model arrive as metadata
        if (event.name == "id" || event.name == "model") {
          std::cout << "[start] " << event.name << ": " << event.text << "\n";
        }
        break;
      case EventKind::kBlockStart:  // content_block_start
        std::cout << "[block_start] index " << event.block << ", type " << event.name << "\n";
        break;
      case EventKind::kText:  // content_block_delta / text_delta
        total_text += event.text.size();
        std::cout << event.text << std::flush;
        break;
      case EventKind::kBlockEnd:  // content_block_stop
        std::cout << "\n[block_stop] index " << event.block << "\n";
        break;
      case EventKind::kUsage:  // message_start, then message_delta: cumulative snapshots
        std::cout << "[usage] input " << event.usage->input_tokens.value_or(0) << ", output "
                  << event.usage->output_tokens.value_or(0) << "\n";
        break;
      case EventKind::kDone:  // message_stop; the stop reason normalized (end_turn -> stop)
        std::cout << "[complete] stop reason: " << event.text << " (provider: "
                  << (stream.result().choices.empty()
                          ? std::string()
                          : stream.result().choices[0].raw_finish_reason)
                  << "), " << total_text << " characters\n";
        break;
      case EventKind::kError:  // an `error` event, or any other failure
        std::cout << "[error] " << examples::Describe(*event.error) << "\n";
        break;
      default:
        break;
    }
  }
  return !stream.error();
}

bool GroqSection(const examples::Args& args) {
  std::cout << "=== Groq ===\n";
  const examples::Setup setup = examples::Configure(args, examples::kGroq);
  // The recorder is the same code the CLI and the JS package report with. The wire tap runs on
  // this thread (the one iterating), so recorder calls never race.
  llmstream::MetricsRecorder metrics;
  llmstream::ClientOptions options = setup.options;
  options.wire_tap.on_request = [&](int, const llmstream::HttpRequest&) {
    metrics.OnRequestStart(NowMs());
  };
  options.wire_tap.on_response = [&](int status, const llmstream::HeaderList&, int64_t) {
    metrics.OnResponse(status, NowMs());
  };
  options.wire_tap.on_body = [&](std::string_view bytes, int64_t) {
    metrics.OnBytes(bytes.size(), NowMs());
  };
  llmstream::CompletionStream stream = llmstream::Client(options).StreamCompletion(
      {.model = setup.model, .prompt = "Count from one to twenty in words.", .max_tokens = 200});
  for (const Event& event : stream) {
    metrics.OnEvent(event, NowMs());
    if (event.kind == EventKind::kText) std::cout << event.text << std::flush;
  }
  const llmstream::MetricsSummary summary = metrics.Summary(NowMs());
  std::cout << "\n[benchmark] firstTokenLatency "
            << Fixed(summary.time_to_first_token_ms.value_or(0)) << " ms, averageInterTokenLatency "
            << Fixed(summary.inter_token.mean, 2) << " ms, totalTokens " << summary.output_tokens
            << ", tokensPerSecond " << Fixed(summary.tokens_per_second) << ", consistency: stddev "
            << Fixed(summary.inter_token.stddev, 2) << " ms, cv "
            << Fixed(summary.inter_token.coefficient_of_variation) << " %\n";
  if (stream.error()) std::cerr << "error: " << examples::Describe(stream.error()) << "\n";
  return !stream.error();
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Streams from OpenAI, Anthropic and Groq (or the local provider for each).");
  // Every section runs even when one fails, so one bad key does not hide the others.
  const bool openai = OpenAISection(args);
  const bool anthropic = AnthropicSection(args);
  const bool groq = GroqSection(args);
  return openai && anthropic && groq ? 0 : 1;
}
