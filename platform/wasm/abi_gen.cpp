// abi_gen: writes the wasm boundary's ABI (abi.h and the core enums it names) as a JS module, its
// TypeScript declarations and a C++ header holding the fingerprint of that module:
//
//   abi_gen OUT.js OUT.d.ts OUT_fingerprint.h
//
// Built with the same compiler as llmstream_core.wasm (wasm32: the header offsets are the
// module's) and run under node at build time (platform/wasm/CMakeLists.txt). Every table is read
// from the C++ functions (EventKindName, ErrorCodeName, IsRetryable, DefaultModel ...) by walking
// the enum's value range, so a value added in C++ reaches JS with no JS edit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"
#include "llmstream/error.h"
#include "llmstream/event.h"
#include "llmstream/metrics.h"
#include "llmstream/relay.h"
#include "llmstream/request.h"
#include "llmstream/session.h"
#include "llmstream/stream.h"
#include "llmstream/tool_loop.h"
#include "llmstream/url_redaction.h"
#include "providers/dialect.h"
#include "request/provider_table.h"

namespace llmstream::wasm {
namespace {

std::string Upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// The values 0..limit-1 of an enum whose name function says "unknown" for non-values.
template <typename Enum>
std::vector<std::pair<int, std::string_view>> Values(int limit, std::string_view (*name)(Enum)) {
  std::vector<std::pair<int, std::string_view>> out;
  for (int v = 0; v < limit; ++v) {
    const std::string_view n = name(static_cast<Enum>(v));
    if (n != "unknown") out.emplace_back(v, n);
  }
  return out;
}

// Leaves out the value named "relay" (Provider::kRelay, WireApi::kRelay): the npm package reads a
// relay in JS (npm/src/relay/client.js) before any module is chosen, and no module takes it.
std::vector<std::pair<int, std::string_view>> WithoutRelay(
    std::vector<std::pair<int, std::string_view>> values) {
  std::erase_if(values, [](const auto& value) { return value.second == "relay"; });
  return values;
}

std::string_view MetadataFormatName(MetadataFormat format) {
  switch (format) {
    case MetadataFormat::kString:
      return "string";
    case MetadataFormat::kJson:
      return "json";
  }
  return "unknown";
}

std::string_view ToolArgumentsName(ToolArguments arguments) {
  switch (arguments) {
    case ToolArguments::kInvalidJson:
      return "invalid_json";
    case ToolArguments::kValidJson:
      return "valid_json";
  }
  return "unknown";
}

std::string_view ActionName(SessionAction action) { return SessionActionName(action); }

std::string_view SecretParamMatchName(SecretParamMatch match) {
  switch (match) {
    case SecretParamMatch::kWordEnd:
      return "word_end";
    case SecretParamMatch::kWholeName:
      return "whole_name";
  }
  return "unknown";
}

struct Out {
  std::ostringstream js;
  std::ostringstream dts;
};

// export const Name = Object.freeze({ UPPER_NAME: value, ... }) for an enum.
void NumberTable(Out* out, std::string_view js_name, std::string_view what,
                 const std::vector<std::pair<int, std::string_view>>& values) {
  out->js << "/** " << what << ": NAME -> value. */\nexport const " << js_name
          << " = Object.freeze({\n";
  out->dts << "export declare const " << js_name << ": {\n";
  for (const auto& [value, name] : values) {
    out->js << "  " << Upper(name) << ": " << value << ",\n";
    out->dts << "  readonly " << Upper(name) << ": " << value << ";\n";
  }
  out->js << "});\n";
  out->dts << "};\n";
}

// export const NAMES = Object.freeze([...]) indexed by value (undefined for gaps).
void NameList(Out* out, std::string_view js_name, std::string_view what,
              const std::vector<std::pair<int, std::string_view>>& values) {
  out->js << "/** " << what << ": value -> name. */\nexport const " << js_name
          << " = Object.freeze([";
  int next = 0;
  for (const auto& [value, name] : values) {
    for (; next < value; ++next) out->js << (next ? ", " : "") << "undefined";
    out->js << (next ? ", " : "") << Quote(name);
    next = value + 1;
  }
  out->js << "]);\n";
  out->dts << "export declare const " << js_name << ": readonly (string | undefined)[];\n";
}

void Generate(Out* out) {
  out->js << "export const PROTOCOL_VERSION = " << kProtocolVersion << ";\n";
  out->dts << "export declare const PROTOCOL_VERSION: number;\n";

  const auto kinds = Values<EventKind>(256, &EventKindName);
  NumberTable(out, "EventKind", "EventKind (llmstream/event.h)", kinds);
  NameList(out, "EVENT_KIND_NAMES", "EventKind names", kinds);
  NameList(out, "REASONING_PARTS", "ReasoningPart names (llmstream/event.h)",
           Values<ReasoningPart>(256, &ReasoningPartName));
  NameList(out, "TOOL_KINDS", "ToolKind names (llmstream/event.h)",
           Values<ToolKind>(256, &ToolKindName));
  NumberTable(out, "PartialSource", "PartialSource (llmstream/event.h)",
              Values<PartialSource>(256, &PartialSourceName));
  NumberTable(out, "MetadataFormat", "MetadataFormat (llmstream/event.h)",
              Values<MetadataFormat>(256, &MetadataFormatName));
  NumberTable(out, "ToolArguments", "ToolArguments (llmstream/event.h)",
              Values<ToolArguments>(256, &ToolArgumentsName));
  NumberTable(out, "SessionAction", "SessionAction (llmstream/session.h)",
              Values<SessionAction>(256, &ActionName));

  // Packed records and the header (abi.h).
  const std::vector<std::pair<int, std::string_view>> fields = {
      {kFieldKind, "kind"},        {kFieldChoice, "choice"},  {kFieldBlock, "block"},
      {kFieldPart, "part"},        {kFieldTextStart, "text"}, {kFieldTextLen, "text_len"},
      {kFieldIdStart, "id"},       {kFieldIdLen, "id_len"},   {kFieldNameStart, "name"},
      {kFieldNameLen, "name_len"}, {kFieldSideIndex, "side"}, {kFieldExtra, "extra"}};
  static_assert(kRecordInts == 12, "a new RecordField needs its name above");
  NumberTable(out, "Field", "RecordField (platform/wasm/abi.h): int32 index in a record", fields);
  out->js << "export const RECORD_INTS = " << kRecordInts << ";\n"
          << "export const ASCII_BYTES_FLAG = " << kAsciiBytesFlag << ";\n"
          << "export const TOKEN_CACHE_MAX_BYTES = " << kTokenCacheMaxBytes << ";\n"
          << "export const FAR_TEXT_MIN_BYTES = " << kFarTextMinBytes << ";\n"
          << "export const RESULT_STRING_MIN_BYTES = " << kResultStringMinBytes << ";\n";
  out->dts << "export declare const RECORD_INTS: number;\n"
           << "export declare const ASCII_BYTES_FLAG: number;\n"
           << "export declare const TOKEN_CACHE_MAX_BYTES: number;\n"
           << "export declare const FAR_TEXT_MIN_BYTES: number;\n"
           << "export declare const RESULT_STRING_MIN_BYTES: number;\n";
  const std::vector<std::pair<int, std::string_view>> header = {
      {offsetof(PackHeader, event_count) / 4, "event_count"},
      {offsetof(PackHeader, records_ptr) / 4, "records_ptr"},
      {offsetof(PackHeader, text_ptr) / 4, "text_ptr"},
      {offsetof(PackHeader, text_bytes) / 4, "text_bytes"},
      {offsetof(PackHeader, side_count) / 4, "side_count"},
      {offsetof(PackHeader, action) / 4, "action"},
      {offsetof(PackHeader, attempt) / 4, "attempt"},
      {offsetof(PackHeader, done) / 4, "done"},
      {offsetof(PackHeader, wake_at_ms) / 8, "wake_at_ms_f64"}};
  static_assert(sizeof(PackHeader) == 40, "a new PackHeader field needs its name above");
  NumberTable(out, "Header",
              "PackHeader (platform/wasm/abi.h): int32 slots (HEAP32[(statePtr >> 2) + i]); "
              "*_F64: float64 slots (HEAPF64[(statePtr >> 3) + i])",
              header);

  // Metrics (the package's MetricsTracker follows the core's definitions and defaults).
  out->js << "/** MetricsOptions (llmstream/metrics.h): gaps longer than this are stalls. */\n"
          << "export const STALL_THRESHOLD_MS = " << MetricsOptions{}.stall_threshold_ms << ";\n";
  out->dts << "export declare const STALL_THRESHOLD_MS: number;\n";

  // Errors.
  std::vector<std::pair<int, std::string_view>> codes;
  for (int v = 0; v < 1024; ++v) {
    const std::string_view n = ErrorCodeName(static_cast<ErrorCode>(v));
    if (n != "unknown") codes.emplace_back(v, n);
  }
  out->js << "/** ErrorCode (llmstream/error.h): public name, number, IsRetryable, the JS class. "
             "*/\nexport const ERRORS = Object.freeze([\n";
  out->dts << "export interface ErrorCodeTable {\n";
  for (const auto& [value, name] : codes) {
    const auto code = static_cast<ErrorCode>(value);
    out->js << "  Object.freeze({ name: " << Quote(name) << ", number: " << value
            << ", retryable: " << (IsRetryable(code) ? "true" : "false")
            << ", jsClass: " << Quote(JsErrorClass(code)) << " }),\n";
    out->dts << "  readonly " << Upper(name) << ": " << Quote(name) << ";\n";
  }
  out->js << "]);\n";
  out->dts << "}\nexport type ErrorCodeName = ErrorCodeTable[keyof ErrorCodeTable];\n"
           << "export declare const ERRORS: readonly {\n  readonly name: ErrorCodeName;\n"
           << "  readonly number: number;\n  readonly retryable: boolean;\n"
           << "  readonly jsClass: string;\n}[];\n";

  // Providers and wire APIs.
  // The relay (provider and API "relay") is the package's own JS client, not a module's provider:
  // its tables stay as the modules read them (WithoutRelay).
  const auto apis = WithoutRelay(Values<WireApi>(256, &WireApiName));
  out->js
      << "/** WireApi names (llmstream/request.h). */\nexport const WIRE_APIS = Object.freeze([";
  out->dts << "export type WireApiName =";
  for (size_t i = 0; i < apis.size(); ++i) {
    out->js << (i ? ", " : "") << Quote(apis[i].second);
    out->dts << (i ? " | " : " ") << Quote(apis[i].second);
  }
  out->js << "]);\n";
  out->dts << ";\nexport declare const WIRE_APIS: readonly WireApiName[];\n";
  // This program links the core module's library: a wire API whose dialect it lacks is read by
  // the full core module only (platform/wasm/CMakeLists.txt).
  out->js << "/** The WireApis the core module (llmstream_core.mjs) reads; a stream of another "
             "needs the full core module (llmstream_core_full.mjs). */\n"
             "export const CORE_MODULE_APIS = Object.freeze([";
  bool first_api = true;
  for (const auto& [value, name] : apis) {
    if (MakeDialect(static_cast<WireApi>(value), Provider::kCompatible) == nullptr) continue;
    out->js << (first_api ? "" : ", ") << Quote(name);
    first_api = false;
  }
  out->js << "]);\n";
  out->dts << "export declare const CORE_MODULE_APIS: readonly WireApiName[];\n";
  // Every spelling ParseWireApi takes, by the WireApi it names: JS chooses the module before any
  // module is loaded.
  out->js << "/** Every spelling of a WireApi that `api` takes (llmstream/request.h ParseWireApi), "
             "to its name. */\nexport const WIRE_API_SPELLINGS = Object.freeze({\n";
  for (const auto& [value, name] : apis) {
    std::string dashed(name);
    for (char& c : dashed) c = c == '_' ? '-' : c;
    std::vector<std::string> spellings = {std::string(name)};
    if (dashed != name) spellings.push_back(dashed);
    for (const WireApiShortName& short_name : kWireApiShortNames) {
      if (static_cast<int>(short_name.api) == value) spellings.emplace_back(short_name.name);
    }
    for (const std::string& spelling : spellings) {
      const auto parsed = ParseWireApi(spelling);
      if (!parsed || static_cast<int>(*parsed) != value) {
        std::fprintf(stderr, "abi_gen: ParseWireApi does not take %s\n", spelling.c_str());
        std::exit(1);
      }
      out->js << "  " << Quote(spelling) << ": " << Quote(name) << ",\n";
    }
  }
  out->js << "});\n";
  out->dts << "export declare const WIRE_API_SPELLINGS: Readonly<Record<string, WireApiName>>;\n";
  out->js
      << "/** Providers (llmstream/request.h): name, default model (\"\": none), the "
         "environment variable of the key, whether the provider's own server needs one, "
         "the wire API used when none is named, one more name it goes by (\"\": none; names are "
         "case-insensitive), whether a set key variable says it is the provider meant, the "
         "default base URL (\"\": the caller gives one). */\nexport "
         "const PROVIDERS = Object.freeze([\n";
  out->dts << "export type ProviderName =";
  bool first = true;
  for (const auto& [value, name] : WithoutRelay(Values<Provider>(256, &ProviderName))) {
    const auto provider = static_cast<Provider>(value);
    ProviderConfig config;
    config.provider = provider;
    out->js << "  Object.freeze({ name: " << Quote(name)
            << ", defaultModel: " << Quote(DefaultModel(provider))
            << ", keyVariable: " << Quote(ApiKeyVariable(provider))
            << ", alias: " << Quote(ProviderAlias(provider)) << ", keyRequired: "
            << (ApiKeyRequired(provider) ? "true" : "false")
            // Whether a set key variable says this provider is the one meant (not AWS
            // credentials: machines hold them for much else).
            << ", keyNamesProvider: "
            << (request_internal::Facts(provider).auth != request_internal::AuthStyle::kAwsSigV4
                    ? "true"
                    : "false")
            << ", api: " << Quote(WireApiName(ResolveApi(config)))
            << ", baseUrl: " << Quote(DefaultBaseUrl(provider)) << " }),\n";
    out->dts << (first ? " " : " | ") << Quote(name);
    first = false;
  }
  out->js << "]);\n";
  out->dts << ";\n/** The other names providers go by (PROVIDERS alias). */\nexport type "
              "ProviderAlias =";
  first = true;
  for (const auto& [value, name] : WithoutRelay(Values<Provider>(256, &ProviderName))) {
    const std::string_view alias = ProviderAlias(static_cast<Provider>(value));
    if (alias.empty()) continue;
    out->dts << (first ? " " : " | ") << Quote(alias);
    first = false;
  }
  if (first) out->dts << " never";
  out->js << "/** Headers that carry a key themselves (lower case; llmstream/request.h). */\n"
          << "export const AUTH_HEADERS = Object.freeze([";
  for (size_t i = 0; i < kAuthHeaderNames.size(); ++i) {
    out->js << (i ? ", " : "") << Quote(kAuthHeaderNames[i]);
  }
  out->js << "]);\n";
  out->dts << ";\nexport declare const AUTH_HEADERS: readonly string[]"
           << ";\nexport declare const PROVIDERS: readonly {\n  readonly name: ProviderName;\n"
           << "  readonly defaultModel: string;\n  readonly keyVariable: string;\n"
           << "  readonly alias: string;\n  readonly keyNamesProvider: boolean;\n"
           << "  readonly keyRequired: boolean;\n  readonly api: WireApiName;\n"
           << "  readonly baseUrl: string;\n}[];\n";

  // Conversations and the tool loop (llmstream/request.h, llmstream/tool_loop.h): the message
  // part names, why a loop stops, its default step limit and the error results it sends back.
  const auto part_kinds = Values<PartKind>(256, &PartKindName);
  NumberTable(out, "PartKind", "PartKind (llmstream/request.h)", part_kinds);
  NameList(out, "PART_KINDS", "PartKind names: a message part's `type` (llmstream/request.h)",
           part_kinds);
  const auto loop_stops = Values<LoopStop>(256, &LoopStopName);
  NameList(out, "LOOP_STOPS", "LoopStop names: a tool loop's `stopReason` (llmstream/tool_loop.h)",
           loop_stops);
  for (const auto& [type, values] :
       {std::pair{"PartKindName", &part_kinds}, std::pair{"LoopStopName", &loop_stops}}) {
    out->dts << "export type " << type << " =";
    for (size_t i = 0; i < values->size(); ++i) {
      out->dts << (i ? " | " : " ") << Quote((*values)[i].second);
    }
    out->dts << ";\n";
  }
  out->js << "/** The tool loop's rules shared with C++ (llmstream/tool_loop.h): the step limit "
             "when none is given, and the error results sent back instead of running a tool "
             "({name}, {tools}, {why} filled in). */\nexport const TOOL_LOOP = Object.freeze({\n"
          << "  defaultMaxSteps: " << kDefaultMaxSteps << ",\n"
          << "  unknownTool: " << Quote(kUnknownToolMessage) << ",\n"
          << "  invalidArguments: " << Quote(kInvalidArgumentsMessage) << ",\n"
          << "  toolFailed: " << Quote(kToolFailedMessage) << ",\n"
          << "  toolCancelled: " << Quote(kToolCancelledMessage) << ",\n});\n";
  out->dts << "export declare const TOOL_LOOP: {\n  readonly defaultMaxSteps: number;\n"
           << "  readonly unknownTool: string;\n  readonly invalidArguments: string;\n"
           << "  readonly toolFailed: string;\n  readonly toolCancelled: string;\n};\n";

  // The relay protocol (llmstream/relay.h): npm/src/relay/ writes and reads what the core does.
  out->js
      << "/** The relay protocol (llmstream/relay.h, docs/relay-protocol.md): its major version, "
         "the name of event 0, the keep-alive comment, the reconnection delay the stream "
         "opens with, the largest event a client reads (SseLimits::max_event_bytes), and the "
         "EventKinds that are relay events of their own (by name; a "
         "chunk's type is its event name). */\nexport const RELAY = Object.freeze({\n"
      << "  version: " << kRelayVersion << ",\n"
      << "  startEvent: " << Quote(kRelayStartEvent) << ",\n"
      << "  keepAliveComment: " << Quote(kRelayKeepAliveComment) << ",\n"
      << "  retryMs: " << kRelayRetryMs << ",\n"
      << "  maxEventBytes: " << SseLimits{}.max_event_bytes << ",\n  events: Object.freeze([";
  bool first_relayed = true;
  for (const auto& [value, name] : kinds) {
    if (!IsRelayed(static_cast<EventKind>(value))) continue;
    out->js << (first_relayed ? "" : ", ") << Quote(name);
    first_relayed = false;
  }
  out->js << "]),\n});\n";
  out->dts << "export declare const RELAY: {\n  readonly version: number;\n"
           << "  readonly startEvent: string;\n  readonly keepAliveComment: string;\n"
           << "  readonly retryMs: number;\n  readonly maxEventBytes: number;\n  readonly events: "
              "readonly string[];\n};\n";

  // What one response may make a stream hold (llmstream/stream.h): the relay client bounds what
  // it keeps of a relayed stream by the defaults the core bounds a direct one with.
  const StreamLimits limits;
  out->js << "/** StreamLimits' defaults (llmstream/stream.h): the most output bytes (text, "
             "reasoning, refusal, tool-call arguments), choices and parts (blocks and tool calls) "
             "one response may make a client hold. */\nexport const STREAM_LIMITS = "
             "Object.freeze({\n"
          << "  maxCompletionBytes: " << limits.max_completion_bytes << ",\n"
          << "  maxChoices: " << limits.max_choices << ",\n"
          << "  maxParts: " << limits.max_parts << ",\n});\n";
  out->dts << "export declare const STREAM_LIMITS: {\n  readonly maxCompletionBytes: number;\n"
           << "  readonly maxChoices: number;\n  readonly maxParts: number;\n};\n";

  // Secrets in URLs (llmstream/url_redaction.h): npm/src/redact-url.js applies the core's rule
  // with the core's table.
  out->js << "/** Query parameter names whose values are secrets (llmstream/url_redaction.h): "
             "name (lower case), match ('word_end': a word of the name ends with it; "
             "'whole_name': the whole name is it). */\nexport const SECRET_URL_PARAMS = "
             "Object.freeze([\n";
  for (const SecretUrlParam& param : kSecretUrlParams) {
    out->js << "  Object.freeze({ name: " << Quote(param.name)
            << ", match: " << Quote(SecretParamMatchName(param.match)) << " }),\n";
  }
  out->js << "]);\n/** What a masked secret is replaced with (llmstream/url_redaction.h). */\n"
          << "export const REDACTED_MARK = " << Quote(kRedactedMark) << ";\n";
  out->dts << "export declare const SECRET_URL_PARAMS: readonly {\n  readonly name: string;\n"
           << "  readonly match: 'word_end' | 'whole_name';\n}[];\n"
           << "export declare const REDACTED_MARK: string;\n";
}

// FNV-1a, 31 bits (a JS int and a positive C++ int alike).
int32_t Fingerprint(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
  return static_cast<int32_t>(hash & 0x7fffffffu);
}

bool Write(const char* path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) std::fprintf(stderr, "abi_gen: cannot write %s\n", path);
  return static_cast<bool>(file);
}

}  // namespace
}  // namespace llmstream::wasm

