// --record / --replay files (platform/native/cli/recording.*) with bodies that are not SSE: the
// binary AWS event-stream frames of Bedrock (length prefixes, CRC32s, NUL and newline bytes in
// the middle of a read), NDJSON and Gemini's JSON array must come back byte for byte, split into
// the same reads, under the API the header names, with the secret scrubber armed (as it is
// whenever a key is in the environment) but no secret in the body. The parsed frames, read in
// the framing their recorded Content-Type calls for, assemble what the whole body does.
//
// With the key in the body (whole, cut by the reads, cut across the model's deltas): a Bedrock
// body's masked messages must still pass their CRC check, in the core and in `llmstream
// --replay` (a CRC wrong as received stays wrong), and an Ollama body's key cut across two
// NDJSON lines must be masked like one cut across two SSE events.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/read_file.h"
#include "cli/recording.h"
#include "cli/secret_scrubber.h"
#include "event_stream_message.h"
#include "llmstream/framing.h"
#include "llmstream/stream.h"

namespace llmstream::cli {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(LLMSTREAM_FIXTURES_DIR) + "/more-providers/" + name,
                     std::ios::binary);
  std::ostringstream out;
  out << file.rdbuf();
  return out.str();
}

std::string RunStream(WireApi api, Framing framing, const std::vector<std::string>& reads) {
  StreamOptions options;
  options.api = api;
  options.framing = framing;
  Stream stream(options);
  int64_t now = 0;
  for (const std::string& read : reads) stream.Feed(read, ++now);
  stream.Finish(++now);
  const Completion& completion = stream.result();
  std::string facts = completion.error.message + "|" + std::string(completion.text()) + "|" +
                      std::to_string(completion.finished);
  for (const Choice& choice : completion.choices) {
    facts += "|" + choice.reasoning + "|" + choice.finish_reason;
    for (const ToolCall& call : choice.tool_calls) facts += "|" + call.name + call.arguments;
  }
  return facts;
}

struct Case {
  std::string file;
  WireApi api;
  std::string content_type;
};

TEST(Recording, NonSseBodiesRoundTripByteForByte) {
  const Case cases[] = {
      {"bedrock-nova-two-tool-uses.eventstream", WireApi::kBedrockConverse,
       "application/vnd.amazon.eventstream"},
      {"bedrock-claude-reasoning-signature.eventstream", WireApi::kBedrockConverse,
       "application/vnd.amazon.eventstream"},
      {"ollama-chat-thinking-tool-call.ndjson", WireApi::kOllamaChat, "application/x-ndjson"},
      {"gemini-json-array-thought-function-call.json", WireApi::kGeminiGenerateContent,
       "application/json; charset=UTF-8"},
  };
  SecretScrubber scrubber;
  scrubber.Add("sk-test-SECRET123");  // armed, but in none of the bodies
  const std::string path =
      ::testing::TempDir() + "/llmstream-recording-" + std::to_string(getpid()) + ".rec";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string body = ReadFixture(c.file);
    ASSERT_GT(body.size(), 1000u) << "fixture missing: " << LLMSTREAM_FIXTURES_DIR;
    // Reads of awkward sizes: frames cut inside preludes, CRCs and UTF-8 sequences.
    std::vector<std::string> reads;
    const size_t sizes[] = {1, 3, 12, 4, 97, 1024, 2, 511};
    for (size_t at = 0, i = 0; at < body.size(); ++i) {
      reads.push_back(body.substr(at, sizes[i % std::size(sizes)]));
      at += reads.back().size();
    }

    RecordingHeader header;
    header.provider = Provider::kCompatible;
    header.api = c.api;
    header.request.model = "m";
    header.request.prompt = "Hi";
    std::string error;
    auto writer = RecordingWriter::Open(path, header, scrubber, &error);
    ASSERT_TRUE(writer) << error;
    writer->Attempt(0, HttpRequest{"POST", "http://127.0.0.1:1/x", {}, "{}"}, 0);
    writer->Response(200, {{"content-type", c.content_type}}, 1);
    double ms = 2;
    for (const std::string& read : reads) writer->Body(read, ms++);
    writer->End(ms, nullptr);
    ASSERT_TRUE(writer->Close(&error)) << error;

    const std::optional<std::string> data = ReadWholeFile(path, &error);
    ASSERT_TRUE(data) << error;
    const std::optional<Recording> recording = ParseRecording(*data, &error);
    ASSERT_TRUE(recording) << error;
    EXPECT_EQ(recording->header.api, c.api);
    ASSERT_EQ(recording->attempts.size(), 1u);
    const RecordedAttempt& attempt = recording->attempts[0];
    ASSERT_EQ(attempt.headers.size(), 1u);
    EXPECT_EQ(attempt.headers[0].second, c.content_type);
    ASSERT_EQ(attempt.frames.size(), reads.size());
    std::vector<std::string> replayed;
    for (size_t i = 0; i < reads.size(); ++i) {
      ASSERT_EQ(attempt.frames[i].bytes, reads[i]) << "frame " << i;
      replayed.push_back(attempt.frames[i].bytes);
    }

    const std::optional<Framing> framing = FramingFor(c.api, attempt.headers[0].second);
    ASSERT_TRUE(framing);
    const std::string facts = RunStream(c.api, *framing, replayed);
    EXPECT_EQ(facts, RunStream(c.api, *framing, {body}));
    EXPECT_EQ(facts.find("CRC"), std::string::npos) << facts;
  }
  std::remove(path.c_str());
}

