// JSON as ECMAScript's JSON.stringify writes it, so that the C++ relay encoder and the npm
// package's (which stringifies chunk objects) write the same bytes: numbers as Number.prototype.
// toString (0.0000027, 1e-7, 1e+21; never "1.0"), strings with the short escapes and \u00xx for
// the other control characters, objects with their array-index keys first in ascending order and
// a repeated key's last value at its first place (what JSON.parse builds).
#pragma once

#include <string>
#include <string_view>

namespace llmstream::relay {

// Appends `value` as JSON.stringify does: NaN and the infinities as null, -0 as 0.
void AppendJsNumber(std::string* out, double value);

// Appends JSON.stringify(JSON.parse(json)): the same value without whitespace, every string and
// number in the canonical form above. Returns false when `json` is not one JSON value (then
// nothing is appended).
bool AppendCanonicalJson(std::string* out, std::string_view json);

// `text` canonically when it is one JSON value, else as a JSON string (json::AppendValueOrString,
// canonical): what the npm package makes of a payload the core hands over as JSON.
void AppendCanonicalValueOrString(std::string* out, std::string_view text);

}  // namespace llmstream::relay
