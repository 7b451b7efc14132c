// StreamCache / StreamRecorder / Replay and RequestKey.
#include <gtest/gtest.h>

#include "common/sha256.h"
#include "llmstream/transforms/request_key.h"
#include "llmstream/transforms/stream_cache.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

// Records a fixture fed in 64-byte reads, one ms apart, starting at `start_ms`.
StreamRecorder RecordFixture(std::string_view file, int64_t start_ms = 0) {
  const std::string body = ReadFixture(file);
  Stream stream(OptionsForFixture(file));
  StreamRecorder recorder(start_ms);
  int64_t now = start_ms + 100;  // the first byte comes 100 ms after the request
  for (size_t at = 0; at < body.size(); at += 64) {
    for (const Event& e : stream.Feed(std::string_view(body).substr(at, 64), now)) {
      recorder.Add(e, now);
    }
    now += 1;
  }
  for (const Event& e : stream.Finish(now)) recorder.Add(e, now);
  return recorder;
}

std::vector<OwnedEvent> Expected(std::string_view file, bool keep_alive = false) {
  std::vector<OwnedEvent> out;
  for (const StoredEvent& e : FixtureEvents(file)) {
    if (e.kind == EventKind::kKeepAlive && !keep_alive) continue;
    out.push_back(ToOwned(e.view()));
  }
  return Coalesce(out);
}

TEST(StreamCache, RecordsAndReplaysAStreamInstantly) {
  for (const char* file : {"anthropic-thinking-signature.sse", "openrouter-usage-cost.sse",
                           "openai-chat-parallel-tool-calls.sse"}) {
    StreamCache cache;
    StreamRecorder recorder = RecordFixture(file);
    EXPECT_TRUE(recorder.complete()) << file;
    ASSERT_TRUE(cache.Put("key", std::move(recorder))) << file;
    std::shared_ptr<const CachedStream> hit = cache.Find("key");
    ASSERT_NE(hit, nullptr);
    Replay replay(hit, 5000, {.speed = 0});
    std::vector<OwnedEvent> got;
    for (const Event& e : replay.Poll(5000)) got.push_back(ToOwned(e));
    EXPECT_TRUE(replay.done());
    EXPECT_EQ(replay.WakeAtMs(), -1);
    EXPECT_EQ(Coalesce(got), Expected(file)) << file;
  }
}

TEST(StreamCache, ReplaysAtTheRecordedPace) {
  StreamCache cache;
  cache.Put("k", RecordFixture("openai-chat-text-usage.sse", 1000));
  std::shared_ptr<const CachedStream> hit = cache.Find("k");
  ASSERT_NE(hit, nullptr);
  ASSERT_GT(hit->events.size(), 5u);
  // The first event came with the read that completed it, 100 ms + a few reads after the
  // request: the replay waits as long.
  const int64_t first = hit->offsets_ms.front();
  EXPECT_GE(first, 100);
  EXPECT_LT(first, 200);
  Replay replay(hit, 0);
  EXPECT_TRUE(replay.Poll(first - 1).empty());
  EXPECT_EQ(replay.WakeAtMs(), first);
  size_t seen = 0;
  int64_t now = 0;
  while (!replay.done()) {
    now = replay.WakeAtMs();
    const std::span<const Event> due = replay.Poll(now);
    ASSERT_FALSE(due.empty());
    for (size_t i = 0; i < due.size(); ++i) {
      EXPECT_EQ(replay.DueMs(seen + i), now);
      EXPECT_EQ(hit->offsets_ms[seen + i], now);
    }
    seen += due.size();
  }
  EXPECT_EQ(seen, hit->events.size());
  EXPECT_EQ(now, hit->duration_ms());
  // Twice as fast: everything by half the duration.
  Replay fast(hit, 0, {.speed = 2});
  EXPECT_EQ(fast.Poll(hit->duration_ms() / 2 + 1).size(), hit->events.size());
}

TEST(StreamCache, ReplayViewsStayValidAcrossPolls) {
  StreamCache cache;
  cache.Put("k", RecordFixture("anthropic-text.sse"));
  Replay replay(cache.Find("k"), 0, {.speed = 0});
  const std::span<const Event> all = replay.Poll(0);
  std::vector<Event> kept(all.begin(), all.end());
  cache.Clear();  // the replay keeps the entry alive
  EXPECT_EQ(cache.size(), 0u);
  std::string text;
  for (const Event& e : kept) {
    if (e.kind == EventKind::kText) text.append(e.text);
  }
  EXPECT_FALSE(text.empty());
}

