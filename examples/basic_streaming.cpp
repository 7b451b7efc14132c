// Basic streaming: print the answer as it arrives.
// Mirrors the seed guide's "Basic Streaming > Simple Stream Example":
//
//   const stream = await ai.streamCompletion({model, prompt, maxTokens: 500, temperature: 0.8});
//   for await (const chunk of stream) process.stdout.write(chunk.text || '');
//
// In C++ the stream is a range: each iteration waits for the network, and every kind of event
// (text, usage, finish ...) comes through it, so we pick the text deltas.
#include <iostream>

#include "example_support.h"
#include "llmstream/client.h"

int main(int argc, char** argv) {
  const examples::Args args =
      examples::ParseArgs(argc, argv, "Streams a story to stdout as it is generated.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);

  llmstream::Client client(setup.options);
  llmstream::CompletionStream stream = client.StreamCompletion({
      .model = setup.model,
      .prompt = "Write a story about a brave knight",
      .max_tokens = 500,
      .temperature = 0.8,
  });

  // Process tokens as they arrive. The flush makes each delta visible at once: stdout is
  // line-buffered on a terminal and fully buffered in a pipe.
  for (const llmstream::Event& event : stream) {
    if (event.kind == llmstream::EventKind::kText) std::cout << event.text << std::flush;
  }
  std::cout << "\n";

  // Nothing throws: a failure ends the loop early and is kept in error(), next to whatever text
  // arrived before it (stream.result()).
  if (stream.error()) {
    std::cerr << "error: " << examples::Describe(stream.error()) << "\n";
    return 1;
  }
  return 0;
}
