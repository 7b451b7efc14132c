// --record / --replay files (platform/native/cli/recording.*) with bodies that are not SSE: the
// binary AWS event-stream frames of Bedrock (length prefixes, CRC32s, NUL and newline bytes in
// the middle of a read), NDJSON and Gemini's JSON array must come back byte for byte, split into
// the same reads, under the API the header names, with the secret scrubber armed (as it is
// whenever a key is in the environment) but no secret in the body. The parsed frames, read in
// the framing their recorded Content-Type calls for, assemble what the whole body does.
#include <gtest/gtest.h>
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

}  // namespace
}  // namespace llmstream::cli
