// WasmSession: llmstream::Session behind the wasm boundary. The core decides (retries, timeouts,
// error classification, usage estimates); JS carries out the actions (fetch, timers, aborts) and
// reports the I/O back. Every event-producing call packs its events (packer.h) and returns their
// count; poll returns the SessionAction and leaves the count in the header.
// Nothing here throws or aborts: bad options surface as a kInvalidRequest error event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "llmstream/request.h"
#include "llmstream/session.h"
#include "packer.h"

namespace llmstream {
class Assembler;
}  // namespace llmstream

namespace llmstream::wasm {

class WasmSession {
 public:
  explicit WasmSession(const std::string& options_json);
  ~WasmSession();
  WasmSession(const WasmSession&) = delete;
  WasmSession& operator=(const WasmSession&) = delete;

  // The next SessionAction; its wake-up time, attempt and events are in the header.
  int poll(double now_ms);
  // The request to send after poll said 0: {method, url, headers: [[name, value]...], body}.
  std::string httpRequestJson() const;

  // headers_json: [[name, value], ...] or {name: value}. A bad document counts as no headers.
  int onResponse(int status, const std::string& headers_json, double now_ms);
  // A buffer of at least `len` bytes for the next onBody; valid until the next inputBuffer call
  // (its address only changes when a larger buffer is asked for).
  uintptr_t inputBuffer(size_t len);
  int onBody(size_t len, double now_ms);
  int onEnd(double now_ms);
  // code: an ErrorCode (kNetwork 43, kTimeout 40; others count as kNetwork). platform_code: the
  // platform's own code ("ECONNRESET", "UND_ERR_SOCKET", "TimeoutError"), kept as the error's
  // providerType.
  int onTransportError(int code, const std::string& message, const std::string& platform_code,
                       double now_ms);
  int cancel(double now_ms);

  // The PackHeader (abi.h): where the last call's events are, the last poll's decision.
  uintptr_t statePtr() const { return reinterpret_cast<uintptr_t>(&header_); }
  std::string sideJson() const { return packer_.side_json(); }

  // The assembled completion as JSON, into a buffer that JS decodes itself (one
  // TextDecoder.decode): embind's std::string return scans the bytes one at a time in JS before
  // decoding them, which for a long answer costs as much as a good part of streaming it. Returns
  // the byte length; the bytes are at resultJsonPtr() until the next call or the session's end.
  size_t packResultJson();
  uintptr_t resultJsonPtr() const { return reinterpret_cast<uintptr_t>(result_json_.data()); }
  // The assistant turn of the completion so far (AssistantMessage, with the provider and API of
  // the session's options as its origin), as AppendJson(Message) writes it, its long strings by
  // reference as in the result JSON, into the same buffer as packResultJson (read it at
  // resultJsonPtr() before the next call). Returns the byte length.
  size_t packMessageJson();
  std::string errorJson() const;  // "null" while running and after success
  bool done() const { return header_.done != 0; }
  int attempts() const;

 private:
  int Pack(std::span<const Event> events);
  // Empties result_json_; the session's assembler (nullptr without a session).
  const Assembler* StartResultJson();

  std::optional<Session> session_;  // empty when the options were rejected
  Error options_error_;
  bool options_error_reported_ = false;
  Completion empty_result_;
  MessageOrigin origin_;
  Packer packer_;
  PackHeader header_;
  std::unique_ptr<char[]> input_;
  size_t input_capacity_ = 0;
  std::string result_json_;  // packResultJson()
};

}  // namespace llmstream::wasm
