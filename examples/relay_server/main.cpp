// relay_server: serves the llmstream relay protocol (docs/relay-protocol.md) so that browsers
// stream completions without ever holding a provider key. One process, one thread, one
// io_context: Boost.Beast for the browsers' HTTP, libcurl's multi interface for the providers.
// README.md next to this file says how to run it and why it is built this way.
#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "server.h"

namespace {

void Usage(std::ostream& out, const char* program) {
  out << "usage: " << program
      << " [--host 127.0.0.1] [--port 8790] [--path /api/chat]\n"
         "         [--provider openai] [--base-url URL] [--allow-model NAME]... "
         "[--max-tokens-cap 1024]\n"
         "         [--upstream-header 'Name: value']... [--keep-alive-ms 15000]\n"
         "  The key comes from <PROVIDER>_API_KEY (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...);\n"
         "  --provider local (our local provider server, at --base-url) needs none.\n"
         "  --allow-model: the models a request may name (default: the provider's default).\n";
}

// OPENAI_API_KEY for openai, ANTHROPIC_API_KEY for anthropic ...
std::string KeyVariable(llmstream::Provider provider) {
  std::string name(llmstream::ProviderName(provider));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name + "_API_KEY";
}

}  // namespace

int main(int argc, char** argv) {
  relay::Config config;
  std::string host = "127.0.0.1";
  int port = 8790;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "-h" || arg == "--help") {
      Usage(std::cout, argv[0]);
      return 0;
    } else if (arg == "--host" && has_value) {
      host = argv[++i];
    } else if (arg == "--port" && has_value) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--path" && has_value) {
      config.path = argv[++i];
    } else if (arg == "--provider" && has_value) {
      auto provider = llmstream::ParseProvider(argv[++i]);
      if (!provider) {
        std::cerr << argv[0] << ": unknown provider '" << argv[i] << "'\n";
        return 2;
      }
      config.provider.provider = *provider;
    } else if (arg == "--base-url" && has_value) {
      config.provider.base_url = argv[++i];
    } else if (arg == "--allow-model" && has_value) {
      config.policy.allowed_models.emplace_back(argv[++i]);
    } else if (arg == "--max-tokens-cap" && has_value) {
      config.policy.max_tokens_cap = std::atoi(argv[++i]);
    } else if (arg == "--keep-alive-ms" && has_value) {
      config.keep_alive_ms = std::atoll(argv[++i]);  // tests shorten the protocol's 15 s
    } else if (arg == "--upstream-header" && has_value) {
      // Operator-set headers (an organization id, the local provider's scenario): never the
      // page's, which may name none.
      const std::string_view header = argv[++i];
      const size_t colon = header.find(':');
      if (colon == std::string_view::npos) {
        std::cerr << argv[0] << ": --upstream-header needs 'Name: value'\n";
        return 2;
      }
      std::string_view value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      config.provider.headers.emplace_back(std::string(header.substr(0, colon)),
                                           std::string(value));
    } else {
      std::cerr << argv[0] << ": unexpected argument '" << arg << "'\n";
      Usage(std::cerr, argv[0]);
      return 2;
    }
  }
  if (port < 0 || port > 65535 || config.policy.max_tokens_cap < 1 || config.keep_alive_ms < 1) {
    std::cerr << argv[0] << ": bad --port, --max-tokens-cap or --keep-alive-ms\n";
    return 2;
  }
  if (config.provider.provider != llmstream::Provider::kLocal) {
    const std::string variable = KeyVariable(config.provider.provider);
    const char* key = std::getenv(variable.c_str());
    if (key == nullptr || *key == '\0') {
      std::cerr << argv[0] << ": set " << variable << " (or use --provider local)\n";
      return 2;
    }
    config.provider.api_key = key;  // held here only: never logged, never sent to a browser
  }
  if (config.policy.allowed_models.empty()) {
    config.policy.allowed_models.emplace_back(llmstream::DefaultModel(config.provider.provider));
  }

  std::signal(SIGPIPE, SIG_IGN);  // a browser gone mid-write is an error code, not a signal
  curl_global_init(CURL_GLOBAL_DEFAULT);
  {
    boost::asio::io_context io(1);  // one thread: no locking anywhere
    relay::Server server(io, config);
    if (!server.curl().ok()) {
      std::cerr << argv[0] << ": curl_multi_init failed\n";
      return 1;
    }
    uint16_t bound = 0;
    try {
      bound = server.Listen(host, static_cast<uint16_t>(port));
    } catch (const std::exception& e) {
      std::cerr << argv[0] << ": cannot listen on " << host << ":" << port << ": " << e.what()
                << "\n";
      return 1;
    }
    // Scripts read the port from this line, as from the local provider's.
    std::cout << "llmstream relay listening on http://" << host << ":" << bound << config.path
              << std::endl;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });
    io.run();
  }
  curl_global_cleanup();
  return 0;
}
