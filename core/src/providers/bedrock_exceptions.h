// AWS Bedrock ConverseStream exception and error frames (wire-formats.md, "AWS Bedrock"): the
// modeled exceptions of the ConverseStreamOutput union (`:message-type exception`, the name in
// `:exception-type`, a JSON payload with `message`) and unmodeled errors (`:message-type error`,
// `:error-code` and `:error-message` headers) become one Error, classified the way an HTTP
// response with the exception's documented status would be, so that retries treat an exception
// that arrives after the 200 like the same failure arriving before it.
#pragma once

#include <string_view>

#include "llmstream/error.h"
#include "stream/emitter.h"

namespace llmstream::bedrock {

// The Error for one exception (`is_exception`: `payload` is the frame's JSON) or error frame
// (`payload` is the `:error-message` text). `name` is the exception type or error code.
Error ExceptionError(std::string_view name, std::string_view payload, bool is_exception,
                     Emitter& out);

}  // namespace llmstream::bedrock
