// Every transform and stream utility, in one include. See each header for details.
//
// Text transforms (TextTransform, text_transform.h), composable in a Pipeline:
//   WordStream        whole words
//   SafeMarkdown      untrusted Markdown to safe, well-formed HTML, incrementally
//   TypingEffect      N characters per second
//   ContentFilter     literal patterns replaced or dropped, also across chunk boundaries
//   Batcher           deltas grouped by count, size and interval
//   FixedChunker      fixed-size pieces
//   AdaptiveSmoother  bursty text evened out, with a bound on the added latency
// Stream utilities (over Events):
//   Progress          done vs an estimate, rate and ETA
//   BackpressureQueue / WaterMarks   pause / resume with high and low water marks
//   StreamCache / StreamRecorder / Replay / RequestKey   record, keep (LRU) and replay streams
//   Tee               one source, N independent bounded cursors
//   StoredEvent / EventRing          owned event copies
//
// All sans-I/O: time is passed in as now_ms, and transforms that release text over time say
// when they next want to be called (WakeAtMs), like Session::Poll.
#pragma once

#include "llmstream/transforms/adaptive_smoother.h"
#include "llmstream/transforms/backpressure.h"
#include "llmstream/transforms/batcher.h"
#include "llmstream/transforms/content_filter.h"
#include "llmstream/transforms/fixed_chunker.h"
#include "llmstream/transforms/pipeline.h"
#include "llmstream/transforms/progress.h"
#include "llmstream/transforms/request_key.h"
#include "llmstream/transforms/safe_markdown.h"
#include "llmstream/transforms/stored_event.h"
#include "llmstream/transforms/stream_cache.h"
#include "llmstream/transforms/tee.h"
#include "llmstream/transforms/text_transform.h"
#include "llmstream/transforms/typing_effect.h"
#include "llmstream/transforms/word_stream.h"