int main(int argc, char** argv) {
  using namespace llmstream::wasm;
  if (argc != 4) {
    std::fprintf(stderr, "usage: abi_gen OUT.js OUT.d.ts OUT_fingerprint.h\n");
    return 2;
  }
  Out out;
  Generate(&out);
  const std::string body = out.js.str();
  const int32_t fingerprint = Fingerprint(body);
  const std::string banner =
      "// Generated at build time by platform/wasm/abi_gen.cpp from the C++ sources (abi.h and\n"
      "// the core headers it names): do not edit. The wasm boundary's numbers and names.\n";
  const std::string js =
      banner + "export const ABI_FINGERPRINT = " + std::to_string(fingerprint) + ";\n" + body;
  const std::string dts =
      banner + "export declare const ABI_FINGERPRINT: number;\n" + out.dts.str();
  const std::string header =
      "// Generated by abi_gen.cpp: the fingerprint of abi.js, which the module reports.\n"
      "#pragma once\n#include <cstdint>\nnamespace llmstream::wasm {\n"
      "inline constexpr int32_t kAbiFingerprint = " +
      std::to_string(fingerprint) + ";\n}  // namespace llmstream::wasm\n";
  return Write(argv[1], js) && Write(argv[2], dts) && Write(argv[3], header) ? 0 : 1;
}
