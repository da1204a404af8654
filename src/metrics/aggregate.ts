/**
 * Mean and 95 % confidence interval over seeds (Student's t, since seeds are few). Shared by the
 * lab's multi-seed tables and the app's bands, so both say the same thing.
 */

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

export interface MeanInterval {
  readonly mean: number;
  /** Half-width of the 95 % interval (0 for a single value). */
  readonly halfWidth: number;
  readonly count: number;
}

export function meanInterval(values: readonly number[]): MeanInterval {
  const finite = values.filter(Number.isFinite);
  const count = finite.length;
  if (count === 0) return { mean: Number.NaN, halfWidth: Number.NaN, count };
  const mean = finite.reduce((a, b) => a + b, 0) / count;
  if (count === 1) return { mean, halfWidth: 0, count };
  const variance = finite.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (count - 1);
  const t = count - 1 <= T_975.length ? T_975[count - 2] : 1.96;
  return { mean, halfWidth: (t * Math.sqrt(variance)) / Math.sqrt(count), count };
}

export function formatInterval(interval: MeanInterval, digits = 3): string {
  if (!Number.isFinite(interval.mean)) return 'n/a';
  const mean = Number(interval.mean.toPrecision(digits));
  if (interval.count < 2) return String(mean);
  return `${mean} ± ${Number(interval.halfWidth.toPrecision(2))}`;
}

/** The middle value, or the mean of the two middle values; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
