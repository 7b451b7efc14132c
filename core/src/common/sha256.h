// SHA-256 (FIPS 180-4), internal: the transforms' request keys and the AWS SigV4 signer (payload
// hashes, HMAC). In the core rather than beside either user because the signer is core code and
// the transforms library links the core. Incremental: Update any number of times, then Digest or
// Hex once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llmstream::crypto_internal {

using Sha256Digest = std::array<unsigned char, 32>;

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  // The 32-byte digest. Ends the computation.
  Sha256Digest Digest();
  // The digest as 64 lowercase hex digits. Ends the computation.
  std::string Hex();

 private:
  void Block(const unsigned char* block);

  std::array<uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

// Lowercase hex of any bytes (digests, HMACs).
std::string ToHex(const unsigned char* bytes, size_t size);

}  // namespace llmstream::crypto_internal
