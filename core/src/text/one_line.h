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

}  // namespace llmstream::text
