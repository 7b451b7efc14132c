// Buffering text deltas: whole words, whole sentences and batches of deltas, from one stream.
// Mirrors the seed guide's "Async Generator Patterns > Custom Stream Processing" (StreamProcessor
// yielding complete words, keeping the last partial word in a buffer) and "Chunk Processing >
// Buffering and Batching" (StreamBuffer: batches of batchSize chunks or every flushInterval ms).
//
// Deltas are cut anywhere, even inside a word ("kni" + "ght"), so a word (or sentence) is only
// complete once the whitespace after it has arrived; what is left at the end is flushed. Each
// buffer gives back exactly the text it was fed, which the end of main() checks.
#include <chrono>
#include <iostream>
#include <string>
#include <string_view>

#include "example_support.h"
#include "llmstream/client.h"

namespace {

constexpr std::string_view kSpace = " \t\r\n";

// The display form of a piece: without the whitespace that separates it from the next one.
std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// Cuts a growing text into pieces that end in a boundary followed by whitespace. Each piece
// keeps its whitespace, so the pieces concatenated are the input.
class BoundaryBuffer {
 public:
  // `ends_piece(text, i)`: whether text[i] (not whitespace) may end a piece.
  explicit BoundaryBuffer(bool (*ends_piece)(std::string_view, size_t)) : ends_piece_(ends_piece) {}

  template <typename Emit>
  void Push(std::string_view delta, Emit&& emit) {
    buffer_.append(delta);
    size_t piece_start = 0;
    // Boundaries: a non-space character that may end a piece, with whitespace right after it.
    for (size_t i = scan_from_; i + 1 < buffer_.size(); ++i) {
      if (kSpace.find(buffer_[i]) != std::string_view::npos) continue;
      if (kSpace.find(buffer_[i + 1]) == std::string_view::npos) continue;
      if (!ends_piece_(buffer_, i)) continue;
      size_t end = buffer_.find_first_not_of(kSpace, i + 1);
      if (end == std::string::npos) end = buffer_.size();  // later whitespace joins the next
      emit(std::string_view(buffer_).substr(piece_start, end - piece_start), ++count_);
      piece_start = end;
      i = end - 1;
    }
    buffer_.erase(0, piece_start);
    // The last character may get its whitespace in the next delta: look at it again then.
    scan_from_ = buffer_.empty() ? 0 : buffer_.size() - 1;
  }

  template <typename Emit>
  void Finish(Emit&& emit) {
    if (!buffer_.empty()) emit(std::string_view(buffer_), ++count_);
    buffer_.clear();
    scan_from_ = 0;
  }

  int count() const { return count_; }

 private:
  bool (*ends_piece_)(std::string_view, size_t);
  std::string buffer_;
  size_t scan_from_ = 0;
  int count_ = 0;
};

bool EndsWord(std::string_view, size_t) { return true; }
bool EndsSentence(std::string_view text, size_t i) {
  return text[i] == '.' || text[i] == '!' || text[i] == '?';
}

// Batches of `batch_size` deltas, or fewer once the first delta of a batch has waited
// `flush_interval`. The wait is checked as deltas arrive: without a timer thread a quiet stream
// keeps its partial batch until the next delta or the end. (The seed's setTimeout flush drops
// its batch; a timed flush belongs in an event loop such as MultiRunner::RunOnce(max_wait_ms).)
class BatchBuffer {
 public:
  using Clock = std::chrono::steady_clock;

  BatchBuffer(int batch_size, std::chrono::milliseconds flush_interval)
      : batch_size_(batch_size), flush_interval_(flush_interval) {}

  template <typename Emit>
  void Push(std::string_view delta, Emit&& emit) {
    if (items_ == 0) first_at_ = Clock::now();
    text_.append(delta);
    ++items_;
    if (items_ >= batch_size_ || Clock::now() - first_at_ >= flush_interval_) Flush(emit);
  }

  template <typename Emit>
  void Finish(Emit&& emit) {
    if (items_ > 0) Flush(emit);
  }

 private:
  template <typename Emit>
  void Flush(Emit&& emit) {
    emit(std::string_view(text_), items_);
    text_.clear();
    items_ = 0;
  }

  int batch_size_;
  std::chrono::milliseconds flush_interval_;
  std::string text_;
  int items_ = 0;
  Clock::time_point first_at_;
};

}  // namespace

int main(int argc, char** argv) {
  const examples::Args args = examples::ParseArgs(
      argc, argv, "Re-cuts streamed text into words, sentences and batches as it arrives.");
  const examples::Setup setup = examples::Configure(args, examples::kAnthropic);

  BoundaryBuffer words(EndsWord);
  BoundaryBuffer sentences(EndsSentence);
  BatchBuffer batches(5, std::chrono::milliseconds(200));
  std::string from_words, from_sentences, from_batches;

  auto on_word = [&](std::string_view word, int number) {
    from_words.append(word);
    std::cout << "Word " << number << ": " << Trim(word) << "\n";
  };
  auto on_sentence = [&](std::string_view sentence, int number) {
    from_sentences.append(sentence);
    std::cout << "Sentence " << number << ": " << Trim(sentence) << "\n";
  };
  auto on_batch = [&](std::string_view text, int items) {
    from_batches.append(text);
    std::cout << "Batch of " << items << " chunks: " << Trim(text) << "\n";
  };

  llmstream::Client client(setup.options);
  llmstream::CompletionStream stream =
      client.StreamCompletion({.model = setup.model, .prompt = "Tell me about AI"});
  for (const llmstream::Event& event : stream) {
    if (event.kind == llmstream::EventKind::kText) {
      words.Push(event.text, on_word);
      sentences.Push(event.text, on_sentence);
      batches.Push(event.text, on_batch);
    } else if (event.kind == llmstream::EventKind::kMetadata) {
      std::cout << "Metadata: " << event.name << "\n";
    }
  }
  // Flush what is left: the last word has no whitespace after it.
  words.Finish(on_word);
  sentences.Finish(on_sentence);
  batches.Finish(on_batch);
  std::cout << "Streaming complete. Total words: " << words.count()
            << ", sentences: " << sentences.count() << "\n";

  if (stream.error()) {
    std::cerr << "error: " << examples::Describe(stream.error()) << "\n";
    return 1;
  }
  const std::string_view text = stream.result().text();
  if (from_words != text || from_sentences != text || from_batches != text) {
    std::cerr << "error: a buffer lost or changed text\n";
    return 1;
  }
  return 0;
}
