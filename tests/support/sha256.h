// SHA-256 of a byte string as lowercase hex (FIPS 180-4). expected.json identifies long texts by
// their digest. Backed by the core's SHA-256 (core/src/common/sha256.h).
#pragma once

#include <string>
#include <string_view>

namespace llmstream::testing {

std::string Sha256Hex(std::string_view bytes);

// Number of Unicode code points in valid UTF-8 (expected.json's "chars").
size_t CountCodePoints(std::string_view utf8);

}  // namespace llmstream::testing
