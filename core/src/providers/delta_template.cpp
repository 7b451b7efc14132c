#include "providers/delta_template.h"

#include <algorithm>

#include "common/equal_bytes.h"
#include "json/escape.h"

namespace llmstream::providers {

bool DeltaTemplate::Replay(const SseEvent& event, Emitter& out) {
  if (!template_.valid()) return false;
  std::string_view value;
  if (common::EqualBytes(event.type, type_) && common::EqualBytes(event.id, id_) &&
      template_.Match(event.data, out.arena(), &value)) {
    // An empty delta emits nothing, as the full parse of a text "" does.
    if (!value.empty()) out.Push(delta_).text = value;
    return true;
  }
  template_.Clear();
  return false;
}

size_t DeltaTemplate::MatchPrefix(std::string_view type, std::string_view id, std::string_view rest,
                                  Emitter& out, bool same_names) {
  if (!template_.valid()) return 0;
  if (!same_names || !names_checked_) {
    names_checked_ = common::EqualBytes(type, type_) && common::EqualBytes(id, id_);
    if (!names_checked_) return 0;
  }
  return template_.MatchRawPrefix(rest, out.arena(), &matched_);
}

void DeltaTemplate::Begin(const SseEvent& event, const Emitter& out) {
  data_ = event.data;
  first_ = out.size();
  names_checked_ = false;  // type_ and id_ may change
  deltas_ = 0;
  holes_.clear();
  if (enabled_) {
    type_.assign(event.type);
    id_.assign(event.id);
  }
}

json::ChunkTemplate::Hole DeltaTemplate::HoleOf(std::string_view raw) const {
  const size_t begin = static_cast<size_t>(raw.data() - data_.data());
  return {begin, begin + raw.size()};
}

void DeltaTemplate::NoteDelta(std::string_view raw) {
  // A value unescaped into the arena is not where its string is: no template from this payload.
  const bool in_payload =
      raw.data() >= data_.data() && raw.data() + raw.size() <= data_.data() + data_.size();
  deltas_ += in_payload ? 1 : 2;
  if (deltas_ == 1) delta_hole_ = HoleOf(raw);
}

void DeltaTemplate::NoteIgnored(std::string_view raw) {
  const bool in_payload =
      raw.data() >= data_.data() && raw.data() + raw.size() <= data_.data() + data_.size();
  if (in_payload) {
    holes_.push_back(HoleOf(raw));
  } else {
    deltas_ += 2;
  }
}

void DeltaTemplate::End(Emitter& out) {
  if (!enabled_ || deltas_ != 1 || out.size() != first_ + 1) return;
  const Event& delta = out.event(first_);
  // Only a delta whose text is the noted string's value, and nothing that points into this
  // payload's buffers besides it.
  if (!IsDelta(delta.kind) || !delta.id.empty() || !delta.name.empty() || delta.text.empty()) {
    return;
  }
  std::string_view value;
  const std::string_view raw = data_.substr(delta_hole_.begin, delta_hole_.end - delta_hole_.begin);
  if (!json::Unescape(raw, out.arena(), &value) || value != delta.text) return;
  holes_.push_back(delta_hole_);
  std::sort(holes_.begin(), holes_.end(),
            [](const auto& a, const auto& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < holes_.size(); ++i) {
    if (holes_[i - 1].end > holes_[i].begin) return;  // one string noted twice
  }
  delta_ = delta;
  delta_.text = {};
  size_t value_hole = 0;
  while (holes_[value_hole].begin != delta_hole_.begin) ++value_hole;
  template_.Build(data_, holes_, value_hole);
}

}  // namespace llmstream::providers
