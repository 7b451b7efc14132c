// Stream metrics measured where the chunks arrive (each network read is timestamped once, before
// the consumer sees it, so a slow consumer does not distort them). The keys of the seed guide's
// Groq benchmark come first (firstTokenLatency, averageInterTokenLatency, totalTokens,
// tokensPerSecond, consistency), with the same definitions as the core's MetricsRecorder
// (llmstream/metrics.h): an output chunk is a non-empty text, reasoning, refusal or
// tool-argument delta; inter-token gaps are between consecutive output chunks; mean and standard
// deviation are population statistics; the coefficient of variation is in percent.
//
// A second implementation of the core's recorder, kept because the recorder itself does not fit
// the wasm module's size budget (measured: bench/README.md, "Footprint and start-up");
// tests/golden/metrics.json holds both to the same hand-worked summary
// (tests/metrics_golden_test.cpp and tests/node/metrics_golden.test.mjs).

import { STALL_THRESHOLD_MS } from '../dist/core/abi.js';

/** Whether a chunk is an output chunk (a non-empty text, reasoning, refusal or tool-argument delta). */
export function isOutputChunk(chunk) {
  switch (chunk.type) {
    case 'text':
      return Boolean(chunk.text);
    case 'reasoning':
      return Boolean(chunk.reasoning) && (chunk.part === undefined || chunk.part === 'text' ||
        chunk.part === 'summary' || chunk.part === 0 || chunk.part === 3);
    case 'refusal':
      return Boolean(chunk.refusal);
    case 'tool_call_delta':
      return Boolean(chunk.toolCall?.argumentsDelta);
    default:
      return false;
  }
}

/** Gaps longer than this count as stalls: the core's default (MetricsOptions, through abi.js). */
export { STALL_THRESHOLD_MS };

/**
 * The p-th percentile (0-100) of `sorted` (ascending), interpolated between the order statistics
 * around p / 100 * (n - 1), as the core's GapDistribution does while it is exact.
 * @param {Float64Array} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  const n = sorted.length;
  if (n === 0) return 0;
  const position = (p / 100) * (n - 1);
  const low = Math.floor(position);
  const fraction = position - low;
  if (fraction === 0 || low + 1 >= n) return sorted[low];
  return sorted[low] + fraction * (sorted[low + 1] - sorted[low]);
}

export class MetricsTracker {
  /**
   * @param {() => number} now the clock (ms)
   * @param {() => ({responseAtMs: number | null, bytesRead: number} | null)} [transport] what the
   *   driver knows below the chunks: when the response headers arrived, body bytes read
   */
  constructor(now, transport = () => null) {
    this.now = now;
    this.transport = transport;
    /** Every inter-token gap (for the percentiles), grown by doubling. */
    this.gaps = new Float64Array(64);
    this.stalls = 0;
    this.longestStall = 0;
    this.cost = null;
    this.startMs = null;
    this.endMs = null;
    this.firstByteMs = null;
    this.firstOutputMs = null;
    this.lastOutputMs = null;
    this.outputChunks = 0;
    this.chunks = 0;
    this.gapCount = 0;
    this.gapMean = 0;
    this.gapM2 = 0;
    this.gapMax = 0;
    this.usage = null;
  }

  start() {
    if (this.startMs === null) this.startMs = this.now();
  }

  /** One network read's public chunks, all arriving at the same time. */
  batch(chunks) {
    const t = this.now();
    if (this.firstByteMs === null) this.firstByteMs = t;
    for (const chunk of chunks) {
      this.chunks++;
      if (chunk.type === 'usage' && chunk.usage) this.usage = chunk.usage;
      if (chunk.type === 'cost' && chunk.costDetails) this.cost = chunk.costDetails;
      if (!isOutputChunk(chunk)) continue;
      this.outputChunks++;
      if (this.firstOutputMs === null) {
        this.firstOutputMs = t;
      } else {
        const gap = t - this.lastOutputMs;
        this.gapCount++;
        const delta = gap - this.gapMean;
        this.gapMean += delta / this.gapCount;
        this.gapM2 += delta * (gap - this.gapMean);
        if (gap > this.gapMax) this.gapMax = gap;
        if (this.gapCount > this.gaps.length) {
          const grown = new Float64Array(this.gaps.length * 2);
          grown.set(this.gaps);
          this.gaps = grown;
        }
        this.gaps[this.gapCount - 1] = gap;
        if (gap > STALL_THRESHOLD_MS) {
          this.stalls++;
          if (gap > this.longestStall) this.longestStall = gap;
        }
      }
      this.lastOutputMs = t;
    }
  }

  end() {
    if (this.endMs === null) this.endMs = this.now();
  }

  /** A snapshot (also while the stream runs). Durations in ms. */
  summary() {
    const start = this.startMs;
    const endOrNow = this.endMs ?? this.now();
    const since = (t) => (t === null || start === null ? null : t - start);
    const std = this.gapCount ? Math.sqrt(this.gapM2 / this.gapCount) : 0;
    const generationMs =
      this.firstOutputMs === null ? 0 : this.lastOutputMs - this.firstOutputMs;
    const chunksPerSecond =
      this.outputChunks > 1 && generationMs > 0 ? ((this.outputChunks - 1) * 1000) / generationMs : 0;
    const reported = this.usage && !this.usage.estimated ? this.usage.completionTokens : undefined;
    const tokens = typeof reported === 'number' && reported > 0 ? reported : this.outputChunks;
    const tokensPerSecond =
      this.outputChunks > 0 ? (chunksPerSecond * tokens) / this.outputChunks : 0;
    const sorted = this.gaps.slice(0, this.gapCount).sort();
    const transport = this.transport() ?? { responseAtMs: null, bytesRead: 0 };
    return {
      firstTokenLatency: since(this.firstOutputMs),
      averageInterTokenLatency: this.gapMean,
      totalTokens: tokens,
      tokensPerSecond,
      consistency: {
        mean: this.gapMean,
        standardDeviation: std,
        coefficientOfVariation: this.gapMean > 0 ? (std / this.gapMean) * 100 : 0,
      },
      timeToFirstByte: since(this.firstByteMs),
      totalTime: start === null ? 0 : endOrNow - start,
      outputChunks: this.outputChunks,
      chunks: this.chunks,
      chunksPerSecond,
      maxInterTokenLatency: this.gapMax,
      ended: this.endMs !== null,
      timeToHeaders: since(transport.responseAtMs),
      interTokenLatency: {
        count: this.gapCount,
        mean: this.gapMean,
        standardDeviation: std,
        coefficientOfVariation: this.gapMean > 0 ? (std / this.gapMean) * 100 : 0,
        min: this.gapCount ? sorted[0] : 0,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: this.gapMax,
      },
      stalls: { count: this.stalls, longest: this.longestStall, threshold: STALL_THRESHOLD_MS },
      bytes: transport.bytesRead,
      usage: this.usage,
      cost: this.cost,
    };
  }
}
