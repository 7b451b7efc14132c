#include "cli/recording.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

namespace llmstream::cli {
namespace {

using nlohmann::json;

// Three decimals: microseconds, more than any clock here resolves.
double RoundMs(double ms) { return std::round(ms * 1000) / 1000; }

std::string FormatMs(double ms) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.3f", ms);
  return buffer;
}

json HeadersJson(const std::vector<std::pair<std::string, std::string>>& headers,
                 bool drop_sensitive) {
  json out = json::array();
  for (const auto& [name, value] : headers) {
    if (drop_sensitive && IsSensitiveHeader(name)) continue;
    out.push_back(json::array({name, value}));
  }
  return out;
}

json HeaderJson(const RecordingHeader& h) {
  json request = {{"prompt", h.request.prompt}, {"system", h.request.system}};
  if (h.request.max_tokens) request["maxTokens"] = *h.request.max_tokens;
  if (h.request.temperature) request["temperature"] = *h.request.temperature;
  return {
      {"provider", ProviderName(h.provider)},
      {"api", WireApiName(h.api)},
      {"baseUrl", h.base_url},
      {"model", h.request.model},
      {"request", request},
      {"retry",
       {{"maxRetries", h.retry.max_retries},
        {"baseDelayMs", h.retry.base_delay_ms},
        {"maxDelayMs", h.retry.max_delay_ms},
        {"jitter", h.retry.jitter}}},
      {"timeouts",
       {{"firstByteMs", h.timeouts.first_byte_ms},
        {"idleMs", h.timeouts.idle_ms},
        {"totalMs", h.timeouts.total_ms}}},
      {"continuation", h.continuation},
      {"estimateUsage", h.estimate_usage},
  };
}

std::optional<WireApi> ApiFromName(std::string_view name) {
  for (WireApi api :
       {WireApi::kChatCompletions, WireApi::kResponses, WireApi::kAnthropicMessages}) {
    if (WireApiName(api) == name) return api;
  }
  return std::nullopt;
}

std::optional<ErrorCode> CodeFromName(std::string_view name) {
  // Codes are sparse and few: probe the numbering range rather than keep a second table.
  for (int n = 0; n < 100; ++n) {
    const auto code = static_cast<ErrorCode>(n);
    if (ErrorCodeName(code) == name) return code;
  }
  return std::nullopt;
}

// Reads the header line; throws json exceptions on a wrong shape (ParseRecording catches them).
RecordingHeader HeaderFromJson(const json& j) {
  RecordingHeader h;
  std::optional<Provider> provider = ParseProvider(j.at("provider").get<std::string>());
  std::optional<WireApi> api = ApiFromName(j.at("api").get<std::string>());
  if (!provider || !api) throw std::runtime_error("unknown provider or api");
  h.provider = *provider;
  h.api = *api;
  h.base_url = j.value("baseUrl", "");
  h.request.model = j.at("model").get<std::string>();
  const json& request = j.at("request");
  h.request.prompt = request.value("prompt", "");
  h.request.system = request.value("system", "");
  if (request.contains("maxTokens")) h.request.max_tokens = request["maxTokens"].get<int>();
  if (request.contains("temperature")) {
    h.request.temperature = request["temperature"].get<double>();
  }
  const json& retry = j.at("retry");
  h.retry.max_retries = retry.at("maxRetries").get<int>();
  h.retry.base_delay_ms = retry.at("baseDelayMs").get<int64_t>();
  h.retry.max_delay_ms = retry.at("maxDelayMs").get<int64_t>();
  h.retry.jitter = retry.at("jitter").get<double>();
  const json& timeouts = j.at("timeouts");
  h.timeouts.first_byte_ms = timeouts.at("firstByteMs").get<int64_t>();
  h.timeouts.idle_ms = timeouts.at("idleMs").get<int64_t>();
  h.timeouts.total_ms = timeouts.at("totalMs").get<int64_t>();
  h.continuation = j.value("continuation", false);
  h.estimate_usage = j.value("estimateUsage", true);
  return h;
}

// Splits off the next "\n"-terminated line of `rest` (without the newline).
std::optional<std::string_view> NextLine(std::string_view* rest) {
  if (rest->empty()) return std::nullopt;
  size_t end = rest->find('\n');
  std::string_view line = rest->substr(0, end);
  rest->remove_prefix(end == std::string_view::npos ? rest->size() : end + 1);
  return line;
}

}  // namespace

RecordingWriter::RecordingWriter(std::FILE* file, std::string path, const SecretScrubber& scrubber)
    : file_(file), path_(std::move(path)), scrubber_(scrubber) {}

RecordingWriter::~RecordingWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

std::unique_ptr<RecordingWriter> RecordingWriter::Open(const std::string& path,
                                                       const RecordingHeader& header,
                                                       const SecretScrubber& scrubber,
                                                       std::string* error) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<RecordingWriter> writer(new RecordingWriter(file, path, scrubber));
  writer->Write(std::string(kRecordingMagic) + "\n");
  writer->Write(scrubber.Scrubbed(HeaderJson(header).dump()) + "\n");
  return writer;
}

void RecordingWriter::Write(std::string_view bytes) {
  if (file_ == nullptr || failed_) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
}

void RecordingWriter::Record(std::string_view tag, const std::string& line_json) {
  Write(std::string(tag) + " " + scrubber_.Scrubbed(line_json) + "\n");
}

