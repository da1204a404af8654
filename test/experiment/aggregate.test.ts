/** Mean and 95 % interval over seeds (Student's t), as the lab's table and the app's bands print them. */
import { describe, expect, it } from 'vitest';
import { formatInterval, meanInterval, median } from '../../src/metrics/aggregate';

describe('meanInterval', () => {
  it('[1, 2, 3]: mean 2, half-width t(2)·s/√n = 4.303·1/√3', () => {
    const interval = meanInterval([1, 2, 3]);
    expect(interval.mean).toBe(2);
    expect(interval.count).toBe(3);
    expect(interval.halfWidth).toBeCloseTo(4.303 / Math.sqrt(3), 12);
  });

  it('uses the sample variance (n − 1) and t for n − 1 degrees of freedom', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, Σ(x − 5)² = 32, s² = 32/7; t(7) = 2.365.
    const interval = meanInterval([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(interval.mean).toBe(5);
    expect(interval.halfWidth).toBeCloseTo((2.365 * Math.sqrt(32 / 7)) / Math.sqrt(8), 12);
    // Two values: t(1) = 12.706 and s = |a − b|/√2.
    expect(meanInterval([0, 2]).halfWidth).toBeCloseTo((12.706 * Math.sqrt(2)) / Math.sqrt(2), 12);
  });

  it('covers the table up to 30 degrees of freedom, then the normal 1.96', () => {
    const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1 : 1));
    // n = 31 → 30 degrees of freedom → 2.042; n = 32 → 1.96.
    for (const [n, t] of [
      [31, 2.042],
      [32, 1.96],
      [100, 1.96],
    ] as const) {
      const values = alternating(n);
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const s = Math.sqrt(values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
      expect(meanInterval(values).halfWidth, `n = ${n}`).toBeCloseTo((t * s) / Math.sqrt(n), 12);
    }
  });

  it('a single value has no spread; no value has no mean; non-finite values are left out', () => {
    expect(meanInterval([7])).toEqual({ mean: 7, halfWidth: 0, count: 1 });
    const empty = meanInterval([]);
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(empty.halfWidth).toBeNaN();
    const mixed = meanInterval([1, Number.NaN, 3, Number.POSITIVE_INFINITY]);
    expect(mixed.count).toBe(2);
    expect(mixed.mean).toBe(2);
    expect(mixed.halfWidth).toBeCloseTo(12.706, 12);
  });
});

describe('formatInterval', () => {
  it('prints the mean to 3 significant digits and the half-width to 2', () => {
    expect(formatInterval(meanInterval([1, 2, 3]))).toBe('2 ± 2.5');
    expect(formatInterval(meanInterval([-123.456, -120.1]))).toBe('-122 ± 21');
    expect(formatInterval(meanInterval([0.123456]))).toBe('0.123');
    expect(formatInterval(meanInterval([]))).toBe('n/a');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values, and NaN of none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
