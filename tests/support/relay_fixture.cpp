// The shared fixtures as a relay sends them (relay_fixture.h).
#include "support/relay_fixture.h"

#include <span>
#include <unordered_map>
#include <utility>

#include "llmstream/relay.h"
#include "llmstream/to_json.h"
#include "relay/js_json.h"

namespace llmstream::testing {

std::vector<std::string> AllFixtures() {
  std::vector<std::string> files = FixtureFiles();
  for (const std::string& f : MoreProviderFixtureFiles()) files.push_back(f);
  return files;
}

// The options the npm package's test (tests/node/relay_codec.test.mjs) streams the fixture with:
// the provider and model (which price the usage), the API and the framing.
StreamOptions RelayFixtureOptions(const std::string& file) {
  StreamOptions options = OptionsForFixture(file);
  const std::string name = file.substr(file.find_last_of('/') + 1);
  if (file.starts_with("more-providers/")) {
    options.provider = *ParseProvider(name.substr(0, name.find('-')));
  }
  // A model without a price: only what the stream names prices its usage.
  options.model = "fixture-model";
  return options;
}

Encoded EncodeFixture(const StreamOptions& options, std::string_view body, const Split& split,
                      bool with_completion) {
  Stream stream(options);
  RelayEncoder encoder("r_00000000000000000000", "fixture-model");
  Encoded out;
  encoder.WriteStart(&out.bytes);
  auto batch = [&](std::span<const Event> events) {
    std::string completion;
    for (const Event& e : events) {
      out.events.push_back(ToOwned(e));
      const bool terminal = e.kind == EventKind::kDone || e.kind == EventKind::kError;
      if (terminal && with_completion && completion.empty())
        AppendJson(&completion, stream.result());
    }
    encoder.WriteBatch(events, &out.bytes, completion);
  };
  size_t at = 0;
  int64_t now = 0;
  for (size_t n : split.sizes) {
    batch(stream.Feed(body.substr(at, n), now++));
    at += n;
  }
  batch(stream.Finish(now));
  out.result = stream.result();
  return out;
}

// The original events as the protocol carries them: what a chunk has no place for cleared
// (docs/relay-protocol.md, "Events"), JSON payloads in their canonical form.
std::vector<OwnedEvent> AsRelayed(const std::vector<OwnedEvent>& events) {
  std::vector<OwnedEvent> out;
  std::unordered_map<uint64_t, std::string> block_types;
  for (OwnedEvent e : events) {
    if (!IsRelayed(e.kind) && e.kind != EventKind::kCost) continue;  // a kCost follows its usage
    switch (e.kind) {
      case EventKind::kText:
      case EventKind::kToolCallStart:
      case EventKind::kToolCallEnd:
        break;
      case EventKind::kToolCallDelta:
        e.id.clear();
        e.name.clear();
        break;
      case EventKind::kBlockStart:
      case EventKind::kBlockEnd: {
        std::string& type = block_types[(uint64_t{e.choice} << 32) | e.block];
        if (e.kind == EventKind::kBlockStart) type = e.name;
        if (e.name.empty()) e.name = type;
        e.id.clear();  // a Responses output item's id: no place on the block chunk
        [[fallthrough]];
      }
      case EventKind::kCitation:
        if (!e.text.empty()) {
          std::string canonical;
          if (relay::AppendCanonicalJson(&canonical, e.text) && canonical[0] != '"')
            e.text = canonical;
        }
        if (e.kind == EventKind::kCitation) e.block = 0;
        break;
      case EventKind::kMetadata:
        if (e.part == static_cast<uint8_t>(MetadataFormat::kJson)) {
          std::string canonical;
          if (relay::AppendCanonicalJson(&canonical, e.text) && canonical[0] != '"') {
            e.text = canonical;
          } else {
            e.part = static_cast<uint8_t>(MetadataFormat::kString);
          }
        }
        e.choice = 0;
        e.block = 0;
        break;
      case EventKind::kReasoning:
      case EventKind::kRefusal:
      case EventKind::kFinish:
        e.block = 0;
        e.id.clear();
        e.name.clear();
        break;
      default:  // usage, cost, warning, error, retry, done: no choice or block on their chunks
        e.choice = 0;
        e.block = 0;
        e.id.clear();
        e.name.clear();
        break;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace llmstream::testing
