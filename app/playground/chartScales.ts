/**
 * The charts' axes and points, computed here rather than by recharts: a domain and its ticks per
 * axis (so recharts draws the ticks it is given instead of searching for nice ones with
 * decimal.js and measuring their labels in the DOM), and the rows thinned to a bounded number
 * of points per line. Ticks come in nice steps (1, 2 or 5 times a power of ten) and a linear
 * domain ends on ticks, so between two reports the axes mostly stay exactly as they were.
 */

import { isDrawable } from './drawable';

export interface AxisScale {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

/** The nice step (1, 2, 2.5 or 5 × 10^k) nearest above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice =
    fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** `value` with float noise removed (0.30000000000000004 → 0.3). */
const clean = (value: number) => Number(value.toPrecision(12));

/**
 * Range of the `values` a chart can draw (drawable.ts), or null: a file's 1e308 would make an
 * axis span Infinity and its ticks an endless array; the charts say what they left out.
 */
function rangeOf(values: Iterable<number>, positiveOnly: boolean): [number, number] | null {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (!isDrawable(value, positiveOnly ? 'log' : 'linear')) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return low <= high ? [low, high] : null;
}

/** A linear axis over `values` with about `count` intervals, its ends on ticks. */
export function linearScale(values: Iterable<number>, count = 4): AxisScale {
  const range = rangeOf(values, false);
  if (range === null) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  let [low, high] = range;
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = niceStep((high - low) / count);
  const start = Math.floor(low / step);
  const end = Math.ceil(high / step);
  const ticks: number[] = [];
  for (let i = start; i <= end; i++) ticks.push(clean(i * step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

/**
 * A log axis over the positive `values`: whole decades, a tick per decade (every 2nd or 3rd when
 * there are many), and 2 and 5 within the decade when the data spans only one or two.
 */
export function logScale(values: Iterable<number>): AxisScale {
  const range = rangeOf(values, true);
  if (range === null) return { domain: [0.1, 1], ticks: [0.1, 1] };
  const low = Math.floor(Math.log10(range[0]));
  const high = Math.max(low + 1, Math.ceil(Math.log10(range[1])));
  const decades = high - low;
  const every = decades <= 6 ? 1 : Math.ceil(decades / 5);
  const ticks: number[] = [];
  for (let k = low; k <= high; k++) {
    if ((k - low) % every !== 0 && k !== high) continue;
    const power = clean(10 ** k);
    ticks.push(power);
    if (decades <= 2 && k < high) ticks.push(clean(2 * power), clean(5 * power));
  }
  return { domain: [clean(10 ** low), clean(10 ** high)], ticks };
}

/**
 * Whether an axis can stay at `kept` when the data now asks for `next`: `kept` holds all of
 * `next`'s domain (so every value), and the data still fills a good part of it (at least half
 * of a linear axis, all but one decade of a log one). An axis that stays is not redrawn by
 * recharts (a changed one re-registers with its store, the costly part of a chart's redraw), and
 * values that wander within the range no longer move it at every report.
 */
export function keepsFitting(kept: AxisScale, next: AxisScale, log: boolean): boolean {
  const [keptLow, keptHigh] = kept.domain;
  const [low, high] = next.domain;
  // The same axis always stays, whatever the arithmetic below makes of its ends.
  if (low === keptLow && high === keptHigh) return true;
  if (low < keptLow || high > keptHigh) return false;
  if (log) return Math.log10(keptHigh / keptLow) - Math.log10(high / low) <= 1 + 1e-9;
  return high - low >= 0.5 * (keptHigh - keptLow);
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `value` (≥ 1). */
export function niceCeiling(value: number): number {
  let decade = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (m * decade >= value) return m * decade;
    decade *= 10;
  }
}

/** The iterations' axis ends no sooner than this: a new run's first reports keep one axis. */
const FIRST_ITERATION_AXIS_END = 10;

/**
 * The iterations' axis: first … the next of 10, 20, 50, 100, … at or past the last, integer
 * ticks in nice steps. Ending on such a round number rather than on the latest iteration keeps
 * the axis the same for many reports: a changed axis is re-registered in recharts' store, and
 * the whole chart is drawn again.
 */
export function iterationScale(first: number, latest: number, count = 6): AxisScale {
  const last = niceCeiling(Math.max(latest, first + 1, FIRST_ITERATION_AXIS_END));
  const step = Math.max(1, niceStep((last - first) / count));
  const ticks: number[] = [];
  const integerStep = Math.ceil(step);
  for (let t = Math.ceil(first / integerStep) * integerStep; t <= last; t += integerStep) {
    if (t >= first) ticks.push(t);
  }
  if (ticks[0] !== first && (ticks[0] ?? Infinity) - first >= integerStep / 2) ticks.unshift(first);
  return { domain: [first, last], ticks };
}

/**
 * Every k-th of `rows` (by position, so the kept ones stay the same as rows are appended, until k
 * doubles) and always the last, at most about `max` in all.
 */
export function thinRows<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  let stride = 1;
  while (Math.ceil(rows.length / stride) > max) stride *= 2;
  const kept = rows.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== rows[rows.length - 1]) kept.push(rows[rows.length - 1]);
  return kept;
}

/** A tick label: short, with k for thousands and an exponent for tiny values. */
export function compactTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return value.toExponential(0);
  if (magnitude >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
  if (magnitude !== 0 && magnitude < 0.01) return value.toExponential(0);
  return String(Number(value.toPrecision(3)));
}
