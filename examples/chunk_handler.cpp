// Handling different chunk types with the callback form: one handler per event kind, a shared
// context, and a count of every kind that arrived.
// Mirrors the seed guide's "Chunk Processing > Handling Different Chunk Types" (ChunkHandler with
// registerHandler('text' | 'function_call' | 'metadata' | 'error' | 'done', ...)).
//
// The JS guesses a chunk's type from which field is set (identifyChunkType); here every event
// says what it is (event.kind), so the dispatch is a map lookup. The callback runs on this
// thread for each event as it arrives; returning false from it would stop the stream there.
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "example_support.h"
#include "llmstream/client.h"

namespace {

using llmstream::Event;
using llmstream::EventKind;

struct Context {
  std::string full_text;
  std::vector<std::string> function_calls;
  std::map<std::string, std::string> metadata;
  std::chrono::steady_clock::time_point start_time;
  std::map<EventKind, int> counts;  // every event, by kind
  llmstream::Error error;
};

class ChunkHandler {
 public:
  using Handler = std::function<void(const Event&, Context&)>;

  explicit ChunkHandler(llmstream::Client client) : client_(std::move(client)) {
    RegisterHandler(EventKind::kText, HandleText);
    RegisterHandler(EventKind::kToolCallEnd, HandleFunctionCall);
    RegisterHandler(EventKind::kMetadata, HandleMetadata);
    RegisterHandler(EventKind::kError, HandleError);
    RegisterHandler(EventKind::kDone, HandleDone);
  }

  void RegisterHandler(EventKind kind, Handler handler) { handlers_[kind] = std::move(handler); }

  Context ProcessStream(llmstream::CompletionRequest request) const {
    Context context;
    context.start_time = std::chrono::steady_clock::now();
    const llmstream::Completion completion =
        client_.StreamCompletion(std::move(request), [&](const Event& event) {
          ++context.counts[event.kind];
          if (auto it = handlers_.find(event.kind); it != handlers_.end()) {
            it->second(event, context);
          }
          return true;  // keep streaming
        });
    context.error = completion.error;
    return context;
  }

 private:
  static void HandleText(const Event& event, Context& context) {
    context.full_text.append(event.text);
    std::cout << event.text << std::flush;
  }

  // kToolCallEnd carries the complete call (the JS's chunk.function_call); the start and delta
  // events before it are the call streaming in (see tool_calls.cpp).
  static void HandleFunctionCall(const Event& event, Context& context) {
    context.function_calls.emplace_back(event.name);
    std::cout << "\nFunction call: " << event.name << "\n";
  }

  // Event views die when the callback returns: copy what is kept.
  static void HandleMetadata(const Event& event, Context& context) {
    context.metadata[std::string(event.name)] = std::string(event.text);
  }

  static void HandleError(const Event& event, Context&) {
    std::cerr << "\nStream error: " << examples::Describe(*event.error) << "\n";
  }

  static void HandleDone(const Event& event, Context& context) {
    const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - context.start_time);
    std::cout << "\nStream complete in " << duration.count() << "ms (finish reason: " << event.text
              << ")\n";
  }

  llmstream::Client client_;
  std::map<EventKind, Handler> handlers_;
};

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Dispatches stream events to per-kind handlers and counts them by kind.");
  const examples::Setup setup = examples::Configure(args, examples::kOpenAI);

  ChunkHandler handler{llmstream::Client(setup.options)};
  const Context context = handler.ProcessStream(
      {.model = setup.model, .prompt = "Describe the water cycle in three sentences."});

  std::cout << "\n--- events by kind ---\n";
  for (const auto& [kind, count] : context.counts) {
    std::cout << "  " << llmstream::EventKindName(kind) << ": " << count << "\n";
  }
  std::cout << "metadata keys:";
  for (const auto& [key, value] : context.metadata) std::cout << " " << key;
  std::cout << "\nfunction calls: " << context.function_calls.size()
            << "\ntext: " << context.full_text.size() << " characters\n";
  return context.error ? 1 : 0;
}
