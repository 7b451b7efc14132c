// LiveHandle: a member of every class JS gets handles to, counting the objects alive so that tests
// can prove each handle is deleted as soon as its stage ends (completed, broken out of, failed),
// not only when the FinalizationRegistry backstop runs after a garbage collection.
#pragma once

namespace llmstream::wasm {

class LiveHandle {
 public:
  LiveHandle() { ++count_; }
  LiveHandle(const LiveHandle&) { ++count_; }  // embind copies values it returns to JS
  LiveHandle& operator=(const LiveHandle&) = default;
  ~LiveHandle() { --count_; }

  static int count() { return count_; }

 private:
  static inline int count_ = 0;
};

}  // namespace llmstream::wasm