TEST(StreamCache, IncompleteStreamsAreNotStoredUnlessAsked) {
  StreamCache cache;
  StreamRecorder failed = RecordFixture("anthropic-midstream-error.sse");
  EXPECT_FALSE(failed.complete());
  EXPECT_FALSE(cache.Put("k", std::move(failed)));
  EXPECT_FALSE(cache.Contains("k"));
  StreamCache keep({.keep_incomplete = true});
  EXPECT_TRUE(keep.Put("k", RecordFixture("anthropic-midstream-error.sse")));
  ASSERT_TRUE(keep.Contains("k"));
  EXPECT_FALSE(keep.Find("k")->complete);
}

TEST(StreamCache, KeepAlivesAreSkippedByDefault) {
  StreamRecorder skipping = RecordFixture("openrouter-claude-reasoning.sse");
  StreamRecorder keeping(0, {.record_keep_alive = true});
  const std::vector<StoredEvent> events = FixtureEvents("openrouter-claude-reasoning.sse");
  size_t keep_alives = 0;
  for (const StoredEvent& e : events) {
    keeping.Add(e.view(), 0);
    keep_alives += e.kind == EventKind::kKeepAlive;
  }
  ASSERT_GT(keep_alives, 0u);
  EXPECT_EQ(keeping.events(), events.size());
  EXPECT_EQ(skipping.events(), events.size() - keep_alives);
}

TEST(StreamCache, LeastRecentlyUsedEntriesGoFirst) {
  StreamCache cache({.max_entries = 2});
  cache.Put("a", RecordFixture("anthropic-text.sse"));
  cache.Put("b", RecordFixture("anthropic-text.sse"));
  EXPECT_NE(cache.Find("a"), nullptr);  // a is now the most recent
  cache.Put("c", RecordFixture("anthropic-text.sse"));
  EXPECT_TRUE(cache.Contains("a"));
  EXPECT_FALSE(cache.Contains("b"));
  EXPECT_TRUE(cache.Contains("c"));
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(StreamCache, StaysWithinItsByteBudget) {
  const size_t one = RecordFixture("openai-chat-text-usage.sse").bytes() + 1;  // + the key
  StreamCache cache({.max_entries = 100, .max_bytes = one * 3});
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(cache.Put(std::to_string(i), RecordFixture("openai-chat-text-usage.sse")));
    EXPECT_LE(cache.bytes(), one * 3);
  }
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Contains("9"));
  EXPECT_FALSE(cache.Contains("6"));
  // An entry larger than the whole budget is refused.
  StreamCache tiny({.max_entries = 10, .max_bytes = 100});
  EXPECT_FALSE(tiny.Put("x", RecordFixture("anthropic-text.sse")));
  EXPECT_EQ(tiny.bytes(), 0u);
}

