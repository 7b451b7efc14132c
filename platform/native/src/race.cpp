#include "llmstream/race.h"

#include <algorithm>

#include "engine.h"
#include "llmstream/multi_runner.h"

namespace llmstream {

std::vector<Completion> FanOut(std::span<const Client> clients, const CompletionRequest& request,
                               const std::function<bool(size_t, const Event&)>& on_event) {
  MultiRunner runner;
  std::vector<MultiRunner::StreamId> ids;
  ids.reserve(clients.size());
  for (size_t i = 0; i < clients.size(); ++i) {
    MultiRunner::EventCallback callback;
    if (on_event) {
      callback = [&on_event, i](MultiRunner::StreamId, const Event& event) {
        return on_event(i, event);
      };
    }
    ids.push_back(runner.Add(clients[i], request, std::move(callback)));
  }
  runner.Run();
  std::vector<Completion> completions;
  completions.reserve(ids.size());
  for (MultiRunner::StreamId id : ids) completions.push_back(*runner.result(id));
  return completions;
}

RaceResult Race(std::span<const Client> clients, const CompletionRequest& request,
                const std::function<bool(const Event&)>& on_event, RaceOptions options) {
  RaceResult race;
  race.errors.resize(clients.size());
  if (clients.empty()) {
    race.completion.error.code = ErrorCode::kInvalidRequest;
    race.completion.error.message = "Race needs at least one client";
    return race;
  }
  MultiRunner runner;
  std::vector<MultiRunner::StreamId> ids(clients.size(), 0);
  std::vector<bool> ended(clients.size(), false);
  int winner = -1;
  bool winner_stopped = false;
  int64_t last_start_ms = 0;

  auto start = [&](size_t index) {
    race.started = std::max(race.started, static_cast<int>(index) + 1);
    last_start_ms = native::SteadyNowMs();
    ids[index] = runner.Add(
        clients[index], request,
        [&, index](MultiRunner::StreamId, const Event& event) {
          if (winner < 0 && IsOutput(event.kind)) {
            winner = static_cast<int>(index);
            for (size_t other = 0; other < ids.size(); ++other) {
              if (other != index && ids[other] != 0 && !ended[other]) runner.Cancel(ids[other]);
            }
          }
          if (winner != static_cast<int>(index)) return true;  // a loser: keep quiet
          if (on_event && !winner_stopped && !on_event(event)) winner_stopped = true;
          return !winner_stopped;
        },
        [&, index](MultiRunner::StreamId, const Completion& completion) {
          ended[index] = true;
          race.errors[index] = completion.error;
        });
  };

  size_t next = 0;
  start(next++);
  if (options.hedge_delay_ms <= 0) {
    while (next < clients.size()) start(next++);
  }
  while (runner.active() > 0 || (winner < 0 && next < clients.size())) {
    bool all_started_ended = true;
    for (size_t i = 0; i < next; ++i) all_started_ended = all_started_ended && ended[i];
    int64_t wait = -1;
    if (winner < 0 && next < clients.size()) {
      int64_t due = last_start_ms + options.hedge_delay_ms;
      int64_t now = native::SteadyNowMs();
      if (now >= due || all_started_ended) {
        start(next++);
        continue;
      }
      wait = due - now;
    }
    runner.RunOnce(wait);
  }

  race.winner = winner;
  if (winner >= 0) {
    race.completion = *runner.result(ids[static_cast<size_t>(winner)]);
  } else {
    // No output anywhere: report the last contender to end (its error says why).
    race.completion = *runner.result(ids[next - 1]);
  }
  return race;
}

}  // namespace llmstream
