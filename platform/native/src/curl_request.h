// What every llmstream easy handle does with a core HttpRequest: URL, method, body, headers,
// user agent and the proxy rule, in one place for the stream's transfers and the relay's cancel.
#pragma once

#include <curl/curl.h>

#include <string>

#include "llmstream/request.h"

namespace llmstream::native {

// Sets `request` on `easy` (its body is referenced, not copied: it must outlive the transfer).
// Returns the header list, which the caller frees with curl_slist_free_all once the transfer is
// over. The caller adds its own callbacks and timeouts.
curl_slist* ApplyHttpRequest(CURL* easy, const HttpRequest& request, const std::string& user_agent);

}  // namespace llmstream::native