TEST(StreamCache, ReplacingAndErasing) {
  StreamCache cache;
  cache.Put("k", RecordFixture("anthropic-text.sse"));
  const size_t bytes = cache.bytes();
  cache.Put("k", RecordFixture("anthropic-text.sse"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), bytes);
  EXPECT_TRUE(cache.Erase("k"));
  EXPECT_FALSE(cache.Erase("k"));
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(StreamCacheKey, Sha256KnownAnswers) {
  crypto_internal::Sha256 empty;
  EXPECT_EQ(empty.Hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  crypto_internal::Sha256 abc;
  abc.Update("a");
  abc.Update("bc");
  EXPECT_EQ(abc.Hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  crypto_internal::Sha256 two_blocks;
  two_blocks.Update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  EXPECT_EQ(two_blocks.Hex(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  crypto_internal::Sha256 million;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.Update(chunk);
  EXPECT_EQ(million.Hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

ProviderConfig Config() {
  return {.provider = Provider::kOpenAI,
          .api_key = "sk-secret",
          .headers = {{"OpenAI-Organization", "org-1"}, {"X-Title", "app"}}};
}

CompletionRequest Request() {
  return {.model = "gpt-4o-mini",
          .prompt = "Tell me about streaming",
          .system = "Be brief.",
          .messages = {{.role = "user", .content = "hi"},
                       {.role = "assistant",
                        .content = "",
                        .tool_calls = {{.id = "c1", .name = "f", .arguments = "{}"}}},
                       {.role = "tool", .content = "42", .tool_call_id = "c1"}},
          .max_tokens = 100,
          .temperature = 0.0,
          .stop = {"END"},
          .tools = {{.name = "f", .description = "d", .parameters_json = "{}"}}};
}

TEST(StreamCacheKey, StableFormat) {
  const std::string key = RequestKey(Config(), Request());
  EXPECT_EQ(key.rfind("llmstream-req-v1:", 0), 0u);
  EXPECT_EQ(key.size(), 17u + 64u);
  EXPECT_EQ(key, RequestKey(Config(), Request()));
  EXPECT_EQ(key.find("sk-secret"), std::string::npos);
  // Pinned: the key must not change between versions (caches may be persisted). Update only
  // together with the "v1" in the prefix.
  EXPECT_EQ(key,
            "llmstream-req-v1:"
            "e03e247f9ca58dcbd57659453dabd99a9d6a33f78868c033ec72e27f67601292");
}

TEST(StreamCacheKey, SecretsAndSpellingsDoNotMatter) {
  const std::string key = RequestKey(Config(), Request());
  ProviderConfig other_key = Config();
  other_key.api_key = "sk-another";
  other_key.headers.push_back({"Authorization", "Bearer sk-x"});
  EXPECT_EQ(RequestKey(other_key, Request()), key);
  ProviderConfig reordered = Config();
  reordered.headers = {{"x-title", "app"}, {"openai-organization", "org-1"}};
  EXPECT_EQ(RequestKey(reordered, Request()), key);
  ProviderConfig explicit_url = Config();
  explicit_url.base_url = std::string(DefaultBaseUrl(Provider::kOpenAI)) + "/";
  EXPECT_EQ(RequestKey(explicit_url, Request()), key);
  ProviderConfig explicit_api = Config();
  explicit_api.api = WireApi::kChatCompletions;
  EXPECT_EQ(RequestKey(explicit_api, Request()), key);
}

TEST(StreamCacheKey, EveryRequestFieldMatters) {
  const std::string key = RequestKey(Config(), Request());
  std::vector<std::pair<const char*, CompletionRequest>> variants;
  auto vary = [&](const char* what, auto change) {
    CompletionRequest r = Request();
    change(r);
    variants.emplace_back(what, std::move(r));
  };
  vary("model", [](CompletionRequest& r) { r.model = "gpt-4o"; });
  vary("prompt", [](CompletionRequest& r) { r.prompt += "!"; });
  vary("system", [](CompletionRequest& r) { r.system.clear(); });
  vary("message content", [](CompletionRequest& r) { r.messages[0].content = "hello"; });
  vary("message role", [](CompletionRequest& r) { r.messages[0].role = "system"; });
  vary("tool call args", [](CompletionRequest& r) { r.messages[1].tool_calls[0].arguments = "1"; });
  vary("tool call id", [](CompletionRequest& r) { r.messages[2].tool_call_id = "c2"; });
  vary("content_json", [](CompletionRequest& r) { r.messages[0].content_json = "[]"; });
  vary("max_tokens", [](CompletionRequest& r) { r.max_tokens = 101; });
  vary("max_tokens unset", [](CompletionRequest& r) { r.max_tokens.reset(); });
  vary("temperature", [](CompletionRequest& r) { r.temperature = 1e-9; });
  vary("temperature -0", [](CompletionRequest& r) { r.temperature = -0.0; });
  vary("top_p", [](CompletionRequest& r) { r.top_p = 0.5; });
  vary("stop", [](CompletionRequest& r) { r.stop.push_back("STOP"); });
  vary("tools", [](CompletionRequest& r) { r.tools[0].description = "e"; });
  vary("tool_choice", [](CompletionRequest& r) { r.tool_choice = "auto"; });
  vary("extra_body", [](CompletionRequest& r) { r.extra_body_json = "{\"seed\":1}"; });
  vary("reasoning_effort", [](CompletionRequest& r) { r.reasoning_effort = "low"; });
  vary("reasoning_budget", [](CompletionRequest& r) { r.reasoning_budget_tokens = 1024; });
  vary("n", [](CompletionRequest& r) { r.n = 2; });
  // Moving text between fields must not collide.
  vary("prompt/system swap", [](CompletionRequest& r) { std::swap(r.prompt, r.system); });
  std::vector<std::string> keys = {key};
  for (const auto& [what, request] : variants) {
    const std::string k = RequestKey(Config(), request);
    for (const std::string& seen : keys) ASSERT_NE(k, seen) << what;
    keys.push_back(k);
  }
  ProviderConfig provider = Config();
  provider.provider = Provider::kGroq;
  EXPECT_NE(RequestKey(provider, Request()), key);
  ProviderConfig header = Config();
  header.headers[1].second = "other";
  EXPECT_NE(RequestKey(header, Request()), key);
  ProviderConfig api = Config();
  api.api = WireApi::kResponses;
  EXPECT_NE(RequestKey(api, Request()), key);
  EXPECT_NE(RequestKey(Config(), Request(), "tenant-1"), key);
  EXPECT_NE(RequestKey(Config(), Request(), "tenant-1"),
            RequestKey(Config(), Request(), "tenant-2"));
}

}  // namespace
}  // namespace llmstream::testing
