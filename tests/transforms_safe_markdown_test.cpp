// SafeMarkdown: the supported Markdown, the incremental contract (stable prefix + tail), split
// invariance, and safety against an XSS corpus (checked by pattern and by a strict validator of
// the output's structure).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>

#include "llmstream/transforms/safe_markdown.h"
#include "support/markdown_shapes.h"
#include "transforms/markdown_inline.h"
#include "transforms_test_util.h"

namespace llmstream::testing {
namespace {

const std::string kRel = " rel=\"noopener noreferrer nofollow\"";

std::string Render(std::string_view markdown, SafeMarkdownOptions options = {}) {
  SafeMarkdown md(options);
  TextChunks out;
  md.Push(markdown, 0, &out);
  md.Flush(0, &out);
  return std::string(md.Html());
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- A strict checker of SafeMarkdown's output ---------------------------------------------

std::string DecodeAttribute(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '&') {
      out += v[i];
      continue;
    }
    const size_t semi = v.find(';', i);
    if (semi == std::string_view::npos) return "<bad entity>";
    const std::string_view entity = v.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out += '&';
    } else if (entity == "lt") {
      out += '<';
    } else if (entity == "gt") {
      out += '>';
    } else if (entity == "quot") {
      out += '"';
    } else if (!entity.empty() && entity[0] == '#') {
      out += static_cast<char>(std::stoi(std::string(entity.substr(1))));
    } else {
      return "<bad entity>";
    }
    i = semi;
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80                  ? 1
               : (c >= 0xC2 && c < 0xE0) ? 2
               : (c >= 0xE0 && c < 0xF0) ? 3
               : (c >= 0xF0 && c < 0xF5) ? 4
                                         : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// Returns "" when `html` is made only of the allowed elements and attributes, properly nested
// and closed, with every text character that could be markup escaped; else what is wrong.
std::string CheckHtml(std::string_view html) {
  static const std::vector<std::string> kAllowed = {
      "p",    "h1",  "h2",         "h3", "h4", "h5", "h6", "em", "strong",
      "code", "pre", "blockquote", "ul", "ol", "li", "a",  "hr", "br"};
  if (!ValidUtf8(html)) return "invalid UTF-8";
  std::vector<std::string> stack;
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '>' || c == '"' || c == '\'' || c == '=' || c == '`') {
      return "raw '" + std::string(1, c) + "' in text at " + std::to_string(i);
    }
    if (c == '&') {
      const size_t semi = html.find(';', i);
      if (semi == std::string_view::npos || semi - i > 6)
        return "bad entity at " + std::to_string(i);
      const std::string_view entity = html.substr(i + 1, semi - i - 1);
      const bool numeric = entity.size() > 1 && entity[0] == '#' &&
                           entity.find_first_not_of("0123456789", 1) == std::string_view::npos;
      if (!numeric && entity != "amp" && entity != "lt" && entity != "gt" && entity != "quot") {
        return "unknown entity &" + std::string(entity) + ";";
      }
      i = semi + 1;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    size_t name_end = j;
    while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
      ++name_end;
    }
    const std::string name(html.substr(j, name_end - j));
    if (std::find(kAllowed.begin(), kAllowed.end(), name) == kAllowed.end()) {
      return "element <" + name + "> at " + std::to_string(i);
    }
    // Attributes: name="value" pairs.
    std::vector<std::pair<std::string, std::string>> attributes;
    size_t p = name_end;
    while (p < html.size() && html[p] == ' ') {
      ++p;
      size_t eq = p;
      while (eq < html.size() && std::islower(static_cast<unsigned char>(html[eq]))) ++eq;
      if (eq + 1 >= html.size() || html[eq] != '=' || html[eq + 1] != '"') {
        return "malformed attribute in <" + name + ">";
      }
      const size_t close = html.find('"', eq + 2);
      if (close == std::string_view::npos) return "unclosed attribute";
      const std::string_view value = html.substr(eq + 2, close - eq - 2);
      if (value.find_first_of("<>'`=") != std::string_view::npos) return "raw markup in attribute";
      attributes.emplace_back(std::string(html.substr(p, eq - p)), std::string(value));
      p = close + 1;
    }
    if (p >= html.size() || html[p] != '>') return "malformed tag <" + name + ">";
    if (closing && !attributes.empty()) return "attributes on a closing tag";
    for (const auto& [attribute, value] : attributes) {
      if (name == "a" && attribute == "href") {
        const std::string href = Lower(DecodeAttribute(value));
        if (href.rfind("http://", 0) != 0 && href.rfind("https://", 0) != 0 &&
            href.rfind("mailto:", 0) != 0) {
          return "href " + href;
        }
        for (char h : href) {
          if (static_cast<unsigned char>(h) <= 0x20) return "space in href";
        }
      } else if (name == "a" && attribute == "rel") {
        if (value != "noopener noreferrer nofollow") return "rel " + value;
      } else if (name == "code" && attribute == "class") {
        if (value.rfind("language-", 0) != 0) return "class " + value;
      } else if (name == "ol" && attribute == "start") {
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
          return "start " + value;
        }
      } else {
        return "attribute " + attribute + " on <" + name + ">";
      }
    }
    if (name == "a" && !closing) {
      bool has_href = false;
      for (const auto& a : attributes) has_href = has_href || a.first == "href";
      if (!has_href) return "<a> without href";
      if (std::find(stack.begin(), stack.end(), "a") != stack.end()) return "nested <a>";
    }
    if (name == "hr" || name == "br") {
      if (closing) return "</" + name + ">";
    } else if (closing) {
      if (stack.empty() || stack.back() != name) return "misnested </" + name + ">";
      stack.pop_back();
    } else {
      stack.push_back(name);
    }
    i = p + 1;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return "";
}

