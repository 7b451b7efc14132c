// The shared fixtures as a relay sends them (llmstream/relay.h): each recording streamed and
// re-encoded by the RelayEncoder, and the original events as the protocol carries them. For the
// codec's tests (relay_codec_test.cpp) and the relay client's (relay_client_test.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmstream/completion.h"
#include "llmstream/stream.h"
#include "support/fixtures.h"

namespace llmstream::testing {

// Every shared recording: FixtureFiles() then MoreProviderFixtureFiles().
std::vector<std::string> AllFixtures();

// The options the npm package's test (tests/node/relay_codec.test.mjs) streams the fixture with:
// the provider and model (which price the usage), the API and the framing.
StreamOptions RelayFixtureOptions(const std::string& file);

struct Encoded {
  std::string bytes;                // the relay stream ("retry:", start, then the events)
  std::vector<OwnedEvent> events;   // what the Stream gave
  std::vector<uint64_t> event_ids;  // the relay id each relayed event got (kCost: its usage's)
  Completion result;                // the Stream's assembled result
};

// The fixture's `body` streamed in `split` reads, encoded as the stream "r_00000000000000000000".
// `with_completion`: the terminal event carries the Stream's result as its `completion`, as a
// relay's does (the golden files of relay_codec_test.cpp have none).
Encoded EncodeFixture(const StreamOptions& options, std::string_view body, const Split& split,
                      bool with_completion = false);

// The original events as the protocol carries them: what a chunk has no place for cleared
// (docs/relay-protocol.md, "Events"), JSON payloads in their canonical form.
std::vector<OwnedEvent> AsRelayed(const std::vector<OwnedEvent>& events);

}  // namespace llmstream::testing
