#include "llmstream/multi_runner.h"

#include <exception>
#include <utility>
#include <vector>

#include "engine.h"
#include "transfer.h"

namespace llmstream {

struct MultiRunner::Impl {
  native::Engine engine;
  std::unordered_map<StreamId, std::unique_ptr<native::Transfer>> running;
  std::unordered_map<StreamId, Completion> finished;
  // Transfers that ended during this turn; destroyed after it, never inside their own callback.
  std::vector<StreamId> to_reap;
  // The first exception a callback threw: rethrown by RunOnce once the turn is over.
  std::exception_ptr exception;

  void Reap() {
    for (StreamId id : to_reap) running.erase(id);
    to_reap.clear();
  }
};

MultiRunner::MultiRunner() : impl_(std::make_unique<Impl>()) {}
MultiRunner::~MultiRunner() = default;

MultiRunner::StreamId MultiRunner::Add(const Client& client, CompletionRequest request,
                                       EventCallback on_event, DoneCallback on_done) {
  native::TransferOptions options = native::MakeTransferOptions(client, std::move(request));

  Impl* impl = impl_.get();
  // The id is the Transfer's engine id, known only once it exists: the callbacks read it back
  // through this shared slot.
  auto id_slot = std::make_shared<StreamId>(0);
  native::Transfer::EventCallback event_callback;
  if (on_event) {
    event_callback = [id_slot, on_event = std::move(on_event)](const Event& event) {
      return on_event(*id_slot, event);
    };
  } else {
    event_callback = [](const Event&) { return true; };
  }
  auto done_callback = [impl, id_slot, on_done = std::move(on_done)](native::Transfer& transfer) {
    if (transfer.callback_exception() && !impl->exception) {
      impl->exception = transfer.callback_exception();
    }
    Completion completion = transfer.session().result();
    if (!completion.error && transfer.session().error()) {
      completion.error = transfer.session().error();
    }
    auto [it, inserted] = impl->finished.insert_or_assign(*id_slot, std::move(completion));
    impl->to_reap.push_back(*id_slot);
    if (on_done) on_done(*id_slot, it->second);
  };
  auto transfer = std::make_unique<native::Transfer>(
      impl->engine, std::move(options), std::move(event_callback), std::move(done_callback));
  StreamId id = transfer->id();
  *id_slot = id;
  impl->running.emplace(id, std::move(transfer));
  return id;
}

void MultiRunner::Cancel(StreamId id) { impl_->engine.RequestCancel(id); }

void MultiRunner::CancelAll() {
  for (auto& [id, transfer] : impl_->running) impl_->engine.RequestCancel(id);
}

void MultiRunner::Run() {
  while (RunOnce(-1) > 0) {
  }
}

size_t MultiRunner::RunOnce(int64_t max_wait_ms) {
  if (active() == 0) return 0;
  impl_->engine.RunOnce(max_wait_ms);
  impl_->Reap();
  if (impl_->exception) std::rethrow_exception(std::exchange(impl_->exception, nullptr));
  return active();
}

size_t MultiRunner::active() const { return impl_->running.size() - impl_->to_reap.size(); }

const Completion* MultiRunner::result(StreamId id) const {
  if (auto it = impl_->finished.find(id); it != impl_->finished.end()) return &it->second;
  if (auto it = impl_->running.find(id); it != impl_->running.end()) {
    return &it->second->session().result();
  }
  return nullptr;
}

void MultiRunner::Forget(StreamId id) { impl_->finished.erase(id); }

}  // namespace llmstream
