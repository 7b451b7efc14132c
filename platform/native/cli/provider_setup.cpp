#include "cli/provider_setup.h"

#include <utility>

namespace llmstream::cli {

namespace {

std::string Env(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* value = getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

bool ReadAwsEnvironment(const Args& args, const std::function<const char*(const char*)>& getenv,
                        ProviderConfig* config, std::string* error) {
  config->region = Env(getenv, "AWS_REGION");
  if (config->region.empty()) config->region = Env(getenv, "AWS_DEFAULT_REGION");
  // A Bedrock API key (AWS_BEARER_TOKEN_BEDROCK, read as the key) goes first, as in the AWS SDKs;
  // else the IAM credentials sign.
  if (config->api_key.empty()) {
    config->aws_credentials = {.access_key_id = Env(getenv, "AWS_ACCESS_KEY_ID"),
                               .secret_access_key = Env(getenv, "AWS_SECRET_ACCESS_KEY"),
                               .session_token = Env(getenv, "AWS_SESSION_TOKEN")};
  }
  const AwsCredentials& aws = config->aws_credentials;
  const bool proxied = !args.base_url.empty();
  if (config->api_key.empty() && aws.access_key_id.empty() && aws.secret_access_key.empty() &&
      !proxied) {
    *error =
        "--provider bedrock needs AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
        "plus AWS_SESSION_TOKEN for temporary ones) or a Bedrock API key "
        "(AWS_BEARER_TOKEN_BEDROCK)";
    return false;
  }
  const bool signs = !aws.access_key_id.empty() || !aws.secret_access_key.empty();
  if (config->region.empty() && (signs || !proxied)) {
    *error = "AWS_REGION (or AWS_DEFAULT_REGION) is not set (needed for --provider bedrock)";
    return false;
  }
  return true;
}

std::optional<Setup> MakeSetup(const Args& args, std::string prompt,
                               const std::function<const char*(const char*)>& getenv,
                               std::string* error) {
  Setup setup;
  ProviderConfig& config = setup.options.provider;
  config.provider = args.provider;
  config.base_url = args.base_url;
  config.api = args.api;
  config.headers = args.headers;
  if (!args.scenario.empty()) config.headers.emplace_back("x-llmstream-scenario", args.scenario);

  const std::string variable(ApiKeyVariable(args.provider));
  const char* key = getenv(variable.c_str());
  if (key != nullptr) config.api_key = key;
  if (args.provider == Provider::kBedrock && !ReadAwsEnvironment(args, getenv, &config, error)) {
    return std::nullopt;
  }
  if (config.api_key.empty() && ApiKeyRequired(args.provider) &&
      args.provider != Provider::kBedrock) {
    // A proxy (--base-url) or a caller-supplied auth header may make the key unnecessary.
    bool auth_header = false;
    for (const auto& [name, value] : args.headers) auth_header |= IsSensitiveHeader(name);
    if (args.base_url.empty() && !auth_header) {
      *error = variable + " is not set (needed for --provider " +
               std::string(ProviderName(args.provider)) + ")";
      return std::nullopt;
    }
  }

  CompletionRequest& request = setup.request;
  request.model = args.model.empty() ? std::string(DefaultModel(args.provider)) : args.model;
  if (request.model.empty() && args.provider != Provider::kRelay) {
    *error = "--provider " + std::string(ProviderName(args.provider)) + " needs --model";
    return std::nullopt;
  }
  request.prompt = std::move(prompt);
  request.system = args.system;
  request.max_tokens = args.max_tokens;
  request.temperature = args.temperature;

  ClientOptions& options = setup.options;
  if (args.retries) options.retry.max_retries = *args.retries;
  if (args.timeout_ms) options.timeouts.first_byte_ms = *args.timeout_ms;
  if (args.idle_timeout_ms) options.timeouts.idle_ms = *args.idle_timeout_ms;
  if (args.connect_timeout_ms) options.connect_timeout_ms = *args.connect_timeout_ms;
  if (args.total_timeout_ms) options.timeouts.total_ms = *args.total_timeout_ms;
  if (args.output_idle_timeout_ms) options.timeouts.output_idle_ms = *args.output_idle_timeout_ms;
  if (args.max_completion_bytes) {
    options.limits.max_completion_bytes = static_cast<uint64_t>(*args.max_completion_bytes);
  }
  options.continuation = args.continuation;
  // --json shows every event, pings included; the text view has no use for them.
  options.keep_alive_events = args.json;
  return setup;
}

}  // namespace llmstream::cli
