// A blocking easy handle rather than a transfer on the stream's Engine: the cancel also runs from
// destructors (a CompletionStream's Engine dies with it), where there is no loop left to run it,
// and it is bounded by kRelayCancelTimeoutMs.
#include "relay_cancel.h"

#include <curl/curl.h>

#include "curl_global.h"
#include "curl_request.h"

namespace llmstream::native {
namespace {

size_t Discard(char* /*data*/, size_t size, size_t count, void* /*self*/) { return size * count; }

}  // namespace

void SendRelayCancel(const HttpRequest& request, const std::string& user_agent) {
  if (!EnsureCurlGlobalInit()) return;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return;
  curl_slist* headers = ApplyHttpRequest(easy, request, user_agent);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(kRelayCancelTimeoutMs));
  curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
}

}  // namespace llmstream::native
