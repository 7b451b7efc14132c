// The CLI's output filters (platform/native/cli): SecretScrubber / SecretStream (secrets masked
// however the pieces split them), BodyScrubber (--record frames) and ControlFilter (terminal
// text). They see untrusted bytes, so besides what they output, these tests pin their cost:
// each class counts the bytes it scans, copies or moves (work()), and for adversarial splits
// (1-byte reads, one huge read, many small ones, frames held back and released at once) that
// count must stay within a constant per input byte at two sizes. A quadratic path (erasing each
// frame from the front of the held bytes, searching a line for its end again on every read) makes
// it grow with the input instead; no clock is involved.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cli/body_scrubber.h"
#include "cli/secret_scrubber.h"
#include "cli/terminal_text.h"
#include "event_stream_message.h"

namespace llmstream::cli {
namespace {

constexpr std::string_view kSecret = "sk-test-SECRET123";
// Bytes of work per input byte allowed (the classes touch each byte a handful of times), and a
// fixed allowance for tiny inputs. Quadratic code needs hundreds per byte at the sizes below.
constexpr uint64_t kWorkPerByte = 32;
constexpr uint64_t kWorkFixed = 1024;
constexpr size_t kSizes[] = {4096, 32768};

std::string Stars(size_t count) { return std::string(count, '*'); }

SecretScrubber ScrubberOf(const std::vector<std::string>& secrets) {
  SecretScrubber scrubber;
  for (const std::string& secret : secrets) scrubber.Add(secret);
  return scrubber;
}

// Every occurrence of every secret (of 6 bytes or more), found at each position.
std::string NaiveScrubbed(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < 6) continue;
    for (size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, at + 1)) {
      out.replace(at, secret.size(), secret.size(), '*');
    }
  }
  return out;
}

// ---- ways to cut a text into pieces ---------------------------------------------------------

using Cutter = std::function<std::vector<std::string_view>(std::string_view)>;

std::vector<std::string_view> FixedPieces(std::string_view text, size_t size) {
  std::vector<std::string_view> pieces;
  for (size_t at = 0; at < text.size(); at += size) pieces.push_back(text.substr(at, size));
  return pieces;
}

std::vector<std::string_view> RandomPieces(std::string_view text, uint32_t seed, size_t largest) {
  std::mt19937 random(seed);
  std::vector<std::string_view> pieces;
  for (size_t at = 0; at < text.size();) {
    pieces.push_back(text.substr(at, 1 + random() % largest));
    at += pieces.back().size();
  }
  return pieces;
}

struct NamedCutter {
  const char* name;
  Cutter cut;
};

const std::vector<NamedCutter>& Cutters() {
  static const std::vector<NamedCutter> cutters = {
      {"1-byte pieces", [](std::string_view text) { return FixedPieces(text, 1); }},
      {"one huge piece", [](std::string_view text) { return FixedPieces(text, text.size()); }},
      {"many small pieces", [](std::string_view text) { return RandomPieces(text, 7, 9); }},
      {"64-byte pieces", [](std::string_view text) { return FixedPieces(text, 64); }},
  };
  return cutters;
}

// ---- running the classes --------------------------------------------------------------------

struct Output {
  std::string out;
  uint64_t work = 0;
};

// Pushes `pieces` into `filter` (a BodyScrubber or a SecretStream), taking each piece back whole
// (a frame, a --json event) as soon as it is ready, or (hold) only at the end: the Printer holds a
// stream's events behind an undecided event of another stream.
template <typename Filter>
Output RunWhole(Filter&& filter, const std::vector<std::string_view>& pieces, bool hold,
                bool (std::decay_t<Filter>::*ready)() const,
                std::string (std::decay_t<Filter>::*take_one)()) {
  Output run;
  size_t taken = 0;
  auto take = [&] {
    while ((filter.*ready)()) {
      const std::string piece = (filter.*take_one)();
      EXPECT_EQ(piece.size(), pieces[taken].size()) << "piece " << taken;
      ++taken;
      run.out += piece;
    }
  };
  for (std::string_view piece : pieces) {
    filter.Push(piece);
    if (!hold) take();
  }
  filter.Finish();
  take();
  EXPECT_EQ(taken, pieces.size());
  run.work = filter.work();
  return run;
}

