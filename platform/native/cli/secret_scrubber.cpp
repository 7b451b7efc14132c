#include "cli/secret_scrubber.h"

namespace llmstream::cli {

void SecretScrubber::Add(std::string_view secret) {
  if (secret.size() < 6) return;
  secrets_.emplace_back(secret);
  longest_ = std::max(longest_, secret.size());
  Build();  // a handful of secrets, added once at start-up
}

uint32_t SecretScrubber::Child(uint32_t node, char byte) const {
  for (const auto& [next_byte, child] : nodes_[node].next) {
    if (next_byte == byte) return child;
  }
  return 0;
}

uint32_t SecretScrubber::Step(uint32_t node, char byte) const {
  while (true) {
    if (const uint32_t child = Child(node, byte); child != 0) return child;
    if (node == 0) return 0;
    node = nodes_[node].fail;
  }
}

void SecretScrubber::Build() {
  nodes_.assign(1, Node{});
  std::vector<uint32_t> depth(1, 0);
  for (const std::string& secret : secrets_) {
    uint32_t node = 0;
    for (const char byte : secret) {
      uint32_t child = Child(node, byte);
      if (child == 0) {
        child = static_cast<uint32_t>(nodes_.size());
        nodes_[node].next.emplace_back(byte, child);
        nodes_.emplace_back();
        depth.push_back(depth[node] + 1);
      }
      node = child;
    }
    nodes_[node].match = static_cast<uint32_t>(secret.size());
  }
  // Breadth first, so that a node's failure link (a shorter text) is complete before it is used.
  std::deque<uint32_t> queue = {0};
  while (!queue.empty()) {
    const uint32_t node = queue.front();
    queue.pop_front();
    Node& n = nodes_[node];
    if (node != 0) {
      const Node& fail = nodes_[n.fail];
      if (n.match == 0) n.match = fail.match;  // a secret the text ends with is on its suffixes
      n.undecided = n.next.empty() ? fail.undecided : depth[node];
    }
    for (const auto& [byte, child] : nodes_[node].next) {
      nodes_[child].fail = node == 0 ? 0 : Step(nodes_[node].fail, byte);
      queue.push_back(child);
    }
  }
}

void SecretScrubber::Scrub(std::string* text) const {
  if (secrets_.empty()) return;
  // The matcher never looks back at a byte, so masking in place cannot hide a later occurrence.
  SecretMatcher matcher(*this);
  matcher.Feed(*text, [text](uint64_t begin, uint64_t end) {
    std::fill(text->begin() + static_cast<std::ptrdiff_t>(begin),
              text->begin() + static_cast<std::ptrdiff_t>(end), '*');
  });
}

std::string SecretScrubber::Scrubbed(std::string_view text) const {
  std::string copy(text);
  Scrub(&copy);
  return copy;
}

void ByteQueue::Append(std::string_view bytes) {
  bytes_.append(bytes);
  work_ += bytes.size();
}

std::string_view ByteQueue::View(uint64_t begin, uint64_t end) const {
  return std::string_view(bytes_).substr(static_cast<size_t>(begin - first_),
                                         static_cast<size_t>(end - begin));
}

void ByteQueue::Mask(uint64_t begin, uint64_t end) {
  begin = std::max(begin, front_);
  end = std::min(end, back());
  if (begin >= end) return;
  std::fill(bytes_.begin() + static_cast<std::ptrdiff_t>(begin - first_),
            bytes_.begin() + static_cast<std::ptrdiff_t>(end - first_), '*');
}

void ByteQueue::Put(uint64_t at, std::string_view bytes) {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(at - first_));
}

void ByteQueue::DropTo(uint64_t offset) {
  front_ = std::max(front_, offset);
  const auto dropped = static_cast<size_t>(front_ - first_);
  // The bytes moved (the ones kept) are at most the ones dropped since the last erase.
  if (dropped == 0 || dropped < bytes_.size() - dropped) return;
  work_ += bytes_.size() - dropped;
  bytes_.erase(0, dropped);
  first_ = front_;
}

std::string ByteQueue::Take(uint64_t end) {
  std::string out(View(front_, end));
  work_ += out.size();
  DropTo(end);
  return out;
}

void SecretStream::Push(std::string_view piece) {
  out_.Append(piece);
  matcher_.Feed(piece, [this](uint64_t begin, uint64_t end) {
    out_.Mask(begin, end);
    work_ += end - begin;
  });
  work_ += piece.size();
  // Never moves back: a tail that could start a secret now was one before, or is newer.
  decided_ = std::max(decided_, out_.back() - matcher_.undecided());
  piece_ends_.push_back(out_.back());
}

void SecretStream::Finish() { decided_ = out_.back(); }

std::string SecretStream::TakeBytes() {
  std::string out = out_.Take(std::max(decided_, out_.front()));
  while (!piece_ends_.empty() && piece_ends_.front() <= out_.front()) piece_ends_.pop_front();
  return out;
}

bool SecretStream::PieceReady() const {
  return !piece_ends_.empty() && piece_ends_.front() <= decided_;
}

std::string SecretStream::TakePiece() {
  const uint64_t end = std::max(piece_ends_.front(), out_.front());
  piece_ends_.pop_front();
  return out_.Take(end);
}

}  // namespace llmstream::cli
