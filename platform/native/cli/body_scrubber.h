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
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/secret_scrubber.h"

namespace llmstream::cli {

class BodyScrubber {
 public:
  // `scrubber` must outlive this.
  explicit BodyScrubber(const SecretScrubber& scrubber);

  void Push(std::string_view read);
  // The body ended: everything becomes ready.
  void Finish();
  bool FrameReady() const;
  // The oldest frame, masked (call only when FrameReady()).
  std::string TakeFrame();

 private:
  // A string value whose masking is not decided yet. Offsets count from the body's first byte.
  struct Value {
    std::string decoded;
    std::vector<std::pair<uint64_t, uint64_t>> spans;  // per decoded byte: its bytes in the body
    uint64_t begin = 0;                                // the opening quote
  };
  struct PathStream {
    explicit PathStream(const SecretScrubber& scrubber) : stream(scrubber) {}
    SecretStream stream;
    std::deque<Value> values;
  };

  void ScanLines(bool final);
  void ScanJson(uint64_t begin, uint64_t end);
  void AddValue(const std::string& path, Value value);
  void Resolve(PathStream& path);
  uint64_t Ready() const;
  char At(uint64_t offset) const { return wire_[static_cast<size_t>(offset - base_)]; }

  const SecretScrubber& scrubber_;
  std::string wire_;          // the body from byte base_ on (frames not taken yet)
  std::vector<bool> masked_;  // per byte of wire_
  uint64_t base_ = 0;
  uint64_t end_ = 0;          // bytes pushed
  uint64_t raw_decided_ = 0;  // no later read can make a secret of the bytes before this
  uint64_t scanned_ = 0;      // the complete lines before this were scanned
  std::deque<uint64_t> frame_ends_;
  std::map<std::string, PathStream> paths_;
};

}  // namespace llmstream::cli
