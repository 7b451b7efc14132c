// Streaming with metadata: the text as it arrives, plus the ids, model, usage and cost that the
// stream carries, then the same facts from the assembled result.
// Mirrors the seed guide's "Basic Streaming > Streaming with Metadata" (fullText, tokenCount,
// chunk.metadata, chunk.usage.totalTokens, chunk.cost.toFixed(4)).
//
// Usage and cost are events of their own here (kUsage, kCost), not fields of a text chunk, and
// every provider gets the same shape: input tokens include cached ones, cost comes from the
// provider when it reports one (OpenRouter) or from the built-in price table.
#include <cstdio>
#include <iostream>
#include <string>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/metrics.h"

namespace {

std::string Tokens(const std::optional<int64_t>& count) {
  return count ? std::to_string(*count) : "-";
}

// Six decimals where the seed prints four: a short answer costs a small fraction of a cent.
std::string Dollars(double usd) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "$%.6f", usd);
  return buffer;
}

// Metadata values can be whole JSON objects (raw usage, logprobs): keep the lines short.
std::string_view Shorten(std::string_view text) {
  return text.size() <= 80 ? text : text.substr(0, 77);
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Streams an answer and prints the id, model, usage and cost it carries.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);

  llmstream::Client client(setup.options);
  llmstream::CompletionStream stream = client.StreamCompletion(
      {.model = setup.model, .prompt = "Explain quantum computing", .max_tokens = 300});

  std::string full_text;
  int token_count = 0;    // text deltas: roughly tokens; usage below has the real count
  bool mid_line = false;  // the text printed last did not end its line
  auto line = [&]() -> std::ostream& {
    if (mid_line) std::cout << "\n";
    mid_line = false;
    return std::cout;
  };
  for (const llmstream::Event& event : stream) {
    switch (event.kind) {
      case llmstream::EventKind::kText:
        full_text.append(event.text);
        ++token_count;
        std::cout << event.text << std::flush;
        mid_line = true;
        break;
      case llmstream::EventKind::kMetadata:  // id, model, role, raw usage ... as they arrive
        line() << "Metadata: " << event.name << " = " << Shorten(event.text) << "\n";
        break;
      case llmstream::EventKind::kUsage:  // a cumulative snapshot, possibly sent more than once
        line() << "Total tokens: " << event.usage->Total()
               << (event.usage->estimated ? " (estimated)" : "") << "\n";
        break;
      case llmstream::EventKind::kCost:
        line() << "Cost: " << Dollars(event.cost->total_usd) << " ("
               << llmstream::CostSourceName(event.cost->source) << ")\n";
        break;
      default:
        break;
    }
  }
  line();

  // Everything above is also in the assembled result, available at any time.
  const llmstream::Completion& result = stream.result();
  const llmstream::Usage& usage = result.usage;
  std::cout << "--- result ---\n"
            << "id:            " << result.id << "\n"
            << "model:         " << result.model << "\n"
            << "finish reason: "
            << (result.choices.empty() ? std::string("-") : result.choices[0].finish_reason) << "\n"
            << "text:          " << full_text.size() << " characters in " << token_count
            << " deltas\n"
            << "tokens:        input " << Tokens(usage.input_tokens) << " (cached "
            << Tokens(usage.cached_input_tokens) << "), output " << Tokens(usage.output_tokens)
            << " (reasoning " << Tokens(usage.reasoning_tokens) << "), total " << usage.Total()
            << (usage.estimated ? ", estimated" : "") << "\n";
  if (result.cost.known()) {
    std::cout << "cost:          " << Dollars(result.cost.total_usd) << " = input "
              << Dollars(result.cost.input_usd) << " + cached "
              << Dollars(result.cost.cached_input_usd) << " + output "
              << Dollars(result.cost.output_usd) << " ("
              << llmstream::CostSourceName(result.cost.source)
              << (result.cost.price_date.empty() ? "" : ", prices as of " + result.cost.price_date)
              << ")\n";
  } else {
    std::cout << "cost:          unknown (model not in the price table)\n";
  }
  std::cout << "attempts:      " << stream.attempts() << "\n";

  if (stream.error()) {
    std::cerr << "error: " << examples::Describe(stream.error()) << "\n";
    return 1;
  }
  // The streamed deltas and the assembled text are the same bytes.
  return full_text == result.text() ? 0 : 1;
}
