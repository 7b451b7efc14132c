// Test support: the local provider server (server/local-provider.mjs) as a child process on a
// free 127.0.0.1 port, plus its request log, so tests can check what the server saw (e.g. that a
// cancelled client really closed the connection).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "llmstream/client.h"

namespace llmstream::testing {

class LocalProvider {
 public:
  // Starts `node server/local-provider.mjs --port 0 --pace-ms 0 --quiet` and waits for its
  // "listening on" line. Fails the current test (ADD_FAILURE) when it cannot.
  LocalProvider();
  ~LocalProvider();
  LocalProvider(const LocalProvider&) = delete;
  LocalProvider& operator=(const LocalProvider&) = delete;

  bool ok() const { return port_ != 0; }
  int port() const { return port_; }
  std::string origin() const;    // "http://127.0.0.1:PORT"
  std::string base_url() const;  // "http://127.0.0.1:PORT/v1"

  // A client for this server: provider kLocal, the given wire API, `scenario` sent as the
  // x-llmstream-scenario header, fast retries (base delay 10 ms) unless overridden later. The
  // base URL is base_url() for the OpenAI and Anthropic APIs, origin() for the others (the
  // request builder adds their own version segments: Gemini /v1beta, Ollama /api, Cohere /v2).
  ClientOptions Options(std::string_view scenario = "",
                        WireApi api = WireApi::kChatCompletions) const;

  // A client for this server's Bedrock ConverseStream: provider kBedrock at origin(), region
  // us-east-1, every request signed with the server's test credentials (which
  // server/lib/sigv4-verify.mjs checks), `scenario` as in Options.
  ClientOptions BedrockOptions(std::string_view scenario = "") const;

  // GET a path of the server (e.g. "/_llmstream/requests?key=k"): status and body.
  std::pair<int, std::string> Get(const std::string& path) const;

  // Long-polls the request log until the request labelled `key` reaches `outcome`; returns its
  // record (JSON text) or nullopt after timeout_ms.
  std::optional<std::string> WaitForOutcome(const std::string& key, const std::string& outcome,
                                            int timeout_ms = 5000) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// A unique scenario key per call ("t1", "t2" ...), so requests of one test are told apart.
std::string UniqueKey();

// A request with a prompt and a model the local provider accepts.
CompletionRequest Hello(std::string prompt = "Hello there");

}  // namespace llmstream::testing
