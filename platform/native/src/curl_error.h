// libcurl result codes as llmstream Errors.
#pragma once

#include <curl/curl.h>

#include "llmstream/error.h"

namespace llmstream::native {

// kTimeout for connect / operation timeouts, kNetwork for everything else (refused, reset, DNS,
// TLS, a body cut short). The message is one line: libcurl's detail when it gave one
// (`error_buffer`, CURLOPT_ERRORBUFFER) else curl_easy_strerror. Request headers never appear in
// either, so no key can leak through it.
Error CurlError(CURLcode code, const char* error_buffer);

}  // namespace llmstream::native