// As RecordingWriter does with a body's reads.
Output RunBody(const SecretScrubber& scrubber, const std::vector<std::string_view>& reads,
               bool hold = false, Framing framing = Framing::kSse) {
  return RunWhole(BodyScrubber(scrubber, framing), reads, hold, &BodyScrubber::FrameReady,
                  &BodyScrubber::TakeFrame);
}

// TakePiece (--json).
Output RunStreamPieces(const SecretScrubber& scrubber, const std::vector<std::string_view>& pieces,
                       bool hold = false) {
  return RunWhole(SecretStream(scrubber), pieces, hold, &SecretStream::PieceReady,
                  &SecretStream::TakePiece);
}

// TakeBytes after every piece (the answer on a terminal).
Output RunStreamBytes(const SecretScrubber& scrubber, const std::vector<std::string_view>& pieces) {
  SecretStream stream(scrubber);
  Output run;
  for (std::string_view piece : pieces) {
    stream.Push(piece);
    run.out += stream.TakeBytes();
  }
  stream.Finish();
  run.out += stream.TakeBytes();
  run.work = stream.work();
  return run;
}

Output RunControls(const std::vector<std::string_view>& pieces) {
  ControlFilter filter;
  Output run;
  for (std::string_view piece : pieces) filter.Push(piece, &run.out);
  filter.Flush(&run.out);
  run.work = filter.work();
  return run;
}

void ExpectLinear(const Output& run, size_t input, const std::string& what) {
  EXPECT_LE(run.work, kWorkPerByte * input + kWorkFixed)
      << what << ": " << run.work << " bytes of work for " << input << " input bytes ("
      << run.work / std::max<size_t>(input, 1) << " per byte)";
}

// ---- inputs ---------------------------------------------------------------------------------

// Text around secrets: whole ones, glued ones, prefixes that stay prefixes (held, then released).
std::string Filler(size_t size) {
  const std::string motif = "some text sk-te more xsk-test-SECRET123y sk-test-SECRET";
  std::string text;
  while (text.size() < size) text += motif;
  text.resize(size);
  return text;
}

std::string DataLine(std::string_view json) { return "data: " + std::string(json) + "\n\n"; }

std::string ContentLine(std::string_view content) {
  return DataLine(R"({"choices":[{"index":0,"delta":{"content":")" + std::string(content) +
                  R"("}}]})");
}

struct Shape {
  const char* name;
  std::function<std::string(size_t)> make;
  Framing framing = Framing::kSse;  // the body's, as the recording's Content-Type says
};

// A Bedrock text delta: one AWS event-stream message.
std::string Delta(std::string_view text) {
  return testing::EventMessage("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":")" +
                                                        std::string(text) + R"("},"p":"abc"})");
}

