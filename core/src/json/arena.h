// Arena: the scratch memory behind the hot path's string views.
//
// Unescaped JSON strings and copied event texts must outlive the call that produced them (until
// the next Feed), but allocating one std::string per token would cost more than parsing the token.
// An Arena hands out bytes from large blocks with a pointer bump and frees everything at once on
// Reset, so steady-state streaming allocates nothing.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace llmstream::json {

class Arena {
 public:
  // Size of a regular block. A request larger than kBlockSize / 4 gets a block of its own, so one
  // big string never wastes the free tail of the current block.
  static constexpr size_t kBlockSize = 16 * 1024;
  // Reset coalesces the blocks of a busy batch into one first block of up to this many bytes, so
  // the next batch of the same size needs no allocation; beyond it, memory is given back instead.
  static constexpr size_t kMaxRetainedBytes = 1024 * 1024;

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  // Returns `size` bytes, unaligned (the arena stores characters only). The bytes stay valid and
  // do not move until Reset or destruction. Never returns nullptr, also not for size 0.
  char* Allocate(size_t size) {
    // Strict `<`: the empty arena (cur_ == end_ == nullptr) must take the slow path even for 0.
    if (size < static_cast<size_t>(end_ - cur_)) {
      char* out = cur_;
      cur_ += size;
      return out;
    }
    return AllocateSlow(size);
  }

  // Copies `text` into the arena; the view is valid until Reset.
  std::string_view Copy(std::string_view text);

  // Forgets every allocation. Keeps the first block (grown to the batch's high-water mark, within
  // kMaxRetainedBytes) so that the steady state allocates nothing.
  void Reset();

  // Bytes handed out since the last Reset (for tests and metrics).
  size_t bytes_used() const;
  // Bytes currently held from the system allocator.
  size_t bytes_reserved() const;

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t used = 0;  // bytes handed out, valid for every block except the current one
  };

  char* AllocateSlow(size_t size);

  std::vector<Block> blocks_;
  size_t current_ = 0;   // index in blocks_ of the block that cur_/end_ bump through
  char* cur_ = nullptr;  // next free byte of the current block
  char* end_ = nullptr;  // end of the current block
};

}  // namespace llmstream::json
