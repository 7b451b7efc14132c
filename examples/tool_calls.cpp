// Tool calls: watch a call's arguments stream in, run the tool, send the result back and stream
// the final answer.
// Mirrors the seed guide's "Provider-Specific Streaming > OpenAI Streaming" (streamWithFunctions:
// function_call_progress with the partial arguments, function_call_complete with the parsed
// arguments, done with the finish reason and usage).
//
// The seed reads the deprecated `function_call` delta and JSON.parse()s the buffer at the end;
// here calls are `tools`, each call streams as kToolCallStart, kToolCallDelta fragments and
// kToolCallEnd (the complete arguments, already validated), the same for every provider.
// PartialJson shows the arguments as valid JSON while they are still arriving, which is what a
// UI wants to render.
#include <iostream>
#include <map>
#include <string>

#include "example_support.h"
#include "llmstream/client.h"
#include "llmstream/partial_json.h"

namespace {

using llmstream::Event;
using llmstream::EventKind;

const llmstream::ToolDefinition kWeatherTool{
    .name = "get_weather",
    .description = "Current weather for a city",
    .parameters_json = R"({"type":"object","properties":{)"
                       R"("location":{"type":"string","description":"City name"},)"
                       R"("unit":{"type":"string","enum":["celsius","fahrenheit"]}},)"
                       R"("required":["location"]})",
};

// Stands in for a real weather service.
std::string GetWeather(const std::string& arguments_json) {
  return R"({"temperature":14,"unit":"celsius","conditions":"light rain","query":)" +
         arguments_json + "}";
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Streams a tool call, runs the tool and streams the answer that uses it.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);
  const llmstream::Client client(setup.options);

  llmstream::CompletionRequest request{
      .model = setup.model,
      .prompt = "What's the weather like in Edinburgh right now?",
      .tools = {kWeatherTool},
      .tool_choice = "required",  // always call a tool in this first turn
  };

  // Turn 1: the model calls the tool.
  llmstream::CompletionStream stream = client.StreamCompletion(request);
  std::map<uint32_t, llmstream::PartialJson> arguments;  // by tool call index (event.block)
  for (const Event& event : stream) {
    switch (event.kind) {
      case EventKind::kToolCallStart:
        std::cout << "[function_call_start] " << event.name << " (" << event.id << ")\n";
        break;
      case EventKind::kToolCallDelta: {
        llmstream::PartialJson& partial = arguments[event.block];
        partial.Append(event.text);
        std::cout << "[function_call_progress] partial arguments: " << partial.Snapshot() << "\n";
        break;
      }
      case EventKind::kToolCallEnd:  // part: 1 when the arguments are valid JSON
        std::cout << "[function_call_complete] " << event.name << "(" << event.text << ")"
                  << (event.arguments_valid() ? "" : "  <- not valid JSON") << "\n";
        break;
      case EventKind::kText:
        std::cout << event.text << std::flush;
        break;
      case EventKind::kDone:  // result() is live: the usage has arrived by now
        std::cout << "[done] reason: " << event.text << ", usage: " << stream.result().usage.Total()
                  << " tokens\n";
        break;
      default:
        break;
    }
  }
  if (stream.error()) {
    std::cerr << "error: " << examples::Describe(stream.error()) << "\n";
    return 1;
  }
  const llmstream::Choice& choice = stream.result().choices.at(0);
  if (choice.tool_calls.empty()) {
    std::cerr << "error: the model answered without calling the tool\n";
    return 1;
  }

  // Turn 2: echo the calls back with their results; the same messages work for every provider.
  llmstream::Message assistant{.role = "assistant", .content = choice.text};
  std::vector<llmstream::Message> results;
  for (const llmstream::ToolCall& call : choice.tool_calls) {
    if (!call.arguments_valid) {
      std::cerr << "error: the arguments of " << call.name << " are not valid JSON\n";
      return 1;
    }
    assistant.tool_calls.push_back({.id = call.id, .name = call.name, .arguments = call.arguments});
    results.push_back(
        {.role = "tool", .content = GetWeather(call.arguments), .tool_call_id = call.id});
    std::cout << "[tool result] " << results.back().content << "\n";
  }
  request.messages = {{.role = "user", .content = request.prompt}, assistant};
  request.messages.insert(request.messages.end(), results.begin(), results.end());
  request.prompt.clear();
  request.tool_choice.clear();  // let the model answer now

  llmstream::CompletionStream answer = client.StreamCompletion(request);
  for (const Event& event : answer) {
    if (event.kind == EventKind::kText) std::cout << event.text << std::flush;
  }
  std::cout << "\n";
  if (answer.error()) {
    std::cerr << "error: " << examples::Describe(answer.error()) << "\n";
    return 1;
  }
  return answer.result().text().empty() ? 1 : 0;
}
