#include "cli/secret_scrubber.h"

namespace llmstream::cli {

void SecretScrubber::Add(std::string_view secret) {
  if (secret.size() >= 6) secrets_.emplace_back(secret);
}

void SecretScrubber::Scrub(std::string* text) const {
  for (const std::string& secret : secrets_) {
    for (size_t at = text->find(secret); at != std::string::npos;
         at = text->find(secret, at + secret.size())) {
      text->replace(at, secret.size(), secret.size(), '*');
    }
  }
}

std::string SecretScrubber::Scrubbed(std::string_view text) const {
  std::string copy(text);
  Scrub(&copy);
  return copy;
}

}  // namespace llmstream::cli