// The patterns the issue names: no script element, no event handler attribute, no
// javascript: (nor vbscript: / data:) anywhere in the markup.
std::string Dangerous(std::string_view html) {
  const std::string lower = Lower(html);
  for (const char* needle :
       {"<script", "javascript:", "vbscript:", "data:", "<iframe", "<svg", "<style", "<img"}) {
    if (lower.find(needle) != std::string::npos) return needle;
  }
  // \son\w+\s*=
  for (size_t at = lower.find("on"); at != std::string::npos; at = lower.find("on", at + 1)) {
    if (at == 0 || !std::isspace(static_cast<unsigned char>(lower[at - 1]))) continue;
    size_t k = at + 2;
    if (k >= lower.size() ||
        !(std::isalnum(static_cast<unsigned char>(lower[k])) || lower[k] == '_')) {
      continue;
    }
    while (k < lower.size() &&
           (std::isalnum(static_cast<unsigned char>(lower[k])) || lower[k] == '_')) {
      ++k;
    }
    while (k < lower.size() && std::isspace(static_cast<unsigned char>(lower[k]))) ++k;
    if (k < lower.size() && lower[k] == '=') return "event handler";
  }
  return "";
}

TEST(SafeMarkdown, TheCheckerCanFail) {
  EXPECT_EQ(CheckHtml("<p>ok &amp; <em>fine</em></p>\n<hr>\n"), "");
  EXPECT_NE(CheckHtml("<script>alert(1)</script>"), "");
  EXPECT_NE(CheckHtml("<p onclick=\"x\">a</p>"), "");
  EXPECT_NE(CheckHtml("<a href=\"javascript&#58;x\" rel=\"noopener noreferrer nofollow\">a</a>"),
            "");
  EXPECT_NE(CheckHtml("<p><em>a</p></em>"), "");
  EXPECT_NE(CheckHtml("<p>a"), "");
  EXPECT_NE(CheckHtml("<p>a > b</p>"), "");
  EXPECT_NE(Dangerous("<p>x onerror=y</p>"), "");
  EXPECT_NE(Dangerous("JavaScript:"), "");
  EXPECT_EQ(Dangerous("<p>onion=1 and javascript&#58;</p>"), "");
}

// ---- The supported syntax --------------------------------------------------------------------

struct Case {
  const char* markdown;
  std::string html;
};

