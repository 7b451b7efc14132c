#include "framing/crc32.h"

#include <array>

namespace llmstream::framing {
namespace {

// A byte-at-a-time table, built on first use rather than stored: 1 KiB of pseudo-random
// constants would cost the wasm module ~1 KiB gzipped, the loop that builds it a few bytes.
struct Table {
  std::array<uint32_t, 256> entries;
  Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
      entries[i] = c;
    }
  }
};

}  // namespace

uint32_t Crc32(uint32_t crc, std::string_view bytes) {
  static const Table table;
  crc = ~crc;
  for (const char byte : bytes) {
    crc = table.entries[(crc ^ static_cast<unsigned char>(byte)) & 0xFFu] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace llmstream::framing