// Bodies the --record scrubber may get, each about `size` bytes.
const std::vector<Shape>& BodyShapes() {
  static const std::vector<Shape> shapes = {
      // One line as long as the body: its frames wait for its end, then go at once.
      {"one long line", [](size_t size) { return ContentLine(Filler(size)); }},
      // No line break at all: only the end of the body releases it.
      {"no line break", [](size_t size) { return std::string(size, 'x'); }},
      // Many complete events, a key split across two of them.
      {"many events",
       [](size_t size) {
         std::string body;
         while (body.size() < size) body += ContentLine("key sk-te") + ContentLine("st-SECRET123");
         return body;
       }},
      // An undecided value ("sk-te" may go on in the next value at its path) holds back every
      // frame after it until the last line decides it.
      {"frames held behind a value",
       [](size_t size) {
         std::string body = DataLine(R"({"c":"sk-te"})");
         while (body.size() < size) body += DataLine(R"({"d":"x"})");
         return body + DataLine(R"({"c":"st-SECRET123"})");
       }},
      // Deep paths with long keys, many values: a value's path is not rebuilt from every level.
      {"deep paths",
       [](size_t size) {
         std::string line = "data: ";
         for (int level = 0; level < 31; ++level) {
           line += "{\"" + std::string(60, 'k') + std::to_string(10 + level) + "\":";
         }
         line += "[";
         while (line.size() < size) line += "\"a\",";
         line += "\"a\"]" + std::string(31, '}') + "\n";
         return line;
       }},
      // CRs: a CR at the end of a read waits to see whether an LF follows.
      {"CR line ends", [](size_t size) { return std::string(size / 2, '\r') + Filler(size / 2); }},
      // NDJSON: every line is JSON (Ollama's deltas are lines, not `data:` lines).
      {"NDJSON lines, a key cut across two",
       [](size_t size) {
         std::string body;
         while (body.size() < size) {
           body += R"({"message":{"content":"key sk-te"}})"
                   "\n"
                   R"({"message":{"content":"st-SECRET123"}})"
                   "\n";
         }
         return body;
       },
       Framing::kNdjson},
      // AWS event-stream: whole messages are scanned, masked messages get their CRC again.
      {"messages, a key cut across two",
       [](size_t size) {
         std::string body;
         while (body.size() < size) body += Delta("key sk-te") + Delta("st-SECRET123");
         return body;
       },
       Framing::kAwsEventStream},
      // Held whole until its last byte arrives, then scanned once.
      {"one message as long as the body", [](size_t size) { return Delta(Filler(size)); },
       Framing::kAwsEventStream},
      // Every message waits behind an undecided value, then all go at once.
      {"messages held behind a value",
       [](size_t size) {
         std::string body = testing::EventMessage("x", R"({"c":"sk-te"})");
         while (body.size() < size) body += Delta("x");
         return body + testing::EventMessage("x", R"({"c":"st-SECRET123"})");
       },
       Framing::kAwsEventStream},
      // Lengths that are no message: the rest is masked as plain bytes.
      {"no message", [](size_t size) { return std::string(4, '\0') + Filler(size); },
       Framing::kAwsEventStream},
  };
  return shapes;
}

// ---- SecretScrubber: what is masked -----------------------------------------------------------

TEST(SecretScrubber, MasksAKeyGluedToTheTextAroundIt) {
  // A configured secret is a known string, not a guessed shape: no word boundary is needed.
  const SecretScrubber scrubber = ScrubberOf({std::string(kSecret), "KEY123456"});
  const std::string stars = Stars(kSecret.size());
  EXPECT_EQ(scrubber.Scrubbed("xsk-test-SECRET123"), "x" + stars);
  EXPECT_EQ(scrubber.Scrubbed("abcKEY123456"), "abc*********");
  EXPECT_EQ(scrubber.Scrubbed("9sk-test-SECRET123z"), "9" + stars + "z");
  EXPECT_EQ(scrubber.Scrubbed("ssk-test-SECRET123"), "s" + stars);  // a false start just before
  EXPECT_EQ(scrubber.Scrubbed("sk-test-SECRET123sk-test-SECRET123"), stars + stars);
  EXPECT_EQ(scrubber.Scrubbed("key=sk-test-SECRET12"), "key=sk-test-SECRET12");  // not the key
}

