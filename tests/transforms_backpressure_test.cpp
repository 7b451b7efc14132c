// Backpressure: WaterMarks (pause at the high mark, resume at the low one) and a queue of owned
// events governed by them (the guide's BackpressureManager).
#include <gtest/gtest.h>

#include "llmstream/transforms/backpressure.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

TEST(Backpressure, WaterMarksPauseHighResumeLow) {
  WaterMarks marks({.high_water_mark = 4, .low_water_mark = 2});
  EXPECT_FALSE(marks.Add(3));
  EXPECT_TRUE(marks.Add(1));  // level 4: pause
  EXPECT_EQ(marks.pauses(), 1u);
  EXPECT_TRUE(marks.Remove(1));   // 3: still paused (hysteresis)
  EXPECT_FALSE(marks.Remove(1));  // 2: resume
  EXPECT_FALSE(marks.Add(1));     // 3: below the high mark, not paused again
  EXPECT_DOUBLE_EQ(marks.pressure(), 0.75);
  EXPECT_TRUE(marks.Add(5));  // 8: pressure above 1 when a pause is ignored
  EXPECT_DOUBLE_EQ(marks.pressure(), 2);
  EXPECT_EQ(marks.pauses(), 2u);
  EXPECT_FALSE(marks.Remove(100));  // clamped at 0
  EXPECT_EQ(marks.level(), 0u);
}

TEST(Backpressure, DefaultLowMarkIsHalfTheHighOne) {
  WaterMarks marks({.high_water_mark = 100});
  EXPECT_EQ(marks.low_water_mark(), 50u);
  WaterMarks clamped({.high_water_mark = 10, .low_water_mark = 20});
  EXPECT_EQ(clamped.low_water_mark(), 9u);
  WaterMarks zero({.high_water_mark = 0});
  EXPECT_EQ(zero.high_water_mark(), 1u);
  EXPECT_TRUE(zero.Add(1));
}

TEST(Backpressure, QueueTellsTheProducerToPauseAndResume) {
  BackpressureQueue queue({.high_water_mark = 10});
  int pushed_before_pause = 0;
  for (int i = 0; i < 10; ++i) {
    ++pushed_before_pause;
    if (queue.PushText("token " + std::to_string(i))) break;
  }
  EXPECT_EQ(pushed_before_pause, 10);
  BackpressureStatus status = queue.status();  // the guide's getStatus()
  EXPECT_EQ(status.size, 10u);
  EXPECT_TRUE(status.paused);
  EXPECT_DOUBLE_EQ(status.pressure, 1);
  int popped = 0;
  while (queue.paused()) {
    const Event* e = queue.Pop();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->text, "token " + std::to_string(popped));
    ++popped;
  }
  EXPECT_EQ(popped, 5);  // resumed at 5 = high / 2
  EXPECT_EQ(queue.size(), 5u);
}

TEST(Backpressure, EventsAreOwnedCopiesInOrder) {
  BackpressureQueue queue({.high_water_mark = 1000});
  const std::vector<StoredEvent> events = FixtureEvents("anthropic-thinking-signature.sse");
  std::string scratch;
  for (const StoredEvent& stored : events) {
    // Push from a buffer that is then overwritten: the queue must not keep views.
    Event e = stored.view();
    scratch.assign(e.text);
    e.text = scratch;
    queue.Push(e);
    scratch.assign(scratch.size(), '#');
  }
  for (const StoredEvent& stored : events) {
    const Event* e = queue.Pop();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(ToOwned(*e), ToOwned(stored.view()));
    EXPECT_EQ(e->usage != nullptr, stored.usage.has_value());
  }
  EXPECT_EQ(queue.Pop(), nullptr);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(Backpressure, ByteUnitsCountTheEventSizes) {
  BackpressureQueue queue(
      {.high_water_mark = 3 * sizeof(StoredEvent) + 30, .unit = QueueUnit::kBytes});
  EXPECT_FALSE(queue.PushText("0123456789"));
  EXPECT_FALSE(queue.PushText("0123456789"));
  EXPECT_TRUE(queue.PushText("0123456789"));
  EXPECT_EQ(queue.bytes(), 3 * (sizeof(StoredEvent) + 10));
  EXPECT_EQ(queue.marks().level(), queue.bytes());
  const Event* peek = queue.Peek();
  ASSERT_NE(peek, nullptr);
  EXPECT_EQ(queue.size(), 3u);
  queue.Pop();
  queue.Pop();
  EXPECT_FALSE(queue.paused());
  queue.Clear();
  EXPECT_EQ(queue.marks().level(), 0u);
  EXPECT_EQ(queue.Peek(), nullptr);
}

// A producer / consumer simulation: the producer obeys the pause, the consumer is slower; the
// queue never exceeds the high mark and every event arrives in order.
TEST(Backpressure, AnObedientProducerStaysBounded) {
  BackpressureQueue queue({.high_water_mark = 16});
  int produced = 0;
  int consumed = 0;
  size_t max_size = 0;
  Rng rng(42);
  while (consumed < 2000) {
    if (produced < 2000 && !queue.paused()) {
      queue.PushText(std::to_string(produced++));
    }
    max_size = std::max(max_size, queue.size());
    if (rng.Next() % 3 == 0) {
      if (const Event* e = queue.Pop()) {
        ASSERT_EQ(e->text, std::to_string(consumed));
        ++consumed;
      }
    }
  }
  EXPECT_LE(max_size, 16u);
  EXPECT_GT(queue.marks().pauses(), 10u);
}

}  // namespace
}  // namespace llmstream::testing
