// relay_client: reads a relay stream in C++ with the core's RelayDecoder, one JSON line per event
// as it arrives (test.mjs drives it; it also shows a native consumer of a relay).
//
//   relay_client URL BODY_JSON [--stop-after-text N]
//
// Lines: {"type":"start","stream":...} once the start event came, then every event as the CLI's
// --json prints it (AppendJson(Event)), then a summary:
// {"summary":true,"status","end","stream","model","reads","textReads","keepAlives","error",
//  "completion"}. --stop-after-text N closes the connection after the Nth text event (a browser
// that goes away). Exit status 0 when the request got a 200, else 1.
#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "llmstream/relay.h"
#include "llmstream/to_json.h"

namespace {

struct Reader {
  llmstream::RelayDecoder decoder;
  CURL* easy = nullptr;
  long status = 0;
  std::string error_body;  // a refusal's JSON
  int reads = 0;
  int text_reads = 0;
  int texts = 0;
  int stop_after_text = -1;
  bool stopped = false;
  bool start_printed = false;
  int keep_alives = 0;
  std::string tail;  // the end of the previous read: a comment may be split across two
};

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

void CountKeepAlives(Reader& reader, std::string_view bytes) {
  static constexpr std::string_view kComment = "\n: keep-alive\n";
  std::string window = reader.tail + std::string(bytes);
  for (size_t at = window.find(kComment, 0); at != std::string::npos;
       at = window.find(kComment, at + 1)) {
    if (at + kComment.size() > reader.tail.size()) ++reader.keep_alives;  // not counted before
  }
  reader.tail = window.substr(window.size() - std::min(window.size(), kComment.size() - 1));
}

size_t OnWrite(char* data, size_t size, size_t count, void* self) {
  auto& reader = *static_cast<Reader*>(self);
  std::string_view bytes(data, size * count);
  if (reader.status == 0) curl_easy_getinfo(reader.easy, CURLINFO_RESPONSE_CODE, &reader.status);
  if (reader.status != 200) {
    reader.error_body.append(bytes);
    return bytes.size();
  }
  ++reader.reads;
  CountKeepAlives(reader, bytes);
  bool had_text = false;
  std::string line;
  for (const llmstream::Event& event : reader.decoder.Feed(bytes)) {
    if (!reader.start_printed && !reader.decoder.stream_id().empty()) {
      reader.start_printed = true;
      std::cout << "{\"type\":\"start\",\"stream\":" << Quoted(reader.decoder.stream_id()) << "}\n";
    }
    line.clear();
    llmstream::AppendJson(&line, event);
    std::cout << line << "\n";
    if (event.kind == llmstream::EventKind::kText) {
      had_text = true;
      ++reader.texts;
    }
  }
  if (!reader.start_printed && !reader.decoder.stream_id().empty()) {
    reader.start_printed = true;
    std::cout << "{\"type\":\"start\",\"stream\":" << Quoted(reader.decoder.stream_id()) << "}\n";
  }
  std::cout << std::flush;
  if (had_text) ++reader.text_reads;
  if (reader.stop_after_text >= 0 && reader.texts >= reader.stop_after_text) {
    reader.stopped = true;
    return 0;  // curl closes the connection: the relay sees the browser leave
  }
  return bytes.size();
}

std::string_view EndName(llmstream::RelayEnd end) {
  switch (end) {
    case llmstream::RelayEnd::kOpen:
      return "open";
    case llmstream::RelayEnd::kDone:
      return "done";
    case llmstream::RelayEnd::kError:
      return "error";
    case llmstream::RelayEnd::kBroken:
      return "broken";
    case llmstream::RelayEnd::kCut:
      return "cut";
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " URL BODY_JSON [--stop-after-text N]\n";
    return 2;
  }
  Reader reader;
  if (argc >= 5 && std::string_view(argv[3]) == "--stop-after-text") {
    reader.stop_after_text = std::atoi(argv[4]);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  reader.easy = curl_easy_init();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: text/event-stream");
  headers = curl_slist_append(headers, "Llmstream-Relay: 1");
  curl_easy_setopt(reader.easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(reader.easy, CURLOPT_POSTFIELDS, argv[2]);
  curl_easy_setopt(reader.easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(reader.easy, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(reader.easy, CURLOPT_WRITEDATA, &reader);
  curl_easy_setopt(reader.easy, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
  curl_easy_perform(reader.easy);
  if (reader.status == 0) curl_easy_getinfo(reader.easy, CURLINFO_RESPONSE_CODE, &reader.status);

  if (reader.status == 200 && !reader.stopped) {
    for (const llmstream::Event& event : reader.decoder.Finish()) {
      std::string line;
      llmstream::AppendJson(&line, event);
      std::cout << line << "\n";
    }
  }
  std::string summary = "{\"summary\":true,\"status\":" + std::to_string(reader.status);
  summary += ",\"end\":" + Quoted(reader.stopped ? "stopped" : EndName(reader.decoder.end()));
  summary += ",\"stream\":" + Quoted(reader.decoder.stream_id());
  summary += ",\"model\":" + Quoted(reader.decoder.model());
  summary += ",\"reads\":" + std::to_string(reader.reads);
  summary += ",\"textReads\":" + std::to_string(reader.text_reads);
  summary += ",\"keepAlives\":" + std::to_string(reader.keep_alives);
  summary += ",\"error\":";
  llmstream::AppendJson(&summary, reader.decoder.error());
  summary += ",\"refusal\":";
  summary += reader.error_body.empty() ? "null" : reader.error_body;
  summary += ",\"completion\":";
  summary += reader.decoder.completion_json().empty() ? std::string_view("null")
                                                      : reader.decoder.completion_json();
  std::cout << summary << "}\n";
  curl_slist_free_all(headers);
  curl_easy_cleanup(reader.easy);
  curl_global_cleanup();
  return reader.status == 200 ? 0 : 1;
}
