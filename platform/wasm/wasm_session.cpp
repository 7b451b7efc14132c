#include "wasm_session.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/writer.h"
#include "llmstream/conversation.h"
#include "llmstream/to_json.h"
#include "options.h"
#include "request/request_internal.h"
#include "session/session_access.h"

namespace llmstream::wasm {
namespace {

// JS clocks are fractional milliseconds; the Session counts whole ones. Flooring keeps the
// order of readings and fires a timer at (not before) its millisecond.
int64_t ToMs(double now_ms) {
  if (!(now_ms > 0)) return 0;  // NaN and negatives
  if (now_ms >= 9.0e15) return static_cast<int64_t>(9.0e15);
  return static_cast<int64_t>(std::floor(now_ms));
}

// Response headers as JS hands them over. Parsed like any text from outside (an object of a
// hundred thousand headers must not cost n^2), through the core's one parse instantiation.
constexpr size_t kMaxHeaderObjectKeys = 1024;

HeaderList ParseHeaders(const std::string& text) {
  HeaderList headers;
  request_internal::Json doc;
  if (request_internal::ParseUntrustedJson(text, kMaxHeaderObjectKeys, &doc) !=
      request_internal::UntrustedJson::kOk) {
    return headers;
  }
  if (doc.is_array()) {
    for (const auto& pair : doc) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        headers.emplace_back(pair[0].get_ref<const std::string&>(),
                             pair[1].get_ref<const std::string&>());
      }
    }
  } else if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it.value().is_string()) {
        headers.emplace_back(it.key(), it.value().get_ref<const std::string&>());
      }
    }
  }
  return headers;
}

}  // namespace

WasmSession::WasmSession(const std::string& options_json) {
  SessionOptions options;
  if (ParseSessionOptions(options_json, &options, &options_error_)) {
    origin_ = OriginOf(options.provider);
    session_.emplace(std::move(options));
  } else {
    empty_result_.error = options_error_;
  }
  header_.action = 1;  // nothing decided until the first poll
}

WasmSession::~WasmSession() = default;

int WasmSession::Pack(std::span<const Event> events) {
  // facts(): the packer needs names and kinds, not the long strings completed (result() would
  // complete them, one more copy of a long answer after every batch).
  packer_.Pack(events, session_ ? session_internal::Access::ResultAssembler(*session_).facts()
                                : empty_result_);
  header_.event_count = packer_.count();
  header_.records_ptr = static_cast<int32_t>(reinterpret_cast<uintptr_t>(packer_.records()));
  header_.text_ptr = static_cast<int32_t>(reinterpret_cast<uintptr_t>(packer_.text()));
  header_.text_bytes = static_cast<int32_t>(packer_.text_bytes());
  header_.side_count = packer_.side_count();
  header_.done = (session_ ? session_->done() : options_error_reported_) ? 1 : 0;
  return header_.event_count;
}

int WasmSession::poll(double now_ms) {
  if (!session_) {
    // Bad options: one kInvalidRequest error, then done, as the Session does for a request it
    // cannot build.
    Event error;
    error.kind = EventKind::kError;
    error.error = &options_error_;
    const bool first = !options_error_reported_;
    options_error_reported_ = true;
    Pack(first ? std::span<const Event>(&error, 1) : std::span<const Event>());
    header_.action = static_cast<int32_t>(SessionAction::kDone);
    header_.wake_at_ms = -1;
    return header_.action;
  }
  const SessionStep step = session_->Poll(ToMs(now_ms));
  Pack(step.events);
  header_.action = static_cast<int32_t>(step.action);
  header_.wake_at_ms = static_cast<double>(step.wake_at_ms);
  if (step.action == SessionAction::kSend) header_.attempt = step.attempt;
  return header_.action;
}

std::string WasmSession::httpRequestJson() const {
  std::string out;
  if (session_) AppendJson(&out, session_->http_request());
  return out.empty() ? "null" : out;
}

int WasmSession::onResponse(int status, const std::string& headers_json, double now_ms) {
  if (!session_) return Pack({});
  return Pack(session_->OnResponse(status, ParseHeaders(headers_json), ToMs(now_ms)));
}

uintptr_t WasmSession::inputBuffer(size_t len) {
  if (len > input_capacity_ || !input_) {
    const size_t capacity = std::max<size_t>({len, input_capacity_ * 2, 16 * 1024});
    input_ = std::make_unique<char[]>(capacity);
    input_capacity_ = capacity;
  }
  return reinterpret_cast<uintptr_t>(input_.get());
}

int WasmSession::onBody(size_t len, double now_ms) {
  if (!session_) return Pack({});
  len = std::min(len, input_ ? input_capacity_ : 0);
  return Pack(session_->OnBody(std::string_view(input_.get(), len), ToMs(now_ms)));
}

int WasmSession::onEnd(double now_ms) {
  if (!session_) return Pack({});
  return Pack(session_->OnEnd(ToMs(now_ms)));
}

int WasmSession::onTransportError(int code, const std::string& message,
                                  const std::string& platform_code, double now_ms) {
  if (!session_) return Pack({});
  Error error;
  error.code =
      code == static_cast<int>(ErrorCode::kTimeout) ? ErrorCode::kTimeout : ErrorCode::kNetwork;
  error.message = message;
  error.provider_type = platform_code;
  return Pack(session_->OnTransportError(std::move(error), ToMs(now_ms)));
}

int WasmSession::cancel(double now_ms) {
  if (!session_) return Pack({});
  return Pack(session_->Cancel(ToMs(now_ms)));
}

