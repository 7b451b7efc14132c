// Last line of defence for "keys are never printed": every line the CLI writes (errors, --json
// events, recorded frames) passes through Scrub, which masks any known secret. The core already
// keeps keys out of messages and Redacted() requests; this also covers what a server echoes back
// and secrets passed as --header values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmstream::cli {

class SecretScrubber {
 public:
  // Secrets shorter than 6 bytes are ignored: masking them would garble ordinary text.
  void Add(std::string_view secret);

  // Overwrites every occurrence of a secret with '*' of the same length (byte counts stay
  // valid, which recorded frames rely on).
  void Scrub(std::string* text) const;
  std::string Scrubbed(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;
};

}  // namespace llmstream::cli
