// GeminiArgsBuilder: turns the streamed arguments of a Gemini function call (Vertex AI
// `functionCallingConfig.streamFunctionCallArguments`: `functionCall.partialArgs[]`, each a JSON
// path and one scalar value) into JSON text, piece by piece, so the call's arguments stream as
// ordinary tool-call deltas whose concatenation is the arguments object.
//
//   {"jsonPath":"$.recipe.items[0].name","stringValue":"Lasa","willContinue":true}
//   {"jsonPath":"$.recipe.items[0].name","stringValue":"gna"}
//   {"jsonPath":"$.recipe.items[0].qty","numberValue":2}
// writes  {"recipe":{"items":[{"name":"Lasa  then  gna"  then  ,"qty":2  and Close() adds  }]}}
//
// Only the open containers (the current path) are kept, never the text: a call's arguments are
// held once, by whoever assembles the deltas (design.md, "One copy of tool arguments"). Values are
// expected in document order, as Gemini sends them: a path that leaves a container and comes back
// to it later reopens it as a second member with the same key (still valid JSON syntax), and array
// indexes are taken as "next element", not as positions. Every Add costs time linear in its path
// and value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmstream {

class GeminiArgsBuilder {
 public:
  // The value of one partialArgs element, as its JSON text: `raw` is the escaped body of a
  // stringValue (without quotes), or the literal of a number, boolean or null.
  enum class ValueKind : uint8_t { kString, kLiteral };

  // Appends to *out the text that puts the value at `json_path` ("$.a.b[0]", "$['a b']"). A
  // stringValue with `will_continue` stays open: the next value for the same path continues that
  // string. False (nothing written) when the path cannot be read or names no member of the
  // arguments object ("$", "$[0]").
  bool Add(std::string_view json_path, ValueKind kind, std::string_view raw, bool will_continue,
           std::string* out);

  // Appends what ends the arguments (a string left open, every open container). Nothing when no
  // value was ever added: the call then has no arguments ("{}").
  void Close(std::string* out);

  bool empty() const { return frames_.empty(); }
  void Reset();

 private:
  struct Segment {
    std::string key;  // a member name, when !is_index
    uint64_t index = 0;
    bool is_index = false;
    bool operator==(const Segment&) const = default;
  };
  // One open container: the root object, or the member / element it was entered by.
  struct Frame {
    Segment segment;  // unused for the root
    bool is_array = false;
    uint32_t children = 0;
  };

  // Reads "$" then ".name", "[N]", "['name']" / "[\"name\"]" segments into path_.
  bool ParsePath(std::string_view json_path);
  // Starts a member of the innermost container: the comma before it and its key.
  void OpenMember(const Segment& segment, std::string* out);

  std::vector<Frame> frames_;  // frames_[0] is the root object once something was written
  std::vector<Segment> path_;  // the path of the value being added (scratch)
  std::vector<Segment> open_string_path_;
  bool string_open_ = false;
};

}  // namespace llmstream
