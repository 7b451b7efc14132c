#include "cli/metrics_report.h"

#include <cstdarg>
#include <cstdio>

namespace llmstream::cli {
namespace {

void Line(std::string* out, const char* label, const char* format, ...) {
  char value[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(value, sizeof(value), format, args);
  va_end(args);
  char line[600];
  std::snprintf(line, sizeof(line), "  %-21s %s\n", label, value);
  out->append(line);
}

std::string Ms(const std::optional<double>& ms) {
  if (!ms) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f ms", *ms);
  return buffer;
}

std::string Tokens(const std::optional<int64_t>& n) {
  return n ? std::to_string(*n) : std::string("?");
}

}  // namespace

std::string FormatMetricsReport(const MetricsSummary& s, const std::string& title) {
  std::string out = "--- metrics: " + title + "\n";
  Line(&out, "time to headers", "%s", Ms(s.time_to_headers_ms).c_str());
  Line(&out, "time to first token", "%s", Ms(s.time_to_first_token_ms).c_str());
  if (s.time_to_first_reasoning_ms) {
    Line(&out, "first reasoning/text", "%s / %s", Ms(s.time_to_first_reasoning_ms).c_str(),
         Ms(s.time_to_first_text_ms).c_str());
  }
  Line(&out, "total", "%.1f ms%s", s.total_ms, s.ended ? "" : " (still running)");
  Line(&out, "output", "%llu chunks (%llu text, %llu reasoning, %llu tool), %llu bytes",
       static_cast<unsigned long long>(s.output_chunks),
       static_cast<unsigned long long>(s.text_chunks),
       static_cast<unsigned long long>(s.reasoning_chunks),
       static_cast<unsigned long long>(s.tool_call_chunks),
       static_cast<unsigned long long>(s.bytes));
  Line(&out, "throughput", "%.1f tokens/s (%s), %.1f chunks/s", s.tokens_per_second,
       s.tokens_from_usage ? "usage tokens" : "chunks as tokens", s.chunks_per_second);
  const LatencyStats& itl = s.inter_token;
  Line(&out, "inter-token latency",
       "mean %.1f ms, stddev %.1f ms (cv %.0f%%), p50 %.1f, p95 %.1f, p99 %.1f, max %.1f ms%s",
       itl.mean, itl.stddev, itl.coefficient_of_variation, itl.p50, itl.p95, itl.p99, itl.max,
       itl.exact ? "" : " (percentiles within 1%)");
  Line(&out, "stalls", "%llu over %.0f ms%s", static_cast<unsigned long long>(s.stalls),
       s.stall_threshold_ms, s.stalls ? (", longest " + Ms(s.longest_stall_ms)).c_str() : "");
  if (s.usage) {
    const Usage& u = *s.usage;
    std::string extra;
    if (u.cached_input_tokens) extra += ", cached " + std::to_string(*u.cached_input_tokens);
    if (u.reasoning_tokens) extra += ", reasoning " + std::to_string(*u.reasoning_tokens);
    Line(&out, "usage", "input %s, output %s, total %lld tokens%s%s",
         Tokens(u.input_tokens).c_str(), Tokens(u.output_tokens).c_str(),
         static_cast<long long>(u.Total()), extra.c_str(),
         u.estimated ? " (estimated)" : " (reported)");
  } else {
    Line(&out, "usage", "not reported");
  }
  if (s.cost && s.cost->known()) {
    const Cost& c = *s.cost;
    std::string source(CostSourceName(c.source));
    if (!c.price_date.empty()) source += ", prices of " + c.price_date;
    Line(&out, "cost", "$%.6f (%s%s)", c.total_usd, source.c_str(),
         c.source == CostSource::kEstimated ? ", estimated" : "");
  } else {
    Line(&out, "cost", "unknown (no price for this model)");
  }
  Line(&out, "attempts", "%d (%d retr%s)%s", s.attempts, s.retries, s.retries == 1 ? "y" : "ies",
       s.status ? (", HTTP " + std::to_string(s.status)).c_str() : "");
  if (s.error_code != ErrorCode::kNone) {
    Line(&out, "ended with", "%s", std::string(ErrorCodeName(s.error_code)).c_str());
  }
  return out;
}

}  // namespace llmstream::cli
