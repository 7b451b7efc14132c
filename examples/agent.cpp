// An agent with two tools: the model asks for the weather and the local time of two cities, the
// tools run in parallel as soon as each call's arguments are complete, their results go back,
// and the final answer streams. One call, RunTools, does the loop; every event says its step.
// Issue 15's tool loop; the seed guide's closest section is "Provider-Specific Streaming >
// OpenAI Streaming" (streamWithFunctions), which stops after one call: here the loop goes on.
//
// Against the local provider the scripted model (scenario tool_steps=1; tool_call=2) calls both
// tools in one step and answers with their results quoted; a real model decides for itself.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/tool_runner.h"

namespace {

constexpr const char* kCityParameters =
    R"({"type":"object","properties":{"city":{"type":"string","description":"City name"}},)"
    R"("required":["city"]})";

// Stand-ins for real services: they read the arguments the model wrote (a JSON object, already
// checked by the loop) and answer in JSON.
llmstream::ToolOutcome Weather(const llmstream::ToolCallRequest& call) {
  return {.output =
              R"({"conditions":"light rain","temperature_c":14,"query":)" + call.arguments + "}"};
}

llmstream::ToolOutcome LocalTime(const llmstream::ToolCallRequest& call) {
  return {.output = R"({"time":"09:41","query":)" + call.arguments + "}"};
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "An agent with two tools (weather, local time): a streaming tool loop.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);
  const llmstream::Client client(examples::WithScenario(setup, "tool_steps=1; tool_call=2"));

  const std::vector<llmstream::Tool> tools = {
      {.definition = {.name = "get_weather",
                      .description = "Current weather for a city",
                      .parameters_json = kCityParameters},
       .run = Weather},
      {.definition = {.name = "get_local_time",
                      .description = "Current local time in a city",
                      .parameters_json = kCityParameters},
       .run = LocalTime},
  };
  const llmstream::CompletionRequest request{
      .model = setup.model,
      .prompt = "What is the weather and the local time in Paris? Use the tools.",
  };

  const llmstream::ToolRunResult result = llmstream::RunTools(
      client, request, tools,
      {.max_steps = 4, .on_event = [](const llmstream::ToolLoopEvent& e) {
         using Kind = llmstream::ToolLoopEvent::Kind;
         if (e.kind == Kind::kStepStart) std::cerr << "# step " << e.step << "\n";
         if (e.kind == Kind::kEvent && e.event->kind == llmstream::EventKind::kText) {
           std::cout << e.event->text << std::flush;
         }
         if (e.kind == Kind::kEvent && e.event->kind == llmstream::EventKind::kToolCallEnd) {
           std::cout << "[step " << e.step << "] call " << e.event->name << " " << e.event->text
                     << "\n";
         }
         if (e.kind == Kind::kToolResult) {
           std::cout << "[step " << e.step << "] " << e.call->name
                     << (e.outcome->is_error ? " failed: " : " -> ") << e.outcome->output << "\n";
         }
         return true;  // false would cancel the loop
       }});
  std::cout << "\n";

  std::cerr << "# stopped: " << llmstream::LoopStopName(result.stop) << " after "
            << result.steps.size() << " steps, " << result.conversation.size() << " turns, "
            << result.usage.Total() << " tokens, $" << result.cost.total_usd << "\n";
  if (result.stop != llmstream::LoopStop::kFinalAnswer) {
    std::cerr << "agent: " << examples::Describe(result.error) << "\n";
    return EXIT_FAILURE;
  }
  return result.text().empty() ? EXIT_FAILURE : EXIT_SUCCESS;
}
