#include "support/fixtures.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace llmstream::testing {

std::string FixturesDir() { return LLMSTREAM_FIXTURES_DIR; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string ReadFixture(std::string_view name) {
  return ReadFile(FixturesDir() + "/" + std::string(name));
}

std::vector<std::string> FixtureFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(FixturesDir())) {
    if (entry.path().extension() == ".sse") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> MoreProviderFixtureFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(FixturesDir() + "/more-providers")) {
    const std::string name = entry.path().filename().string();
    if (name != "README.md" && name != "expected.json") files.push_back("more-providers/" + name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Split> StandardSplits(size_t body_size) {
  std::vector<Split> splits;
  splits.push_back({"whole", {body_size}});
  Split bytes{"bytes", std::vector<size_t>(body_size, 1)};
  splits.push_back(bytes);
  Split bytes_with_empty{"bytes+empty", {}};
  for (size_t i = 0; i < body_size; ++i) {
    bytes_with_empty.sizes.push_back(1);
    bytes_with_empty.sizes.push_back(0);
  }
  splits.push_back(std::move(bytes_with_empty));
  for (size_t fixed : {2, 3, 7, 64, 1024}) {
    Split split{"fixed-" + std::to_string(fixed), {}};
    for (size_t at = 0; at < body_size; at += fixed) {
      split.sizes.push_back(std::min(fixed, body_size - at));
    }
    splits.push_back(std::move(split));
  }
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    std::mt19937 rng(seed);
    for (size_t max : {size_t{40}, size_t{16384}}) {
      Split split{"random-" + std::to_string(seed) + "-max" + std::to_string(max), {}};
      std::uniform_int_distribution<size_t> dist(max > 40 ? 1024 : 1, max);
      for (size_t at = 0; at < body_size;) {
        size_t n = std::min(dist(rng), body_size - at);
        split.sizes.push_back(n);
        at += n;
      }
      splits.push_back(std::move(split));
    }
  }
  return splits;
}

std::string Describe(const OwnedEvent& e) {
  std::ostringstream out;
  out << EventKindName(e.kind) << "(part=" << int(e.part) << " choice=" << e.choice
      << " block=" << e.block << " text=\"" << e.text << "\" id=\"" << e.id << "\" name=\""
      << e.name << "\")";
  return out.str();
}

OwnedEvent ToOwned(const Event& e) {
  OwnedEvent owned{e.kind,
                   e.part,
                   e.choice,
                   e.block,
                   std::string(e.text),
                   std::string(e.id),
                   std::string(e.name)};
  if (e.kind == EventKind::kError && e.error)
    owned.text = std::string(ErrorCodeName(e.error->code)) + ": " + e.error->message;
  if (e.kind == EventKind::kUsage && e.usage) {
    owned.text = std::to_string(e.usage->input_tokens.value_or(-1)) + "/" +
                 std::to_string(e.usage->output_tokens.value_or(-1));
  }
  if (e.kind == EventKind::kCost && e.cost) owned.text = std::to_string(e.cost->total_usd);
  return owned;
}

RunResult RunStream(const StreamOptions& options, std::string_view body, const Split& split) {
  Stream stream(options);
  RunResult result;
  size_t at = 0;
  int64_t now = 0;
  for (size_t n : split.sizes) {
    for (const Event& e : stream.Feed(body.substr(at, n), now++))
      result.events.push_back(ToOwned(e));
    at += n;
  }
  for (const Event& e : stream.Finish(now)) result.events.push_back(ToOwned(e));
  result.completion = stream.result();
  return result;
}

std::vector<OwnedEvent> Coalesce(const std::vector<OwnedEvent>& events) {
  std::vector<OwnedEvent> out;
  for (const OwnedEvent& e : events) {
    if (!out.empty() && IsDelta(e.kind) && out.back().kind == e.kind && out.back().part == e.part &&
        out.back().choice == e.choice && out.back().block == e.block) {
      out.back().text += e.text;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param.substr(0, info.param.size() - 4)) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return name;
}

Recorded RecordedAs(std::string_view file) {
  const std::string_view name = file.substr(file.find_last_of('/') + 1);
  if (name.starts_with("gemini-")) {
    if (name.ends_with(".json")) {
      return {WireApi::kGeminiGenerateContent, Framing::kJsonArray,
              "application/json; charset=UTF-8"};
    }
    return {WireApi::kGeminiGenerateContent, Framing::kSse, "text/event-stream"};
  }
  if (name.starts_with("bedrock-")) {
    return {WireApi::kBedrockConverse, Framing::kAwsEventStream,
            "application/vnd.amazon.eventstream"};
  }
  if (name.starts_with("ollama-")) {
    return {WireApi::kOllamaChat, Framing::kNdjson, "application/x-ndjson"};
  }
  if (name.starts_with("cohere-")) {
    return {WireApi::kCohereChat, Framing::kSse, "text/event-stream"};
  }
  return {WireApi::kChatCompletions, Framing::kSse, "text/event-stream; charset=utf-8"};
}

StreamOptions OptionsForFixture(std::string_view file_name) {
  StreamOptions options;
  auto starts = [&](std::string_view prefix) {
    return file_name.substr(0, prefix.size()) == prefix;
  };
  if (starts("more-providers/")) {  // the API and framing it was recorded in
    const Recorded recorded = RecordedAs(file_name);
    options.api = recorded.api;
    options.framing = recorded.framing;
  } else if (starts("anthropic")) {
    options.api = WireApi::kAnthropicMessages;
    options.provider = Provider::kAnthropic;
  } else if (starts("openai-responses")) {
    options.api = WireApi::kResponses;
    options.provider = Provider::kOpenAI;
  } else if (starts("groq")) {
    options.provider = Provider::kGroq;
  } else if (starts("openrouter")) {
    options.provider = Provider::kOpenRouter;
  }
  return options;
}

std::vector<std::string> EventLines(const std::vector<OwnedEvent>& events) {
  std::vector<std::string> lines;
  for (const OwnedEvent& e : events) {
    if (e.kind == EventKind::kCost) continue;
    std::string line(EventKindName(e.kind));
    if (!e.name.empty()) line += " " + e.name;
    if (!e.text.empty() && e.kind != EventKind::kMetadata) line += " \"" + e.text + "\"";
    lines.push_back(std::move(line));
  }
  return lines;
}

void ExpectSameEvents(const std::vector<OwnedEvent>& got, const std::vector<OwnedEvent>& want,
                      const std::string& what) {
  EXPECT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] == want[i]) continue;
    ADD_FAILURE() << what << " event " << i << ": " << Describe(got[i]) << " vs "
                  << Describe(want[i]);
    return;
  }
}

RunResult RunEverySplit(const StreamOptions& options, const std::string& body) {
  const std::vector<Split> splits = StandardSplits(body.size());
  RunResult whole = RunStream(options, body, splits[0]);
  const std::vector<OwnedEvent> want = Coalesce(whole.events);
  for (size_t s = 1; s < splits.size(); ++s) {
    ExpectSameEvents(Coalesce(RunStream(options, body, splits[s]).events), want,
                     "split " + splits[s].name);
  }
  return whole;
}

}  // namespace llmstream::testing
