// Small text helpers shared by error classification and the session (messages shown to users).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmstream::text {

// ASCII whitespace as JSON and HTTP see it (space, tab, CR, LF, FF).
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

// One line for a message: whitespace runs become one space, leading / trailing space goes, and
// text beyond max_bytes is cut on a UTF-8 boundary and marked with "...".
std::string OneLine(std::string_view text, size_t max_bytes);

// OneLine's cut: text beyond max_bytes goes, on a UTF-8 boundary, marked with "...".
void CutLine(std::string* text, size_t max_bytes);

// `text` with every occurrence of `key` replaced by "[redacted]", wherever it stands (glued to
// other characters too: a known secret is masked wherever it appears). Error messages never carry
// a key, and a server that echoes the request could put it in a body or a chunk. Mask before
// OneLine cuts, or a prefix of the key survives at the cut. One pass that copies the text once,
// however many keys it holds. An empty key masks nothing.
std::string MaskKey(std::string_view text, std::string_view key);

}  // namespace llmstream::text
