#include "cli/secret_scrubber.h"

#include <algorithm>

namespace llmstream::cli {

void SecretScrubber::Add(std::string_view secret) {
  if (secret.size() < 6) return;
  secrets_.emplace_back(secret);
  longest_ = std::max(longest_, secret.size());
}

void SecretScrubber::Mark(std::string_view text, size_t from, std::vector<bool>* masked) const {
  for (const std::string& secret : secrets_) {
    // An occurrence ending at or after `from` starts at or after from - (size - 1).
    const size_t start = from >= secret.size() - 1 ? from - (secret.size() - 1) : 0;
    // Step by one byte, not by the secret's length: overlapping occurrences are all masked.
    for (size_t at = text.find(secret, start); at != std::string_view::npos;
         at = text.find(secret, at + 1)) {
      std::fill(masked->begin() + static_cast<std::ptrdiff_t>(at),
                masked->begin() + static_cast<std::ptrdiff_t>(at + secret.size()), true);
    }
  }
}

size_t SecretScrubber::UndecidedTail(std::string_view text) const {
  if (longest_ == 0) return 0;
  for (size_t length = std::min(text.size(), longest_ - 1); length > 0; --length) {
    const std::string_view tail = text.substr(text.size() - length);
    for (const std::string& secret : secrets_) {
      if (secret.size() > length && secret.compare(0, length, tail) == 0) return length;
    }
  }
  return 0;
}

void SecretScrubber::Scrub(std::string* text) const {
  if (secrets_.empty()) return;
  std::vector<bool> masked(text->size(), false);
  Mark(*text, 0, &masked);
  for (size_t i = 0; i < text->size(); ++i) {
    if (masked[i]) (*text)[i] = '*';
  }
}

std::string SecretScrubber::Scrubbed(std::string_view text) const {
  std::string copy(text);
  Scrub(&copy);
  return copy;
}

void SecretStream::Push(std::string_view piece) {
  const size_t old_size = buffer_.size();
  buffer_.append(piece);
  masked_.resize(buffer_.size(), false);
  scrubber_.Mark(buffer_, old_size, &masked_);
  // Never moves back: a tail that could start a secret now was one before, or is newer.
  decided_ = std::max(decided_, buffer_.size() - scrubber_.UndecidedTail(buffer_));
  piece_ends_.push_back(buffer_.size());
}

void SecretStream::Finish() { decided_ = buffer_.size(); }

std::string SecretStream::Take(size_t count) {
  std::string out = buffer_.substr(0, count);
  for (size_t i = 0; i < count; ++i) {
    if (masked_[i]) out[i] = '*';
  }
  buffer_.erase(0, count);
  masked_.erase(masked_.begin(), masked_.begin() + static_cast<std::ptrdiff_t>(count));
  decided_ -= count;
  for (size_t& end : piece_ends_) end = end > count ? end - count : 0;
  return out;
}

std::string SecretStream::TakeBytes() {
  std::string out = Take(decided_);
  while (!piece_ends_.empty() && piece_ends_.front() == 0) piece_ends_.pop_front();
  return out;
}

bool SecretStream::PieceReady() const {
  return !piece_ends_.empty() && piece_ends_.front() <= decided_;
}

std::string SecretStream::TakePiece() {
  const size_t end = piece_ends_.front();
  piece_ends_.pop_front();
  return Take(end);
}

}  // namespace llmstream::cli
