#include <algorithm>
#include <cstdint>
#include <string>

#include "llmstream/pricing.h"

namespace llmstream {

namespace {

constexpr double kNone = -1;
constexpr double kTokensPerUnit = 1e6;  // prices are per MILLION tokens

// A price as whole millionths of a dollar (every list price has at most six decimals), so a row
// holds four 32-bit numbers instead of four doubles: half the table's bytes in the wasm module.
// n / 1e6 is the double nearest to n millionths, i.e. exactly the double of the written literal.
constexpr uint32_t kNoMicros = ~uint32_t{0};
constexpr uint32_t Micros(double usd) {
  return usd < 0 ? kNoMicros : static_cast<uint32_t>(usd * 1e6 + 0.5);
}

struct PriceRow {
  constexpr PriceRow(const char* model_name, double input_usd, double output_usd, double cached_usd,
                     double write_usd, const char* date)
      : model(model_name),
        input(Micros(input_usd)),
        output(Micros(output_usd)),
        cached(Micros(cached_usd)),
        write(Micros(write_usd)),
        as_of(date) {}
  const char* model;
  uint32_t input;
  uint32_t output;
  uint32_t cached;
  uint32_t write;
  const char* as_of;
};

constexpr PriceRow kDefaultPrices[] = {
#include "pricing/prices.inc"
#ifndef LLMSTREAM_WEB_CORE
#include "pricing/prices_more.inc"
#endif
};

double Usd(uint32_t micros) { return micros / 1e6; }

std::optional<double> Optional(uint32_t micros) {
  return micros == kNoMicros ? std::nullopt : std::optional<double>(Usd(micros));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

#ifndef LLMSTREAM_WEB_CORE
bool IsLetters(std::string_view s) {
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}
#endif

// Lower case, and version dots written as dashes ("claude-3.5-sonnet" == "claude-3-5-sonnet",
// "gpt-4.1" == "gpt-4-1"), so OpenRouter's spelling meets the providers' ids.
std::string Normalize(std::string_view name) {
  std::string out(name);
  for (size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '.' && i > 0 && i + 1 < out.size() && IsDigit(out[i - 1]) && IsDigit(out[i + 1])) {
      c = '-';
    }
  }
  return out;
}

bool IsBoundary(char c) { return c == '-' || c == ':' || c == '@' || c == '_' || c == '.'; }

// How well `key` names `name`: its length when equal or a prefix ending at a boundary, else 0.
size_t MatchLength(std::string_view name, std::string_view key) {
  if (key.empty() || name.size() < key.size() || name.compare(0, key.size(), key) != 0) return 0;
  if (name.size() == key.size() || IsBoundary(name[key.size()])) return key.size();
  return 0;
}

std::string_view AfterLastSlash(std::string_view s) {
  const size_t slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const PriceTable& PriceTable::Default() {
  static const PriceTable* const kTable = [] {
    auto* t = new PriceTable();
    for (const PriceRow& row : kDefaultPrices) {
      t->Set(row.model, ModelPrice{Usd(row.input), Usd(row.output), Optional(row.cached),
                                   Optional(row.write), std::nullopt, row.as_of});
    }
    return t;
  }();
  return *kTable;
}

void PriceTable::Set(std::string model, ModelPrice price) {
  std::string key = Normalize(model);
  for (Entry& entry : entries_) {
    if (entry.key == key) {
      entry.model = std::move(model);
      entry.price = std::move(price);
      return;
    }
  }
  entries_.push_back(Entry{std::move(key), std::move(model), std::move(price)});
}

bool PriceTable::Remove(std::string_view model) {
  const std::string key = Normalize(model);
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& entry) { return entry.key == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const PriceTable::Entry* PriceTable::FindNormalized(std::string_view name) const {
  const Entry* best = nullptr;
  size_t best_length = 0;
  for (const Entry& entry : entries_) {
    const size_t length = MatchLength(name, entry.key);
    if (length > best_length) {
      best = &entry;
      best_length = length;
    }
  }
  return best;
}

const PriceTable::Entry* PriceTable::FindEntry(std::string_view model) const {
  const std::string name = Normalize(model);
  if (const Entry* entry = FindNormalized(name)) return entry;
  const std::string_view bare = AfterLastSlash(name);
  if (bare.size() != name.size()) {
    // "openai/gpt-4o" -> "gpt-4o"
    if (const Entry* entry = FindNormalized(bare)) return entry;
  }
#ifndef LLMSTREAM_WEB_CORE  // the web module reads no Bedrock stream
  // Bedrock's "us.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon.nova-lite-v1:0": the
  // cross-region profile and the vendor lead the provider's own id.
  std::string_view unprefixed = bare;
  for (size_t dot = unprefixed.find('.');
       dot != std::string_view::npos && dot > 0 && IsLetters(unprefixed.substr(0, dot));
       dot = unprefixed.find('.')) {
    unprefixed.remove_prefix(dot + 1);
  }
  if (unprefixed.size() != bare.size()) {
    if (const Entry* entry = FindNormalized(unprefixed)) return entry;
  }
#endif
  // "gpt-oss-120b" from a compatible server -> the "openai/gpt-oss-120b" entry.
  const Entry* best = nullptr;
  size_t best_length = 0;
  for (const Entry& entry : entries_) {
    const std::string_view key_bare = AfterLastSlash(entry.key);
    if (key_bare.size() == entry.key.size()) continue;
    const size_t length = MatchLength(bare, key_bare);
    if (length > best_length) {
      best = &entry;
      best_length = length;
    }
  }
  return best;
}

const ModelPrice* PriceTable::Find(std::string_view model) const {
  // OpenRouter's ":free" variants are free whatever the paid model costs.
  static const ModelPrice kFree{0, 0, std::nullopt, std::nullopt, std::nullopt, ""};
  if (EndsWith(Normalize(model), ":free")) return &kFree;
  const Entry* entry = FindEntry(model);
  return entry == nullptr ? nullptr : &entry->price;
}

std::string_view PriceTable::FindKey(std::string_view model) const {
  if (EndsWith(Normalize(model), ":free")) return ":free";
  const Entry* entry = FindEntry(model);
  return entry == nullptr ? std::string_view() : std::string_view(entry->model);
}

Cost ComputeCost(const Usage& usage, const ModelPrice* price,
                 std::optional<double> provider_cost_usd) {
  Cost cost;
  const std::optional<double> reported =
      provider_cost_usd ? provider_cost_usd : usage.reported_cost_usd;
  if (reported) {
    cost.total_usd = *reported;
    cost.source = CostSource::kProvider;
    return cost;
  }
  if (price == nullptr || (!usage.input_tokens && !usage.output_tokens)) return cost;

  // tokens * price / 1e6 (multiply first): exact for whole millions, and one token costs
  // price / 1e6, never price / 1e3.
  auto dollars = [](int64_t tokens, double per_mtok) {
    return static_cast<double>(std::max<int64_t>(tokens, 0)) * per_mtok / kTokensPerUnit;
  };
  const int64_t input = std::max<int64_t>(usage.input_tokens.value_or(0), 0);
  const int64_t cached = std::clamp<int64_t>(usage.cached_input_tokens.value_or(0), 0, input);
  const int64_t written =
      std::clamp<int64_t>(usage.cache_write_tokens.value_or(0), 0, input - cached);
  const int64_t uncached = input - cached - written;
  const int64_t output = std::max<int64_t>(usage.output_tokens.value_or(0), 0);
  const int64_t reasoning = std::clamp<int64_t>(usage.reasoning_tokens.value_or(0), 0, output);

  cost.input_usd = dollars(uncached, price->input_per_mtok);
  cost.cached_input_usd =
      dollars(cached, price->cached_input_per_mtok.value_or(price->input_per_mtok));
  cost.cache_write_usd =
      dollars(written, price->cache_write_per_mtok.value_or(price->input_per_mtok));
  if (price->reasoning_per_mtok) {
    cost.output_usd = dollars(output - reasoning, price->output_per_mtok) +
                      dollars(reasoning, *price->reasoning_per_mtok);
  } else {
    cost.output_usd = dollars(output, price->output_per_mtok);
  }
  cost.total_usd = cost.input_usd + cost.cached_input_usd + cost.cache_write_usd + cost.output_usd;
  cost.source = usage.estimated ? CostSource::kEstimated : CostSource::kPriceTable;
  cost.price_date = price->as_of;
  return cost;
}

}  // namespace llmstream
