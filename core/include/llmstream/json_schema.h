// ValidateJson: checks a JSON text against a JSON Schema, for JSON outputs (the answer of a
// request with CompletionRequest::response_format; tool arguments, by whoever wants to).
//
//   Error error;
//   if (!ValidateJson(schema, completion.text(), &error)) {
//     // error.code == kSchemaMismatch, error.message == "$.items[2].price: expected number, got
//     string"
//   }
//
// One pass over the text with the core's JSON reader (no DOM of the value, so a hostile answer
// costs time linear in its size); the schema, which the caller wrote, is parsed once per call.
// Checked, the keywords structured outputs use:
//   type (a name or a list of names: object, array, string, number, integer, boolean, null;
//   integer accepts 1.0), enum, const, properties, required, additionalProperties (false or a
//   schema), items (one schema for every element), anyOf and oneOf (both as "at least one
//   matches"), allOf, and $ref to "#", "#/$defs/NAME" and "#/definitions/NAME". A boolean schema
//   is itself (true: anything, false: nothing).
// Not checked (accepted as they are): every other keyword, such as minimum / maximum,
// minLength / maxLength / pattern / format, minItems / maxItems / uniqueItems, prefixItems,
// patternProperties, propertyNames, dependentRequired, if / then / else, not, multipleOf, and
// remote or JSON-pointer $refs other than the three forms above. oneOf does not check that only
// one alternative matches. enum and const values that are objects compare with key order.
// Each applicator (anyOf, oneOf, allOf alternative) reads its part of the text once more, so the
// time is linear in the text times a factor the schema sets.
#pragma once

#include <string_view>

#include "llmstream/error.h"

namespace llmstream {

// True when `json_text` is one valid JSON value (whitespace around it allowed) that matches the
// schema. Otherwise false and `error` (may be null) says why: kSchemaMismatch with a message
// that starts with the JSON path of the first mismatch ("$", "$.name", "$.items[2]",
// `$["odd key"]`), or kInvalidRequest when `schema_json` is not a JSON object or boolean.
[[nodiscard]] bool ValidateJson(std::string_view schema_json, std::string_view json_text,
                                Error* error);

}  // namespace llmstream
