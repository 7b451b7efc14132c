// What the core's own bindings may see of a Session beyond its public API.
#pragma once

#include "assembler/assembler.h"
#include "llmstream/session.h"

namespace llmstream::session_internal {

struct Access {
  // The assembler whose result() Session::result() returns. The wasm module reads facts() after
  // every batch and the long strings' pending tails at the end (ForEachPending), so that a long
  // answer is never completed into one more copy in a heap that never shrinks.
  static const Assembler& ResultAssembler(const Session& session);
};

}  // namespace llmstream::session_internal
