#include "curl_request.h"

#include "curl_global.h"

namespace llmstream::native {

curl_slist* ApplyHttpRequest(CURL* easy, const HttpRequest& request,
                             const std::string& user_agent) {
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // libcurl adds "Expect: 100-continue" to larger POST bodies, which costs a round trip (or a
  // one-second wait on servers that ignore it) before every long prompt.
  headers = curl_slist_append(headers, "Expect:");

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  // Through an HTTPS proxy the tunnel's "200 Connection established" would otherwise look like
  // the server's response.
  curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!user_agent.empty()) curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
  // Proxies: libcurl reads http_proxy / https_proxy / all_proxy itself (no CURLOPT_PROXY is
  // set), as users of curl-based tools expect. Loopback never goes through one: local servers
  // (Ollama, vLLM, our local provider) would otherwise fail behind a corporate proxy.
  curl_easy_setopt(easy, CURLOPT_NOPROXY, NoProxyList().c_str());
  return headers;
}

}  // namespace llmstream::native
