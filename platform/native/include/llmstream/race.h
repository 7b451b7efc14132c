// One prompt, several providers: fan-out (all of them, side by side) and race / hedge (the first
// to produce output wins, the others are cancelled). Both run on one thread over MultiRunner.
//
//   std::vector<llmstream::Client> clients = {openai, anthropic, groq};
//   auto all = llmstream::FanOut(clients, request);                 // three Completions
//   auto race = llmstream::Race(clients, request, on_event);        // fastest first token wins
//   auto hedge = llmstream::Race(clients, request, on_event, {.hedge_delay_ms = 800});
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "llmstream/client.h"

namespace llmstream {

// Streams `request` to every client at once. on_event(index, event) sees every contender's
// events as they arrive (return false to stop that one). Returns the completions in client order.
std::vector<Completion> FanOut(
    std::span<const Client> clients, const CompletionRequest& request,
    const std::function<bool(size_t index, const Event& event)>& on_event = {});

struct RaceOptions {
  // 0: start every contender at once. > 0 (hedging): start the next contender only when none
  // has produced output this long after the previous start (or right away when one failed).
  int64_t hedge_delay_ms = 0;
};

struct RaceResult {
  int winner = -1;            // index of the winning client; -1 when every contender failed
  Completion completion;      // the winner's (or, with no winner, the last failure's)
  std::vector<Error> errors;  // per client: how it ended (kAborted for cancelled losers)
  int started = 0;            // contenders actually started (hedging may start fewer)
};

// "Output" = the first text, reasoning, refusal or tool call event. From that moment on_event
// receives the winner's events (starting with that one); the losers are cancelled at once and
// their connections closed. Events a contender sent before winning (metadata) are in
// completion, not replayed to on_event. Returning false from on_event cancels the winner too.
RaceResult Race(std::span<const Client> clients, const CompletionRequest& request,
                const std::function<bool(const Event& event)>& on_event = {},
                RaceOptions options = {});

}  // namespace llmstream
