/**
 * A small SVG line chart: lines and shaded bands over the iterations, a linear or log y axis on
 * the left, optionally a linear one on the right, and the values under the pointer.
 *
 * Why not recharts, which drew these charts before: one recharts chart took 20–80 ms of the main
 * thread per report on this machine (5–200 ms under load), in one task, because every redraw
 * goes through its internal redux store (immer, memoised selectors, a re-render per dispatch
 * from its effects), computes "nice" ticks with decimal.js and measures text in the DOM; a CPU
 * profile of the page training (docs/BENCHMARKS.md) put nearly all the main thread's long tasks
 * there. This draws a handful of <path>s from numbers already in hand: well under a millisecond
 * of script per chart and report, and a layout of one small SVG.
 *
 * Every presentation attribute is on the elements (no CSS), so the PNG export (download.ts),
 * which serialises this SVG as it is, draws what the page shows.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';

/** One iteration: its x (`iteration`) and, per series key, a value, a [low, high] band or null. */
export type ChartRow = Readonly<Record<string, number | readonly [number, number] | null>>;

export interface ChartSeries {
  /** The row key it reads. */
  readonly key: string;
  readonly kind: 'line' | 'band';
  /** Shown with its value under the pointer (lines only). */
  readonly name: string;
  readonly colour: string;
  readonly strokeWidth?: number;
  /** An SVG stroke-dasharray. */
  readonly dash?: string;
  /** A band's fill opacity. */
  readonly opacity?: number;
  readonly axis: 'left' | 'right';
}

interface Props {
  readonly rows: readonly ChartRow[];
  readonly series: readonly ChartSeries[];
  /** The left axis on a log scale (values ≤ 0 are then left out). */
  readonly log: boolean;
  readonly rightAxis: boolean;
  readonly height: number;
  readonly formatTick: (value: number) => string;
  readonly formatValue: (value: number) => string;
}

const FONT_SIZE = 11;
const TICK_COLOUR = '#64748b';
const GRID_COLOUR = '#e2e8f0';
const AXIS_COLOUR = '#cbd5e1';
const LEFT = 44;
const RIGHT = 8;
const RIGHT_WITH_AXIS = 40;
const TOP = 6;
const BOTTOM = 18;
/** Pixels per x tick, at least: labels of up to four digits never touch. */
const X_TICK_SPACING = 48;
const Y_TICKS = 5;

interface Scale {
  readonly ticks: readonly number[];
  /** Value → pixel; NaN for a value the scale cannot show (≤ 0 on a log scale). */
  readonly at: (value: number) => number;
}

/** 1, 2 or 5 × a power of ten, the smallest at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Cleans float noise from a tick (0.30000000000000004 → 0.3). */
const clean = (value: number) => Number(value.toPrecision(12));

function linearScale(values: readonly number[], from: number, to: number, count: number): Scale {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (values.length === 0) [low, high] = [0, 1];
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    [low, high] = [low - pad, high + pad];
  }
  const step = niceStep((high - low) / (count - 1));
  const first = Math.floor(low / step) * step;
  const last = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let tick = first; tick <= last + step / 2; tick += step) ticks.push(clean(tick));
  const span = last - first;
  return { ticks, at: (value) => from + ((value - first) / span) * (to - from) };
}

function logScale(values: readonly number[], from: number, to: number): Scale {
  const positive = values.filter((value) => value > 0);
  let low = positive.length === 0 ? 0 : Math.floor(Math.log10(Math.min(...positive)));
  let high = positive.length === 0 ? 1 : Math.ceil(Math.log10(Math.max(...positive)));
  if (low === high) [low, high] = [low - 1, high + 1];
  // Every decade when they fit, else every other (or third…): labels stay apart.
  const stride = Math.ceil((high - low) / 6);
  const ticks: number[] = [];
  for (let power = low; power <= high; power += stride) ticks.push(clean(10 ** power));
  return {
    ticks,
    at: (value) =>
      value > 0 ? from + ((Math.log10(value) - low) / (high - low)) * (to - from) : Number.NaN,
  };
}