TEST(SafeMarkdown, RendersTheSupportedSyntax) {
  const std::vector<Case> cases = {
      {"Hello *world*", "<p>Hello <em>world</em></p>\n"},
      {"**bold** and __bold__", "<p><strong>bold</strong> and <strong>bold</strong></p>\n"},
      {"***both***", "<p><em><strong>both</strong></em></p>\n"},
      {"*a **b***", "<p><em>a <strong>b</strong></em></p>\n"},
      {"snake_case_name and 2*3*4", "<p>snake_case_name and 2<em>3</em>4</p>\n"},
      {"**unclosed", "<p>**unclosed</p>\n"},
      {"`code <b>` and ``a`b``", "<p><code>code &lt;b&gt;</code> and <code>a&#96;b</code></p>\n"},
      {"# Title\n## Sub ##\n####### seven", "<h1>Title</h1>\n<h2>Sub</h2>\n<p>####### seven</p>\n"},
      {"# H\ntext", "<h1>H</h1>\n<p>text</p>\n"},
      {"```js\nlet a = 1 < 2;\n```",
       "<pre><code class=\"language-js\">let a &#61; 1 &lt; 2;\n"
       "</code></pre>\n"},
      {"```\nunterminated", "<pre><code>unterminated\n</code></pre>\n"},
      {"~~~~\n~~~\n~~~~", "<pre><code>~~~\n</code></pre>\n"},
      {"- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
      {"- a\n\n- b", "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"},
      {"3. x\n4. y", "<ol start=\"3\">\n<li>x</li>\n<li>y</li>\n</ol>\n"},
      {"- a\n  - b\n- c", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul></li>\n<li>c</li>\n</ul>\n"},
      {"1. a\n  - lenient nesting",
       "<ol>\n<li>a\n<ul>\n<li>lenient nesting</li>\n</ul></li>\n"
       "</ol>\n"},
      {"- a\nlazy", "<ul>\n<li>a\nlazy</li>\n</ul>\n"},
      {"- a\n* b", "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>\n"},
      {"Intro:\n- a", "<p>Intro&#58;</p>\n<ul>\n<li>a</li>\n</ul>\n"},
      {"1. Run:\n   ```sh\n   make\n   ```\n2. Done",
       "<ol>\n<li>Run&#58;\n<pre><code class=\"language-sh\">make\n</code></pre></li>\n"
       "<li>Done</li>\n</ol>\n"},
      {"> quote\n> > nested",
       "<blockquote>\n<p>quote</p>\n<blockquote>\n<p>nested</p>\n"
       "</blockquote>\n</blockquote>\n"},
      {"> a\nb", "<blockquote>\n<p>a</p>\n</blockquote>\n<p>b</p>\n"},
      {"---\n***\n_ _ _", "<hr>\n<hr>\n<hr>\n"},
      {"[site](https://example.com/a?b=c&d)",
       "<p><a href=\"https://example.com/a?b&#61;c&amp;d\"" + kRel + ">site</a></p>\n"},
      {"[**b** `c`](http://x.test \"title\")",
       "<p><a href=\"http://x.test\"" + kRel + "><strong>b</strong> <code>c</code></a></p>\n"},
      {"[mail](MAILTO:me@x.test)", "<p><a href=\"mailto:me@x.test\"" + kRel + ">mail</a></p>\n"},
      {"[rel](/relative) [anchor](#top) [none]()", "<p>rel anchor none</p>\n"},
      {"[not a link] [x] (y)", "<p>[not a link] [x] (y)</p>\n"},
      {"![alt](https://x.test/i.png)",
       "<p><a href=\"https://x.test/i.png\"" + kRel + ">alt</a></p>\n"},
      {"<https://a.test/p>", "<p><a href=\"https://a.test/p\"" + kRel +
                                 ">https&#58;//a.test/p</a>"
                                 "</p>\n"},
      {"<me@x.test>", "<p><a href=\"mailto:me@x.test\"" + kRel + ">me@x.test</a></p>\n"},
      {"see https://x.test/a_b.",
       "<p>see <a href=\"https://x.test/a_b\"" + kRel + ">https&#58;//x.test/a_b</a>.</p>\n"},
      {"(https://x.test/(a))",
       "<p>(<a href=\"https://x.test/(a)\"" + kRel + ">https&#58;//x.test/(a)</a>)</p>\n"},
      {"a  \nb", "<p>a<br>\nb</p>\n"},
      {"a\\\nb", "<p>a<br>\nb</p>\n"},
      {"a\nb", "<p>a\nb</p>\n"},
      {"\\*not em\\* \\<b>", "<p>*not em* &lt;b&gt;</p>\n"},
      {"&amp; &#60; <b>x</b>", "<p>&amp;amp; &amp;#60; &lt;b&gt;x&lt;/b&gt;</p>\n"},
      {"a\r\nb\r\n\r\n# h\r\n", "<p>a\nb</p>\n<h1>h</h1>\n"},
      {"bad \xFF byte", "<p>bad \xEF\xBF\xBD byte</p>\n"},
      {"", ""},
      {"\n\n  \n", ""},
  };
  for (const Case& c : cases) {
    const std::string html = Render(c.markdown);
    EXPECT_EQ(html, c.html) << "markdown: " << c.markdown;
    EXPECT_EQ(CheckHtml(html), "") << html;
  }
}

TEST(SafeMarkdown, Options) {
  EXPECT_EQ(Render("a\nb", {.hard_breaks = true}), "<p>a<br>\nb</p>\n");
  EXPECT_EQ(Render("see https://x.test", {.autolink_bare_urls = false}),
            "<p>see https&#58;//x.test</p>\n");
  const std::string deep = Render(std::string(20, '>') + " x");
  size_t quotes = 0;
  for (size_t at = deep.find("<blockquote>"); at != std::string::npos;
       at = deep.find("<blockquote>", at + 1)) {
    ++quotes;
  }
  EXPECT_EQ(quotes, 15u);  // max_nesting 16: the rest is text
  EXPECT_EQ(CheckHtml(deep), "");
  EXPECT_EQ(Render("> > x", {.max_nesting = 1}), "<p>&gt; &gt; x</p>\n");
}

// ---- The incremental contract -----------------------------------------------------------------

TEST(SafeMarkdown, StablePrefixPlusTail) {
  SafeMarkdown md;
  TextChunks out;
  md.Push("**bo", 0, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(md.stable_html(), "");
  EXPECT_EQ(md.tail_html(), "<p>**bo</p>\n");
  md.Push("ld** text\n", 0, &out);
  EXPECT_EQ(md.Html(), "<p><strong>bold</strong> text</p>\n");  // still open: more may follow
  EXPECT_EQ(md.stable_html(), "");
  md.Push("\n```py\nx = 1\n", 0, &out);
  ASSERT_EQ(out.size(), 1u);  // the blank line finished the paragraph
  EXPECT_EQ(out[0], "<p><strong>bold</strong> text</p>\n");
  EXPECT_EQ(md.stable_html(), out[0]);
  EXPECT_EQ(md.tail_html(), "<pre><code class=\"language-py\">x &#61; 1\n</code></pre>\n");
  out.Clear();
  md.Push("```\n", 0, &out);
  EXPECT_EQ(out.text(), "<pre><code class=\"language-py\">x &#61; 1\n</code></pre>\n");
  EXPECT_EQ(md.tail_html(), "");
  EXPECT_EQ(md.held_bytes(), 0u);
}

TEST(SafeMarkdown, TheTailLeavesOutAnIncompleteCharacter) {
  SafeMarkdown md;
  TextChunks out;
  md.Push("caf\xC3", 0, &out);
  EXPECT_EQ(md.Html(), "<p>caf</p>\n");
  md.Push("\xA9", 0, &out);
  EXPECT_EQ(md.Html(), "<p>café</p>\n");
}

TEST(SafeMarkdown, FlushThenMoreTextContinuesTheDocument) {
  SafeMarkdown md;
  TextChunks out;
  md.Push("first", 0, &out);
  md.Flush(0, &out);
  md.Push("second", 0, &out);
  md.Flush(0, &out);
  EXPECT_EQ(md.Html(), "<p>first</p>\n<p>second</p>\n");
  EXPECT_EQ(out.text(), md.Html());
  md.Reset();
  EXPECT_EQ(md.Html(), "");
}

// Fed byte by byte, the stable prefix only ever grows, and the whole document is valid at every
// step (a live preview never shows broken markup).
TEST(SafeMarkdown, EveryIntermediateDocumentIsValid) {
  for (const TextSample& sample : TransformSamples()) {
    SafeMarkdown md;
    TextChunks out;
    std::string stable;
    for (size_t i = 0; i < sample.text.size(); ++i) {
      out.Clear();
      md.Push(std::string_view(sample.text).substr(i, 1), 0, &out);
      stable += out.text();
      ASSERT_EQ(md.stable_html(), stable) << sample.name;
      const std::string html(md.Html());
      ASSERT_EQ(html.substr(0, stable.size()), stable);
      ASSERT_EQ(CheckHtml(html), "") << sample.name << " after " << i << " bytes: " << html;
    }
  }
}

TEST(SafeMarkdown, SplitInvariant) {
  ExpectSplitInvariant([] { return std::make_unique<SafeMarkdown>(); }, /*same_pieces=*/false);
  for (const TextSample& sample : TransformSamples()) {
    const std::string whole = Render(sample.text);
    EXPECT_EQ(CheckHtml(whole), "") << sample.name;
    for (const Split& split : StandardSplits(sample.text.size())) {
      SafeMarkdown md;
      const Fed fed = FeedSplit(md, sample.text, split);
      ASSERT_EQ(md.Html(), whole) << sample.name << " " << split.name;
      ASSERT_EQ(fed.text, whole) << sample.name << " " << split.name;
    }
  }
}

TEST(SafeMarkdown, RendersTheDeepseekAnswer) {
  // The long fixture: <think> tags escaped, headings, nested bold lists.
  std::string text;
  for (const TextSample& s : TransformSamples()) {
    if (s.name == "groq-deepseek-r1-think-tags.sse") text = s.text;
  }
  ASSERT_FALSE(text.empty());
  const std::string html = Render(text);
  EXPECT_EQ(CheckHtml(html), "");
  EXPECT_NE(html.find("<p>&lt;think&gt;\nOkay"), std::string::npos);
  EXPECT_NE(html.find("<h3>Ingredients&#58;</h3>"), std::string::npos);
  // A blank line between its two items makes the ingredients list loose (as in CommonMark).
  EXPECT_NE(html.find("<li><p><strong>For the Cookies&#58;</strong></p>\n<ul>\n<li>2 cups"),
            std::string::npos);
  EXPECT_NE(html.find("<ol>\n<li><p><strong>Prepare the Cookie Dough&#58;</strong></p>\n<ul>"),
            std::string::npos);
}

// ---- Cost on hostile text (issue 13) ----------------------------------------------------------
//
// The renderer's work counter (markdown_internal::ScanSteps(): characters its scans examined)
// must grow linearly with the text on the shapes that make a naive renderer quadratic: each
// search for a closer that is not there, repeated per opener. Checked by work, not time: at two
// sizes 8x apart the steps per input byte stay under a constant and do not grow (a quadratic
// path multiplies them by ~8, an n^1.5 one by ~2.8). The shapes: support/markdown_shapes.h.

// Steps per input byte and render, of rendering `text` at once (the final HTML) and of one
// tail_html() of it left open (the live preview renders the open block the same way).
double StepsPerByte(const std::string& text) {
  const uint64_t before = markdown_internal::ScanSteps();
  Render(text);
  SafeMarkdown open;
  TextChunks out;
  open.Push(text, 0, &out);
  open.tail_html();
  return static_cast<double>(markdown_internal::ScanSteps() - before) /
         static_cast<double>(2 * text.size());
}

TEST(SafeMarkdownCost, WorkIsLinearOnHostileShapes) {
  // Measured worst: ~36 ("[a](" repeated: a link destination's scan crosses up to 32 other
  // destinations nested in its parentheses, the cap); 16-deep lists ~9; most shapes 4-7.
  constexpr double kMaxStepsPerByte = 40;
  for (const HostileMarkdownShape& shape : HostileMarkdownShapes()) {
    const double small = StepsPerByte(shape.Make(4096));
    const double large = StepsPerByte(shape.Make(32768));
    EXPECT_LE(large, kMaxStepsPerByte) << shape.name << " (4 KiB: " << small << ")";
    EXPECT_LE(large, small * 1.25 + 0.5) << shape.name << ": steps per byte grow with the size";
  }
}

// A live preview renders the tail after each chunk: that costs the open block, not the document.
TEST(SafeMarkdownCost, TheTailCostsTheOpenBlockOnly) {
  SafeMarkdown md;
  TextChunks out;
  md.Push(RepeatTo("[a](x (\n\n", 32768), 0, &out);  // finished paragraphs
  md.Push("open *block*", 0, &out);
  const uint64_t before = markdown_internal::ScanSteps();
  EXPECT_EQ(md.tail_html(), "<p>open <em>block</em></p>\n");
  EXPECT_LE(markdown_internal::ScanSteps() - before, 100u);
}

TEST(SafeMarkdownCost, TheCounterSeesTheWork) {
  // Plain text costs a few steps per byte: the counter counts (one that did not would pass the
  // linearity check above vacuously).
  const uint64_t before = markdown_internal::ScanSteps();
  const std::string text = RepeatTo("plain words ", 4096);
  Render(text);
  const uint64_t steps = markdown_internal::ScanSteps() - before;
  EXPECT_GE(steps, text.size());
  EXPECT_LE(steps, 8 * text.size());
}

// ---- XSS ---------------------------------------------------------------------------------------

template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

const std::vector<std::string>& XssCorpus() {
  static const std::vector<std::string> corpus = {
      "<script>alert(1)</script>",
      "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
      "<ScRiPt>alert(1)</sCrIpT>",
      "<img src=x onerror=alert(1)>",
      "<img src=\"x\" onerror=\"alert(1)\">",
      "<IMG SRC=x OnErRoR=alert(1)>",
      "<svg onload=alert(1)>",
      "<svg><script>alert(1)</script></svg>",
      "<svg/onload=alert(1)>",
      "<iframe src=\"javascript:alert(1)\"></iframe>",
      "<iframe srcdoc=\"<script>alert(1)</script>\">",
      "<style>body{background:url(javascript:alert(1))}</style>",
      "<a href=\"javascript:alert(1)\">x</a>",
      "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
      "<a href=\"javascript&colon;alert(1)\">x</a>",
      "<body onload=alert(1)>",
      "<div style=\"width:expression(alert(1))\">",
      "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
      "<object data=\"javascript:alert(1)\">",
      "<embed src=javascript:alert(1)>",
      "<form action=javascript:alert(1)><input type=submit>",
      "<details open ontoggle=alert(1)>",
      "<marquee onstart=alert(1)>",
      "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
      "<base href=\"javascript:alert(1)//\">",
      "<!--<script>alert(1)//-->",
      "<![CDATA[<script>alert(1)</script>]]>",
      "<scr<script>ipt>alert(1)</script>",
      "<<script>script>alert(1)<</script>/script>",
      "[x](javascript:alert(1))",
      "[x](JaVaScRiPt:alert(1))",
      "[x](  javascript:alert(1)  )",
      "[x](<javascript:alert(1)>)",
      "[x](javascript&#58;alert(1))",
      "[x](&#106;avascript:alert(1))",
      "[x](&#x6A;avascript:alert(1))",
      "[x](java\tscript:alert(1))",
      "[x](java%0ascript:alert(1))",
      "[x](\\javascript:alert(1))",
      "[x](javascript\\:alert(1))",
      "[x](vbscript:msgbox(1))",
      "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "[x](DATA:text/html,<script>alert(1)</script>)",
      "[x](javascript:alert(1) \"title\")",
      "[x](https://ok.test \"onmouseover=alert(1)\")",
      "[x\"onmouseover=\"alert(1)](https://ok.test)",
      "[x](https://ok.test/\"onmouseover=\"alert(1))",
      "[x](https://ok.test/'onmouseover='alert(1))",
      "[x](https://ok.test/?q=javascript:alert(1))",
      "[x](http://javascript:alert(1))",
      "[x](//evil.test)",
      "[x](file:///etc/passwd)",
      "[<img src=x onerror=alert(1)>](https://ok.test)",
      "<javascript:alert(1)>",
      "<JAVASCRIPT:alert(1)>",
      "<https://ok.test/\"onclick=alert(1)>",
      "<vbscript:msgbox(1)>",
      "![x](javascript:alert(1))",
      "![x\" onerror=\"alert(1)](https://ok.test/i.png)",
      "![x](https://ok.test/i.png\"onerror=\"alert(1))",
      "```\"><script>alert(1)</script>\n```",
      "```js\" onclick=\"alert(1)\nx\n```",
      "```javascript:alert(1)\nx\n```",
      "`<script>alert(1)</script>`",
      "# <script>alert(1)</script>",
      "- <img src=x onerror=alert(1)>",
      "> <iframe srcdoc=\"<script>alert(1)</script>\">",
      "**<script>**alert(1)",
      "*<img src=x onerror=alert(1)>*",
      "https://ok.test/<script>alert(1)</script>",
      "http://x.test/\" onmouseover=\"alert(1)",
      "https://ok.test/'onmouseover='alert(1)'",
      "&lt;script&gt;alert(1)&lt;/script&gt;",
      "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
      "\\<script>alert(1)\\</script>",
      Bytes("\x00<script>alert(1)</script>"),
      Bytes("[x](java\x00script:alert(1))"),
      "javascript\x01:alert(1)",
      "<a href=\"&#14;javascript:alert(1)\">x</a>",
      "<isindex type=image src=1 onerror=alert(1)>",
      "<video><source onerror=\"alert(1)\">",
      "<x onclick=alert(1)>click",
      "1. <a onmouseover=alert(1)>x</a>\n   - <b onclick=alert(1)>y",
      "<a href=https://ok.test onclick=alert(1)>z</a>",
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "onerror=alert(1)",
      " onload =alert(1)",
  };
  return corpus;
}

// The same payloads in the places Markdown could carry them.
std::vector<std::string> InContexts(const std::string& p) {
  return {p,
          "text " + p + " text",
          "- " + p,
          "> " + p,
          "# " + p,
          "1. " + p + "\n2. **" + p + "**",
          "[" + p + "](https://ok.test)",
          "[ok](" + p + ")",
          "`" + p + "`",
          "```\n" + p + "\n```",
          "**" + p + "**",
          "<" + p + ">",
          p + "\n\n" + p};
}

void ExpectSafe(std::string_view html, std::string_view input) {
  ASSERT_EQ(Dangerous(html), "") << "input: " << input << "\nhtml: " << html;
  ASSERT_EQ(CheckHtml(html), "") << "input: " << input << "\nhtml: " << html;
}

TEST(SafeMarkdownXss, TheCorpusIsDangerousUnescaped) {
  // Sanity: the test would catch a renderer that passed the input through.
  size_t caught = 0;
  for (const std::string& payload : XssCorpus()) caught += !Dangerous(payload).empty();
  EXPECT_GT(caught, XssCorpus().size() * 2 / 3);
}

TEST(SafeMarkdownXss, NothingExecutableComesOut) {
  for (const std::string& payload : XssCorpus()) {
    for (const std::string& input : InContexts(payload)) {
      ExpectSafe(Render(input), input);
      ExpectSafe(Render(input, {.autolink_bare_urls = false, .hard_breaks = true}), input);
    }
  }
}

// Unterminated tags across chunk boundaries: every prefix (the live preview) and every split.
TEST(SafeMarkdownXss, SafeAtEveryStepOfEverySplit) {
  for (const std::string& payload : XssCorpus()) {
    for (const std::string& input : InContexts(payload)) {
      SafeMarkdown md;
      TextChunks out;
      for (size_t i = 0; i < input.size(); ++i) {
        md.Push(std::string_view(input).substr(i, 1), 0, &out);
        ExpectSafe(md.Html(), input.substr(0, i + 1));
      }
      md.Flush(0, &out);
      ExpectSafe(md.Html(), input);
      ExpectSafe(out.text(), input);
    }
  }
  std::string all;
  for (const std::string& payload : XssCorpus()) all += payload + "\n";
  const std::string whole = Render(all);
  ExpectSafe(whole, "the whole corpus");
  for (const Split& split : StandardSplits(all.size())) {
    SafeMarkdown md;
    FeedSplit(md, all, split);
    ASSERT_EQ(md.Html(), whole) << split.name;
  }
}

TEST(SafeMarkdownXss, LinksKeepOnlyTheirText) {
  EXPECT_EQ(Render("[click](javascript:alert(1))"), "<p>click</p>\n");
  EXPECT_EQ(Render("[click](&#106;avascript:alert(1))"), "<p>click</p>\n");
  EXPECT_EQ(Render("<javascript:alert(1)>"), "<p>&lt;javascript&#58;alert(1)&gt;</p>\n");
  EXPECT_EQ(Render("[x](https://ok.test/\"onmouseover=\"alert(1))"),
            "<p><a href=\"https://ok.test/&quot;onmouseover&#61;&quot;alert(1)\"" + kRel +
                ">x</a></p>\n");
}

}  // namespace
}  // namespace llmstream::testing
