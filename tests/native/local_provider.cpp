#include "local_provider.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace llmstream::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

LocalProvider::LocalProvider() {
  // libcurl honours http_proxy & co.; loopback traffic of the tests must never go through one.
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execlp("node", "node", LLMSTREAM_SERVER_SCRIPT, "--port", "0", "--pace-ms", "0", "--quiet",
           "--fixtures", LLMSTREAM_FIXTURES_DIR, static_cast<char*>(nullptr));
    std::perror("exec node");
    _exit(127);
  }
  close(pipe_fds[1]);
  if (pid_ < 0) {
    close(pipe_fds[0]);
    ADD_FAILURE() << "fork() failed";
    return;
  }
  // The server prints exactly one line once it listens; read up to it (blocking read: it either
  // comes or the child exits and closes the pipe).
  std::string line;
  char c = 0;
  while (read(pipe_fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(pipe_fds[0]);
  const std::string marker = "http://127.0.0.1:";
  size_t at = line.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "local provider did not start (" << LLMSTREAM_SERVER_SCRIPT
                  << "), first line: '" << line << "'";
    return;
  }
  port_ = std::atoi(line.c_str() + at + marker.size());
}

LocalProvider::~LocalProvider() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string LocalProvider::origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string LocalProvider::base_url() const { return origin() + "/v1"; }

ClientOptions LocalProvider::Options(std::string_view scenario, WireApi api) const {
  ClientOptions options;
  options.provider.provider = Provider::kLocal;
  const bool below_v1 = api == WireApi::kChatCompletions || api == WireApi::kResponses ||
                        api == WireApi::kAnthropicMessages;
  options.provider.base_url = below_v1 ? base_url() : origin();
  options.provider.api = api;
  if (!scenario.empty()) {
    options.provider.headers.emplace_back("x-llmstream-scenario", std::string(scenario));
  }
  options.retry.base_delay_ms = 10;
  options.retry.max_delay_ms = 2000;
  return options;
}

ClientOptions LocalProvider::BedrockOptions(std::string_view scenario) const {
  ClientOptions options = Options(scenario);
  options.provider.provider = Provider::kBedrock;
  options.provider.api.reset();
  options.provider.base_url = origin();
  options.provider.region = "us-east-1";
  // server/lib/sigv4-verify.mjs: the one key pair the local provider accepts.
  options.provider.aws_credentials = {
      .access_key_id = "AKIDLLMSTREAMLOCAL",
      .secret_access_key = "llmstream/local+provider/TEST/secret/KEY0000"};
  return options;
}

std::pair<int, std::string> LocalProvider::Get(const std::string& path) const {
  std::string body;
  CURL* easy = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
  long status = 0;
  if (curl_easy_perform(easy) == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(easy);
  return {static_cast<int>(status), body};
}

std::optional<std::string> LocalProvider::WaitForOutcome(const std::string& key,
                                                         const std::string& outcome,
                                                         int timeout_ms) const {
  auto [status, body] = Get("/_llmstream/requests/wait?key=" + key + "&outcome=" + outcome +
                            "&timeout_ms=" + std::to_string(timeout_ms));
  if (status != 200) return std::nullopt;
  return body;
}

std::string UniqueKey() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

CompletionRequest Hello(std::string prompt) {
  CompletionRequest request;
  request.model = "local-echo";
  request.prompt = std::move(prompt);
  return request;
}

}  // namespace llmstream::testing
