// Masks secrets in an attempt's response body before --record writes it, keeping every read (a
// frame) whole and the same length.
//
// Two ways a secret reaches a body, both split across pieces:
//   * whole in the bytes, cut by the reads ("...sk-te" | "st-SECRET..."): a frame is only written
//     once the line it ends in is complete, and a secret holds no line break (keys and header
//     values cannot), so every secret in the held bytes is found whole;
//   * cut by the model's deltas, each inside its own SSE event's JSON
//     (`"content":"sk-te"` ... `"content":"st-SECRET"`): never contiguous in the bytes. The
//     string values of `data:` lines are decoded, and the values at the same JSON path (e.g.
//     .choices[0].delta.content, .delta.text) are one SecretStream each; the bytes of a masked
//     character, escapes included, become '*' in the body (the JSON stays valid, so the replay
//     shows the masked text).
//
// A frame is written once nothing later can change it: its lines are complete and scanned, and
// every string value in it decided (a value ending like the start of a secret waits for the
// next value at its path). Without secrets every frame is ready at once.
//
// The body's framing (what the replay will read it as) says where the JSON is: SSE `data:`
// lines, every NDJSON line (Ollama's deltas are lines of their own, not `data:` lines), the
// payloads of AWS event-stream messages. Event-stream is binary and checksummed, so there the
// unit is a whole message instead of a line: only its headers and payload are masked (never its
// prelude or CRCs, where a byte matching a secret's is chance), and once every mask in it is
// decided its message CRC is computed again over the masked bytes; otherwise the replay's framer
// refused the first masked message as corrupt. A message whose CRC was wrong as received keeps
// it, so the replay fails where the live stream did. Bytes that are no message (impossible
// lengths, a body cut inside one) are masked as plain bytes.
//
// The cost is linear in the body however the reads split it (a server controls both): each byte
// is matched against the secrets once, the search for a line's end resumes where the last read
// left it, each complete line is decoded once, and frames are taken from the front of a ByteQueue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli/secret_scrubber.h"
#include "llmstream/framing.h"

namespace llmstream::cli {

class BodyScrubber {
 public:
  // `scrubber` must outlive this. `framing`: the body's, as the replay will read it.
  explicit BodyScrubber(const SecretScrubber& scrubber, Framing framing = Framing::kSse);

  void Push(std::string_view read);
  // The body ended: everything becomes ready.
  void Finish();
  bool FrameReady() const;
  // The oldest frame, masked (call only when FrameReady()).
  std::string TakeFrame();

  // Bytes scanned, copied or moved so far (tests check that it stays linear in the body, however
  // it is split).
  uint64_t work() const;

 private:
  // A string value whose masking is not decided yet. Offsets count from the body's first byte.
  struct Value {
    std::string decoded;
    std::vector<std::pair<uint64_t, uint64_t>> spans;  // per decoded byte: its bytes in the body
    uint64_t begin = 0;                                // the opening quote
    uint64_t number = 0;                               // its place in pending_
  };
  struct PathStream {
    explicit PathStream(const SecretScrubber& scrubber) : stream(scrubber) {}
    SecretStream stream;
    std::deque<Value> values;
  };
  static constexpr uint32_t kUnknownNode = UINT32_MAX;  // not looked up since the level changed
  static constexpr uint32_t kNoNode = UINT32_MAX - 1;   // a name with no stream of its own
  // An object or array open on the line being scanned.
  struct Level {
    bool object = false;
    bool expect_key = false;
    std::string key;
    size_t index = 0;
    uint32_t node = kUnknownNode;  // the path's node up to this level's key or index
  };

  // An event-stream message scanned whose CRC is not rewritten yet.
  struct Message {
    uint64_t begin = 0, end = 0;
    bool crc_valid = false;  // as received: only a right CRC is computed again
  };

  void ScanLines(bool final);
  void ScanMessages(bool final);
  // Masks [scanned_, end_) as plain bytes (event-stream bytes that are no message).
  void ScanOpaque(bool final);
  // Rewrites the CRC of each message at the front whose masks are all decided.
  void FixCrcs();
  uint32_t Be32(uint64_t offset) const;
  void ScanJson(uint64_t begin, uint64_t end);
  // The node of the path `stack` names (with "..." when the value is deeper than kMaxDepth).
  uint32_t PathNode(std::vector<Level>* stack, bool too_deep);
  uint32_t Extend(uint32_t node, std::string_view bytes);
  void AddValue(uint32_t node, Value value);
  void Resolve(PathStream& path);
  uint64_t Ready() const;
  char At(uint64_t offset) const { return raw_.At(offset); }

  const SecretScrubber& scrubber_;
  const Framing framing_;
  SecretMatcher raw_matcher_;  // secrets whole in the bytes (cut by the reads at most)
  // Event-stream: the messages whose CRC waits for masks, oldest first (frames wait for them).
  std::deque<Message> messages_;
  bool opaque_ = false;       // event-stream: the rest of the body is no message
  uint64_t opaque_from_ = 0;  // where it began: raw_matcher_'s offsets count from there
  uint64_t opaque_fed_ = 0;   // raw_matcher_ was fed the bytes before this
  ByteQueue raw_;             // the bytes not scanned yet, as read
  ByteQueue out_;             // the bytes not taken yet, secrets masked
  uint64_t end_ = 0;          // bytes pushed
  uint64_t scanned_ = 0;      // the complete lines before this were scanned
  uint64_t searched_ = 0;     // the line from scanned_ on has no line break before this
  std::deque<uint64_t> frame_ends_;
  // A path is named like ".choices[0].delta.content"; equal names share a stream. The names are
  // a trie of their bytes (node 0: ""), so that a value's path is its parent's node extended by
  // its own key or index, not its whole name (up to kMaxDepth * kMaxKey bytes) built and looked
  // up for every value. Nodes are only made for a path that gets a stream of its own. paths_ is
  // by node; kNoNode is the stream the names past kMaxPaths share.
  std::unordered_map<uint64_t, uint32_t> path_edges_;  // node << 8 | byte -> node
  uint32_t path_nodes_ = 1;
  std::map<uint32_t, PathStream> paths_;
  // The values not decided yet, in body order: the begin of each, or kResolved once decided (the
  // oldest one bounds what is ready, without a search through every path).
  std::deque<uint64_t> pending_;
  uint64_t pending_first_ = 0;  // the number of pending_.front()
  uint64_t work_ = 0;
};

}  // namespace llmstream::cli
