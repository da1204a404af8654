/**
 * What a chart or map can draw: the one guard every view asks before it builds an axis, ticks or
 * pixel positions from data.
 *
 * A results file is checked for its shape, not its sense, so a finite 1e308 passes: an axis from
 * -1e308 to 1e308 spans Infinity, and its ticks were an endless array ("Invalid array length",
 * the tab gone); a log axis over 5e-324 starts at 10^-324 = 0. A value beyond these limits is
 * left out of the drawing and said in a notice, as text; it is never drawn clamped, which would
 * show a number that is not the file's.
 */
import { formatValue } from './knobs';

/** Beyond this magnitude a value is not drawn: sums, spans and nice steps of two stay finite. */
export const MAX_DRAWABLE = 1e300;
/** A log axis starts no lower than this (10^k of a smaller k is a denormal, then 0). */
export const MIN_LOG_DRAWABLE = 1e-300;

export type AxisKind = 'linear' | 'log';

export function isDrawable(value: number, axis: AxisKind = 'linear'): boolean {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_DRAWABLE) return false;
  return axis === 'linear' || value >= MIN_LOG_DRAWABLE;
}

/** A data key whose values were left out: its value farthest from drawable, and where. */
export interface Undrawn {
  readonly key: string;
  readonly extreme: number;
  /** The rows' iterations. */
  readonly iterations: readonly number[];
}

type Row = Readonly<Record<string, number | readonly [number, number] | null>>;

/** How far a value is from drawable, to name the worst one. */
function badness(value: number): number {
  if (Number.isNaN(value)) return Infinity;
  const magnitude = Math.abs(value);
  return magnitude > MAX_DRAWABLE ? magnitude : magnitude === 0 ? Infinity : 1 / magnitude;
}

/**
 * The rows with every value of `keys` a chart cannot draw on this axis removed (a band goes
 * whole if either end cannot be drawn), and what was removed. A value that is not a number at
 * all (null, absent) is simply not drawn, as before. Nothing removed: the very same rows.
 */
export function splitDrawable<R extends Row>(
  rows: readonly R[],
  keys: readonly string[],
  axis: AxisKind,
): { rows: readonly R[]; undrawn: Undrawn[] } {
  const found = new Map<string, { extreme: number; iterations: number[] }>();
  const drawable = (value: unknown): boolean =>
    typeof value === 'number'
      ? isDrawable(value, axis)
      : Array.isArray(value)
        ? value.every((end) => isDrawable(end as number, axis))
        : true;
  const cleaned = rows.map((row) => {
    let kept: Record<string, unknown> | null = null;
    for (const key of keys) {
      const value = row[key];
      if (value === undefined || value === null || drawable(value)) continue;
      const ends = typeof value === 'number' ? [value] : [...value];
      const worst = ends.reduce((a, b) => (badness(b) >= badness(a) ? b : a));
      const entry = found.get(key) ?? { extreme: worst, iterations: [] };
      if (badness(worst) > badness(entry.extreme)) entry.extreme = worst;
      entry.iterations.push(Number(row.iteration));
      found.set(key, entry);
      kept ??= { ...row };
      delete kept[key];
    }
    return (kept ?? row) as R;
  });
  if (found.size === 0) return { rows, undrawn: [] };
  const undrawn = keys.flatMap((key) => {
    const entry = found.get(key);
    return entry === undefined ? [] : [{ key, ...entry }];
  });
  return { rows: cleaned, undrawn };
}

/** `1–3`, `2`, `1, 3`: the iterations a value was left out at. */
function iterationList(iterations: readonly number[]): string {
  const consecutive = iterations.every((it, i) => i === 0 || it === iterations[i - 1] + 1);
  if (iterations.length === 1) return `iteration ${iterations[0]}`;
  if (consecutive) return `iterations ${iterations[0]}–${iterations[iterations.length - 1]}`;
  const shown = iterations.slice(0, 5).join(', ');
  return `iterations ${shown}${iterations.length > 5 ? ', …' : ''}`;
}

const limits = (axis: AxisKind) =>
  axis === 'log'
    ? `a log axis can show (${MIN_LOG_DRAWABLE.toExponential(0)} to ${MAX_DRAWABLE.toExponential(0)})`
    : `a chart can show (±${MAX_DRAWABLE.toExponential(0)})`;

/** The notice for what was left out, naming each series by its label; '' when nothing was. */
export function describeUndrawn(
  undrawn: readonly Undrawn[],
  labels: ReadonlyMap<string, string>,
  axis: AxisKind,
): string {
  if (undrawn.length === 0) return '';
  const items = undrawn.map(
    ({ key, extreme, iterations }) =>
      `${labels.get(key) ?? key} ${formatValue(extreme)} at ${iterationList(iterations)}`,
  );
  return `Not drawn, beyond what ${limits(axis)}: ${items.join('; ')}.`;
}
