// SHA-256 (FIPS 180-4) for request keys (internal). Incremental: Update any number of times,
// then Hex.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llmstream::transforms_internal {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  // The digest as 64 lowercase hex digits. Ends the computation.
  std::string Hex();

 private:
  void Block(const unsigned char* block);

  std::array<uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

}  // namespace llmstream::transforms_internal
