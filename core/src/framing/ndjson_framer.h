// NdjsonFramer: newline-delimited JSON (Ollama /api/chat and /api/generate,
// application/x-ndjson) into one payload per line. The rules (docs/wire-formats.md, "NDJSON"):
// lines end at LF, a CR right before the LF belongs to the terminator (CRLF), lines of only JSON
// whitespace are skipped, and a last line without its LF is a payload when it is one complete
// JSON value (JSON Lines makes the final separator optional; Ollama always writes it, so a last
// line that is not complete JSON is a cut body, reported by Finish, never a bad_json).
#pragma once

#include <string>
#include <string_view>

#include "framing/framer.h"

namespace llmstream::framing {

class NdjsonFramer final : public Framer {
 public:
  NdjsonFramer(SseSink* sink, FramingLimits limits) : Framer(sink, limits) {}

  bool Feed(std::string_view bytes) override;
  FramingEnd Finish() override;
  void Reset() override;

 private:
  // One line, LF excluded (a trailing CR is still there).
  bool Line(std::string_view line);

  std::string held_;  // the start of a line that straddles reads, raw bytes (limit + 1 for a CR)
};

}  // namespace llmstream::framing