TEST(SecretScrubber, MasksOverlappingAndNestedSecrets) {
  const SecretScrubber scrubber = ScrubberOf({"abcabc", "xxbcab", "secret-long", "cret-l"});
  EXPECT_EQ(scrubber.Scrubbed("abcabcabc"), "*********");
  EXPECT_EQ(scrubber.Scrubbed("-abcab-"), "-abcab-");
  EXPECT_EQ(scrubber.Scrubbed("xxbcabc"), "******c");
  EXPECT_EQ(scrubber.Scrubbed("a secret-lon secret-long"), "a se******on ***********");
  EXPECT_EQ(scrubber.Scrubbed("cret-l"), "******");
  EXPECT_EQ(ScrubberOf({"short"}).Scrubbed("short"), "short");  // under 6 bytes: ignored
}

// The automaton against a search at every position, on texts over two letters (where the
// secrets' prefixes and suffixes overlap most), streamed in random pieces too.
TEST(SecretScrubber, AgreesWithANaiveSearch) {
  std::mt19937 random(13);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> secrets;
    for (int k = 0; k < 1 + round % 3; ++k) {
      std::string secret(6 + random() % 4, 'a');
      for (char& c : secret) c = "ab"[random() % 2];
      secrets.push_back(secret);
    }
    std::string text(random() % 200, 'a');
    for (char& c : text) c = "ab"[random() % 2];
    const SecretScrubber scrubber = ScrubberOf(secrets);
    const std::string expected = NaiveScrubbed(text, secrets);
    SCOPED_TRACE(text);
    EXPECT_EQ(scrubber.Scrubbed(text), expected);
    // The matcher itself marks each byte at most once, however the occurrences overlap.
    std::vector<int> marks(text.size(), 0);
    SecretMatcher matcher(scrubber);
    for (std::string_view piece : RandomPieces(text, round + 1, 5)) {
      matcher.Feed(piece, [&](uint64_t begin, uint64_t end) {
        for (uint64_t at = begin; at < end; ++at) ++marks[at];
      });
    }
    for (size_t at = 0; at < text.size(); ++at) {
      ASSERT_EQ(marks[at], expected[at] == '*' ? 1 : 0) << "byte " << at;
    }
    const auto pieces = RandomPieces(text, round, 8);
    EXPECT_EQ(RunStreamBytes(scrubber, pieces).out, expected);
    EXPECT_EQ(RunStreamPieces(scrubber, pieces).out, expected);
    // What TakeBytes holds back: exactly the longest tail that is a proper prefix of a secret.
    SecretStream stream(scrubber);
    std::string released;
    for (size_t at = 0; at < text.size(); ++at) {
      stream.Push(text.substr(at, 1));
      released += stream.TakeBytes();
      size_t tail = 0;
      for (const std::string& secret : secrets) {
        for (size_t length = 1; length < secret.size() && length <= at + 1; ++length) {
          if (text.compare(at + 1 - length, length, secret, 0, length) == 0) {
            tail = std::max(tail, length);
          }
        }
      }
      ASSERT_EQ(released.size(), at + 1 - tail) << "after byte " << at;
    }
  }
}

TEST(SecretStream, MasksAGluedKeyAtEverySplit) {
  const SecretScrubber scrubber = ScrubberOf({std::string(kSecret)});
  const std::string text = "abcsk-test-SECRET123xyz and xsk-test-SECRET123";
  const std::string expected = "abc" + Stars(kSecret.size()) + "xyz and x" + Stars(kSecret.size());
  for (size_t a = 0; a <= text.size(); ++a) {
    for (size_t b = a; b <= text.size(); ++b) {
      const std::vector<std::string_view> pieces = {std::string_view(text).substr(0, a),
                                                    std::string_view(text).substr(a, b - a),
                                                    std::string_view(text).substr(b)};
      EXPECT_EQ(RunStreamBytes(scrubber, pieces).out, expected) << a << " " << b;
      EXPECT_EQ(RunStreamPieces(scrubber, pieces).out, expected) << a << " " << b;
    }
  }
}

// ---- BodyScrubber: what is masked -------------------------------------------------------------

