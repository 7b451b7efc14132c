// libcurl's process-wide initialisation, done once and thread-safely before the first handle.
#pragma once

namespace llmstream::native {

// curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process; false if it failed.
bool EnsureCurlGlobalInit();

}  // namespace llmstream::native
