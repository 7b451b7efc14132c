// The relay as a Dialect (providers/dialect.h): provider kRelay's streams run through the normal
// Stream and Session (timeouts, limits, assembly, metrics), the events decoded by RelayReader.
#pragma once

#include <memory>

#include "providers/dialect.h"

namespace llmstream {

// nullptr in the web core module, which reads no relay (the npm package has its own client).
std::unique_ptr<Dialect> MakeRelayDialect();

}  // namespace llmstream
