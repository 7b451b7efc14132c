// The embind surface of llmstream_core.mjs: WasmSession (wasm_session.h) and a few constants.
// Plain numbers and strings only: no emscripten::val, no exceptions across the boundary.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "llmstream/session.h"
#include "packer.h"
#include "wasm_session.h"

namespace {

using llmstream::wasm::WasmSession;

// The brief's 3-argument form: no platform code.
int OnTransportError3(WasmSession& session, int code, const std::string& message, double now_ms) {
  return session.onTransportError(code, message, std::string(), now_ms);
}

int RecordInts() { return llmstream::wasm::kRecordInts; }
// 2: handle() and the per-read exports below.
int ProtocolVersion() { return 2; }

// The session's address, for the per-read exports below.
uintptr_t Handle(WasmSession& session) { return reinterpret_cast<uintptr_t>(&session); }

}  // namespace

// The two calls made once per network read, as plain wasm exports (Module._llmstream_poll /
// _llmstream_on_body) taking WasmSession.handle(): embind's method invoker, built without
// dynamic code (-sDYNAMIC_EXECUTION=0, for pages with a strict CSP), passes arguments through
// generic closures and checks the `this` pointer on every call, ~200 ns a call in Node 20 (one
// token per read in a live stream, two calls per read). A plain export call costs a few ns.
// A handle of 0 (the driver's after delete()) does nothing: done / no events.
extern "C" {

EMSCRIPTEN_KEEPALIVE int llmstream_poll(uintptr_t handle, double now_ms) {
  return handle != 0 ? reinterpret_cast<WasmSession*>(handle)->poll(now_ms)
                     : static_cast<int>(llmstream::SessionAction::kDone);
}

EMSCRIPTEN_KEEPALIVE int llmstream_on_body(uintptr_t handle, size_t len, double now_ms) {
  return handle != 0 ? reinterpret_cast<WasmSession*>(handle)->onBody(len, now_ms) : 0;
}

}  // extern "C"

EMSCRIPTEN_BINDINGS(llmstream_core) {
  emscripten::class_<WasmSession>("WasmSession")
      .constructor<const std::string&>()
      .function("handle", &Handle)
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
