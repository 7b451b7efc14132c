#include "cli/recording.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
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

// Numbers from a recording are untrusted: a time of nan made the replay spin (every comparison
// false), 1e12 made it sleep for decades, and a double outside int's range is undefined
// behaviour to convert. Every number is read through one of these, which throw (ParseRecording
// turns that into an error naming the line).
double TimeMs(const json& j, std::string_view what) {
  if (!j.is_number()) throw std::runtime_error(std::string(what) + " is not a number");
  const double ms = j.get<double>();
  if (!std::isfinite(ms) || ms < 0 || ms > kMaxRecordedMs) {
    throw std::runtime_error(std::string(what) + " is not a time from 0 to 86400000 ms");
  }
  return ms;
}

int64_t Integer(const json& j, int64_t min, int64_t max, std::string_view what) {
  const auto out_of_range = [&] {
    return std::runtime_error(std::string(what) + " is not an integer from " + std::to_string(min) +
                              " to " + std::to_string(max));
  };
  if (j.is_number_unsigned()) {
    const uint64_t value = j.get<uint64_t>();
    if (value > static_cast<uint64_t>(max)) throw out_of_range();
    return static_cast<int64_t>(value);
  }
  if (!j.is_number_integer()) throw out_of_range();
  const int64_t value = j.get<int64_t>();
  if (value < min || value > max) throw out_of_range();
  return value;
}

double Fraction(const json& j, double min, double max, std::string_view what) {
  if (!j.is_number()) throw std::runtime_error(std::string(what) + " is not a number");
  const double value = j.get<double>();
  if (!std::isfinite(value) || value < min || value > max) {
    throw std::runtime_error(std::string(what) + " is out of range");
  }
  return value;
}

constexpr int64_t kMaxMsInt = static_cast<int64_t>(kMaxRecordedMs);

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
  // Every API the core names (the writer writes WireApiName), not only the first three.
  std::optional<WireApi> api = ParseWireApi(j.at("api").get<std::string>());
  if (!provider || !api) throw std::runtime_error("unknown provider or api");
  h.provider = *provider;
  h.api = *api;
  h.base_url = j.value("baseUrl", "");
  h.request.model = j.at("model").get<std::string>();
  const json& request = j.at("request");
  h.request.prompt = request.value("prompt", "");
  h.request.system = request.value("system", "");
  if (request.contains("maxTokens")) {
    h.request.max_tokens = static_cast<int>(
        Integer(request["maxTokens"], 1, std::numeric_limits<int>::max(), "maxTokens"));
  }
  if (request.contains("temperature")) {
    h.request.temperature = Fraction(request["temperature"], 0, 2, "temperature");
  }
  // The same bounds as the command line's options: the replay's Session sleeps these delays.
  const json& retry = j.at("retry");
  h.retry.max_retries = static_cast<int>(Integer(retry.at("maxRetries"), 0, 100, "maxRetries"));
  h.retry.base_delay_ms = Integer(retry.at("baseDelayMs"), 0, kMaxMsInt, "baseDelayMs");
  h.retry.max_delay_ms = Integer(retry.at("maxDelayMs"), 0, kMaxMsInt, "maxDelayMs");
  h.retry.jitter = Fraction(retry.at("jitter"), 0, 1, "jitter");
  const json& timeouts = j.at("timeouts");
  h.timeouts.first_byte_ms = Integer(timeouts.at("firstByteMs"), 0, kMaxMsInt, "firstByteMs");
  h.timeouts.idle_ms = Integer(timeouts.at("idleMs"), 0, kMaxMsInt, "idleMs");
  h.timeouts.total_ms = Integer(timeouts.at("totalMs"), 0, kMaxMsInt, "totalMs");
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

RecordingWriter::RecordingWriter(std::FILE* file, std::string path, const SecretScrubber& scrubber,
                                 WireApi api)
    : file_(file), path_(std::move(path)), scrubber_(scrubber), api_(api) {}

RecordingWriter::~RecordingWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

