// PartialObjects over the shared fixtures' JSON outputs (every tool call's arguments, the JSON
// answer of openai-chat-long-json-text.sse), fed as recorded and one byte per read: every
// snapshot parses, complete members never change later, the last one is the parsed final value,
// and the number and cost of snapshots stay within the amortized bound however the body is cut.
#include "llmstream/partial_objects.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "llmstream/stream.h"
#include "support/fixtures.h"
#include "support/json_grows.h"

namespace llmstream {
namespace {

namespace lt = llmstream::testing;
using OrderedJson = nlohmann::ordered_json;
using Key = std::tuple<int, uint32_t, uint32_t>;  // source, choice, index

struct Seen {
  std::vector<std::string> snapshots;  // kPartialObject texts, in order
};

struct Fed {
  std::map<Key, Seen> values;
  Completion completion;
  uint64_t snapshots = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t body_bytes = 0;
};

// Feeds `body` in reads of `read_size` bytes (0: whole), Observe after each.
Fed Feed(const std::string& file, const std::string& body, size_t read_size, bool text) {
  Stream stream(lt::OptionsForFixture(file));
  PartialObjects objects({.text = text, .tool_arguments = true});
  Fed run;
  run.body_bytes = body.size();
  auto take = [&](std::span<const Event> events) {
    for (const Event& e : objects.Observe(events)) {
      EXPECT_EQ(e.kind, EventKind::kPartialObject);
      run.values[{static_cast<int>(e.part), e.choice, e.block}].snapshots.emplace_back(e.text);
    }
  };
  const size_t step = read_size == 0 ? body.size() : read_size;
  for (size_t at = 0; at < body.size(); at += step) {
    take(stream.Feed(std::string_view(body).substr(at, step), static_cast<int64_t>(at)));
  }
  take(stream.Finish(static_cast<int64_t>(body.size())));
  run.completion = stream.result();
  run.snapshots = objects.snapshots();
  run.snapshot_bytes = objects.snapshot_bytes();
  return run;
}

// The final text of a value, from the completion.
const std::string* FinalText(const Completion& completion, const Key& key) {
  const auto& [source, choice, index] = key;
  const Choice* c = completion.FindChoice(choice);
  if (c == nullptr) return nullptr;
  if (source == static_cast<int>(PartialSource::kText)) return &c->text;
  for (const ToolCall& call : c->tool_calls) {
    if (call.index == index) return &call.arguments;
  }
  return nullptr;
}

void CheckRun(const std::string& file, const Fed& run, const std::string& what) {
  SCOPED_TRACE(file + " " + what);
  for (const auto& [key, seen] : run.values) {
    ASSERT_FALSE(seen.snapshots.empty());
    OrderedJson previous;
    for (size_t i = 0; i < seen.snapshots.size(); ++i) {
      const OrderedJson value = OrderedJson::parse(seen.snapshots[i], nullptr, false);
      ASSERT_FALSE(value.is_discarded()) << "not JSON: " << seen.snapshots[i];
      if (i > 0) {
        EXPECT_TRUE(lt::GrowsInto(previous, value))
            << previous.dump() << " -> " << value.dump() << " (snapshot " << i << ")";
        EXPECT_NE(seen.snapshots[i - 1], seen.snapshots[i]) << "a repeated snapshot";
      }
      previous = value;
    }
    const std::string* final_text = FinalText(run.completion, key);
    ASSERT_NE(final_text, nullptr);
    EXPECT_EQ(previous, OrderedJson::parse(*final_text, nullptr, false))
        << "the last snapshot is not the final value";
    // Snapshots are taken when the value grew by a quarter (or became complete): O(log n).
    const double n = static_cast<double>(final_text->size());
    EXPECT_LE(seen.snapshots.size(), 4 * std::log2(n + 1) + 8) << "for " << n << " bytes";
  }
  // And their cost is linear in the input: sizes grow geometrically.
  EXPECT_LE(run.snapshot_bytes, 6 * run.body_bytes + 64);
}

std::vector<std::string> AllFixtures() {
  std::vector<std::string> files = lt::FixtureFiles();
  for (const std::string& file : lt::MoreProviderFixtureFiles()) files.push_back(file);
  return files;
}

TEST(PartialObjectsTest, EveryFixtureToolCallGrowsMonotonicallyToItsArguments) {
  size_t tool_values = 0;
  for (const std::string& file : AllFixtures()) {
    const std::string body = lt::ReadFixture(file);
    const Fed whole = Feed(file, body, 0, /*text=*/false);
    CheckRun(file, whole, "whole");
    const Fed bytes = Feed(file, body, 1, /*text=*/false);
    CheckRun(file, bytes, "1-byte reads");
    EXPECT_EQ(whole.values.size(), bytes.values.size()) << file;
    // Every tool call with arguments has its values (server tools and empty inputs included).
    for (const Choice& choice : bytes.completion.choices) {
      for (const ToolCall& call : choice.tool_calls) {
        if (call.arguments.empty() || call.arguments == "{}") continue;
        EXPECT_TRUE(bytes.values.count(
            {static_cast<int>(PartialSource::kToolArguments), choice.index, call.index}))
            << file << " call " << call.index;
        ++tool_values;
      }
    }
  }
  EXPECT_GE(tool_values, 10u);  // the fixtures hold that many calls with arguments
}

TEST(PartialObjectsTest, TheJsonAnswerGrowsMonotonicallyOneByteAtATime) {
  const std::string file = "openai-chat-long-json-text.sse";
  const std::string body = lt::ReadFixture(file);
  for (size_t read : {size_t{0}, size_t{1}, size_t{7}}) {
    const Fed run = Feed(file, body, read, /*text=*/true);
    CheckRun(file, run, "reads of " + std::to_string(read));
    ASSERT_EQ(run.values.size(), 1u);
    if (read == 1) {
      // One read per byte, and many deltas: far fewer snapshots than deltas.
      EXPECT_GE(run.values.begin()->second.snapshots.size(), 10u);
      EXPECT_LE(run.values.begin()->second.snapshots.size(), 40u);
    }
  }
}

TEST(PartialObjectsTest, ValuesTurnedOffOrTextNotJsonShowNothing) {
  const std::string file = "openai-chat-long-json-text.sse";
  const Fed off = Feed(file, lt::ReadFixture(file), 1, /*text=*/false);
  EXPECT_TRUE(off.values.empty());
  EXPECT_EQ(off.snapshots, 0u);
  // Plain prose as a "JSON" answer fails at its first byte: nothing is ever shown.
  const Fed prose = Feed("openai-chat-text-usage.sse",
                         lt::ReadFixture("openai-chat-text-usage.sse"), 1, /*text=*/true);
  EXPECT_TRUE(prose.values.empty());
}

TEST(PartialObjectsTest, OneByteDeltasCostLogarithmicallyManySnapshots) {
  // A hostile server: a 100 KB object in one-character deltas, one delta per read.
  PartialObjects objects({.text = true});
  std::string value = R"({"items":[)";
  for (int i = 0; i < 4000; ++i) value += (i ? "," : "") + std::string(R"({"n":12345,"s":"abc"})");
  value += "]}";
  size_t shown = 0;
  std::string last;
  for (char c : value) {
    Event delta;
    delta.kind = EventKind::kText;
    delta.text = std::string_view(&c, 1);
    for (const Event& e : objects.Observe(std::span<const Event>(&delta, 1))) {
      ++shown;
      last = std::string(e.text);
    }
  }
  EXPECT_EQ(last, value);  // the final snapshot is always shown
  EXPECT_LE(objects.snapshots(), 4 * std::log2(static_cast<double>(value.size())) + 8);
  EXPECT_LE(objects.snapshot_bytes(), 6 * value.size());
  EXPECT_LE(shown, objects.snapshots());
  ASSERT_NE(objects.Find(PartialSource::kText, 0, 0), nullptr);
  EXPECT_TRUE(objects.Find(PartialSource::kText, 0, 0)->complete());
}

TEST(PartialObjectsTest, ARetryThatStartsOverForgetsTheValues) {
  PartialObjects objects({.text = true});
  Event delta;
  delta.kind = EventKind::kText;
  delta.text = R"({"a":"x)";
  ASSERT_EQ(objects.Observe(std::span<const Event>(&delta, 1)).size(), 1u);
  RetryInfo info;
  Event retry;
  retry.kind = EventKind::kRetry;
  retry.retry = &info;
  objects.Observe(std::span<const Event>(&retry, 1));
  EXPECT_EQ(objects.Find(PartialSource::kText, 0, 0), nullptr);
  delta.text = R"([1,)";
  const auto shown = objects.Observe(std::span<const Event>(&delta, 1));
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].text, "[1]");
}

}  // namespace
}  // namespace llmstream
