// ValidateJson: hand-written schemas and answers, good and bad; a bad one names its JSON path.
#include "llmstream/json_schema.h"

#include <gtest/gtest.h>

#include <string>

namespace llmstream {
namespace {

constexpr const char* kOrder = R"({
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "customer": {"type": ["string", "null"]},
    "status": {"enum": ["open", "paid", 3]},
    "items": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "price": {"type": "number"},
                       "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["name", "price"],
        "additionalProperties": false
      }
    },
    "note": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/flag"}]},
    "meta": {"type": "object", "additionalProperties": {"type": "boolean"}}
  },
  "required": ["id", "items"],
  "$defs": {"flag": {"type": "boolean"}}
})";

// "" when it fits, else the message (the code checked to be kSchemaMismatch).
std::string Check(const char* schema, const std::string& text) {
  Error error;
  if (ValidateJson(schema, text, &error)) return "";
  EXPECT_EQ(error.code, ErrorCode::kSchemaMismatch) << error.message;
  return error.message;
}

TEST(JsonSchemaTest, GoodAnswersFit) {
  EXPECT_EQ(Check(kOrder, R"({"id": 7, "items": []})"), "");
  EXPECT_EQ(Check(kOrder, R"( {"id": 7.0, "customer": null, "status": 3, "items": [
      {"name": "tea", "price": 3.5, "tags": ["hot"]}, {"name": "cake", "price": 4}],
      "note": true, "meta": {"gift": false}, "extra": {"any": [1]}} )"),
            "");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [], "status": "paid", "note": "x\u00e9"})"), "");
  EXPECT_EQ(Check("true", "[1, 2]"), "");
  EXPECT_EQ(Check("{}", R"("anything")"), "");
  EXPECT_EQ(Check(R"({"type": "object"})", R"({"a": 1})"), "");
  EXPECT_EQ(Check(R"({"const": {"a": [1, 2]}})", R"({"a": [1, 2.0]})"), "");
  // A recursive schema through "#".
  EXPECT_EQ(Check(R"({"type": "object", "properties": {"child": {"$ref": "#"}}})",
                  R"({"child": {"child": {"child": {}}}})"),
            "");
}

TEST(JsonSchemaTest, BadAnswersNameTheirPath) {
  EXPECT_EQ(Check(kOrder, R"({"id": 7, "items": [{"name": "a", "price": 1},
      {"name": "b", "price": 2}, {"name": "c", "price": "3"}]})"),
            "$.items[2].price: expected number, got string");
  EXPECT_EQ(Check(kOrder, R"({"items": []})"), "$.id: missing (required)");
  EXPECT_EQ(Check(kOrder, R"({"id": 1.5, "items": []})"), "$.id: expected integer, got number");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [{"name": "a"}]})"),
            "$.items[0].price: missing (required)");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [{"name": "a", "price": 1, "qty": 2}]})"),
            "$.items[0].qty: not allowed (additionalProperties is false)");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [], "customer": 5})"),
            "$.customer: expected string or null, got number");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [], "status": "lost"})"),
            R"($.status: "lost" is not one of ["open","paid",3])");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [], "note": 4})"),
            "$.note: matches none of anyOf (the first: $.note: expected string, got number)");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [], "meta": {"odd key": 1}})"),
            R"($.meta["odd key"]: expected boolean, got number)");
  EXPECT_EQ(Check(kOrder, R"([1])"), "$: expected object, got array");
  EXPECT_EQ(Check(kOrder, R"({"id": 1, "items": [{"name": "a", "price": 1, "tags": [true]}]})"),
            "$.items[0].tags[0]: expected string, got boolean");
  EXPECT_EQ(Check("false", "1"), "$: not allowed (the schema is false)");
}

TEST(JsonSchemaTest, TextThatIsNotJsonIsAMismatchAtDollar) {
  const std::string prose = Check(kOrder, "Sure! Here is the JSON");
  EXPECT_EQ(prose.substr(0, 19), "$: not valid JSON (") << prose;
  EXPECT_NE(prose.find(" at byte 0)"), std::string::npos) << prose;
  // Cut short (max_tokens): the reader's error, wherever it is.
  EXPECT_EQ(Check(kOrder, R"({"id": 7, "items": [)").substr(0, 19), "$: not valid JSON (");
  EXPECT_EQ(Check(R"({"type": "object"})", R"({"a": 1} trailing)").substr(0, 19),
            "$: not valid JSON (");
  EXPECT_EQ(Check(R"({"type": "object"})", "").substr(0, 19), "$: not valid JSON (");
}

TEST(JsonSchemaTest, ABadSchemaIsTheCallersError) {
  Error error;
  EXPECT_FALSE(ValidateJson("[1]", "{}", &error));
  EXPECT_EQ(error.code, ErrorCode::kInvalidRequest);
  EXPECT_FALSE(ValidateJson("{", "{}", nullptr));
}

TEST(JsonSchemaTest, UncheckedKeywordsAndCyclicRefsAreAccepted) {
  // minimum, pattern, format...: documented as not checked.
  EXPECT_EQ(Check(R"({"type": "integer", "minimum": 10})", "3"), "");
  EXPECT_EQ(Check(R"({"type": "string", "pattern": "^a$"})", R"("b")"), "");
  // A $ref that never reads the value ends after kMaxRefHops instead of looping.
  EXPECT_EQ(Check(R"({"$ref": "#"})", "1"), "");
  EXPECT_EQ(Check(R"({"$ref": "https://example.com/schema"})", "1"), "");
}

TEST(JsonSchemaTest, DeepAndLongValuesStayLinear) {
  // 200,000 array elements against an items schema: one pass.
  std::string big = "[";
  for (int i = 0; i < 200000; ++i) big += i ? ",1" : "1";
  big += "]";
  EXPECT_EQ(Check(R"({"type": "array", "items": {"type": "integer"}})", big), "");
  // Nesting beyond the reader's limit is a syntax error, not a crash.
  const std::string deep = std::string(600, '[') + std::string(600, ']');
  EXPECT_EQ(Check(R"({"type": "array", "items": {"$ref": "#"}})", deep).substr(0, 19),
            "$: not valid JSON (");
}

}  // namespace
}  // namespace llmstream
