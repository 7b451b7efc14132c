// The embind surface of llmstream_core.mjs: WasmSession (wasm_session.h) and a few constants.
// Plain numbers and strings only: no emscripten::val, no exceptions across the boundary.
#include <emscripten/bind.h>

#include <string>

#include "packer.h"
#include "wasm_session.h"

namespace {

using llmstream::wasm::WasmSession;

// The brief's 3-argument form: no platform code.
int OnTransportError3(WasmSession& session, int code, const std::string& message, double now_ms) {
  return session.onTransportError(code, message, std::string(), now_ms);
}

int RecordInts() { return llmstream::wasm::kRecordInts; }
int ProtocolVersion() { return 1; }

}  // namespace

EMSCRIPTEN_BINDINGS(llmstream_core) {
  emscripten::class_<WasmSession>("WasmSession")
      .constructor<const std::string&>()
      .function("poll", &WasmSession::poll)
      .function("wakeAtMs", &WasmSession::wakeAtMs)
      .function("attempt", &WasmSession::attempt)
      .function("attempts", &WasmSession::attempts)
      .function("httpRequestJson", &WasmSession::httpRequestJson)
      .function("onResponse", &WasmSession::onResponse)
      .function("inputBuffer", &WasmSession::inputBuffer)
      .function("onBody", &WasmSession::onBody)
      .function("onEnd", &WasmSession::onEnd)
      .function("onTransportError", &WasmSession::onTransportError)
      .function("onTransportError", &OnTransportError3)
      .function("cancel", &WasmSession::cancel)
      .function("eventCount", &WasmSession::eventCount)
      .function("recordsPtr", &WasmSession::recordsPtr)
      .function("textPtr", &WasmSession::textPtr)
      .function("textLen", &WasmSession::textLen)
      .function("statePtr", &WasmSession::statePtr)
      .function("sideJson", &WasmSession::sideJson)
      .function("resultJson", &WasmSession::resultJson)
      .function("packResultJson", &WasmSession::packResultJson)
      .function("resultJsonPtr", &WasmSession::resultJsonPtr)
      .function("errorJson", &WasmSession::errorJson)
      .function("done", &WasmSession::done);
  emscripten::function("liveSessions", &WasmSession::liveSessions);
  emscripten::function("recordInts", &RecordInts);
  emscripten::function("protocolVersion", &ProtocolVersion);
}
