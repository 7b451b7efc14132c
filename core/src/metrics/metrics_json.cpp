// ToJson(MetricsSummary): hand-written rather than through nlohmann::json because the wasm build
// calls it for live metrics several times a second and it only ever writes numbers and a few
// known strings.
#include <cmath>
#include <cstdio>
#include <string>

#include "json/escape.h"
#include "llmstream/metrics.h"

namespace llmstream {
namespace {

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  void End() { out_->push_back('}'); }

  // Starts a member and leaves the value to the caller.
  std::string* Key(std::string_view name) {
    if (!first_) out_->push_back(',');
    first_ = false;
    out_->push_back('"');
    out_->append(name);
    out_->append("\":");
    return out_;
  }
  void Number(std::string_view name, double value) { AppendNumber(value, Key(name)); }
  void Number(std::string_view name, const std::optional<double>& value) {
    if (value) {
      Number(name, *value);
    } else {
      Null(name);
    }
  }
  void Integer(std::string_view name, int64_t value) { Key(name)->append(std::to_string(value)); }
  void Unsigned(std::string_view name, uint64_t value) { Key(name)->append(std::to_string(value)); }
  void OptionalInteger(std::string_view name, const std::optional<int64_t>& value) {
    if (value) {
      Integer(name, *value);
    } else {
      Null(name);
    }
  }
  void Bool(std::string_view name, bool value) { Key(name)->append(value ? "true" : "false"); }
  void String(std::string_view name, std::string_view value) {
    std::string* out = Key(name);
    out->push_back('"');
    json::AppendEscaped(out, value);
    out->push_back('"');
  }
  void Null(std::string_view name) { Key(name)->append("null"); }

  // %.10g keeps sub-millisecond digits of durations and ten significant digits of costs, and
  // never prints more digits than a double really holds.
  static void AppendNumber(double value, std::string* out) {
    if (!std::isfinite(value)) {
      out->append("null");
      return;
    }
    if (value == 0) value = 0;  // no "-0"
    char buffer[32];
    const int n = std::snprintf(buffer, sizeof(buffer), "%.10g", value);
    out->append(buffer, static_cast<size_t>(n));
  }

 private:
  std::string* out_;
  bool first_ = true;
};

void AppendConsistency(const LatencyStats& itl, std::string* out) {
  ObjectWriter o(out);
  o.Number("mean", itl.mean);
  o.Number("standardDeviation", itl.stddev);
  o.Number("coefficientOfVariation", itl.coefficient_of_variation);
  o.End();
}

void AppendLatency(const LatencyStats& itl, std::string* out) {
  ObjectWriter o(out);
  o.Unsigned("count", itl.count);
  o.Number("mean", itl.mean);
  o.Number("standardDeviation", itl.stddev);
  o.Number("coefficientOfVariation", itl.coefficient_of_variation);
  o.Number("min", itl.min);
  o.Number("p50", itl.p50);
  o.Number("p95", itl.p95);
  o.Number("p99", itl.p99);
  o.Number("max", itl.max);
  o.Bool("exact", itl.exact);
  o.End();
}

void AppendUsage(const Usage& usage, std::string* out) {
  ObjectWriter o(out);
  o.OptionalInteger("inputTokens", usage.input_tokens);
  o.OptionalInteger("outputTokens", usage.output_tokens);
  o.Integer("totalTokens", usage.Total());
  o.OptionalInteger("cachedTokens", usage.cached_input_tokens);
  o.OptionalInteger("cacheWriteTokens", usage.cache_write_tokens);
  o.OptionalInteger("reasoningTokens", usage.reasoning_tokens);
  o.Number("reportedCostUsd", usage.reported_cost_usd);
  o.Bool("estimated", usage.estimated);
  o.End();
}

void AppendCost(const Cost& cost, std::string* out) {
  ObjectWriter o(out);
  o.Number("totalUsd", cost.total_usd);
  o.Number("inputUsd", cost.input_usd);
  o.Number("cachedInputUsd", cost.cached_input_usd);
  o.Number("cacheWriteUsd", cost.cache_write_usd);
  o.Number("outputUsd", cost.output_usd);
  o.String("source", CostSourceName(cost.source));
  o.Bool("estimated", cost.source == CostSource::kEstimated);
  if (cost.price_date.empty()) {
    o.Null("priceDate");
  } else {
    o.String("priceDate", cost.price_date);
  }
  o.End();
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
  ObjectWriter o(&out);
  // The seed guide's benchmark result.
  o.Number("firstTokenLatency", s.time_to_first_token_ms);
  o.Number("averageInterTokenLatency", s.inter_token.mean);
  o.Integer("totalTokens", s.output_tokens);
  o.Number("tokensPerSecond", s.tokens_per_second);
  AppendConsistency(s.inter_token, o.Key("consistency"));
  // Ours.
  o.Number("timeToHeaders", s.time_to_headers_ms);
  o.Number("timeToFirstByte", s.time_to_first_byte_ms);
  o.Number("timeToFirstToken", s.time_to_first_token_ms);
  o.Number("timeToFirstText", s.time_to_first_text_ms);
  o.Number("timeToFirstReasoning", s.time_to_first_reasoning_ms);
  o.Number("totalTime", s.total_ms);
  o.Bool("ended", s.ended);
  o.Number("idle", s.idle_ms);
  o.Unsigned("outputChunks", s.output_chunks);
  o.Unsigned("textChunks", s.text_chunks);
  o.Unsigned("reasoningChunks", s.reasoning_chunks);
  o.Unsigned("refusalChunks", s.refusal_chunks);
  o.Unsigned("toolCallChunks", s.tool_call_chunks);
  o.Unsigned("events", s.events);
  o.Unsigned("bytes", s.bytes);
  o.Number("generationTime", s.generation_ms);
  o.Number("chunksPerSecond", s.chunks_per_second);
  o.Bool("tokensFromUsage", s.tokens_from_usage);
  AppendLatency(s.inter_token, o.Key("interTokenLatency"));
  {
    ObjectWriter stalls(o.Key("stalls"));
    stalls.Unsigned("count", s.stalls);
    stalls.Number("longest", s.longest_stall_ms);
    stalls.Number("threshold", s.stall_threshold_ms);
    stalls.End();
  }
  if (s.usage) {
    AppendUsage(*s.usage, o.Key("usage"));
  } else {
    o.Null("usage");
  }
  if (s.cost) {
    AppendCost(*s.cost, o.Key("cost"));
  } else {
    o.Null("cost");
  }
  o.Integer("status", s.status);
  o.Integer("attempts", s.attempts);
  o.Integer("retries", s.retries);
  o.Unsigned("errors", s.errors);
  o.Unsigned("warnings", s.warnings);
  if (s.error_code != ErrorCode::kNone) {
    ObjectWriter error(o.Key("error"));
    error.String("code", ErrorCodeName(s.error_code));
    error.Integer("httpStatus", s.error_http_status);
    error.End();
  } else {
    o.Null("error");
  }
  o.End();
  return out;
}

}  // namespace llmstream
