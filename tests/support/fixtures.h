// Test helpers: read the shared fixtures and feed them through a Stream in many splits.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/completion.h"
#include "llmstream/event.h"
#include "llmstream/stream.h"

namespace llmstream::testing {

std::string FixturesDir();
std::string ReadFile(const std::string& path);
std::string ReadFixture(std::string_view name);  // a file in FixturesDir()
std::vector<std::string> FixtureFiles();         // every *.sse, sorted
// The recordings of more-providers/ (Gemini, Bedrock, Ollama, Cohere, Mistral, DeepSeek), sorted;
// names relative to FixturesDir() ("more-providers/gemini-thought-parts.sse").
std::vector<std::string> MoreProviderFixtureFiles();

// What a recording of more-providers/ is, by its name: the API, the framing it was sent in and
// the Content-Type its provider sends with it.
struct Recorded {
  WireApi api = WireApi::kChatCompletions;
  Framing framing = Framing::kSse;
  std::string content_type;
};
Recorded RecordedAs(std::string_view file);

// How to cut a body into reads.
struct Split {
  std::string name;           // for failure messages: "whole", "bytes", "fixed-7", "random-3" ...
  std::vector<size_t> sizes;  // read sizes (0 allowed), summing to the body size
};
// The splits every fixture is fed in: whole, 1-byte reads, 1-byte reads with empty reads between,
// fixed sizes 2,3,7,64,1024, and seeded random 1..16 KiB and 1..40 bytes.
std::vector<Split> StandardSplits(size_t body_size);

// An owned copy of an Event (the views die with the next Feed).
struct OwnedEvent {
  EventKind kind;
  uint8_t part;
  uint32_t choice, block;
  std::string text, id, name;
  bool operator==(const OwnedEvent&) const = default;
};
std::string Describe(const OwnedEvent& event);
// The owned copy RunStream records: usage, cost and error payloads summarized in `text`
// ("in/out" tokens, total dollars, "code: message").
OwnedEvent ToOwned(const Event& e);

struct RunResult {
  std::vector<OwnedEvent> events;  // adjacent deltas of the same kind/choice/block are NOT merged
  Completion completion;
};
// Feeds `body` in `split` reads (timestamps 0,1,2...) then Finish.
RunResult RunStream(const StreamOptions& options, std::string_view body, const Split& split);

// Concatenates adjacent text-like deltas (text, reasoning, refusal, tool args) of the same
// kind/choice/block/part so that event sequences from different splits compare equal.
std::vector<OwnedEvent> Coalesce(const std::vector<OwnedEvent>& events);

// One line per event, for comparing whole sequences: `kind [name] ["text"]` (metadata without its
// value); cost events are left out (they depend on the price table).
std::vector<std::string> EventLines(const std::vector<OwnedEvent>& events);

// Expects `got` == `want` event by event; reports the first difference only.
void ExpectSameEvents(const std::vector<OwnedEvent>& got, const std::vector<OwnedEvent>& want,
                      const std::string& what = "");

// Runs `body` in every standard split; each must give the (coalesced) events of the whole-body
// run. Returns the whole-body run.
RunResult RunEverySplit(const StreamOptions& options, const std::string& body);

// A gtest parameter name for a fixture file: "openai-chat-x.sse" -> "openai_chat_x".
std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info);

// Stream options that fit a fixture file name ("anthropic-*" -> Anthropic Messages, ...; a
// more-providers/ recording: its API and framing, RecordedAs).
StreamOptions OptionsForFixture(std::string_view file_name);

}  // namespace llmstream::testing
