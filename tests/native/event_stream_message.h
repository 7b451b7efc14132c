// One AWS event-stream message as Bedrock sends them, for the CLI tests that record such bodies.
#pragma once

#include <string>
#include <string_view>

#include "framing/crc32.h"

namespace llmstream::cli::testing {

// One AWS event-stream message with the three string headers Bedrock sends and both CRCs.
inline std::string EventMessage(std::string_view event_type, std::string_view payload) {
  std::string headers;
  const auto header = [&](std::string_view name, std::string_view value) {
    headers += static_cast<char>(name.size());
    headers += name;
    headers += '\x07';  // string
    headers += static_cast<char>(value.size() >> 8);
    headers += static_cast<char>(value.size() & 0xFF);
    headers += value;
  };
  header(":event-type", event_type);
  header(":content-type", "application/json");
  header(":message-type", "event");
  std::string out;
  const auto be32 = [&](size_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift);
  };
  be32(16 + headers.size() + payload.size());
  be32(headers.size());
  be32(framing::Crc32(0, out));
  out += headers;
  out += payload;
  be32(framing::Crc32(0, out));
  return out;
}

}  // namespace llmstream::cli::testing