function xScale(first: number, last: number, from: number, to: number): Scale {
  const [low, high] = first === last ? [first - 1, last + 1] : [first, last];
  const count = Math.max(2, Math.floor((to - from) / X_TICK_SPACING));
  // Iterations are whole numbers: a step under 1 would label the same one twice.
  const step = Math.max(1, niceStep((high - low) / count));
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high; tick += step) ticks.push(clean(tick));
  return { ticks, at: (value) => from + ((value - low) / (high - low)) * (to - from) };
}

const numberAt = (row: ChartRow, key: string): number | null => {
  const value = row[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};
const bandAt = (row: ChartRow, key: string): readonly [number, number] | null => {
  const value = row[key];
  return Array.isArray(value) && value.every(Number.isFinite)
    ? (value as readonly [number, number])
    : null;
};

const point = (x: number, y: number) => `${x.toFixed(1)},${y.toFixed(1)}`;

/** Points joined by straight segments; a missing value is stepped over (the line goes on). */
function linePath(xs: readonly number[], ys: readonly number[]): string {
  let d = '';
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(ys[i])) continue;
    d += `${d === '' ? 'M' : 'L'}${point(xs[i], ys[i])}`;
  }
  return d;
}

/** The region between low and high, one closed shape per run of rows that have the band. */
function bandPath(
  xs: readonly number[],
  lows: readonly number[],
  highs: readonly number[],
): string {
  let d = '';
  let start = -1;
  const close = (end: number) => {
    if (start < 0) return;
    let part = `M${point(xs[start], highs[start])}`;
    for (let i = start + 1; i < end; i++) part += `L${point(xs[i], highs[i])}`;
    for (let i = end - 1; i >= start; i--) part += `L${point(xs[i], lows[i])}`;
    d += `${part}Z`;
    start = -1;
  };
  for (let i = 0; i < xs.length; i++) {
    const ok = !Number.isNaN(lows[i]) && !Number.isNaN(highs[i]);
    if (ok && start < 0) start = i;
    if (!ok) close(i);
  }
  close(xs.length);
  return d;
}

