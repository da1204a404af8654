/**
 * The charts' history of a config, bounded: a run of 10 000 iterations must not hold 10 000
 * iterations of bands in the page. Up to MAX_CHART_ITERATIONS are kept; past that, every other
 * one goes (the stride doubles: every 2nd iteration, then every 4th…), chosen by iteration number
 * so that compared configs keep the same iterations, and the latest is always kept. The charts
 * draw at most 300 points anyway (Charts.tsx); every report stays in the export
 * (reportArchive.ts). Heap snapshots of the page training the tiny config put the bands and what
 * the charts derive from them at about 4 kB a kept iteration.
 */
import type { IterationBands } from '../../src/reportSeries';

export const MAX_CHART_ITERATIONS = 1_000;

/** The kept iterations (the latest aside) are the multiples of this power of two. */
function strideOf(kept: readonly IterationBands[]): number {
  let stride = Infinity;
  for (const bands of kept.slice(0, -1)) {
    const i = bands.iteration;
    if (i > 0) stride = Math.min(stride, i & -i);
  }
  return Number.isFinite(stride) ? stride : 1;
}

/** `history` with `next` appended, thinned to at most `max` + 1 entries. */
export function appendBands(
  history: readonly IterationBands[],
  next: IterationBands,
  max = MAX_CHART_ITERATIONS,
): IterationBands[] {
  let stride = strideOf(history);
  const onStride = (bands: IterationBands) => bands.iteration % stride === 0;
  // The previous latest was kept for being the latest; it stays only if it is on the stride.
  const previous = history.at(-1);
  const kept = previous === undefined || onStride(previous) ? [...history] : history.slice(0, -1);
  kept.push(next);
  while (kept.length > max + 1) {
    stride *= 2;
    const latest = kept[kept.length - 1];
    const thinned = kept.filter((bands) => bands === latest || onStride(bands));
    kept.splice(0, kept.length, ...thinned);
  }
  return kept;
}
