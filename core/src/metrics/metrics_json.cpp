// ToJson(MetricsSummary): the seed guide's benchmark keys first, then ours; usage and cost in
// the shapes of llmstream/to_json.h.
#include <cstdint>
#include <string>

#include "json/writer.h"
#include "llmstream/metrics.h"
#include "llmstream/to_json.h"

namespace llmstream {
namespace {

using json::ObjectWriter;

void AppendConsistency(const LatencyStats& itl, std::string* out) {
  ObjectWriter o(out);
  o.Number("mean", itl.mean);
  o.Number("standardDeviation", itl.stddev);
  o.Number("coefficientOfVariation", itl.coefficient_of_variation);
}

void AppendLatency(const LatencyStats& itl, std::string* out) {
  ObjectWriter o(out);
  o.Int("count", static_cast<int64_t>(itl.count));
  o.Number("mean", itl.mean);
  o.Number("standardDeviation", itl.stddev);
  o.Number("coefficientOfVariation", itl.coefficient_of_variation);
  o.Number("min", itl.min);
  o.Number("p50", itl.p50);
  o.Number("p95", itl.p95);
  o.Number("p99", itl.p99);
  o.Number("max", itl.max);
  o.Bool("exact", itl.exact);
}

}  // namespace

std::string_view CostSourceName(CostSource source) {
  switch (source) {
    case CostSource::kProvider:
      return "provider";
    case CostSource::kPriceTable:
      return "price_table";
    case CostSource::kEstimated:
      return "estimated";
    case CostSource::kNone:
      break;
  }
  return "none";
}

std::string ToJson(const MetricsSummary& s) {
  std::string out;
  out.reserve(1024);
  {
    ObjectWriter o(&out);
    // The seed guide's benchmark result.
    o.OptionalNumber("firstTokenLatency", s.time_to_first_token_ms);
    o.Number("averageInterTokenLatency", s.inter_token.mean);
    o.Int("totalTokens", static_cast<int64_t>(s.output_tokens));
    o.Number("tokensPerSecond", s.tokens_per_second);
    AppendConsistency(s.inter_token, o.Key("consistency"));
    // Ours.
    o.OptionalNumber("timeToHeaders", s.time_to_headers_ms);
    o.OptionalNumber("timeToFirstByte", s.time_to_first_byte_ms);
    o.OptionalNumber("timeToFirstToken", s.time_to_first_token_ms);
    o.OptionalNumber("timeToFirstText", s.time_to_first_text_ms);
    o.OptionalNumber("timeToFirstReasoning", s.time_to_first_reasoning_ms);
    o.Number("totalTime", s.total_ms);
    o.Bool("ended", s.ended);
    o.Number("idle", s.idle_ms);
    o.Int("outputChunks", static_cast<int64_t>(s.output_chunks));
    o.Int("textChunks", static_cast<int64_t>(s.text_chunks));
    o.Int("reasoningChunks", static_cast<int64_t>(s.reasoning_chunks));
    o.Int("refusalChunks", static_cast<int64_t>(s.refusal_chunks));
    o.Int("toolCallChunks", static_cast<int64_t>(s.tool_call_chunks));
    o.Int("events", static_cast<int64_t>(s.events));
    o.Int("bytes", static_cast<int64_t>(s.bytes));
    o.Number("generationTime", s.generation_ms);
    o.Number("chunksPerSecond", s.chunks_per_second);
    o.Bool("tokensFromUsage", s.tokens_from_usage);
    AppendLatency(s.inter_token, o.Key("interTokenLatency"));
    {
      ObjectWriter stalls(o.Key("stalls"));
      stalls.Int("count", static_cast<int64_t>(s.stalls));
      stalls.Number("longest", s.longest_stall_ms);
      stalls.Number("threshold", s.stall_threshold_ms);
    }
    if (s.usage) {
      AppendJson(o.Key("usage"), *s.usage);
    } else {
      o.Null("usage");
    }
    if (s.cost) {
      AppendJson(o.Key("cost"), *s.cost);
    } else {
      o.Null("cost");
    }
    o.Int("status", static_cast<int64_t>(s.status));
    o.Int("attempts", static_cast<int64_t>(s.attempts));
    o.Int("retries", static_cast<int64_t>(s.retries));
    o.Int("errors", static_cast<int64_t>(s.errors));
    o.Int("warnings", static_cast<int64_t>(s.warnings));
    if (s.error_code != ErrorCode::kNone) {
      ObjectWriter error(o.Key("error"));
      error.String("code", ErrorCodeName(s.error_code));
      error.Int("httpStatus", static_cast<int64_t>(s.error_http_status));
    } else {
      o.Null("error");
    }
  }  // the writer closes the object here, before `out` is returned
  return out;
}

}  // namespace llmstream