// ---- a secret in the body -------------------------------------------------------------------

constexpr std::string_view kKey = "sk-test-SECRET123";
const std::string kStars(kKey.size(), '*');

std::string TextDelta(std::string_view text, std::string_view padding) {
  return testing::EventMessage("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":")" +
                                                        std::string(text) + R"("},"p":")" +
                                                        std::string(padding) + R"("})");
}

// A Bedrock ConverseStream body with the key whole in one delta and cut across two others.
std::string BedrockBodyWithKey() {
  return testing::EventMessage("messageStart", R"({"role":"assistant","p":"abcdef"})") +
         TextDelta("Your key is " + std::string(kKey) + ".", "abc") +
         TextDelta(" Again: sk-te", "ab") + TextDelta("st-SECRET123!", "a") +
         testing::EventMessage("contentBlockStop", R"({"contentBlockIndex":0,"p":"abcd"})") +
         testing::EventMessage("messageStop", R"({"stopReason":"end_turn","p":"ab"})") +
         testing::EventMessage("metadata",
                               R"({"usage":{"inputTokens":3,"outputTokens":9,"totalTokens":12},)"
                               R"("metrics":{"latencyMs":5},"p":"abc"})");
}

// An Ollama /api/chat body: the key whole in a line (cut by the reads only), then cut across
// two lines' deltas, then across two others'.
std::string NdjsonBodyWithKey() {
  const auto line = [](std::string_view content, bool done) {
    return R"({"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant",)"
           R"("content":")" +
           std::string(content) + R"("},"done":)" +
           (done ? R"(true,"done_reason":"stop","prompt_eval_count":3,"eval_count":4})"
                 : "false}") +
           "\n";
  };
  return line("Your " + std::string(kKey) + ",", false) + line(" key sk-te", false) +
         line("st-SECRET123 and sk-test-SE", false) + line("CRET123.", false) + line("", true);
}

// Records `reads` as one attempt answered with `content_type`, then reads the file back.
struct Recorded {
  std::string path, file;
  Recording recording;
};
Recorded RecordBody(WireApi api, std::string_view content_type,
                    const std::vector<std::string>& reads, const std::string& name) {
  SecretScrubber scrubber;
  scrubber.Add(kKey);
  Recorded out;
  out.path = ::testing::TempDir() + "/llmstream-" + name + "-" + std::to_string(getpid()) + ".rec";
  RecordingHeader header;
  header.provider = Provider::kCompatible;
  header.api = api;
  header.base_url = "http://127.0.0.1:1/v1";  // the replay's Session wants one
  header.request.model = "m";
  header.request.prompt = "Hi";
  std::string error;
  auto writer = RecordingWriter::Open(out.path, header, scrubber, &error);
  EXPECT_TRUE(writer) << error;
  if (!writer) return out;
  writer->Attempt(0, HttpRequest{"POST", "http://127.0.0.1:1/x", {}, "{}"}, 0);
  writer->Response(200, {{"content-type", std::string(content_type)}}, 1);
  double ms = 2;
  for (const std::string& read : reads) writer->Body(read, ms++);
  writer->End(ms, nullptr);
  EXPECT_TRUE(writer->Close(&error)) << error;
  const std::optional<std::string> data = ReadWholeFile(out.path, &error);
  EXPECT_TRUE(data) << error;
  if (!data) return out;
  out.file = *data;
  std::optional<Recording> recording = ParseRecording(out.file, &error);
  EXPECT_TRUE(recording) << error;
  if (recording) out.recording = std::move(*recording);
  return out;
}