namespace {

// Writes each long string as [address, bytes, address, bytes, ...]: the string's own bytes, then
// the pieces of its pending tail (Assembler::ForEachPending), which JS joins before decoding.
class ByAddress final : public LongStringWriter {
 public:
  // `assembler`: the session's, nullptr when there is none.
  explicit ByAddress(const Assembler* assembler) {
    min_bytes = kResultStringMinBytes;
    if (assembler == nullptr) return;
    assembler->ForEachPending([this](const std::string& string, const TextPieces& tail) {
      tails_.push_back({string.data(), &tail});
    });
  }

  void Write(std::string* out, std::string_view text) const override {
    out->push_back('[');
    AppendRange(out, text);
    if (const TextPieces* tail = TailOf(text)) {
      for (const std::string& piece : tail->pieces()) {
        out->push_back(',');
        AppendRange(out, piece);
      }
    }
    out->push_back(']');
  }
  size_t ReferenceBytes(std::string_view text) const override {
    const TextPieces* tail = TailOf(text);
    return 32 * (1 + (tail ? tail->pieces().size() : 0));
  }
  bool Same(std::string_view a, std::string_view b) const override {
    if (a != b) return false;
    const TextPieces* tail_a = TailOf(a);
    const TextPieces* tail_b = TailOf(b);
    if (tail_a == tail_b) return true;
    if (!tail_a || !tail_b || tail_a->size() != tail_b->size()) return false;
    // Equal strings before them: the pieces start at the same offset, so they line up.
    const auto pieces_a = tail_a->pieces();
    return std::equal(pieces_a.begin(), pieces_a.end(), tail_b->pieces().begin());
  }

 private:
  static void AppendRange(std::string* out, std::string_view bytes) {
    json::AppendInt(out, static_cast<int64_t>(reinterpret_cast<uintptr_t>(bytes.data())));
    out->push_back(',');
    json::AppendInt(out, static_cast<int64_t>(bytes.size()));
  }
  // A string's tail, by the address of its bytes (every such string is longer than any inline
  // buffer, so the address is its own). A scan: a tail needs a string of Assembler::kInlineBytes,
  // so there are few.
  const TextPieces* TailOf(std::string_view text) const {
    for (const auto& [bytes, tail] : tails_) {
      if (bytes == text.data()) return tail;
    }
    return nullptr;
  }

  std::vector<std::pair<const char*, const TextPieces*>> tails_;
};

}  // namespace

const Assembler* WasmSession::StartResultJson() {
  result_json_.clear();
  result_json_.shrink_to_fit();  // its memory back before a long answer's JSON is written
  return session_ ? &session_internal::Access::ResultAssembler(*session_) : nullptr;
}

size_t WasmSession::packResultJson() {
  // The long strings stay where the session holds them: JS decodes each from its [address,
  // byte count] pairs right after this call (npm/src/core/README.md), so the JSON stays small
  // and the heap, which never shrinks, does not hold a second copy of a long answer for good.
  // Reserved at once: a doubling series would leave holes the heap never gives back.
  const Assembler* assembler = StartResultJson();
  const Completion& result = assembler ? assembler->facts() : empty_result_;
  const ByAddress long_strings(assembler);
  result_json_.reserve(JsonSizeHint(result, &long_strings));
  AppendJson(&result_json_, result, long_strings);
  return result_json_.size();
}

#ifdef LLMSTREAM_WEB_CORE
// The core module builds no message (its size budget): the npm package asks the full module.
size_t WasmSession::packMessageJson() {
  StartResultJson();
  return 0;
}
#else
namespace {

// The message's long strings are copies of the completion's (AssistantMessage over facts(): the
// first MiB of each, the rest still in pieces): each is written as the reference to the
// completion's own string and its pieces (ByAddress), so a long answer is not copied again.
class ByCompletionString final : public LongStringWriter {
 public:
  ByCompletionString(const Completion& facts, const ByAddress& by_address)
      : by_address_(by_address) {
    min_bytes = by_address.min_bytes;
    const auto add = [this](const std::string& s) {
      if (s.size() >= min_bytes) strings_.push_back(s);
    };
    for (const Choice& choice : facts.choices) {
      add(choice.text);
      add(choice.reasoning);
      add(choice.reasoning_signature);
      for (const ToolCall& call : choice.tool_calls) add(call.arguments);
      for (const Block& block : choice.blocks) {
        add(block.text);
        add(block.signature);
        add(block.data);
      }
    }
  }

  void Write(std::string* out, std::string_view text) const override {
    for (std::string_view s : strings_) {
      if (s.size() == text.size() && s == text) return by_address_.Write(out, s);
    }
    json::AppendString(out, text);  // not a completion string (cannot happen): quoted
  }

 private:
  const ByAddress& by_address_;
  std::vector<std::string_view> strings_;
};

}  // namespace

size_t WasmSession::packMessageJson() {
  // From facts(), like the result JSON: long strings are not joined (nor copied past their
  // first MiB), and go to JS by reference (ByCompletionString).
  const Assembler* assembler = StartResultJson();
  const Completion& facts = assembler ? assembler->facts() : empty_result_;
  const ByAddress by_address(assembler);
  const ByCompletionString long_strings(facts, by_address);
  AppendJson(&result_json_, AssistantMessage(facts, origin_), long_strings);
  return result_json_.size();
}
#endif  // LLMSTREAM_WEB_CORE

std::string WasmSession::errorJson() const {
  const Error& error = session_ ? session_->error() : options_error_;
  if (!error) return "null";
  std::string out;
  AppendJson(&out, error);
  return out;
}

int WasmSession::attempts() const { return session_ ? session_->attempts() : 0; }

}  // namespace llmstream::wasm