TEST(BodyScrubber, MasksAGluedKeyWholeInTheBytesOrAcrossValues) {
  const SecretScrubber scrubber = ScrubberOf({std::string(kSecret)});
  const std::string stars = Stars(kSecret.size());
  // Whole in the bytes, glued on both sides, inside a JSON string and outside any.
  const std::string raw = ContentLine("abcsk-test-SECRET123xyz") + ": xsk-test-SECRET123\n";
  const std::string raw_masked = ContentLine("abc" + stars + "xyz") + ": x" + stars + "\n";
  // Cut by the model's deltas, glued to the text before and after it.
  const std::string split = ContentLine("abcsk-te") + ContentLine("st-SECRET123xyz");
  const std::string split_masked = ContentLine("abc*****") + ContentLine("************xyz");
  for (const auto& [body, expected] :
       {std::pair{raw, raw_masked}, std::pair{split, split_masked}}) {
    for (size_t cut = 0; cut <= body.size(); ++cut) {
      const std::vector<std::string_view> reads = {std::string_view(body).substr(0, cut),
                                                   std::string_view(body).substr(cut)};
      EXPECT_EQ(RunBody(scrubber, reads).out, expected) << "cut at " << cut;
    }
  }
}

std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(LLMSTREAM_FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

std::string JoinedContent(std::string_view body) {
  std::string joined;
  constexpr std::string_view kKey = R"("content":")";
  for (size_t at = body.find(kKey); at != std::string_view::npos; at = body.find(kKey, at)) {
    at += kKey.size();
    const size_t end = body.find('"', at);
    joined += body.substr(at, end - at);
  }
  return joined;
}

// A recorded stream with three secrets: one whole in every line's bytes (the chunk id), one glued
// to "fp_" in the bytes, and one the model's deltas cut into three (" to", " provide", " real").
// Every split of the body into two reads, 1-byte reads and random ones give the same frames.
TEST(BodyScrubber, EverySplitOfARecordedStreamGivesTheSameFrames) {
  const std::string body = ReadFixture("openai-chat-text-usage.sse");
  ASSERT_GT(body.size(), 5000u) << "fixture missing: " << LLMSTREAM_FIXTURES_DIR;
  const std::vector<std::string> secrets = {"ABfw031mOJeYCSHe4yI2ZjOA6kMJL", "5050236cbd",
                                            "to provide real"};
  const SecretScrubber scrubber = ScrubberOf(secrets);
  const std::string whole = RunBody(scrubber, {body}).out;
  ASSERT_EQ(whole.size(), body.size());
  EXPECT_EQ(whole.find(secrets[0]), std::string::npos);
  EXPECT_EQ(whole.find(secrets[1]), std::string::npos);
  EXPECT_NE(whole.find("\"system_fingerprint\":\"fp_**********\""), std::string::npos);
  std::string content = JoinedContent(body);
  ASSERT_NE(content.find(secrets[2]), std::string::npos);
  content.replace(content.find(secrets[2]), secrets[2].size(), Stars(secrets[2].size()));
  EXPECT_EQ(JoinedContent(whole), content);

  for (size_t cut = 1; cut < body.size(); ++cut) {
    const std::vector<std::string_view> reads = {std::string_view(body).substr(0, cut),
                                                 std::string_view(body).substr(cut)};
    ASSERT_EQ(RunBody(scrubber, reads).out, whole) << "cut at " << cut;
  }
  EXPECT_EQ(RunBody(scrubber, FixedPieces(body, 1)).out, whole);
  EXPECT_EQ(RunBody(scrubber, FixedPieces(body, 1), true).out, whole);
  for (uint32_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(RunBody(scrubber, RandomPieces(body, seed, 1 + seed * 13)).out, whole) << seed;
  }
}

// ---- the cost: linear in the input, however it is split ---------------------------------------