void RecordingWriter::Attempt(int attempt, const HttpRequest& redacted, double ms) {
  if (attempt_open_) End(ms, nullptr);  // defensive: every section gets an end
  // Redacted() masks secret header values; dropping nothing keeps the header names visible.
  json record = {{"attempt", attempt},
                 {"ms", RoundMs(ms)},
                 {"method", redacted.method},
                 {"url", redacted.url},
                 {"headers", HeadersJson(redacted.headers, false)},
                 {"body", redacted.body}};
  Record("#attempt", record.dump());
  attempt_open_ = true;
}

void RecordingWriter::Response(int status, const HeaderList& headers, double ms) {
  json record = {{"ms", RoundMs(ms)}, {"status", status}, {"headers", HeadersJson(headers, true)}};
  Record("#response", record.dump());
}

void RecordingWriter::Body(std::string_view bytes, double ms) {
  Write("@" + FormatMs(ms) + " " + std::to_string(bytes.size()) + "\n");
  Write(scrubber_.Scrubbed(bytes));
  Write("\n");
  if (file_ != nullptr && !failed_ && std::fflush(file_) != 0) failed_ = true;
}

void RecordingWriter::End(double ms, const Error* error) {
  if (!attempt_open_) return;
  attempt_open_ = false;
  json record = {{"ms", RoundMs(ms)}};
  if (error != nullptr && error->code != ErrorCode::kNone) {
    record["error"] = {{"code", ErrorCodeName(error->code)},
                       {"message", error->message},
                       {"httpStatus", error->http_status}};
  }
  Record("#end", record.dump());
  if (file_ != nullptr && !failed_ && std::fflush(file_) != 0) failed_ = true;
}

bool RecordingWriter::Close(std::string* error) {
  if (file_ != nullptr) {
    if (std::fclose(file_) != 0) failed_ = true;
    file_ = nullptr;
  }
  if (failed_) *error = "writing " + path_ + " failed";
  return !failed_;
}

bool IsRecording(std::string_view data) {
  return data.substr(0, kRecordingMagic.size()) == kRecordingMagic;
}

std::optional<Recording> ParseRecording(std::string_view data, std::string* error) {
  std::string_view rest = data;
  int line_number = 1;
  auto fail = [&](const std::string& why) {
    *error = "line " + std::to_string(line_number) + ": " + why;
    return std::nullopt;
  };
  std::optional<std::string_view> magic = NextLine(&rest);
  if (!magic || *magic != kRecordingMagic) {
    return fail("not an llmstream recording (expected '" + std::string(kRecordingMagic) + "')");
  }
  Recording recording;
  try {
    ++line_number;
    std::optional<std::string_view> header = NextLine(&rest);
    if (!header) return fail("missing header line");
    recording.header = HeaderFromJson(json::parse(*header));
    while (std::optional<std::string_view> line = NextLine(&rest)) {
      ++line_number;
      if (line->empty()) continue;
      if ((*line)[0] == '@') {
        // "@<ms> <count>" then exactly count bytes and a newline.
        const size_t space = line->find(' ');
        if (space == std::string_view::npos) return fail("bad frame line");
        RecordedFrame frame;
        size_t count = 0;
        const std::string ms_text(line->substr(1, space - 1));
        const std::string_view count_text = line->substr(space + 1);
        char* ms_end = nullptr;
        frame.ms = std::strtod(ms_text.c_str(), &ms_end);
        auto [ptr, ec] =
            std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (ms_end == ms_text.c_str() || ec != std::errc() ||
            ptr != count_text.data() + count_text.size()) {
          return fail("bad frame line");
        }
        if (rest.size() < count + 1 || rest[count] != '\n') return fail("frame shorter than said");
        if (recording.attempts.empty()) return fail("frame before any #attempt");
        frame.bytes.assign(rest.substr(0, count));
        for (char c : frame.bytes) line_number += c == '\n';
        ++line_number;
        rest.remove_prefix(count + 1);
        recording.attempts.back().frames.push_back(std::move(frame));
        continue;
      }
      const size_t space = line->find(' ');
      const std::string_view tag = line->substr(0, space);
      if (space == std::string_view::npos) return fail("unknown record");
      const json record = json::parse(line->substr(space + 1));
      if (tag == "#attempt") {
        RecordedAttempt attempt;
        attempt.attempt = record.at("attempt").get<int>();
        attempt.start_ms = record.at("ms").get<double>();
        recording.attempts.push_back(std::move(attempt));
        continue;
      }
      if (recording.attempts.empty()) return fail(std::string(tag) + " before any #attempt");
      RecordedAttempt& attempt = recording.attempts.back();
      if (tag == "#response") {
        attempt.response_ms = record.at("ms").get<double>();
        attempt.status = record.at("status").get<int>();
        for (const json& pair : record.at("headers")) {
          attempt.headers.emplace_back(pair.at(0).get<std::string>(),
                                       pair.at(1).get<std::string>());
        }
      } else if (tag == "#end") {
        attempt.end_ms = record.at("ms").get<double>();
        if (record.contains("error")) {
          const json& e = record["error"];
          std::optional<ErrorCode> code = CodeFromName(e.at("code").get<std::string>());
          if (!code) return fail("unknown error code");
          attempt.end_error.code = *code;
          attempt.end_error.message = e.value("message", "");
          attempt.end_error.http_status = e.value("httpStatus", 0);
        }
      } else {
        return fail("unknown record " + std::string(tag));
      }
    }
  } catch (const std::exception& e) {
    return fail(std::string("malformed: ") + e.what());
  }
  return recording;
}

}  // namespace llmstream::cli