/** The element's width, kept up to date by a ResizeObserver (0 until measured). */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export const LineChart = memo(function LineChart({
  rows,
  series,
  log,
  rightAxis,
  height,
  formatTick,
  formatValue,
}: Props) {
  const [box, width] = useWidth();
  const [hover, setHover] = useState<number | null>(null);
  const right = rightAxis ? RIGHT_WITH_AXIS : RIGHT;

  const drawing = useMemo(() => {
    if (width <= LEFT + right || rows.length === 0) return null;
    const iterations = rows.map((row) => Number(row.iteration));
    const x = xScale(iterations[0], iterations[iterations.length - 1], LEFT, width - right);
    const xs = iterations.map(x.at);
    const bottom = height - BOTTOM;
    const valuesOn = (axis: 'left' | 'right') =>
      series
        .filter((s) => s.axis === axis)
        .flatMap((s) =>
          rows.flatMap((row) => {
            if (s.kind === 'band') return bandAt(row, s.key) ?? [];
            const value = numberAt(row, s.key);
            return value === null ? [] : [value];
          }),
        );
    const y = {
      left: log
        ? logScale(valuesOn('left'), bottom, TOP)
        : linearScale(valuesOn('left'), bottom, TOP, Y_TICKS),
      right: linearScale(valuesOn('right'), bottom, TOP, Y_TICKS),
    };
    const shapes = series.map((s) => {
      const at = y[s.axis].at;
      if (s.kind === 'band') {
        const bands = rows.map((row) => bandAt(row, s.key));
        return {
          series: s,
          d: bandPath(
            xs,
            bands.map((band) => (band === null ? Number.NaN : at(band[0]))),
            bands.map((band) => (band === null ? Number.NaN : at(band[1]))),
          ),
        };
      }
      return {
        series: s,
        d: linePath(
          xs,
          rows.map((row) => {
            const value = numberAt(row, s.key);
            return value === null ? Number.NaN : at(value);
          }),
        ),
      };
    });
    return { x, xs, y, bottom, shapes };
  }, [rows, series, log, width, right, height]);

  const lines = series.filter((s) => s.kind === 'line');
  const shownRow = hover === null || drawing === null ? null : (rows[hover] ?? null);
  return (
    <div ref={box} className="line-chart" style={{ position: 'relative', height }}>
      {drawing !== null && (
        <svg
          className="chart-surface"
          width={width}
          height={height}
          fontSize={FONT_SIZE}
          onPointerMove={(event) => {
            const left = event.currentTarget.getBoundingClientRect().left;
            const px = event.clientX - left;
            // The row nearest the pointer along x.
            let nearest = 0;
            for (let i = 1; i < drawing.xs.length; i++) {
              if (Math.abs(drawing.xs[i] - px) < Math.abs(drawing.xs[nearest] - px)) nearest = i;
            }
            setHover(nearest);
          }}
          onPointerLeave={() => setHover(null)}
        >
          {drawing.y.left.ticks.map((tick) => {
            const py = drawing.y.left.at(tick);
            return (
              <g key={`l${tick}`}>
                <line x1={LEFT} x2={width - right} y1={py} y2={py} stroke={GRID_COLOUR} />
                <text
                  className="chart-tick chart-tick-left"
                  x={LEFT - 4}
                  y={py}
                  textAnchor="end"
                  dominantBaseline="middle"
                  fill={TICK_COLOUR}
                >
                  {formatTick(tick)}
                </text>
              </g>
            );
          })}
          {rightAxis &&
            drawing.y.right.ticks.map((tick) => (
              <text
                key={`r${tick}`}
                className="chart-tick chart-tick-right"
                x={width - right + 4}
                y={drawing.y.right.at(tick)}
                dominantBaseline="middle"
                fill={TICK_COLOUR}
              >
                {formatTick(tick)}
              </text>
            ))}
          <line
            x1={LEFT}
            x2={width - right}
            y1={drawing.bottom}
            y2={drawing.bottom}
            stroke={AXIS_COLOUR}
          />
          {drawing.x.ticks.map((tick) => (
            <text
              key={`x${tick}`}
              className="chart-tick chart-tick-x"
              x={drawing.x.at(tick)}
              y={height - 4}
              textAnchor="middle"
              fill={TICK_COLOUR}
            >
              {String(tick)}
            </text>
          ))}
          {drawing.shapes.map(({ series: s, d }) =>
            s.kind === 'band' ? (
              <path
                key={s.key}
                className="chart-band"
                d={d}
                fill={s.colour}
                fillOpacity={s.opacity ?? 0.2}
                stroke="none"
              />
            ) : (
              <path
                key={s.key}
                className="chart-line"
                d={d}
                fill="none"
                stroke={s.colour}
                strokeWidth={s.strokeWidth ?? 2}
                strokeDasharray={s.dash}
                strokeLinejoin="round"
              />
            ),
          )}
          {hover !== null && (
            <line
              x1={drawing.xs[hover]}
              x2={drawing.xs[hover]}
              y1={TOP}
              y2={drawing.bottom}
              stroke={AXIS_COLOUR}
            />
          )}
        </svg>
      )}
      {shownRow !== null && drawing !== null && hover !== null && (
        <div
          className="chart-tooltip"
          aria-hidden="true"
          style={{
            position: 'absolute',
            top: TOP,
            // On the side away from the pointer, so it never hides the point looked at.
            ...(drawing.xs[hover] > width / 2
              ? { right: width - drawing.xs[hover] + 8 }
              : { left: drawing.xs[hover] + 8 }),
          }}
        >
          <div className="chart-tooltip-title">iteration {String(shownRow.iteration)}</div>
          {lines.map((s) => {
            const value = numberAt(shownRow, s.key);
            return value === null ? null : (
              <div key={s.key} style={{ color: s.colour }}>
                {s.name}: {formatValue(value)}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
});
