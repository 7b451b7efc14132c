// HMAC-SHA256 (RFC 2104), internal: the AWS SigV4 signing-key chain and signature.
#pragma once

#include <string_view>

#include "common/sha256.h"

namespace llmstream::crypto_internal {

// HMAC-SHA256 of `message` under `key` (any length: a key over 64 bytes is hashed first).
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

}  // namespace llmstream::crypto_internal
