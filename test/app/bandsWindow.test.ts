/**
 * The charts' bounded history: every iteration up to the limit, then every 2nd, 4th… by
 * iteration number (so compared configs keep the same ones), and always the latest.
 */
import { describe, expect, it } from 'vitest';
import { appendBands, MAX_CHART_ITERATIONS } from '../../app/playground/bandsWindow';
import type { IterationBands } from '../../src/reportSeries';

const bandsAt = (iteration: number): IterationBands =>
  ({ iteration, seeds: 1, series: {} }) as unknown as IterationBands;

function run(iterations: number, max?: number): IterationBands[] {
  let history: IterationBands[] = [];
  for (let i = 0; i < iterations; i++) history = appendBands(history, bandsAt(i), max);
  return history;
}

describe('appendBands', () => {
  it('keeps every iteration up to the limit', () => {
    expect(run(MAX_CHART_ITERATIONS).map((b) => b.iteration)).toEqual(
      Array.from({ length: MAX_CHART_ITERATIONS }, (_, i) => i),
    );
  });

  it('past it, keeps every 2^k-th iteration from 0 and the latest, never more than the limit + 1', () => {
    for (const iterations of [1_001, 1_002, 2_500, 10_000]) {
      let most = 0;
      let history: IterationBands[] = [];
      for (let i = 0; i < iterations; i++) {
        history = appendBands(history, bandsAt(i));
        most = Math.max(most, history.length);
        expect(history.at(-1)?.iteration).toBe(i);
      }
      expect(most).toBeLessThanOrEqual(MAX_CHART_ITERATIONS + 1);
      const kept = history.slice(0, -1).map((b) => b.iteration);
      const stride = kept[1] - kept[0];
      expect(Math.log2(stride) % 1).toBe(0);
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => k * stride));
      expect(kept.at(-1)).toBeGreaterThan(iterations - 1 - stride - 1);
      // Still dense enough for the charts' 300 points.
      expect(history.length).toBeGreaterThan(MAX_CHART_ITERATIONS / 2);
    }
  });

  it("a config that ended earlier keeps every iteration the longer one keeps in its range, so the charts' rows line up", () => {
    const long = run(3_000, 100).slice(0, -1).map((b) => b.iteration);
    const short = new Set(run(1_800, 100).map((b) => b.iteration));
    const shared = long.filter((i) => i < 1_800);
    expect(shared.length).toBeGreaterThan(20);
    for (const i of shared) expect(short.has(i), `iteration ${i}`).toBe(true);
  });
});