TEST(BodyScrubber, WorkIsLinearInTheBodyForAdversarialReads) {
  const SecretScrubber scrubber = ScrubberOf({std::string(kSecret)});
  for (const Shape& shape : BodyShapes()) {
    for (const size_t size : kSizes) {
      const std::string body = shape.make(size);
      std::string expected;
      for (const NamedCutter& cutter : Cutters()) {
        const auto reads = cutter.cut(body);
        const std::string what = std::string(shape.name) + ", " + std::to_string(body.size()) +
                                 " bytes in " + cutter.name;
        const Output run = RunBody(scrubber, reads, false, shape.framing);
        ExpectLinear(run, body.size(), what);
        EXPECT_EQ(run.out.find("SECRET123"), std::string::npos) << what;  // masked, cut or not
        if (expected.empty()) expected = run.out;
        EXPECT_EQ(run.out, expected) << what;  // the same frames however the reads split it
        ExpectLinear(RunBody(scrubber, reads, true, shape.framing), body.size(),
                     what + ", taken at the end");
      }
    }
  }
}

TEST(SecretStream, WorkIsLinearInTheTextForAdversarialPieces) {
  const SecretScrubber scrubber = ScrubberOf({std::string(kSecret)});
  for (const size_t size : kSizes) {
    const std::string text = Filler(size);
    const std::string expected = scrubber.Scrubbed(text);
    for (const NamedCutter& cutter : Cutters()) {
      const auto pieces = cutter.cut(text);
      const std::string what = std::to_string(size) + " bytes in " + cutter.name;
      Output run = RunStreamBytes(scrubber, pieces);
      EXPECT_EQ(run.out, expected) << what;
      ExpectLinear(run, size, what + ", TakeBytes");
      run = RunStreamPieces(scrubber, pieces);
      EXPECT_EQ(run.out, expected) << what;
      ExpectLinear(run, size, what + ", TakePiece");
      run = RunStreamPieces(scrubber, pieces, true);
      EXPECT_EQ(run.out, expected) << what;
      ExpectLinear(run, size, what + ", TakePiece at the end");
    }
    // A periodic secret in a text of its letter: an occurrence ends at every byte, each
    // overlapping the last 63 bytes of the one before.
    const SecretScrubber periodic = ScrubberOf({std::string(64, 'a')});
    const std::string letters(size, 'a');
    for (const NamedCutter& cutter : Cutters()) {
      const Output run = RunStreamBytes(periodic, cutter.cut(letters));
      EXPECT_EQ(run.out, Stars(size));
      ExpectLinear(run, size, std::to_string(size) + " overlapping occurrences in " + cutter.name);
    }
    // A prefix of the key, then many empty pieces (all wait for what follows), then the rest.
    std::vector<std::string_view> pieces(size, "");
    pieces.front() = "sk-te";
    pieces.back() = "st-SECRET123!";
    const Output run = RunStreamPieces(scrubber, pieces);
    EXPECT_EQ(run.out, Stars(kSecret.size()) + "!");
    ExpectLinear(run, size, std::to_string(size) + " empty pieces behind a prefix");
  }
}

TEST(ControlFilter, WorkIsLinearInTheTextForAdversarialPieces) {
  for (const size_t size : kSizes) {
    std::string text;
    while (text.size() < size) text += "a\r\r\r\n\x1b[2J\xE2\x82\xAC\xC2\x9B\xF0\x9F\x98\x80\xFF";
    const std::string expected = NeutralizeControls(text);
    for (const NamedCutter& cutter : Cutters()) {
      const Output run = RunControls(cutter.cut(text));
      const std::string what = std::to_string(size) + " bytes in " + cutter.name;
      EXPECT_EQ(run.out, expected) << what;
      ExpectLinear(run, size, what);
    }
    // One byte held (an incomplete character), then one huge piece.
    const std::vector<std::string_view> pieces = {"\xE2", std::string_view(text)};
    ExpectLinear(RunControls(pieces), size + 1, std::to_string(size) + " bytes after a held one");
  }
}

}  // namespace
}  // namespace llmstream::cli
