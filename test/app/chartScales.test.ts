import { describe, expect, it } from 'vitest';
import {
  iterationScale,
  keepsFitting,
  niceCeiling,
  linearScale,
  logScale,
  niceStep,
  thinRows,
} from '../../app/playground/chartScales';

describe('chart scales', () => {
  it('picks nice steps', () => {
    expect(niceStep(0.33)).toBe(0.5);
    expect(niceStep(4.2)).toBe(5);
    expect(niceStep(17)).toBe(20);
    expect(niceStep(0)).toBe(1);
  });

  it('ends a linear domain on ticks around the data, ignoring non-finite values', () => {
    const scale = linearScale([-183.2, -12.5, Number.NaN, Infinity]);
    expect(scale.domain).toEqual([-200, 0]);
    expect(scale.ticks).toEqual([-200, -150, -100, -50, 0]);
    expect(linearScale([]).domain).toEqual([0, 1]);
    expect(linearScale([3, 3]).ticks.length).toBeGreaterThan(1);
  });

  it('builds no axis from values a chart cannot draw, so the ticks stay few (a file of 1e308s)', () => {
    expect(linearScale([1e308, -1e308, -183.2, -12.5])).toEqual(linearScale([-183.2, -12.5]));
    expect(linearScale([1e308, -1e308])).toEqual(linearScale([]));
    expect(linearScale([-1e300, 1e300]).ticks.length).toBeLessThanOrEqual(6);
    expect(logScale([5e-324, 1e-320, 1e308, 0.3])).toEqual(logScale([0.3]));
    expect(logScale([5e-324, 1e308])).toEqual(logScale([]));
    for (const scale of [linearScale([-1e300, 1e300]), logScale([1e-300, 1e300])]) {
      expect(scale.domain.every(Number.isFinite)).toBe(true);
      expect(scale.ticks.every(Number.isFinite)).toBe(true);
    }
    expect(logScale([1e-300, 1e300]).domain[0]).toBeGreaterThan(0);
    // An axis always keeps itself (an axis that would not made recharts render without end).
    for (const [scale, log] of [
      [linearScale([1e308]), false],
      [logScale([5e-324]), true],
      [logScale([1e-300, 1e300]), true],
    ] as const) {
      expect(keepsFitting(scale, { ...scale }, log)).toBe(true);
    }
  });

  it('spans whole decades on a log axis, positive values only', () => {
    expect(logScale([0.004, 0.3, 0, -1])).toEqual({
      domain: [0.001, 1],
      ticks: [0.001, 0.01, 0.1, 1],
    });
    expect(logScale([0.2, 0.6]).ticks).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logScale([1e-9, 1e3]).ticks.length).toBeLessThanOrEqual(7);
  });

  it('keeps an axis while it holds the data and the data fills enough of it', () => {
    const kept = linearScale([-800, -200]); // -800 … -200
    expect(keepsFitting(kept, kept, false)).toBe(true); // an unchanged axis stays
    expect(keepsFitting(kept, linearScale([-700, -300]), false)).toBe(true);
    expect(keepsFitting(kept, linearScale([-900, -300]), false)).toBe(false); // spills out
    expect(keepsFitting(kept, linearScale([-500, -450]), false)).toBe(false); // too loose
    const decades = logScale([0.001, 1]); // three decades
    expect(keepsFitting(decades, logScale([0.005, 0.8]), true)).toBe(true);
    expect(keepsFitting(decades, logScale([0.05, 0.8]), true)).toBe(true); // one fewer
    expect(keepsFitting(decades, logScale([0.5, 0.8]), true)).toBe(false); // two fewer
    expect(keepsFitting(decades, logScale([0.005, 8]), true)).toBe(false);
  });

  it('ends the iterations axis on the next of 10, 20, 50, 100… with integer ticks', () => {
    expect(iterationScale(1, 3)).toEqual({ domain: [1, 10], ticks: [1, 2, 4, 6, 8, 10] });
    expect(iterationScale(0, 0).domain).toEqual([0, 10]);
    expect(iterationScale(1, 11).domain).toEqual([1, 20]);
    const long = iterationScale(1, 240);
    expect(long.domain).toEqual([1, 500]);
    expect(long.ticks.every(Number.isInteger)).toBe(true);
    expect(long.ticks.length).toBeLessThanOrEqual(8);
    // The same axis from iteration 21 to 50: a growing run rarely changes it.
    const axes = new Set(
      Array.from({ length: 30 }, (_, i) => JSON.stringify(iterationScale(0, 21 + i))),
    );
    expect(axes.size).toBe(1);
    expect(niceCeiling(1)).toBe(1);
    expect(niceCeiling(2.5)).toBe(5);
    expect(niceCeiling(1001)).toBe(2000);
  });

  it('thins rows to about the maximum, keeping the same ones as rows are appended, and the last', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const kept = thinRows(rows, 150);
    expect(kept.length).toBeLessThanOrEqual(151);
    expect(kept.at(-1)).toBe(999);
    const later = thinRows([...rows, 1000, 1001], 150);
    expect(later.filter((i) => i < 999)).toEqual(kept.filter((i) => i < 999));
    expect(thinRows([1, 2, 3], 150)).toEqual([1, 2, 3]);
  });
});
