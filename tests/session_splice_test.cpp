// Splicer: the overlap remover that joins a continuation's text onto the text already delivered.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session/splicer.h"

namespace llmstream::session_internal {
namespace {

// Joins `reads` onto `old_text` and returns what the caller would see after the old text.
std::string Splice(const std::string& old_text, const std::vector<std::string>& reads) {
  Splicer splicer;
  splicer.Begin(old_text);
  std::string out;
  for (const std::string& read : reads) out += splicer.Feed(read);
  out += splicer.Flush();
  return out;
}

TEST(SessionSplice, NoOverlapPassesAtOnce) {
  Splicer splicer;
  splicer.Begin("The answer is");
  EXPECT_EQ(splicer.Feed(" 42."), " 42.");  // cannot be a repeat: nothing is held back
  EXPECT_FALSE(splicer.joining());
  EXPECT_EQ(splicer.Feed(" More."), " More.");
  EXPECT_EQ(splicer.Flush(), "");
}

TEST(SessionSplice, TrailingWhitespaceIsNotRepeated) {
  EXPECT_EQ(Splice("Hello ", {" world"}), "world");
  EXPECT_EQ(Splice("Hello ", {"  world"}), " world");  // the model's own extra space stays
  // A line break the user saw, then a paragraph break: only the repeated part goes.
  EXPECT_EQ(Splice("line\n", {"\n\nNext"}), "\nNext");
  // A different kind of whitespace stands for the old one.
  EXPECT_EQ(Splice("Hello ", {"\nWorld"}), "World");
}

TEST(SessionSplice, RepeatedWordOrSentenceIsDropped) {
  EXPECT_EQ(Splice("Hello wor", {"world!"}), "ld!");
  EXPECT_EQ(Splice("Roses are red,\nviolets are bl", {"violets ", "are ", "blue."}), "ue.");
  EXPECT_EQ(Splice("It was fine. The end", {"The end of it."}), " of it.");
}

TEST(SessionSplice, WhitespaceRunsCompareEqualInsideTheOverlap) {
  EXPECT_EQ(Splice("the lazy\ndog", {"the lazy dog barked"}), " barked");
  EXPECT_EQ(Splice("a  b c", {"b\tc d"}), " d");
}

TEST(SessionSplice, ShortMidWordOverlapsAreKept) {
  EXPECT_EQ(Splice("count: 100", {"0 items"}), "0 items");  // 1000, not a repeated 0
  EXPECT_EQ(Splice("na\xC3\xAFve", {"\xC3\xAFve idea"}), "\xC3\xAFve idea");
  // A long one is a repeat even mid-word.
  EXPECT_EQ(Splice("xxabcdefghijklmnop", {"abcdefghijklmnop and more"}), " and more");
}

TEST(SessionSplice, PunctuationStartsAnOverlap) {
  EXPECT_EQ(Splice("Hello.", {". How are you"}), " How are you");
}

TEST(SessionSplice, HoldsBackOnlyWhileARepeatIsPossible) {
  Splicer splicer;
  splicer.Begin("The quick brown fox");
  EXPECT_EQ(splicer.Feed("bro"), "");
  EXPECT_TRUE(splicer.joining());
  EXPECT_EQ(splicer.Feed("wn fox jumps"), " jumps");
  EXPECT_FALSE(splicer.joining());
  EXPECT_EQ(splicer.Feed(" high"), " high");
}

TEST(SessionSplice, FlushDropsWhatIsWhollyARepeatSoFar) {
  EXPECT_EQ(Splice("The quick brown fox", {"brown f"}), "");
  EXPECT_EQ(Splice("The quick brown fox", {"brown"}), "");
  EXPECT_EQ(Splice("The quick brown fox", {"bro", "ken"}), "broken");
}

TEST(SessionSplice, OnlyTheWindowIsCompared) {
  const std::string head(1000, 'a');
  const std::string tail = " tail of the old text";
  EXPECT_EQ(Splice(head + tail, {tail + " new"}), " new");
  // A repeat longer than the window is not recognised.
  const std::string long_tail = " " + std::string(Splicer::kWindow + 10, 'b');
  EXPECT_EQ(Splice("x" + long_tail, {long_tail + "c"}), long_tail + "c");
}

TEST(SessionSplice, VeryLongPendingIsDecidedAnyway) {
  Splicer splicer;
  splicer.Begin("alpha beta");
  const std::string spaces(Splicer::kMaxPending + 10, ' ');
  EXPECT_EQ(splicer.Feed("alpha"), "");
  EXPECT_EQ(splicer.Feed(spaces), "alpha" + spaces);
  EXPECT_FALSE(splicer.joining());
}

TEST(SessionSplice, EmptyOldTextDoesNotJoin) {
  Splicer splicer;
  splicer.Begin("");
  EXPECT_FALSE(splicer.joining());
  EXPECT_EQ(splicer.Feed("anything"), "anything");
}

}  // namespace
}  // namespace llmstream::session_internal
