#include "support/sha256.h"

#include "common/sha256.h"

namespace llmstream::testing {

// The core's SHA-256 (request keys) serves the tests too: one implementation, checked
// against expected.json's digests by the fixture tests.
std::string Sha256Hex(std::string_view bytes) {
  crypto_internal::Sha256 sha;
  sha.Update(bytes);
  return sha.Hex();
}

size_t CountCodePoints(std::string_view utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) count += (c & 0xC0) != 0x80;
  return count;
}

}  // namespace llmstream::testing
