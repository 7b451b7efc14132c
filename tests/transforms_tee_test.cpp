// Tee: one source, N consumers with their own cursors, bounded.
#include <gtest/gtest.h>

#include "llmstream/transforms/tee.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

Event Text(std::string_view text) {
  Event e;
  e.kind = EventKind::kText;
  e.text = text;
  return e;
}

std::vector<OwnedEvent> Drain(Tee& tee, size_t id) {
  std::vector<OwnedEvent> out;
  while (const Event* e = tee.Next(id)) out.push_back(ToOwned(*e));
  return out;
}

TEST(Tee, EveryConsumerSeesEveryEvent) {
  const std::vector<StoredEvent> events = FixtureEvents("openai-chat-tool-call.sse");
  std::vector<OwnedEvent> expected;
  for (const StoredEvent& e : events) expected.push_back(ToOwned(e.view()));
  Tee tee(3);
  std::vector<std::vector<OwnedEvent>> got(3);
  Rng rng(7);
  for (const StoredEvent& e : events) {
    tee.Push(e.view());
    // Each consumer reads at its own pace.
    for (size_t c = 0; c < 3; ++c) {
      for (uint32_t n = rng.Next() % (c + 2); n > 0; --n) {
        const Event* next = tee.Next(c);
        if (next == nullptr) break;
        got[c].push_back(ToOwned(*next));
      }
    }
  }
  tee.Close();
  for (size_t c = 0; c < 3; ++c) {
    for (OwnedEvent& e : Drain(tee, c)) got[c].push_back(std::move(e));
    EXPECT_EQ(got[c], expected) << "consumer " << c;
    EXPECT_TRUE(tee.ended(c));
    EXPECT_FALSE(tee.overflowed(c));
  }
}

TEST(Tee, EventsAreFreedOnceEveryoneReadThem) {
  Tee tee(2);
  tee.Push(Text("a"));
  tee.Push(Text("b"));
  EXPECT_EQ(tee.buffered_events(), 2u);
  EXPECT_EQ(tee.lag(0), 2u);
  ASSERT_NE(tee.Next(0), nullptr);
  ASSERT_NE(tee.Next(0), nullptr);
  EXPECT_EQ(tee.Next(0), nullptr);
  EXPECT_FALSE(tee.ended(0));  // not closed: more may come
  tee.Push(Text("c"));         // frees nothing yet: consumer 1 has read none
  EXPECT_EQ(tee.buffered_events(), 3u);
  EXPECT_EQ(Drain(tee, 1).size(), 3u);
  tee.Push(Text("d"));  // a and b, c gone
  EXPECT_EQ(tee.buffered_events(), 2u);
  EXPECT_EQ(tee.max_lag(), 2u);
}

TEST(Tee, ASlowConsumerOverflowsInsteadOfGrowingMemory) {
  Tee tee(2, {.max_events = 4});
  for (int i = 0; i < 10; ++i) {
    tee.Push(Text(std::to_string(i)));
    ASSERT_NE(tee.Next(0), nullptr);  // consumer 0 keeps up
    EXPECT_LE(tee.buffered_events(), 4u);
  }
  EXPECT_TRUE(tee.overflowed(1));
  EXPECT_FALSE(tee.ended(1));  // its error is still to be read
  const Event* e = tee.Next(1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, EventKind::kError);
  ASSERT_NE(e->error, nullptr);
  EXPECT_EQ(e->error->code, ErrorCode::kOverflow);
  EXPECT_NE(e->error->message.find("fell behind"), std::string::npos);
  EXPECT_EQ(tee.Next(1), nullptr);
  EXPECT_TRUE(tee.ended(1));
  EXPECT_FALSE(tee.overflowed(0));
  // With only the fast consumer left, nothing is kept.
  tee.Push(Text("x"));
  ASSERT_NE(tee.Next(0), nullptr);
  tee.Push(Text("y"));
  EXPECT_EQ(tee.buffered_events(), 1u);
}

TEST(Tee, AByteLimitToo) {
  Tee tee(2, {.max_events = 1000, .max_bytes = 4 * sizeof(StoredEvent) + 4000});
  const std::string big(1000, 'x');
  for (int i = 0; i < 8; ++i) {
    tee.Push(Text(big));
    tee.Next(0);
    EXPECT_LE(tee.buffered_bytes(), 4 * sizeof(StoredEvent) + 4000);
  }
  EXPECT_TRUE(tee.overflowed(1));
}

TEST(Tee, ALateConsumerJoinsAtTheEnd) {
  Tee tee(1);
  tee.Push(Text("early"));
  const size_t late = tee.AddConsumer();
  EXPECT_EQ(late, 1u);
  EXPECT_EQ(tee.Next(late), nullptr);
  tee.Push(Text("later"));
  const Event* e = tee.Next(late);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->text, "later");
  EXPECT_EQ(Drain(tee, 0).size(), 2u);
}

TEST(Tee, RemovingAConsumerReleasesWhatItHeld) {
  Tee tee(2);
  for (int i = 0; i < 5; ++i) tee.Push(Text("e"));
  EXPECT_EQ(Drain(tee, 0).size(), 5u);
  EXPECT_EQ(tee.buffered_events(), 5u);
  tee.RemoveConsumer(1);
  EXPECT_EQ(tee.buffered_events(), 0u);
  EXPECT_TRUE(tee.ended(1));
  EXPECT_EQ(tee.Next(1), nullptr);
  EXPECT_EQ(tee.Next(99), nullptr);  // unknown ids are harmless
  EXPECT_TRUE(tee.ended(99));
}

TEST(Tee, CloseEndsConsumersOnceDrained) {
  Tee tee(2);
  tee.Push(Text("last"));
  tee.Close();
  tee.Push(Text("ignored"));
  EXPECT_TRUE(tee.closed());
  EXPECT_FALSE(tee.ended(0));
  EXPECT_EQ(Drain(tee, 0).size(), 1u);
  EXPECT_TRUE(tee.ended(0));
  EXPECT_FALSE(tee.ended(1));
}

TEST(Tee, CopiesUsageAndErrors) {
  Usage usage;
  usage.output_tokens = 42;
  Event u;
  u.kind = EventKind::kUsage;
  u.usage = &usage;
  Tee tee(2);
  tee.Push(u);
  usage.output_tokens = 0;  // the source's object changes: the copy does not
  for (size_t c = 0; c < 2; ++c) {
    const Event* e = tee.Next(c);
    ASSERT_NE(e, nullptr);
    ASSERT_NE(e->usage, nullptr);
    EXPECT_EQ(e->usage->output_tokens, 42);
  }
}

}  // namespace
}  // namespace llmstream::testing
