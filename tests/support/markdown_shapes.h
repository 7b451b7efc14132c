// Hostile Markdown (issue 13): text shaped against a renderer, mostly openers whose closer never
// comes, so that a naive renderer searches the rest of the text once per opener. The SafeMarkdown
// cost test checks the renderer's work on them; bench/hostile_shapes.cpp times them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream::testing {

inline std::string RepeatTo(std::string_view motif, size_t bytes) {
  std::string out;
  while (out.size() < bytes) out.append(motif);
  return out;
}

struct HostileMarkdownShape {
  const char* name;
  std::string_view motif;  // repeated up to the size, or:
  std::function<std::string(size_t bytes)> make = nullptr;

  std::string Make(size_t bytes) const { return make ? make(bytes) : RepeatTo(motif, bytes); }
};

// Runs of `c` of lengths 1, 2, 3 ... (or down to 1), each its own length: no run closes another.
inline std::string GrowingRuns(char c, size_t bytes, bool down) {
  size_t count = 0;
  for (size_t total = 0; total < bytes; total += count + 1) ++count;
  std::string out;
  for (size_t k = 1; k <= count; ++k) {
    out.append(down ? count + 1 - k : k, c);
    out += 'a';
  }
  return out;
}

inline const std::vector<HostileMarkdownShape>& HostileMarkdownShapes() {
  static const std::vector<HostileMarkdownShape> shapes = {
      // Links: a title, destination or bracket that never closes, once per link.
      {"link title (", "[a](x ("},
      {"link title \"", "[a](x \""},
      {"link title '", "[a](x '"},
      {"titles ending at one ) then spaces", "",
       [](size_t n) { return RepeatTo("[a](x (", n / 2) + ")" + std::string(n / 2, ' ') + "x"; }},
      {"titles across lines", "[a](x\n(\n"},
      {"images", "![a](x ("},
      {"image openers", "!["},
      {"[", "["},
      {"]", "]"},
      {"[a](", "[a]("},
      {"![a](", "![a]("},
      {"nested brackets", "",
       [](size_t n) { return std::string(n / 2, '[') + std::string(n / 2, ']') + "(x ("; }},
      {"destination parentheses", "[a](x("},
      {"balanced destination parentheses", "[a](x()"},
      {"image destination parentheses", "![a](x()"},
      {"destinations ending at one run of spaces", "",
       [](size_t n) { return RepeatTo(RepeatTo("[a](x(", 120) + std::string(200, ' '), n); }},
      {"<destination", "[a](<x"},
      {"escaped closers", "[a](x (\\)\\\" "},
      {"code in link text", "[`a](x ("},
      // Code spans: openers of many lengths, none closed.
      {"backtick runs growing", "", [](size_t n) { return GrowingRuns('`', n, false); }},
      {"backtick runs shrinking", "", [](size_t n) { return GrowingRuns('`', n, true); }},
      {"backticks", "`a"},
      {"backtick pairs and singles", "``a`"},
      // Emphasis.
      {"*a", "*a"},
      {"_a openers", "_a "},
      {"one long opener closed one by one", "",
       [](size_t n) { return std::string(n / 2, '*') + RepeatTo("a*", n / 2); }},
      {"emphasis mix", "*a _b **c __d ***e "},
      {"closers only", "a* b_ c** "},
      {"growing * runs", "", [](size_t n) { return GrowingRuns('*', n, false); }},
      // Autolinks and bare URLs.
      {"<", "<"},
      {"<a", "<a"},
      {"<http://a", "<http://a"},
      {"(http://", "(http://"},
      {" http://.", " http://.)"},
      // Blocks: every nesting level sees its lines again (up to max_nesting, 16).
      {"nested quotes", "> > > > > > > > > > > > > > > > x\n"},
      {"nested lists", "- - - - - - - - - - - - - - - - x\n"},
      {"deep list items", "",
       [](size_t n) {
         std::string out;
         for (size_t depth = 0; out.size() < n; depth = (depth + 1) % 16) {
           out += std::string(2 * depth, ' ') + "- [a](x (\n";
         }
         return out;
       }},
      {"headings", "# [a](x (\n"},
      {"fences", "```\n"},
  };
  return shapes;
}

}  // namespace llmstream::testing
