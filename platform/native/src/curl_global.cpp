#include "curl_global.h"

#include <curl/curl.h>

#include <cstdlib>
#include <string>

namespace llmstream::native {

bool EnsureCurlGlobalInit() {
  // A function-local static is initialised once even with concurrent callers (C++11). The
  // matching curl_global_cleanup is left to process exit: calling it while another thread may
  // still use libcurl is the classic crash this avoids.
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// The user's no_proxy list plus the loopback names (CURLOPT_NOPROXY replaces the variable).
const std::string& NoProxyList() {
  static const std::string list = [] {
    const char* user = std::getenv("no_proxy");
    if (user == nullptr) user = std::getenv("NO_PROXY");
    std::string joined = user != nullptr ? std::string(user) : std::string();
    if (!joined.empty()) joined += ',';
    return joined + "127.0.0.1,localhost,::1";
  }();
  return list;
}

}  // namespace llmstream::native
