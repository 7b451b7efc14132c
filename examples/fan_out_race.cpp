// One prompt, several providers: all of them side by side (fan-out), the first to answer
// (race), and backups started only when the first one is slow (hedging).
// Extends the seed guide's "Performance Optimization > Parallel Streaming" from many prompts to
// many providers (the guide has no section of its own for this); the race is what the guide's
// Groq section measures first-token latency for.
//
// FanOut and Race send the same request, model included, to every client, so the contenders
// must all serve that model: replicas or regions of one deployment, or OpenAI-compatible hosts
// of one open model. Against the local provider the three contenders get different response
// delays (scenario headers_delay_ms), so the outcome is predictable: the second contender
// answers first, and hedging never needs to start the third.
#include <iostream>
#include <string>
#include <vector>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/race.h"

namespace {

struct Contender {
  const examples::Target* target;
  const char* local_scenario;  // its response delay when it is the local provider
};

void PrintErrors(const std::vector<std::string>& names, const llmstream::RaceResult& race) {
  for (size_t i = 0; i < race.errors.size(); ++i) {
    std::cout << "  " << names[i] << ": "
              << (race.errors[i]
                      ? examples::Describe(race.errors[i])
                      : std::string(i == static_cast<size_t>(race.winner) ? "won" : "not started"))
              << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Fans one prompt out to three providers, then races and hedges them.");
  const std::vector<Contender> contenders = {
      {&examples::kOpenAI, "headers_delay_ms=600"},
      {&examples::kAnthropic, "headers_delay_ms=0"},
      {&examples::kGroq, "headers_delay_ms=200"},
  };
  std::vector<llmstream::Client> clients;
  std::vector<std::string> names;
  std::string model;
  for (const Contender& contender : contenders) {
    const examples::Setup setup = examples::Configure(args, *contender.target);
    clients.emplace_back(examples::WithScenario(setup, contender.local_scenario));
    names.push_back(std::to_string(names.size()) + " " +
                    std::string(llmstream::ProviderName(contender.target->provider)) +
                    (setup.local ? " (local provider)" : ""));
    if (model.empty()) model = setup.model;  // one model for all, see the top of the file
  }
  const llmstream::CompletionRequest request{
      .model = model, .prompt = "Say hello in French", .max_tokens = 100};
  bool ok = true;

  std::cout << "=== fan-out: every contender, side by side ===\n";
  std::vector<std::string> texts(clients.size());
  const std::vector<llmstream::Completion> all =
      llmstream::FanOut(clients, request, [&](size_t index, const llmstream::Event& event) {
        if (event.kind == llmstream::EventKind::kText) texts[index].append(event.text);
        return true;
      });
  for (size_t i = 0; i < all.size(); ++i) {
    std::cout << names[i] << ": " << texts[i] << "\n";
    if (all[i].error) {
      std::cout << "  error: " << examples::Describe(all[i].error) << "\n";
      ok = false;
    }
  }

  // The first contender to produce output wins; the others are cancelled at once and their
  // connections closed. From then on on_event sees the winner's events only.
  std::cout << "=== race: all start at once, the first token wins ===\n";
  llmstream::RaceResult race = llmstream::Race(clients, request, [](const llmstream::Event& event) {
    if (event.kind == llmstream::EventKind::kText) std::cout << event.text << std::flush;
    return true;
  });
  std::cout << "\nwinner: " << (race.winner >= 0 ? names[race.winner] : "none") << ", "
            << race.started << " started\n";
  PrintErrors(names, race);
  ok &= race.winner >= 0 && !race.completion.error;

  // Hedging: start the next contender only when none has produced output 250 ms after the last
  // start. A fast first contender costs one request; a slow one gets a backup.
  std::cout << "=== hedged race: a backup every 250 ms without output ===\n";
  race = llmstream::Race(clients, request,
                         [](const llmstream::Event& event) {
                           if (event.kind == llmstream::EventKind::kText)
                             std::cout << event.text << std::flush;
                           return true;
                         },
                         {.hedge_delay_ms = 250});
  std::cout << "\nwinner: " << (race.winner >= 0 ? names[race.winner] : "none") << ", "
            << race.started << " started\n";
  PrintErrors(names, race);
  ok &= race.winner >= 0 && !race.completion.error;
  return ok ? 0 : 1;
}
