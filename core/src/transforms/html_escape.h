// HTML escaping for SafeMarkdown (internal).
//
// Text and attribute values go through one table: & < > " ' as entities, and also = : ` as
// numeric references, so that nothing from the input can read as markup, as an attribute
// (`onerror=`) or as a URL scheme (`javascript:`) even to a naive scanner of the markup; a
// browser shows the same characters. Invalid UTF-8 (bad bytes, overlong forms, surrogates,
// values past U+10FFFF) and the C0 controls other than tab, line feed and carriage return become
// U+FFFD, so the output is always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace llmstream::markdown_internal {

void AppendEscaped(std::string_view text, std::string* out);

}  // namespace llmstream::markdown_internal
