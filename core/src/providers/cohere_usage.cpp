#include "providers/cohere_usage.h"

#include <cmath>
#include <cstdint>
#include <optional>

#include "json/reader.h"
#include "providers/field_reading.h"

namespace llmstream::cohere {
namespace {

using json::Reader;

// A count; the API types them as numbers, so 12.0 is read as 12. Null or another type leaves
// `out` as it was.
bool ReadCount(Reader& reader, std::optional<int64_t>* out) {
  int64_t value = 0;
  double number = 0;
  if (reader.GetInt(&value)) {
    *out = value;
  } else if (reader.GetDouble(&number)) {
    if (number >= 0 && number < 9e15) *out = static_cast<int64_t>(std::llround(number));
  } else {
    return reader.Skip();
  }
  return true;
}

struct Counts {
  std::optional<int64_t> input, output;
};

// {input_tokens, output_tokens, ...}: the two counts; the other fields passed on under `prefix`
// (none when `prefix` is empty).
bool ReadCounts(Reader& reader, std::string_view prefix, MetadataTracker& tracker, Emitter& out,
                std::string* scratch, Counts* counts) {
  if (!reader.BeginObject()) return reader.Skip();
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = key == "input_tokens"    ? ReadCount(reader, &counts->input)
              : key == "output_tokens" ? ReadCount(reader, &counts->output)
              : prefix.empty()
                  ? reader.Skip()
                  : providers::PassThroughField(reader, key, prefix, 0, tracker, out, scratch);
    if (!ok) return false;
  }
  return !reader.failed();
}

}  // namespace

bool ReadUsage(std::string_view raw, MetadataTracker& tracker, Emitter& out, std::string* scratch,
               Usage* usage) {
  Reader reader(raw, out.arena());
  if (!reader.BeginObject()) return false;
  Counts tokens, billed;
  std::optional<int64_t> cached;
  std::string_view key;
  while (reader.NextField(&key)) {
    bool ok = true;
    if (key == "tokens") {
      ok = ReadCounts(reader, "usage.tokens.", tracker, out, scratch, &tokens);
    } else if (key == "billed_units") {
      // Passed on whole (what is charged), and read for the counts when `tokens` is absent.
      Reader copy = reader;  // a small value: reads the same object a second time
      ok = providers::PassThroughField(copy, key, "usage.", 0, tracker, out, scratch) &&
           ReadCounts(reader, {}, tracker, out, scratch, &billed);
    } else if (key == "cached_tokens") {
      ok = ReadCount(reader, &cached);
    } else {
      ok = providers::PassThroughField(reader, key, "usage.", 0, tracker, out, scratch);
    }
    if (!ok) break;  // the payload was validated before: cannot happen
  }
  usage->input_tokens = tokens.input ? tokens.input : billed.input;
  usage->output_tokens = tokens.output ? tokens.output : billed.output;
  usage->cached_input_tokens = cached;
  return true;
}

}  // namespace llmstream::cohere
