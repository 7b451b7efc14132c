// The embind surface of llmstream_core.mjs: WasmSession (wasm_session.h), the two per-read
// exports and the ABI fingerprint (abi.h). Only what npm/src/core/ calls: plain numbers and
// strings, no emscripten::val, no exceptions across the boundary.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "abi_fingerprint.h"
#include "llmstream/session.h"
#include "wasm_session.h"

namespace {

using llmstream::wasm::WasmSession;

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
      .function("statePtr", &WasmSession::statePtr)
      .function("httpRequestJson", &WasmSession::httpRequestJson)
      .function("onResponse", &WasmSession::onResponse)
      .function("inputBuffer", &WasmSession::inputBuffer)
      .function("onEnd", &WasmSession::onEnd)
      .function("onTransportError", &WasmSession::onTransportError)
      .function("cancel", &WasmSession::cancel)
      .function("sideJson", &WasmSession::sideJson)
      .function("packResultJson", &WasmSession::packResultJson)
      .function("resultJsonPtr", &WasmSession::resultJsonPtr)
      .function("packMessageJson", &WasmSession::packMessageJson)
      .function("errorJson", &WasmSession::errorJson)
      .function("done", &WasmSession::done)
      .function("attempts", &WasmSession::attempts);
  // abi.js's fingerprint, compiled in: npm/src/core/load.js refuses a module built from other C++.
  emscripten::function(
      "abiFingerprint", +[]() { return llmstream::wasm::kAbiFingerprint; });
}
