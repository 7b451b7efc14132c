// CRC-32/ISO-HDLC (the zlib / gzip / PNG CRC: reflected polynomial 0xEDB88320, initial and final
// value 0xFFFFFFFF), which AWS event-stream messages carry twice (of the prelude's 8 bytes, and of
// the whole message). Check value:
// Crc32("123456789") == 0xCBF43926.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmstream::framing {

// Continues `crc` (the result of an earlier call, 0 to start) over `bytes`: the CRC of a
// concatenation is Crc32(Crc32(0, a), b).
uint32_t Crc32(uint32_t crc, std::string_view bytes);

// The same with the portable table walk only, whatever the CPU offers (Crc32 folds with
// carry-less multiplication where x86-64 has it): for the tests, which compare both paths.
uint32_t Crc32Portable(uint32_t crc, std::string_view bytes);

}  // namespace llmstream::framing
