// Fuzz target for the CLI's output filters (platform/native/cli), which see untrusted bytes from
// models and servers and promise results that do not depend on how the bytes were split:
//   * ControlFilter: pushing the text in any pieces gives NeutralizeControls(text), and the
//     output holds no control (C0 but LF / TAB / CR before LF, DEL, C1) and is valid UTF-8;
//   * SecretStream: the decided bytes, concatenated, are the same for any split and equal
//     Scrubbed(text); whole pieces keep their sizes;
//   * SecretScrubber: Scrubbed(text) masks exactly the bytes inside occurrences of the secrets
//     (a naive search for each secret at every position here is the reference);
//   * BodyScrubber (--record): frames keep their sizes, bytes are kept or become '*', the output
//     is the same for any split of the reads, and a secret never survives in it;
//   * all of them: the bytes each scans, copies or moves (their work() counters) stay within a
//     constant per input byte, so a quadratic path fails at once, not only by the timeout.
// Input: byte 0 and byte 1 seed two splits; then a secret (bytes up to the first '\n', used when
// 6..64 bytes and free of CR), then the text. A fixed secret is always present as well.
//
//   fuzz_cli_filters -timeout=3 -rss_limit_mb=1024 -malloc_limit_mb=128 -max_total_time=60 DIR
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/body_scrubber.h"
#include "cli/secret_scrubber.h"
#include "cli/terminal_text.h"

namespace {

using namespace llmstream::cli;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Cuts `text` into pieces whose sizes come from a tiny generator seeded by `seed`.
std::vector<std::string_view> Split(std::string_view text, uint8_t seed) {
  std::vector<std::string_view> pieces;
  uint32_t state = seed * 2654435761u + 1;
  for (size_t at = 0; at < text.size();) {
    state = state * 1103515245u + 12345u;
    const size_t size = 1 + (state >> 16) % (seed % 7 == 0 ? 64 : 9);
    pieces.push_back(text.substr(at, size));
    at += pieces.back().size();
  }
  if (seed % 5 == 0)
    pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(pieces.size() / 2), "");
  return pieces;
}

// The work() counters' bound per input byte: each class touches a byte a handful of times (the
// body scrubber: appended twice, matched, searched for a line end, decoded, taken, moved, and its
// decoded text through a SecretStream); quadratic code exceeds it on inputs of a few KB.
constexpr uint64_t kWorkPerByte = 32;
constexpr uint64_t kWorkFixed = 1024;

void CheckWork(uint64_t work, size_t input) { Check(work <= kWorkPerByte * input + kWorkFixed); }

// The reference for SecretScrubber: every occurrence of every secret, found by a plain search at
// each position (quadratic in the worst case, but the harness only runs it once per input).
std::string NaiveScrubbed(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    for (size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, at + 1)) {
      out.replace(at, secret.size(), secret.size(), '*');
    }
  }
  return out;
}

std::string Controls(const std::vector<std::string_view>& pieces) {
  ControlFilter filter;
  std::string out;
  size_t size = 0;
  for (std::string_view piece : pieces) {
    filter.Push(piece, &out);
    size += piece.size();
  }
  filter.Flush(&out);
  CheckWork(filter.work(), size);
  return out;
}

void CheckTerminalSafe(std::string_view out) {
  for (size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<uint8_t>(out[i]);
    const bool crlf = b == '\r' && i + 1 < out.size() && out[i + 1] == '\n';
    Check(!((b < 0x20 && b != '\n' && b != '\t' && !crlf) || b == 0x7F));
    if (b < 0x80) continue;
    // Valid UTF-8, and no C1 (U+0080..U+009F is 0xC2 0x80..0x9F).
    size_t length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    Check(b >= 0xC2 && b <= 0xF4 && i + length <= out.size());
    if (b == 0xC2) Check(static_cast<uint8_t>(out[i + 1]) >= 0xA0);
    for (size_t k = 1; k < length; ++k) Check((static_cast<uint8_t>(out[i + k]) & 0xC0) == 0x80);
    i += length - 1;
  }
}

std::string StreamBytes(const SecretScrubber& scrubber,
                        const std::vector<std::string_view>& pieces) {
  SecretStream stream(scrubber);
  std::string out;
  for (std::string_view piece : pieces) {
    stream.Push(piece);
    out += stream.TakeBytes();
  }
  stream.Finish();
  out += stream.TakeBytes();
  CheckWork(stream.work(), out.size());
  return out;
}

std::string StreamPieces(const SecretScrubber& scrubber,
                         const std::vector<std::string_view>& pieces) {
  SecretStream stream(scrubber);
  std::string out;
  size_t taken = 0;
  auto take = [&] {
    while (stream.PieceReady()) {
      const std::string piece = stream.TakePiece();
      Check(piece.size() == pieces[taken++].size());
      out += piece;
    }
  };
  for (std::string_view piece : pieces) {
    stream.Push(piece);
    take();
  }
  stream.Finish();
  take();
  Check(taken == pieces.size());
  CheckWork(stream.work(), out.size());
  return out;
}

std::string Body(const SecretScrubber& scrubber, const std::vector<std::string_view>& reads) {
  BodyScrubber body(scrubber);
  std::string out;
  size_t taken = 0;
  auto take = [&] {
    while (body.FrameReady()) {
      const std::string frame = body.TakeFrame();
      Check(frame.size() == reads[taken++].size());
      out += frame;
    }
  };
  for (std::string_view read : reads) {
    body.Push(read);
    take();
  }
  body.Finish();
  take();
  Check(taken == reads.size());
  CheckWork(body.work(), out.size());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t seed_a = data[0];
  const uint8_t seed_b = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  SecretScrubber scrubber;
  std::vector<std::string> secrets = {"sk-test-SECRET123"};
  const size_t newline = rest.find('\n');
  if (newline != std::string_view::npos) {
    const std::string_view secret = rest.substr(0, newline);
    if (secret.size() >= 6 && secret.size() <= 64 && secret.find('\r') == std::string_view::npos) {
      secrets.emplace_back(secret);
    }
    rest.remove_prefix(newline + 1);
  }
  for (const std::string& secret : secrets) scrubber.Add(secret);
  const auto a = Split(rest, seed_a);
  const auto b = Split(rest, seed_b);

  const std::string controls = Controls(a);
  Check(controls == Controls(b));
  Check(controls == NeutralizeControls(rest));
  CheckTerminalSafe(controls);

  const std::string scrubbed = scrubber.Scrubbed(rest);
  Check(scrubbed == NaiveScrubbed(rest, secrets));
  Check(StreamBytes(scrubber, a) == scrubbed);
  Check(StreamBytes(scrubber, b) == scrubbed);
  Check(StreamPieces(scrubber, a) == scrubbed);

  const std::string body = Body(scrubber, a);
  Check(body == Body(scrubber, b));
  Check(body.size() == rest.size());
  for (size_t i = 0; i < body.size(); ++i) Check(body[i] == rest[i] || body[i] == '*');
  for (const std::string& secret : secrets) Check(body.find(secret) == std::string::npos);
  return 0;
}
