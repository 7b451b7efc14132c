#include "common/hmac_sha256.h"

#include <array>
#include <cstddef>

namespace llmstream::crypto_internal {

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  constexpr size_t kBlock = 64;
  std::array<unsigned char, kBlock> block{};
  if (key.size() > kBlock) {
    Sha256 hashed_key;
    hashed_key.Update(key);
    const Sha256Digest digest = hashed_key.Digest();
    for (size_t i = 0; i < digest.size(); ++i) block[i] = digest[i];
  } else {
    for (size_t i = 0; i < key.size(); ++i) block[i] = static_cast<unsigned char>(key[i]);
  }
  std::array<char, kBlock> inner_pad{};
  std::array<char, kBlock> outer_pad{};
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  Sha256 inner;
  inner.Update(std::string_view(inner_pad.data(), kBlock));
  inner.Update(message);
  const Sha256Digest inner_digest = inner.Digest();
  Sha256 outer;
  outer.Update(std::string_view(outer_pad.data(), kBlock));
  outer.Update(
      std::string_view(reinterpret_cast<const char*>(inner_digest.data()), inner_digest.size()));
  return outer.Digest();
}

}  // namespace llmstream::crypto_internal
