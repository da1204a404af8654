/**
 * A chart's lines and bands drawn from its rows with recharts' own scales and `Curve`, as a plain
 * child of the chart (recharts' hooks for custom shapes, `useXAxisScale` / `useYAxisScale`).
 *
 * Why not recharts' `Line` and `Area`: given as the chart's `data`, every report sends the rows
 * through recharts' store (the data is unset, then set, and each dispatch re-runs the selectors
 * of some 80 subscribers), 10–20 ms of main-thread work per chart per report, stretched past
 * 50 ms when the engine's worker holds a core. Here the chart itself keeps the same props
 * between reports and is not rendered again; only this layer reads the rows (from
 * `ChartRowsContext`) and redraws its few paths. The points are the ones recharts' `Line` and
 * `Area` compute (`computeLinePoints`, `computeArea` for a range), so the paths are the same.
 */
import { createContext, useContext, type ReactElement } from 'react';
import { Curve, useXAxisScale, useYAxisScale } from 'recharts';
import { DASH_ARRAYS } from './ChartLegend';

export type ChartRow = Record<string, number | [number, number] | null>;

/** The rows the chart's series layer draws (a chart's own props stay the same between reports). */
export const ChartRowsContext = createContext<readonly ChartRow[]>([]);

export type LineStyle = 'solid' | 'dashed' | 'dotted';

/** One drawn series: a line of means, or a shaded band of [low, high] pairs. */
export interface SeriesShape {
  readonly kind: 'line' | 'band';
  readonly dataKey: string;
  /** The line's name in the tooltip. */
  readonly name: string;
  readonly colour: string;
  readonly style: LineStyle;
  /** A band's fill opacity. */
  readonly opacity: number;
  readonly axis: 'left' | 'right';
}

export const lineWidth = (style: LineStyle) => (style === 'solid' ? 2 : 1.6);

interface Point {
  readonly x: number | null;
  readonly y: number | null;
}

type Scale = (value: number) => number | undefined;

/** A pixel coordinate, or null where the scale has none (e.g. a value ≤ 0 on a log axis). */
function pixel(scale: Scale, value: number | null | undefined): number | null {
  if (typeof value !== 'number') return null;
  const scaled = scale(value);
  return scaled !== undefined && Number.isFinite(scaled) ? scaled : null;
}

function linePoints(rows: readonly ChartRow[], dataKey: string, x: Scale, y: Scale): Point[] {
  return rows.map((row) => {
    const value = row[dataKey];
    return {
      x: pixel(x, row.iteration as number),
      y: typeof value === 'number' ? pixel(y, value) : null,
    };
  });
}

/** The band's upper edge, and its lower edge as the area's base line. */
function bandPoints(
  rows: readonly ChartRow[],
  dataKey: string,
  x: Scale,
  y: Scale,
): { points: Point[]; baseLine: Point[] } {
  const points: Point[] = [];
  const baseLine: Point[] = [];
  for (const row of rows) {
    const value = row[dataKey];
    const px = pixel(x, row.iteration as number);
    const range = Array.isArray(value) ? value : null;
    const high = range === null ? null : pixel(y, range[1]);
    points.push({ x: px, y: high });
    baseLine.push({ x: px, y: range === null || high === null ? null : pixel(y, range[0]) });
  }
  return { points, baseLine };
}

/** Radius of the dot an isolated point is drawn as. */
export const DOT_RADIUS = 3.5;

/**
 * Rows whose value stands alone, with no value on either side (a run's first report, a point
 * between gaps): a line through one point draws nothing, so these are drawn as dots.
 */
export function isolatedRows(rows: readonly ChartRow[], dataKey: string): Set<number> {
  const has = (i: number) => i >= 0 && i < rows.length && typeof rows[i][dataKey] === 'number';
  const isolated = new Set<number>();
  for (let i = 0; i < rows.length; i++) if (has(i) && !has(i - 1) && !has(i + 1)) isolated.add(i);
  return isolated;
}

/** The series, bands under lines, in the chart's own scales. */
export function SeriesPaths({ shapes }: { shapes: readonly SeriesShape[] }): ReactElement | null {
  const rows = useContext(ChartRowsContext);
  const x = useXAxisScale() as Scale | undefined;
  const left = useYAxisScale('left') as Scale | undefined;
  const right = useYAxisScale('right') as Scale | undefined;
  if (x === undefined || left === undefined || rows.length === 0) return null;
  const yOf = (shape: SeriesShape) => (shape.axis === 'right' ? right : left);
  const bands = shapes.filter((shape) => shape.kind === 'band');
  const lines = shapes.filter((shape) => shape.kind === 'line');
  return (
    <g className="recharts-layer chart-series">
      {bands.map((shape) => {
        const y = yOf(shape);
        if (y === undefined) return null;
        const { points, baseLine } = bandPoints(rows, shape.dataKey, x, y);
        return (
          <Curve
            key={shape.dataKey}
            className="recharts-area-area"
            type="monotone"
            points={points}
            baseLine={baseLine}
            connectNulls
            stroke="none"
            fill={shape.colour}
            fillOpacity={shape.opacity}
          />
        );
      })}
      {lines.map((shape) => {
        const y = yOf(shape);
        if (y === undefined) return null;
        const points = linePoints(rows, shape.dataKey, x, y);
        const dots = [...isolatedRows(rows, shape.dataKey)].flatMap((i) => {
          const { x: cx, y: cy } = points[i];
          return cx === null || cy === null ? [] : [{ i, cx, cy }];
        });
        return (
          <g key={shape.dataKey}>
            <Curve
              className="recharts-line-curve"
              type="monotone"
              points={points}
              connectNulls
              fill="none"
              stroke={shape.colour}
              strokeWidth={lineWidth(shape.style)}
              strokeDasharray={DASH_ARRAYS[shape.style]}
            />
            {dots.map(({ i, cx, cy }) => (
              <circle key={i} className="chart-dot" cx={cx} cy={cy} r={DOT_RADIUS} fill={shape.colour} />
            ))}
          </g>
        );
      })}
    </g>
  );
}