std::unique_ptr<RecordingWriter> RecordingWriter::Open(const std::string& path,
                                                       const RecordingHeader& header,
                                                       const SecretScrubber& scrubber,
                                                       std::string* error) {
  // 0600: the recording holds the prompt and the answer. A new file is created so (O_EXCL: no
  // moment where it exists with the umask's mode); an existing regular file keeps its mode under
  // O_TRUNC, so it is narrowed (not a tty or a pipe given as the path).
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    struct stat info {};
    if (fd >= 0 && fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & 077) != 0 &&
        fchmod(fd, 0600) != 0) {
      *error = "cannot make " + path + " private (chmod 600): " + std::strerror(errno);
      close(fd);
      return nullptr;
    }
  }
  if (fd < 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    close(fd);
    return nullptr;
  }
  std::unique_ptr<RecordingWriter> writer(new RecordingWriter(file, path, scrubber, header.api));
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

void RecordingWriter::WriteFrames(bool all) {
  if (!body_) return;
  if (all) body_->Finish();
  while (body_->FrameReady()) {
    const std::string bytes = body_->TakeFrame();
    Write("@" + FormatMs(frame_ms_.front()) + " " + std::to_string(bytes.size()) + "\n");
    Write(bytes);
    Write("\n");
    frame_ms_.pop_front();
  }
  if (file_ != nullptr && !failed_ && std::fflush(file_) != 0) failed_ = true;
}

void RecordingWriter::Attempt(int attempt, const HttpRequest& redacted, double ms) {
  if (attempt_open_) End(ms, nullptr);  // defensive: every section gets an end
  body_ = std::make_unique<BodyScrubber>(scrubber_);
  frame_ms_.clear();
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
  // The body is scrubbed in the framing the replay's Session will pick from the same headers
  // (a Content-Type no framing fits: as SSE lines).
  if (frame_ms_.empty()) {
    const std::optional<Framing> framing = FramingFor(api_, FindHeader(headers, "content-type"));
    body_ = std::make_unique<BodyScrubber>(scrubber_, framing.value_or(Framing::kSse));
  }
}

void RecordingWriter::Body(std::string_view bytes, double ms) {
  if (!body_) body_ = std::make_unique<BodyScrubber>(scrubber_);  // defensive: no #attempt yet
  body_->Push(bytes);
  frame_ms_.push_back(ms);
  WriteFrames(false);
}

void RecordingWriter::End(double ms, const Error* error) {
  if (!attempt_open_) return;
  attempt_open_ = false;
  WriteFrames(true);
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
  WriteFrames(true);  // a run cut short: its last frames, without an "#end"
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
        const std::string_view ms_text = line->substr(1, space - 1);
        const std::string_view count_text = line->substr(space + 1);
        const auto [ms_end, ms_ec] =
            std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), frame.ms);
        const auto [count_end, count_ec] =
            std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (ms_ec != std::errc() || ms_end != ms_text.data() + ms_text.size() ||
            count_ec != std::errc() || count_end != count_text.data() + count_text.size()) {
          return fail("bad frame line");
        }
        if (!std::isfinite(frame.ms) || frame.ms < 0 || frame.ms > kMaxRecordedMs) {
          return fail("frame time is not a time from 0 to 86400000 ms");
        }
        // count < rest.size() first: count + 1 overflows for a count of 2^64 - 1.
        if (count >= rest.size() || rest[count] != '\n') {
          return fail("frame of " + std::string(count_text) +
                      " bytes runs past the end of the file");
        }
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
        attempt.attempt = static_cast<int>(Integer(record.at("attempt"), 0, 1000, "attempt"));
        attempt.start_ms = TimeMs(record.at("ms"), "ms");
        recording.attempts.push_back(std::move(attempt));
        continue;
      }
      if (recording.attempts.empty()) return fail(std::string(tag) + " before any #attempt");
      RecordedAttempt& attempt = recording.attempts.back();
      if (tag == "#response") {
        attempt.response_ms = TimeMs(record.at("ms"), "ms");
        attempt.status = static_cast<int>(Integer(record.at("status"), 0, 999, "status"));
        for (const json& pair : record.at("headers")) {
          attempt.headers.emplace_back(pair.at(0).get<std::string>(),
                                       pair.at(1).get<std::string>());
        }
      } else if (tag == "#end") {
        attempt.end_ms = TimeMs(record.at("ms"), "ms");
        if (record.contains("error")) {
          const json& e = record["error"];
          std::optional<ErrorCode> code = CodeFromName(e.at("code").get<std::string>());
          if (!code) return fail("unknown error code");
          attempt.end_error.code = *code;
          attempt.end_error.message = e.value("message", "");
          attempt.end_error.http_status =
              e.contains("httpStatus")
                  ? static_cast<int>(Integer(e["httpStatus"], 0, 999, "httpStatus"))
                  : 0;
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
