// libcurl's process-wide initialisation, done once and thread-safely before the first handle.
#pragma once

#include <string>

namespace llmstream::native {

// curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process; false if it failed.
bool EnsureCurlGlobalInit();

// The user's no_proxy list plus the loopback names, for CURLOPT_NOPROXY (which replaces the
// variable): loopback servers never go through a proxy.
const std::string& NoProxyList();

}  // namespace llmstream::native
