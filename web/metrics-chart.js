// Live stream metrics (ChunkStream.metrics(): measured where the package receives the chunks)
// and a canvas bar chart of the inter-token gaps as the page saw them (after the transforms).
// No library.

/**
 * Percentile of a list of numbers, interpolated between order statistics like the package's
 * metrics; null when empty.
 */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (p / 100) * (sorted.length - 1);
  const low = Math.floor(position);
  if (low + 1 >= sorted.length) return sorted[low];
  return sorted[low] + (position - low) * (sorted[low + 1] - sorted[low]);
}

const ms = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${Math.round(v)} ms`);
const num = (v, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

/**
 * The figures shown under a panel's output.
 * @param {object|null} m stream.metrics()
 * @param {number[]} gaps inter-token gaps in ms
 * @param {{usage: object|null, cost: number, priced?: boolean, costEstimated: boolean, bytes?: number}} extra
 */
export function metricRows(m, gaps, { usage, cost, priced = true, costEstimated, bytes = 0 }) {
  const tokens = usage?.completionTokens ?? m?.totalTokens ?? null;
  const mean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  return [
    ['ttft', 'TTFT', ms(m?.firstTokenLatency)],
    ['tps', 'Tokens/s', num(m?.tokensPerSecond)],
    ['itl-mean', 'ITL mean', ms(m?.averageInterTokenLatency ?? mean)],
    ['itl-p95', 'ITL p95', ms(m?.interTokenLatency?.p95 ?? percentile(gaps, 95))],
    ['itl-sd', 'ITL σ · CV', m?.consistency && gaps.length
      ? `${Math.round(m.consistency.standardDeviation)} ms · ${Math.round(m.consistency.coefficientOfVariation)}%` : '–'],
    ['tokens', 'Tokens', tokens === null ? '–' : String(tokens) + (usage?.estimated ? ' (est.)' : '')],
    ['cost', 'Cost', !usage ? '–' : !priced ? '$0 (no price)' : `$${cost.toFixed(6)}${costEstimated ? ' (est.)' : ''}`],
    ['time', 'Time', ms(m?.totalTime)],
    ['chunks', 'Chunks · bytes', m ? `${m.outputChunks ?? 0} · ${m.bytes ?? bytes}` : '–'],
  ];
}

/** Draws the gaps as bars (newest on the right), with the p95 as a dashed line. */
export function drawChart(canvas, gaps) {
  const dpr = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 80;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(canvas);
  const bar = style.getPropertyValue('--chart-bar').trim() || '#3b6fd8';
  const line = style.getPropertyValue('--chart-line').trim() || '#c0392b';
  const fg = style.getPropertyValue('--muted').trim() || '#666';
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = fg;
  if (gaps.length === 0) {
    ctx.fillText('inter-token latency (ms) appears here', 6, height / 2);
    return;
  }
  const shown = gaps.slice(-Math.max(1, Math.floor(width / 3)));
  const max = Math.max(...shown, 1);
  const top = 14;
  const plot = height - top - 2;
  const w = width / shown.length;
  ctx.fillStyle = bar;
  shown.forEach((g, i) => {
    const h = Math.max(1, (g / max) * plot);
    ctx.fillRect(i * w, height - h, Math.max(1, w - 1), h);
  });
  const p95 = percentile(gaps, 95);
  if (p95 !== null && p95 <= max) {
    const y = height - (p95 / max) * plot;
    ctx.strokeStyle = line;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(width, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.fillStyle = fg;
  ctx.fillText(`ITL, max ${Math.round(max)} ms, p95 dashed, ${gaps.length} gaps`, 4, 11);
  canvas.setAttribute(
    'aria-label',
    `Inter-token latency chart: ${gaps.length} gaps, max ${Math.round(max)} ms, p95 ${Math.round(p95 ?? 0)} ms`,
  );
}