// `llmstream --replay`: its exit code and what it printed.
std::pair<int, std::string> CliReplay(const std::string& path) {
  const std::string command =
      std::string(LLMSTREAM_CLI) + " --replay '" + path + "' --speed 0 2>&1";
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// Reads cut at every size from 1 to 7 bytes, then at every byte of a window.
std::vector<std::vector<std::string>> Splits(const std::string& body) {
  std::vector<std::vector<std::string>> splits;
  for (size_t size = 1; size <= 7; ++size) {
    std::vector<std::string>& reads = splits.emplace_back();
    for (size_t at = 0; at < body.size(); at += size) reads.push_back(body.substr(at, size));
  }
  for (size_t cut = 1; cut < body.size(); cut += 13) {
    splits.push_back({body.substr(0, cut), body.substr(cut)});
  }
  splits.push_back({body});
  return splits;
}

TEST(Recording, AKeyInAnEventStreamBodyIsMaskedAndTheReplayAcceptsIt) {
  const std::string body = BedrockBodyWithKey();
  const std::string masked = "Your key is " + kStars + ". Again: " + kStars + "!";
  const std::vector<std::vector<std::string>> splits = Splits(body);
  for (size_t i = 0; i < splits.size(); ++i) {
    const std::vector<std::string>& reads = splits[i];
    SCOPED_TRACE("split " + std::to_string(i) + " (" + std::to_string(reads.size()) + " reads)");
    const Recorded recorded = RecordBody(WireApi::kBedrockConverse,
                                         "application/vnd.amazon.eventstream", reads, "bedrock");
    EXPECT_EQ(recorded.file.find("SECRET"), std::string::npos);
    ASSERT_EQ(recorded.recording.attempts.size(), 1u);
    const RecordedAttempt& attempt = recorded.recording.attempts[0];
    ASSERT_EQ(attempt.frames.size(), reads.size());
    std::vector<std::string> frames;
    for (size_t k = 0; k < reads.size(); ++k) {
      ASSERT_EQ(attempt.frames[k].bytes.size(), reads[k].size()) << "frame " << k;
      frames.push_back(attempt.frames[k].bytes);
    }
    // Only the masked bytes and the CRCs of their messages changed: the replay reads every
    // message (a CRC left as it was ends the stream with bad_frame at the first masked one).
    EXPECT_EQ(RunStream(WireApi::kBedrockConverse, Framing::kAwsEventStream, frames),
              "|" + masked + "|1||stop");
    if (i == 0) {  // the CLI's own replay of the file, once (it is a process)
      const auto [code, output] = CliReplay(recorded.path);
      EXPECT_EQ(code, 0) << output;
      EXPECT_NE(output.find(masked), std::string::npos) << output;
    }
    std::remove(recorded.path.c_str());
  }
}

TEST(Recording, AnEventStreamMessageWithABadCrcKeepsIt) {
  // The replay must fail where the live stream did: a wrong CRC is not made right by masking.
  std::string body = BedrockBodyWithKey();
  std::string broken = TextDelta("Your key is " + std::string(kKey) + ".", "abc");
  broken.back() ^= 1;
  const size_t at = body.find(TextDelta("Your key is " + std::string(kKey) + ".", "abc"));
  ASSERT_NE(at, std::string::npos);
  body.replace(at, broken.size(), broken);
  const Recorded recorded = RecordBody(WireApi::kBedrockConverse,
                                       "application/vnd.amazon.eventstream", {body}, "bad-crc");
  EXPECT_EQ(recorded.file.find("SECRET"), std::string::npos);
  ASSERT_EQ(recorded.recording.attempts.size(), 1u);
  ASSERT_EQ(recorded.recording.attempts[0].frames.size(), 1u);
  const std::string& frame = recorded.recording.attempts[0].frames[0].bytes;
  EXPECT_EQ(frame.substr(at + broken.size() - 4, 4), broken.substr(broken.size() - 4));
  EXPECT_NE(RunStream(WireApi::kBedrockConverse, Framing::kAwsEventStream, {frame}).find("CRC"),
            std::string::npos);
  std::remove(recorded.path.c_str());
}

TEST(Recording, AKeyCutAcrossNdjsonLinesIsMasked) {
  const std::string body = NdjsonBodyWithKey();
  const std::string masked = "Your " + kStars + ", key " + kStars + " and " + kStars + ".";
  const std::vector<std::vector<std::string>> splits = Splits(body);
  for (size_t i = 0; i < splits.size(); ++i) {
    const std::vector<std::string>& reads = splits[i];
    SCOPED_TRACE("split " + std::to_string(i) + " (" + std::to_string(reads.size()) + " reads)");
    const Recorded recorded =
        RecordBody(WireApi::kOllamaChat, "application/x-ndjson", reads, "ndjson");
    EXPECT_EQ(recorded.file.find("SECRET"), std::string::npos);
    EXPECT_EQ(recorded.file.find("sk-te"), std::string::npos);
    ASSERT_EQ(recorded.recording.attempts.size(), 1u);
    const RecordedAttempt& attempt = recorded.recording.attempts[0];
    ASSERT_EQ(attempt.frames.size(), reads.size());
    std::vector<std::string> frames;
    for (const RecordedFrame& frame : attempt.frames) frames.push_back(frame.bytes);
    EXPECT_EQ(RunStream(WireApi::kOllamaChat, Framing::kNdjson, frames), "|" + masked + "|1||stop");
    if (i == 0) {
      const auto [code, output] = CliReplay(recorded.path);
      EXPECT_EQ(code, 0) << output;
      EXPECT_NE(output.find(masked), std::string::npos) << output;
    }
    std::remove(recorded.path.c_str());
  }
}

}  // namespace
}  // namespace llmstream::cli
