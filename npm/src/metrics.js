// Stream metrics measured where the chunks arrive (each network read is timestamped once, before
// the consumer sees it, so a slow consumer does not distort them). The keys of the seed guide's
// Groq benchmark come first (firstTokenLatency, averageInterTokenLatency, totalTokens,
// tokensPerSecond, consistency), with the same definitions as the core's MetricsRecorder
// (llmstream/metrics.h): an output chunk is a non-empty text, reasoning, refusal or
// tool-argument delta; inter-token gaps are between consecutive output chunks; mean and standard
// deviation are population statistics; the coefficient of variation is in percent.

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

export class MetricsTracker {
  constructor(now) {
    this.now = now;
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
    };
  }
}
