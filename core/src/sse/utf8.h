// UTF-8 validation and WHATWG-style repair for the SSE parser.
//
// The SSE parser splits lines on raw CR / LF bytes and repairs each complete line (or field value)
// on its own. That is equivalent to decode-then-split because ASCII bytes (CR, LF, ':', ' ') can
// never be part of a valid multi-byte sequence nor of a maximal ill-formed subsequence.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmstream::sse {

// Length of the longest valid UTF-8 prefix of `text` (== text.size() when all of it is valid).
// ASCII runs are skipped 16 bytes (SSE2) or 8 bytes at a time.
size_t ValidUtf8Prefix(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

// Size in bytes of `text` after RepairUtf8, without building it.
size_t RepairedUtf8Size(std::string_view text);

// Appends `text` to `out`, replacing each maximal ill-formed subsequence by U+FFFD exactly as the
// WHATWG "UTF-8 decode" algorithm (and ICU) do: `FF` -> 1, `C0 80` -> 2, `ED A0 80` -> 3, and a
// truncated sequence at the end of `text` (`E4 BD`) -> 1.
void AppendRepairedUtf8(std::string_view text, std::string* out);

}  // namespace llmstream::sse
