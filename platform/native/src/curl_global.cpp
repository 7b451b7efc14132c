#include "curl_global.h"

#include <curl/curl.h>

namespace llmstream::native {

bool EnsureCurlGlobalInit() {
  // A function-local static is initialised once even with concurrent callers (C++11). The
  // matching curl_global_cleanup is left to process exit: calling it while another thread may
  // still use libcurl is the classic crash this avoids.
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

}  // namespace llmstream::native
